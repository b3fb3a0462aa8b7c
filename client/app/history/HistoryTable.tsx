import { useRef, useState } from 'react';
import { runStatuses, type RunSnapshot, type RunStatus } from '../../../shared/index.ts';
import { useAnalysisHistory, useNow } from '../../react/index.ts';
import { errorMessage } from '../auth/errors.ts';
import { useReportUnauthorized } from '../auth/unauthorized.tsx';
import { formatDuration, formatWhen, kindLabel, runDuration, shortId } from '../format.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { FocusableButton } from '../FocusableButton.tsx';
import { StatusBadge } from '../runs/StatusBadge.tsx';

const pageSize = 10;
/** runs started elsewhere (another tab, the CLI) show up without a reload */
const refreshEveryMs = 5000;

interface StatusFilterProps {
  selected: RunStatus[];
  onChange: (next: RunStatus[]) => void;
  /** "Show all" removes itself, so this must also put focus somewhere */
  onShowAll: () => void;
}

function StatusFilter({ selected, onChange, onShowAll }: StatusFilterProps) {
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
        <button type="button" className="button-quiet" onClick={onShowAll}>
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
  /** `opener` is the button pressed: focus goes back to it when the details close */
  onSelect: (runId: string, opener: HTMLElement) => void;
}) {
  const [statuses, setStatuses] = useState<RunStatus[]>([]);
  const [pageIndex, setPageIndex] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  // bumped by every filter change, so an older page that arrives afterwards does not move the new filter's pager
  const filterGeneration = useRef(0);
  const history = useAnalysisHistory({ status: statuses, limit: pageSize }, { pollMs: refreshEveryMs });
  useReportUnauthorized(history.error);
  // keepPreviousData: until the new filter's first page arrives, these are the previous filter's pages
  const stale = history.isPlaceholderData;
  const pages = history.data?.pages ?? [];
  const shownIndex = pages.length === 0 ? 0 : Math.min(pageIndex, pages.length - 1);
  const page = pages[shownIndex];
  const hasNext = !stale && (shownIndex + 1 < pages.length || history.hasNextPage);
  const anyRunning = page?.items.some((run) => run.status === 'running') ?? false;
  const now = useNow(anyRunning);

  const changeFilter = (next: RunStatus[]) => {
    filterGeneration.current++;
    setStatuses(runStatuses.filter((status) => next.includes(status)));
    setPageIndex(0);
  };
  const showAll = () => {
    changeFilter([]);
    heading.current?.focus();
  };
  const older = async () => {
    const target = shownIndex + 1;
    const generation = filterGeneration.current;
    if (target >= pages.length) {
      const result = await history.fetchNextPage();
      // a failed fetch leaves the pages as they were; its error shows above the table
      if ((result.data?.pages.length ?? 0) <= target) return;
    }
    if (generation === filterGeneration.current) setPageIndex(target);
  };

  let errorText: string | null = null;
  if (history.error) {
    const what = !page
      ? 'Could not load the history'
      : history.isFetchNextPageError
        ? 'Could not load older runs'
        : 'Could not refresh the history';
    errorText = `${what}: ${errorMessage(history.error)}`;
  }

  return (
    <section className="panel" aria-labelledby="history-heading">
      <header className="panel-header">
        <h2 id="history-heading" ref={heading} tabIndex={-1}>
          History
        </h2>
        <StatusFilter selected={statuses} onChange={changeFilter} onShowAll={showAll} />
      </header>
      {errorText && (
        <ErrorNotice
          message={errorText}
          onRetry={() => void (history.isFetchNextPageError ? older() : history.refetch())}
          retrying={history.isFetching}
        />
      )}
      {!page ? (
        !errorText && <p className="empty">Loading…</p>
      ) : page.items.length === 0 ? (
        // an empty page of the previous filter says nothing about the new one
        <p className="empty">
          {stale ? 'Loading…' : statuses.length > 0 ? `No ${statuses.join(' or ')} runs.` : 'No runs yet.'}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="history-table" aria-busy={history.isFetching} data-stale={stale}>
            <caption className="visually-hidden">
              {stale ? (
                'Loading the runs of the new filter; the previous ones are shown meanwhile'
              ) : (
                <>
                  Runs, newest first, page {shownIndex + 1}
                  {statuses.length > 0 && `, status ${statuses.join(' or ')}`}
                </>
              )}
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
                        onClick={(event) => onSelect(run.id, event.currentTarget)}
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
        <FocusableButton onClick={() => setPageIndex(shownIndex - 1)} unavailable={shownIndex === 0}>
          ← Newer
        </FocusableButton>
        <span aria-live="polite">Page {shownIndex + 1}</span>
        <FocusableButton onClick={() => void older()} unavailable={!hasNext || history.isFetchingNextPage}>
          Older →
        </FocusableButton>
      </nav>
    </section>
  );
}
