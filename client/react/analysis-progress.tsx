import type { CSSProperties } from 'react';
import type { RunSnapshot, RunStatus } from '../../shared/index.ts';
import { formatCount, formatDuration } from './format.ts';
import { useNow } from './use-now.ts';

/** What the bar shows: the run's status, or `stalled` when a running run went quiet. */
export type ProgressLook = RunStatus | 'stalled' | 'cancelling';

type ProgressRun = Pick<
  RunSnapshot,
  | 'kind'
  | 'status'
  | 'progress'
  | 'stage'
  | 'step'
  | 'message'
  | 'etaMs'
  | 'error'
  | 'cancelRequested'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
  | 'attempt'
>;

export interface AnalysisProgressProps {
  run: ProgressRun;
  /** from `useAnalysisRun`: shows the stalled look while a running run sends nothing */
  isStalled?: boolean;
  /** accessible name of the bar; default: "<kind> progress" */
  label?: string;
  className?: string;
}

const statusText: Record<ProgressLook, string> = {
  queued: 'Queued',
  running: 'Running',
  stalled: 'Stalled',
  cancelling: 'Cancelling',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

// colours with at least 4.5:1 contrast against white text / the light track
const fillColor: Record<ProgressLook, string> = {
  queued: '#6b7280',
  running: '#2563eb',
  stalled: '#b45309',
  cancelling: '#7c3aed',
  completed: '#15803d',
  failed: '#b91c1c',
  cancelled: '#475569',
};

export function progressLook(run: Pick<RunSnapshot, 'status' | 'cancelRequested'>, isStalled = false): ProgressLook {
  if (run.status === 'running' && run.cancelRequested) return 'cancelling';
  if (run.status === 'running' && isStalled) return 'stalled';
  return run.status;
}

function stripes(look: ProgressLook): CSSProperties {
  // moving work gets diagonal stripes; a stopped bar is flat
  if (look !== 'running' && look !== 'cancelling' && look !== 'stalled') return {};
  return {
    backgroundImage:
      'linear-gradient(45deg, rgba(255,255,255,.18) 25%, transparent 25%, transparent 50%, rgba(255,255,255,.18) 50%, rgba(255,255,255,.18) 75%, transparent 75%, transparent)',
    backgroundSize: '16px 16px',
  };
}

/** One line under the bar: step, ETA, elapsed, and what the run said last. */
function detailParts(run: ProgressRun, look: ProgressLook, now: number): string[] {
  const parts: string[] = [];
  if (run.step && look !== 'completed')
    parts.push(`step ${formatCount(run.step.current)}/${formatCount(run.step.total)}`);
  if (run.etaMs !== null && (look === 'running' || look === 'stalled')) parts.push(`ETA ${formatDuration(run.etaMs)}`);
  const started = run.startedAt?.getTime();
  if (started !== undefined) {
    const end = run.finishedAt?.getTime() ?? now;
    parts.push(`${run.finishedAt ? 'took' : 'elapsed'} ${formatDuration(Math.max(0, end - started))}`);
  } else if (look === 'queued' && run.attempt === 1) {
    parts.push(`waiting ${formatDuration(Math.max(0, now - run.createdAt.getTime()))}`);
  } else if (look === 'queued') {
    parts.push(`attempt ${run.attempt}`);
  }
  return parts;
}

/**
 * Colours come from CSS custom properties with light defaults:
 * `--analysis-progress-track`, `--analysis-progress-muted` and
 * `--analysis-progress-<look>` (e.g. `--analysis-progress-running`).
 *
 * An accessible progress bar for one run: `role="progressbar"` with
 * `aria-valuenow`, the stage `i/n`, step `current/total`, message, ETA and
 * elapsed time; a distinct look per status (`data-look` for styling).
 */
export function AnalysisProgress({ run, isStalled = false, label, className }: AnalysisProgressProps) {
  const look = progressLook(run, isStalled);
  const moving = run.status === 'queued' || run.status === 'running';
  const now = useNow(moving);
  const percent = Math.max(0, Math.min(100, run.progress));
  const rounded = Math.floor(percent);
  const stageText = run.stage ? `Stage ${run.stage.index + 1}/${run.stage.count} · ${run.stage.label}` : null;
  const message = run.status === 'failed' && run.error ? `${run.error.code}: ${run.error.message}` : run.message;
  const details = detailParts(run, look, now);
  const valueText = [`${rounded}%`, statusText[look], stageText].filter(Boolean).join(', ');

  return (
    <div
      className={['analysis-progress', className].filter(Boolean).join(' ')}
      data-status={run.status}
      data-look={look}
      style={{ display: 'grid', gap: 4, fontVariantNumeric: 'tabular-nums' }}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, fontSize: '0.9em' }}>
        <span className="analysis-progress__stage">{stageText ?? statusText[look]}</span>
        <span className="analysis-progress__status">
          <span
            className="analysis-progress__badge"
            style={{
              background: `var(--analysis-progress-${look}, ${fillColor[look]})`,
              color: '#fff',
              borderRadius: 999,
              padding: '0 8px',
              marginRight: 8,
              fontSize: '0.85em',
            }}
          >
            {statusText[look]}
          </span>
          {rounded}%
        </span>
      </div>
      <div
        role="progressbar"
        aria-label={label ?? `${run.kind} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
        aria-valuetext={valueText}
        className="analysis-progress__track"
        style={{
          height: 10,
          borderRadius: 5,
          background: 'var(--analysis-progress-track, #e5e7eb)',
          overflow: 'hidden',
        }}
      >
        <div
          className="analysis-progress__fill"
          style={{
            width: `${look === 'failed' || look === 'cancelled' ? Math.max(percent, 2) : percent}%`,
            height: '100%',
            background: `var(--analysis-progress-${look}, ${fillColor[look]})`,
            transition: 'width 200ms linear',
            ...stripes(look),
          }}
        />
      </div>
      <div
        className="analysis-progress__details"
        style={{ fontSize: '0.85em', color: 'var(--analysis-progress-muted, #4b5563)' }}
      >
        {details.join(' · ')}
        {message ? (
          <span className="analysis-progress__message">
            {details.length ? ' — ' : ''}
            {message}
          </span>
        ) : null}
      </div>
    </div>
  );
}
