import { useEffect, useRef, useState } from 'react';
import { isTerminal } from '../../../shared/index.ts';
import { AnalysisProgress, useAnalysisRun, type AnalysisConnection } from '../../react/index.ts';
import { errorMessage } from '../auth/errors.ts';
import { useReportUnauthorized } from '../auth/unauthorized.tsx';
import { FocusableButton } from '../FocusableButton.tsx';
import { kindLabel, shortId } from '../format.ts';
import { StageTimeline } from './StageTimeline.tsx';

const connectionWords: Record<AnalysisConnection, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  ended: '',
};

export interface LiveRunCardProps {
  runId: string;
  /** `opener` is the button pressed: focus goes back to it when the details close */
  onShowDetails: (runId: string, opener: HTMLElement) => void;
  onDismiss: (runId: string) => void;
}

/** One run followed live: progress bar, stage timeline, Cancel; once finished, Details and Dismiss. */
export function LiveRunCard({ runId, onShowDetails, onDismiss }: LiveRunCardProps) {
  const { run, connection, isStalled, error, cancel } = useAnalysisRun(runId);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [cancelPending, setCancelPending] = useState(false);
  useReportUnauthorized(error);
  const finished = run !== undefined && isTerminal(run.status);

  // When the run ends, Cancel makes way for Details. If Cancel had focus, it went to <body> with it
  // (React sends no blur for a removed element, so the flag is still set): hand it to Details.
  const cancelFocused = useRef(false);
  const detailsButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!finished || !cancelFocused.current) return;
    cancelFocused.current = false;
    if (document.activeElement === null || document.activeElement === document.body) detailsButton.current?.focus();
  }, [finished]);

  const name = `Run ${shortId(runId)}`;
  if (!run) {
    return (
      <li className="run-card" data-run-id={runId} aria-label={name} aria-busy={!error}>
        <p className="muted">{error ? `Cannot follow ${name}: ${errorMessage(error)}` : `Loading ${name}…`}</p>
        {error && (
          <button type="button" className="button-quiet" onClick={() => onDismiss(runId)}>
            Dismiss
          </button>
        )}
      </li>
    );
  }

  const requestCancel = () => {
    setCancelPending(true);
    setCancelError(null);
    cancel('cancelled from the demo page')
      .catch((failure: unknown) => setCancelError(errorMessage(failure)))
      .finally(() => setCancelPending(false));
  };

  return (
    <li className="run-card" data-run-id={runId} data-status={run.status} aria-label={`${name}, ${run.status}`}>
      <header className="run-card-header">
        <h3>
          {kindLabel(run.kind)} <span className="run-id">#{shortId(runId)}</span>
        </h3>
        {connection !== 'ended' && (
          <span className="connection" data-connection={connection}>
            {connectionWords[connection]}
          </span>
        )}
      </header>
      <AnalysisProgress run={run} isStalled={isStalled} label={`Progress of ${name}`} />
      {isStalled && (
        <p className="notice notice-warning" role="status">
          No word from this run for a while: the server may be busy or the run stalled.
        </p>
      )}
      {error && (
        <p className="notice notice-error" role="alert">
          {finished ? 'Could not refresh this run' : 'Live updates stopped'}: {errorMessage(error)}
        </p>
      )}
      {run.status === 'failed' && run.error && (
        <p className="notice notice-error">
          {run.error.code}: {run.error.message}
        </p>
      )}
      {run.status === 'cancelled' && run.cancelReason && <p className="muted">Cancelled: {run.cancelReason}</p>}
      <details className="run-card-stages" open={!finished}>
        <summary>Stages</summary>
        <StageTimeline stages={run.stages} label={`Stages of ${name}`} />
      </details>
      {cancelError && (
        <p className="notice notice-error" role="alert">
          Cancel failed: {cancelError}
        </p>
      )}
      <div className="run-card-actions">
        {!finished && (
          <FocusableButton
            className="button-danger"
            onClick={requestCancel}
            unavailable={cancelPending || run.cancelRequested}
            aria-label={`Cancel ${name}`}
            onFocus={() => (cancelFocused.current = true)}
            onBlur={() => (cancelFocused.current = false)}
          >
            {run.cancelRequested ? 'Cancelling…' : 'Cancel'}
          </FocusableButton>
        )}
        {finished && (
          <>
            <button
              type="button"
              ref={detailsButton}
              onClick={(event) => onShowDetails(runId, event.currentTarget)}
              aria-label={`Details of ${name}`}
            >
              {run.status === 'completed' ? 'View result' : 'Details'}
            </button>
            <button
              type="button"
              className="button-quiet"
              onClick={() => onDismiss(runId)}
              aria-label={`Dismiss ${name}`}
            >
              Dismiss
            </button>
          </>
        )}
      </div>
    </li>
  );
}
