import { trpc } from './provider.tsx';

/**
 * `analysis.start` as a mutation. Its input is a union over the registered
 * kinds, so `input` is checked against the chosen `kind`'s schema at compile
 * time. A started run appears in every cached history.
 */
export function useStartAnalysis() {
  const utils = trpc.useUtils();
  return trpc.analysis.start.useMutation({
    onSuccess: () => void utils.analysis.history.invalidate(),
  });
}
