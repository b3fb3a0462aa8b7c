import { builtInAnalyses } from '../../server/analyses/built-in.ts';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createTestDatabase } from '../support/databases.ts';

/** What `npm start` runs (built-in analyses, default timings), on a private SQLite file and an ephemeral port. */
export async function startDemoServer(env: Record<string, string> = {}) {
  const database = await createTestDatabase('sqlite');
  const config = loadConfig({ DATABASE_URL: database.url, HOST: '127.0.0.1', PORT: '0', MAX_CONCURRENCY: '2', ...env });
  const logs: string[] = [];
  const app = await createApp({ config, analyses: builtInAnalyses, log: (line) => logs.push(line) });
  const address = await app.start();
  return {
    url: `http://127.0.0.1:${address.port}`,
    logs,
    async close() {
      await app.close(0);
      await database.drop();
    },
  };
}

export type DemoServer = Awaited<ReturnType<typeof startDemoServer>>;
