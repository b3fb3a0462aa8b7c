import type { StageStatus, StageTimeline as Stage } from '../../../shared/index.ts';
import { formatDuration } from '../format.ts';
import { useNow } from '../../react/index.ts';

const statusWords: Record<StageStatus, string> = {
  pending: 'pending',
  running: 'running',
  completed: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The run's stages in order, each with its status and how long it took (or has taken so far). */
export function StageTimeline({ stages, label }: { stages: readonly Stage[]; label: string }) {
  const now = useNow(stages.some((stage) => stage.status === 'running'));
  return (
    <ol className="stage-timeline" aria-label={label}>
      {stages.map((stage) => {
        const took = stage.startedAt === null ? null : (stage.finishedAt?.getTime() ?? now) - stage.startedAt.getTime();
        return (
          <li key={stage.key} data-status={stage.status} aria-current={stage.status === 'running' ? 'step' : undefined}>
            <span className="stage-marker" aria-hidden="true" />
            <span className="stage-label">{stage.label}</span>
            <span className="stage-meta">
              {statusWords[stage.status]}
              {took !== null && ` · ${formatDuration(took)}`}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
