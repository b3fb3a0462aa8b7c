import { skipToken, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { isTerminal, type CancelOutcome, type RunDetails } from '../../shared/index.ts';
import { trpc } from './provider.tsx';
import { isClientError } from './errors.ts';
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
  const [followed, setFollowed] = useState(runId);
  if (followed !== runId) {
    setFollowed(runId);
    setLiveOnce(null);
  }
  const lastEventAt = useRef(0);
  const subscription = trpc.analysis.progress.useSubscription(
    // only with the run in the cache: events fold into it, so none may arrive before it
    runId && run && resumeFrom !== null && !finished ? { runId, lastEventId: resumeFrom } : skipToken,
    {
      onStarted: () => {
        lastEventAt.current = Date.now();
        setLiveOnce(runId ?? null);
      },
      onData: (envelope) => {
        lastEventAt.current = Date.now();
        applyProgressEvent(queryClient, utils, envelope.data);
      },
      // the server ends the stream only after the end state; if the cache missed it, ask
      onComplete: () => {
        if (runId) void utils.analysis.get.invalidate({ runId });
      },
    },
  );
  const retrying = useRetryOnServerError(subscription, !finished);

  let connection: AnalysisConnection;
  if (!runId || finished || (!run && get.error) || (subscription.status === 'error' && !retrying)) {
    connection = 'ended';
  } else if (subscription.status === 'pending') connection = 'live';
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

  // a dropped socket is `reconnecting`, not an error; a refused or failed subscription is
  const error = (get.error ?? (subscription.status === 'error' ? subscription.error : null) ?? null) as Error | null;
  return { run, connection, isStalled, error, cancel };
}

/**
 * tRPC ends a subscription for good on an error answer. A 4xx answer (bad
 * token, unknown run) will not change; a server error may, so the
 * subscription is restarted with backoff (it resumes from its last event id).
 */
function useRetryOnServerError(
  subscription: { status: string; error: unknown; reset: () => void },
  wanted: boolean,
): boolean {
  const attempts = useRef(0);
  const retryable = wanted && subscription.status === 'error' && !isClientError(subscription.error);
  const { reset, status } = subscription;
  useEffect(() => {
    if (status === 'pending') attempts.current = 0;
    if (!retryable) return;
    const delay = Math.min(500 * 2 ** attempts.current, 10_000);
    attempts.current++;
    const timer = setTimeout(reset, delay);
    return () => clearTimeout(timer);
  }, [retryable, reset, status]);
  return retryable;
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
