import { useEffect, useRef } from 'react';
import { isTerminal, type RunDetails } from '../../../shared/index.ts';
import { useAnalysisRun, useNow } from '../../react/index.ts';
import { errorMessage } from '../auth/errors.ts';
import { useReportUnauthorized } from '../auth/unauthorized.tsx';
import { formatDuration, formatWhen, kindLabel, runDuration, shortId } from '../format.ts';
import { StageTimeline } from '../runs/StageTimeline.tsx';
import { StatusBadge } from '../runs/StatusBadge.tsx';
import { NeuronStatsView } from './NeuronStatsView.tsx';

function Result({ run }: { run: RunDetails }) {
  if (run.status !== 'completed' || run.result === null) return null;
  if (run.kind === 'neuron-activation-stats') {
    return <NeuronStatsView result={run.result} />;
  }
  return <pre className="raw-result">{JSON.stringify(run.result, null, 2)}</pre>;
}

/**
 * One run in full: timings, input, stages, error and, once completed, its result.
 * `onClose` (Close or Escape) must put focus somewhere: the panel goes away with it.
 */
export function RunDetailsPanel({ runId, onClose }: { runId: string; onClose: () => void }) {
  const { run, error } = useAnalysisRun(runId);
  useReportUnauthorized(error);
  const heading = useRef<HTMLHeadingElement>(null);
  const now = useNow(run?.status === 'running');

  // opening the panel (or switching runs) moves focus to it, so keyboard users land on what they asked for
  useEffect(() => {
    heading.current?.focus();
    heading.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [runId]);

  const took = run ? runDuration(run, now) : null;
  return (
    <section
      className="panel details-panel"
      aria-labelledby="details-heading"
      data-run-id={runId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <header className="panel-header">
        <h2 id="details-heading" ref={heading} tabIndex={-1}>
          Run #{shortId(runId)}
          {run && <> · {kindLabel(run.kind)}</>}
        </h2>
        {run && <StatusBadge status={run.status} cancelling={run.cancelRequested} />}
        <button type="button" className="button-quiet close" onClick={onClose} aria-label="Close the run details">
          Close
        </button>
      </header>
      {run && error && (
        <p className="notice notice-error" role="alert">
          {isTerminal(run.status) ? 'Could not refresh this run' : 'Live updates stopped'}: {errorMessage(error)}
        </p>
      )}
      {!run ? (
        <p className={error ? 'notice notice-error' : 'empty'}>
          {error ? `Cannot show this run: ${errorMessage(error)}` : 'Loading…'}
        </p>
      ) : (
        <div className="details-body">
          <dl className="facts">
            <div>
              <dt>Created</dt>
              <dd>{formatWhen(run.createdAt)}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>{formatWhen(run.startedAt)}</dd>
            </div>
            <div>
              <dt>Finished</dt>
              <dd>{formatWhen(run.finishedAt)}</dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{took === null ? '–' : formatDuration(took)}</dd>
            </div>
            {run.attempt > 1 && (
              <div>
                <dt>Attempt</dt>
                <dd>{run.attempt}</dd>
              </div>
            )}
            <div className="facts-wide">
              <dt>Input</dt>
              <dd>
                <code>
                  {Object.entries(run.input as Record<string, unknown>)
                    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
                    .join('  ')}
                </code>
              </dd>
            </div>
            {run.cancelReason && (
              <div className="facts-wide">
                <dt>Cancel reason</dt>
                <dd>{run.cancelReason}</dd>
              </div>
            )}
            {run.error && (
              <div className="facts-wide">
                <dt>Error</dt>
                <dd className="field-error">
                  {run.error.code}: {run.error.message}
                </dd>
              </div>
            )}
          </dl>
          <StageTimeline stages={run.stages} label={`Stages of run ${shortId(runId)}`} />
          <Result run={run} />
          {!isTerminal(run.status) && <p className="muted">The result appears here when the run completes.</p>}
        </div>
      )}
    </section>
  );
}
