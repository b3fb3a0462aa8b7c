import WebSocket from 'ws';
import { closeAnalysisClient, createAnalysisClient } from '../../client/index.ts';
import type { createAppRouter } from '../../server/api/app-router.ts';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { DatabaseProvider } from '../../server/db/client.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../scripts/scratch-database.ts';
import { benchAnalyses } from '../analyses.ts';

export type BenchRouter = ReturnType<typeof createAppRouter<typeof benchAnalyses>>;
export type BenchClient = ReturnType<typeof createAnalysisClient<BenchRouter>>;

export const postgresBaseUrl = process.env.BENCH_DATABASE_URL_PG ?? 'postgresql://root@127.0.0.1:5432/test';

export type BenchDatabase = ScratchDatabase;

/** A fresh database of `provider` for one scenario: a temporary SQLite file or a PostgreSQL schema. */
export function createBenchDatabase(provider: DatabaseProvider): BenchDatabase {
  return createScratchDatabase(provider, { prefix: 'bench', postgresUrl: postgresBaseUrl });
}

/**
 * A real server on an ephemeral loopback port, in this process, with the
 * product defaults except where `env` says otherwise. Reached only through
 * `client()`: HTTP for queries, one WebSocket per client for subscriptions.
 */
export async function startBenchServer(provider: DatabaseProvider, env: Record<string, string> = {}) {
  const database = createBenchDatabase(provider);
  const config = loadConfig({ DATABASE_URL: database.url, HOST: '127.0.0.1', PORT: '0', ...env });
  const app = await createApp({ config, analyses: benchAnalyses, log: () => {} });
  const { port } = await app.start();
  const url = `http://127.0.0.1:${port}`;
  const clients: object[] = [];
  return {
    app,
    url,
    client(): BenchClient {
      const client = createAnalysisClient<BenchRouter>({ url, WebSocket });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) closeAnalysisClient(client);
      await app.close(0);
      await database.drop();
    },
  };
}

export type BenchServer = Awaited<ReturnType<typeof startBenchServer>>;
