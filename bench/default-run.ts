/**
 * One default `neuron-activation-stats` run on a fresh database, watched over a
 * real WebSocket: how many SQL statements it cost and how many progress events
 * a subscriber received. `npm run bench:default-run [-- --postgresql]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { closeAnalysisClient, createAnalysisClient } from '../client/index.ts';
import { builtInAnalyses } from '../server/analyses/built-in.ts';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';

const usePostgres = process.argv.includes('--postgresql');
const dir = mkdtempSync(path.join(os.tmpdir(), 'analysis-bench-'));
const schema = `bench_${Date.now()}`;
const databaseUrl = usePostgres
  ? `${process.env.BENCH_DATABASE_URL_PG ?? 'postgresql://root@127.0.0.1:5432/test'}?schema=${schema}`
  : `file:${path.join(dir, 'bench.db')}`;

const app = await createApp({
  config: loadConfig({ ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', API_TOKENS: '' }),
  analyses: builtInAnalyses,
  log: () => {},
});
const { port } = await app.start();
const client = createAnalysisClient({ url: `http://127.0.0.1:${port}`, WebSocket });

const before = { ...app.database.statements };
const run = await client.analysis.start.mutate({ kind: 'neuron-activation-stats', input: {} });
const types = new Map<string, number>();
let firstAt = 0;
let lastAt = 0;
await new Promise<void>((resolve, reject) => {
  client.analysis.progress.subscribe(
    { runId: run.id, lastEventId: '0' },
    {
      onData: ({ data }) => {
        lastAt = performance.now();
        firstAt ||= lastAt;
        types.set(data.type, (types.get(data.type) ?? 0) + 1);
      },
      onError: reject,
      onComplete: resolve,
    },
  );
});
const done = await client.analysis.get.query({ runId: run.id });
const after = app.database.statements;
const seconds = (done.finishedAt!.getTime() - done.startedAt!.getTime()) / 1000;
const writes = after.writes - before.writes;
const events = [...types.values()].reduce((sum, count) => sum + count, 0);

console.log(
  JSON.stringify(
    {
      provider: app.database.provider,
      status: done.status,
      runSeconds: Number(seconds.toFixed(2)),
      sqlWrites: writes,
      sqlCommits: after.commits - before.commits,
      writesPerRunSecond: Number((writes / seconds).toFixed(1)),
      eventsReceived: events,
      eventsPerSecond: Number((events / ((lastAt - firstAt) / 1000)).toFixed(1)),
      eventTypes: Object.fromEntries(types),
    },
    null,
    2,
  ),
);
closeAnalysisClient(client);
await app.close(0);
if (usePostgres) {
  const pg = await import('pg');
  const admin = new pg.default.Client({
    connectionString: process.env.BENCH_DATABASE_URL_PG ?? 'postgresql://root@127.0.0.1:5432/test',
  });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}
rmSync(dir, { recursive: true, force: true });
