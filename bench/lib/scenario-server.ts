import type { DatabaseProvider } from '../../server/db/client.ts';
import { releaseHeldRuns } from '../analyses.ts';
import { forkBenchServer } from './fork-server.ts';
import type { ScenarioOptions } from './report.ts';
import { startBenchServer, type BenchClient } from './server.ts';

/** What a client-side scenario needs of the server it drives, wherever that server runs. */
export interface ScenarioServer {
  url: string;
  client(): BenchClient;
  /** `releaseHeldRuns()` in the server's process */
  release(): Promise<unknown>;
  /** how far the server process's `clockMs()` is ahead of the benchmark's (zero in the same process) */
  clockOffset(): Promise<{ offsetMs: number; uncertaintyMs: number }>;
  close(): Promise<void>;
}

/**
 * The server of a scenario whose clients do real work (decoding every event):
 * in a child process, so the clients' CPU is not the server's, as in a
 * deployment; with `--in-process`, in the benchmark's own process (the method
 * of earlier figures, kept to compare the two).
 */
export async function startScenarioServer(
  { inProcess }: Pick<ScenarioOptions, 'inProcess'>,
  provider: DatabaseProvider,
  env: Record<string, string> = {},
): Promise<ScenarioServer> {
  if (!inProcess) return forkBenchServer(provider, env);
  const server = await startBenchServer(provider, env);
  return {
    url: server.url,
    client: () => server.client(),
    release: async () => releaseHeldRuns(),
    clockOffset: async () => ({ offsetMs: 0, uncertaintyMs: 0 }),
    close: () => server.close(),
  };
}
