import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunSnapshot } from '../../../shared/index.ts';
import { useAnalysisHistory } from '../../react/index.ts';
import { errorMessage } from '../auth/errors.ts';
import { useReportUnauthorized } from '../auth/unauthorized.tsx';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { LiveRunCard } from './LiveRunCard.tsx';

/** how often to look for runs started elsewhere (another tab, the CLI) */
const discoverEveryMs = 3000;

export interface LiveRunsProps {
  /** runs started from this tab, newest first */
  startedHere: readonly RunSnapshot[];
  onShowDetails: (runId: string, opener: HTMLElement) => void;
}

/**
 * Runs that are queued or running, plus the ones started in this tab. A run
 * stays listed with its final status once it ends, until dismissed.
 */
export function LiveRuns({ startedHere, onShowDetails }: LiveRunsProps) {
  const active = useAnalysisHistory({ status: ['queued', 'running'], limit: 20 }, { pollMs: discoverEveryMs });
  useReportUnauthorized(active.error);
  // id → creation time of every run this list has shown: kept after it leaves the active filter
  const [shown, setShown] = useState<ReadonlyMap<string, number>>(new Map());
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    const incoming = [...startedHere, ...active.runs].filter((run) => !shown.has(run.id));
    if (incoming.length === 0) return;
    setShown((previous) => {
      const next = new Map(previous);
      for (const run of incoming) next.set(run.id, run.createdAt.getTime());
      return next;
    });
  }, [startedHere, active.runs, shown]);

  const ids = useMemo(
    () =>
      [...shown]
        .filter(([id]) => !dismissed.has(id))
        .sort((a, b) => b[1] - a[1] || (b[0] < a[0] ? -1 : 1))
        .map(([id]) => id),
    [shown, dismissed],
  );
  const heading = useRef<HTMLHeadingElement>(null);
  const dismiss = (runId: string) => {
    setDismissed((previous) => new Set(previous).add(runId));
    // the card goes away with the focused Dismiss button
    heading.current?.focus();
  };

  return (
    <section className="panel" aria-labelledby="live-runs-heading">
      <header className="panel-header">
        <h2 id="live-runs-heading" ref={heading} tabIndex={-1}>
          Live runs
        </h2>
        <span className="muted" aria-live="polite">
          {ids.length === 0 ? '' : `${ids.length} shown`}
        </span>
      </header>
      {active.error && (
        <ErrorNotice
          message={`Could not look for running analyses: ${errorMessage(active.error)}`}
          onRetry={() => void active.refetch()}
          retrying={active.isFetching}
        />
      )}
      {ids.length === 0 ? (
        // with the lookup failing, "nothing is running" would be a guess
        !active.error && (
          <p className="empty">
            {active.isPending ? 'Looking for running analyses…' : 'Nothing is running. Start a run with the form.'}
          </p>
        )
      ) : (
        <ul className="run-cards">
          {ids.map((id) => (
            <LiveRunCard key={id} runId={id} onShowDetails={onShowDetails} onDismiss={dismiss} />
          ))}
        </ul>
      )}
    </section>
  );
}
