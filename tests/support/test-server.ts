import WebSocket from 'ws';
import { closeAnalysisClient, createAnalysisClient } from '../../client/index.ts';
import type { createAppRouter } from '../../server/api/app-router.ts';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { DatabaseProvider } from '../../server/db/client.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { testAnalyses } from './test-analyses.ts';

export type TestRouter = ReturnType<typeof createAppRouter<typeof testAnalyses>>;

export const testTokens = { alice: 'alice-token-0123456789', bob: 'bob-token-0123456789' };

export interface TestServerOptions {
  env?: Record<string, string>;
  /** reuse a database (e.g. to restart a server on the same data) */
  database?: TestDatabase;
}

/** A real server (HTTP + WebSocket on an ephemeral port) with the test analyses, on a private database. */
export async function startTestServer(provider: DatabaseProvider, options: TestServerOptions = {}) {
  const database = options.database ?? (await createTestDatabase(provider));
  const config = loadConfig({
    DATABASE_URL: database.url,
    HOST: '127.0.0.1',
    PORT: '0',
    API_TOKENS: `alice:${testTokens.alice},bob:${testTokens.bob}`,
    MAX_CONCURRENCY: '2',
    HEARTBEAT_MS: '200',
    STALL_TIMEOUT_MS: '5000',
    CANCEL_GRACE_MS: '500',
    SHUTDOWN_GRACE_MS: '500',
    FLUSH_INTERVAL_MS: '100',
    PROGRESS_INTERVAL_MS: '20',
    POLL_INTERVAL_MS: '200',
    ...options.env,
  });
  const logs: string[] = [];
  const app = await createApp({ config, analyses: testAnalyses, log: (line) => logs.push(line) });
  const address = await app.start();
  const url = `http://127.0.0.1:${address.port}`;
  const clients: object[] = [];
  return {
    app,
    database,
    url,
    logs,
    client(token: string = testTokens.alice) {
      const client = createAnalysisClient<TestRouter>({ url, token, WebSocket, retryDelayMs: () => 50 });
      clients.push(client);
      return client;
    },
    /** a server-side caller, as scripts and tests use it */
    caller(userId: string | null = 'alice') {
      return app.router.createCaller({ runs: app.runs, userId });
    },
    async close({ keepDatabase = false } = {}) {
      for (const client of clients) closeAnalysisClient(client);
      await app.close(0);
      if (!keepDatabase) await database.drop();
    },
  };
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;
