import { useState } from 'react';
import { runStatuses, type RunSnapshot, type RunStatus } from '../../../shared/index.ts';
import { useAnalysisHistory, useNow } from '../../react/index.ts';
import { errorMessage } from '../auth/errors.ts';
import { useReportUnauthorized } from '../auth/unauthorized.tsx';
import { formatDuration, formatWhen, kindLabel, runDuration, shortId } from '../format.ts';
import { StatusBadge } from '../runs/StatusBadge.tsx';

const pageSize = 10;
/** runs started elsewhere (another tab, the CLI) show up without a reload */
const refreshEveryMs = 5000;

function StatusFilter({ selected, onChange }: { selected: RunStatus[]; onChange: (next: RunStatus[]) => void }) {
  return (
    <fieldset className="status-filter">
      <legend>Status</legend>
      {runStatuses.map((status) => (
        <label key={status} className="chip" data-status={status}>
          <input
            type="checkbox"
            checked={selected.includes(status)}
            onChange={(e) =>
              onChange(e.target.checked ? [...selected, status] : selected.filter((other) => other !== status))
            }
          />
          {status}
        </label>
      ))}
      {selected.length > 0 && (
        <button type="button" className="button-quiet" onClick={() => onChange([])}>
          Show all
        </button>
      )}
    </fieldset>
  );
}

function progressText(run: RunSnapshot): string {
  if (run.status === 'completed') return '100%';
  const percent = `${Math.floor(run.progress)}%`;
  if (run.status === 'running' && run.stage) return `${percent} · ${run.stage.label}`;
  if (run.status === 'failed' && run.error) return `${percent} · ${run.error.code}`;
  if (run.status === 'cancelled' && run.stage) return `${percent} · stopped in ${run.stage.label}`;
  return percent;
}

/** Every run of this user, newest first, a page at a time, filtered by status. */
export function HistoryTable({
  selectedId,
  onSelect,
}: {
  selectedId: string | null;
  onSelect: (runId: string) => void;
}) {
  const [statuses, setStatuses] = useState<RunStatus[]>([]);
  const [pageIndex, setPageIndex] = useState(0);
  const history = useAnalysisHistory({ status: statuses, limit: pageSize }, { pollMs: refreshEveryMs });
  useReportUnauthorized(history.error);
  const pages = history.data?.pages ?? [];
  const page = pages[Math.min(pageIndex, Math.max(0, pages.length - 1))];
  const shownIndex = pages.length === 0 ? 0 : Math.min(pageIndex, pages.length - 1);
  const hasNext = shownIndex + 1 < pages.length || history.hasNextPage;
  const anyRunning = page?.items.some((run) => run.status === 'running') ?? false;
  const now = useNow(anyRunning);

  const changeFilter = (next: RunStatus[]) => {
    setStatuses(runStatuses.filter((status) => next.includes(status)));
    setPageIndex(0);
  };
  const next = async () => {
    if (shownIndex + 1 >= pages.length) await history.fetchNextPage();
    setPageIndex(shownIndex + 1);
  };

  return (
    <section className="panel" aria-labelledby="history-heading">
      <header className="panel-header">
        <h2 id="history-heading">History</h2>
        <StatusFilter selected={statuses} onChange={changeFilter} />
      </header>
      {history.error && !page ? (
        <p className="notice notice-error">Could not load the history: {errorMessage(history.error)}</p>
      ) : !page ? (
        <p className="empty">Loading…</p>
      ) : page.items.length === 0 ? (
        <p className="empty">{statuses.length > 0 ? `No ${statuses.join(' or ')} runs.` : 'No runs yet.'}</p>
      ) : (
        <div className="table-scroll">
          <table className="history-table" aria-busy={history.isFetching}>
            <caption className="visually-hidden">
              Runs, newest first, page {shownIndex + 1}
              {statuses.length > 0 && `, status ${statuses.join(' or ')}`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Run</th>
                <th scope="col">Analysis</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Duration</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((run) => {
                const took = runDuration(run, now);
                return (
                  <tr
                    key={run.id}
                    data-run-id={run.id}
                    data-status={run.status}
                    aria-current={run.id === selectedId ? true : undefined}
                  >
                    <td>
                      <time dateTime={run.createdAt.toISOString()}>{formatWhen(run.createdAt)}</time>
                    </td>
                    <td className="run-id">#{shortId(run.id)}</td>
                    <td>{kindLabel(run.kind)}</td>
                    <td>
                      <StatusBadge status={run.status} cancelling={run.cancelRequested} />
                    </td>
                    <td className="progress-cell">{progressText(run)}</td>
                    <td>{took === null ? '–' : formatDuration(took)}</td>
                    <td>
                      <button
                        type="button"
                        className="button-quiet"
                        onClick={() => onSelect(run.id)}
                        aria-label={`Details of run ${shortId(run.id)}`}
                      >
                        Details
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="History pages">
        <button type="button" onClick={() => setPageIndex(shownIndex - 1)} disabled={shownIndex === 0}>
          ← Newer
        </button>
        <span aria-live="polite">Page {shownIndex + 1}</span>
        <button type="button" onClick={() => void next()} disabled={!hasNext || history.isFetchingNextPage}>
          Older →
        </button>
      </nav>
    </section>
  );
}
