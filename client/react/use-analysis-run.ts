import { skipToken, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { isTerminal, type CancelOutcome, type RunDetails } from '../../shared/index.ts';
import { trpc } from './provider.tsx';
import { applyProgressEvent, keepNewerRun } from './run-cache.ts';
import { useCancelAnalysis } from './use-cancel-analysis.ts';

export type AnalysisConnection = 'connecting' | 'live' | 'reconnecting' | 'ended';

export interface UseAnalysisRunOptions {
  /**
   * A running run counts as stalled when no event (not even a heartbeat) has
   * arrived for this long while the subscription is live. Measured on this
   * client's clock, so server clock skew does not matter. Default 10 s
   * (the server's heartbeat is 2 s).
   */
  stallAfterMs?: number;
}

export interface AnalysisRunState {
  /** the latest snapshot with its stage timeline; undefined until the first answer */
  run: RunDetails | undefined;
  connection: AnalysisConnection;
  isStalled: boolean;
  /** why the run cannot be shown or followed (e.g. NOT_FOUND, UNAUTHORIZED) */
  error: Error | null;
  cancel: (reason?: string) => Promise<CancelOutcome>;
}

/**
 * Follows one run live: seeded by `analysis.get`, then driven by the
 * `analysis.progress` subscription (no polling). The WebSocket link resumes
 * from the last event id after a reconnect, so the subscription is opened once
 * per run id, not once per event. Events are written into the query cache, so
 * every `get` and `history` view of the run agrees.
 */
export function useAnalysisRun(
  runId: string | null | undefined,
  options: UseAnalysisRunOptions = {},
): AnalysisRunState {
  const stallAfterMs = options.stallAfterMs ?? 10_000;
  const queryClient = useQueryClient();
  const utils = trpc.useUtils();
  const get = trpc.analysis.get.useQuery(runId ? { runId } : skipToken, { structuralSharing: keepNewerRun });
  const run = get.data && get.data.id === runId ? get.data : undefined;
  const finished = run !== undefined && isTerminal(run.status);

  // The subscription resumes from the seeded snapshot's seq, fixed once per run id so the
  // input (and with it the subscription) stays the same; after a reconnect the WebSocket
  // link sends the id of the last event it received instead.
  const [seed, setSeed] = useState<{ runId: string; seq: number } | null>(null);
  if (run && seed?.runId !== run.id) setSeed({ runId: run.id, seq: run.seq });
  const resumeFrom = seed && seed.runId === runId ? String(seed.seq) : null;

  // per run id: whether the subscription has been live once (then a drop is a *re*connect)
  const [liveOnce, setLiveOnce] = useState<string | null>(null);
  const lastEventAt = useRef(0);
  const subscription = trpc.analysis.progress.useSubscription(
    runId && resumeFrom !== null && !finished ? { runId, lastEventId: resumeFrom } : skipToken,
    {
      onStarted: () => {
        lastEventAt.current = Date.now();
        setLiveOnce(runId ?? null);
      },
      onData: (envelope) => {
        lastEventAt.current = Date.now();
        applyProgressEvent(queryClient, utils, envelope.data);
      },
    },
  );

  let connection: AnalysisConnection;
  if (!runId || finished || (!run && get.error) || subscription.status === 'error') connection = 'ended';
  else if (subscription.status === 'pending') connection = 'live';
  else connection = liveOnce === runId ? 'reconnecting' : 'connecting';

  const isStalled = useStalled(run?.status === 'running' && connection === 'live', lastEventAt, stallAfterMs);

  const cancelMutation = useCancelAnalysis();
  const { mutateAsync } = cancelMutation;
  const cancel = useCallback(
    async (reason?: string) => {
      if (!runId) throw new Error('no run to cancel');
      const answer = await mutateAsync(reason === undefined ? { runId } : { runId, reason });
      return answer.outcome;
    },
    [runId, mutateAsync],
  );

  const error = (get.error ?? subscription.error ?? null) as Error | null;
  return { run, connection, isStalled, error, cancel };
}

/** True once `watching` has gone on for `afterMs` without a new event. */
function useStalled(watching: boolean, lastEventAt: { current: number }, afterMs: number): boolean {
  const [stalled, setStalled] = useState(false);
  useEffect(() => {
    if (!watching) {
      setStalled(false);
      return;
    }
    const check = () => setStalled(Date.now() - lastEventAt.current > afterMs);
    check();
    const timer = setInterval(check, Math.max(250, Math.min(afterMs / 4, 1000)));
    return () => clearInterval(timer);
  }, [watching, lastEventAt, afterMs]);
  return watching && stalled;
}
