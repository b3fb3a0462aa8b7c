import { useQueryClient } from '@tanstack/react-query';
import { trpc } from './provider.tsx';
import { storeRun } from './run-cache.ts';

/** `analysis.cancel` as a mutation; its answer goes straight into the cached `get` and `history` entries. */
export function useCancelAnalysis() {
  const queryClient = useQueryClient();
  const utils = trpc.useUtils();
  return trpc.analysis.cancel.useMutation({
    onSuccess: ({ run }) => {
      storeRun(queryClient, utils, run);
      void utils.analysis.history.invalidate();
    },
  });
}
