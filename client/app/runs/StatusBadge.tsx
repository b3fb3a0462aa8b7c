import type { RunStatus } from '../../../shared/index.ts';

const labels: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** `cancelling`: a cancel was accepted while the run was still running. */
export function StatusBadge({ status, cancelling = false }: { status: RunStatus; cancelling?: boolean }) {
  const shown = cancelling && status === 'running' ? 'cancelling' : status;
  return (
    <span className="status-badge" data-status={shown}>
      {shown === 'cancelling' ? 'Cancelling' : labels[status]}
    </span>
  );
}
