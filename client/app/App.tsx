import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunSnapshot } from '../../shared/index.ts';
import { AnalysisProvider, createAnalysisQueryClient } from '../react/index.ts';
import { isUnauthorized } from './auth/errors.ts';
import { TokenForm } from './auth/TokenForm.tsx';
import { tokenStore } from './auth/token-store.ts';
import { UnauthorizedContext } from './auth/unauthorized.tsx';
import { StartForm } from './forms/StartForm.tsx';
import { HistoryTable } from './history/HistoryTable.tsx';
import { RunDetailsPanel } from './results/RunDetailsPanel.tsx';
import { LiveRuns } from './runs/LiveRuns.tsx';

function Dashboard() {
  const [startedHere, setStartedHere] = useState<RunSnapshot[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const detailsOpener = useRef<HTMLElement | null>(null);
  const showDetails = (runId: string, opener: HTMLElement) => {
    detailsOpener.current = opener;
    setSelectedId(runId);
  };
  const closeDetails = () => {
    const opener = detailsOpener.current;
    detailsOpener.current = null;
    setSelectedId(null);
    // Focus was in the panel, which goes away: back to the button that opened it or, if that is gone
    // (card dismissed, row paged away), to the history right below where the panel was.
    (opener?.isConnected ? opener : document.getElementById('history-heading'))?.focus();
  };
  return (
    <main className="dashboard">
      <div className="dashboard-top">
        <StartForm onStarted={(run) => setStartedHere((previous) => [run, ...previous])} />
        <LiveRuns startedHere={startedHere} onShowDetails={showDetails} />
      </div>
      {selectedId && <RunDetailsPanel runId={selectedId} onClose={closeDetails} />}
      <HistoryTable selectedId={selectedId} onSelect={showDetails} />
    </main>
  );
}

/**
 * Single-user servers answer without a token. When a call answers
 * UNAUTHORIZED the page asks for one and keeps it in session storage.
 */
export function App() {
  const [token, setToken] = useState(() => tokenStore.read());
  const [tokenWanted, setTokenWanted] = useState(false);
  const [queryClient] = useState(createAnalysisQueryClient);

  const askForToken = useCallback(() => setTokenWanted(true), []);

  // queries and mutations anywhere on the page: one refused call is enough to ask
  useEffect(() => {
    const onError = (error: unknown) => {
      if (isUnauthorized(error)) askForToken();
    };
    const stopQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    return () => {
      stopQueries();
      stopMutations();
    };
  }, [queryClient, askForToken]);

  const acceptToken = (next: string) => {
    tokenStore.write(next);
    setToken(next);
    setTokenWanted(false);
  };
  const signOut = () => {
    tokenStore.write(null);
    setToken(null);
    setTokenWanted(true);
  };

  return (
    <UnauthorizedContext.Provider value={askForToken}>
      <AnalysisProvider url={location.origin} token={token ?? undefined} queryClient={queryClient}>
        <header className="app-header">
          <div>
            <h1>Analysis runs</h1>
            <p className="muted">Start, follow and cancel long analyses; every run is kept with its result.</p>
          </div>
          {token && !tokenWanted && (
            <button type="button" className="button-quiet" onClick={signOut}>
              Sign out
            </button>
          )}
        </header>
        {tokenWanted ? <TokenForm refused={token !== null} onSubmit={acceptToken} /> : <Dashboard />}
      </AnalysisProvider>
    </UnauthorizedContext.Provider>
  );
}
