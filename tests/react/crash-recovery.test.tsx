// @vitest-environment happy-dom
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import WebSocket from 'ws';
import { afterAll, expect, it } from 'vitest';
import { createAnalysisClient, closeAnalysisClient } from '../../client/index.ts';
import { AnalysisProvider, useAnalysisRun } from '../../client/react/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let child: ChildProcess | null = null;
let database: TestDatabase | null = null;

async function startServer(env: Record<string, string>): Promise<void> {
  const started = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  await new Promise<void>((resolve, reject) => {
    started.stdout.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('analysis server on')) resolve();
    });
    started.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

afterAll(async () => {
  cleanup();
  child?.kill('SIGKILL');
  await database?.drop();
});

it('after a server crash, the hook shows what recovery made of the run (not a progress it saw but was never stored)', async () => {
  database = await createTestDatabase('sqlite');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: database.url,
    HOST: '127.0.0.1',
    PORT: String(port),
    HEARTBEAT_MS: '200',
    STALL_TIMEOUT_MS: '1500',
    // a long flush interval: the client sees progress events that the crash keeps from being stored
    FLUSH_INTERVAL_MS: '60000',
    PROGRESS_INTERVAL_MS: '20',
    POLL_INTERVAL_MS: '200',
    WEB_DIR: '/nonexistent',
  };
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${url}/`);
  await startServer(env);
  const client = createAnalysisClient({ url, WebSocket });
  const run = await client.analysis.start.mutate({ kind: 'neuron-activation-stats', input: { samples: 20_000 } });

  const Wrapper = ({ children }: { children: ReactNode }) => (
    <AnalysisProvider WebSocket={WebSocket} retryDelayMs={() => 100}>
      {children}
    </AnalysisProvider>
  );
  const { result } = renderHook(() => useAnalysisRun(run.id), { wrapper: Wrapper });
  await waitFor(() => expect(result.current.run?.seq ?? 0).toBeGreaterThan(15), { timeout: 30_000, interval: 20 });

  child?.kill('SIGKILL');
  await new Promise((resolve) => child?.once('exit', resolve));
  await startServer(env);
  // the restarted server's stall scan fails the run (its kind has one attempt)
  const recovered = await waitFor(
    async () => {
      const stored = await client.analysis.get.query({ runId: run.id });
      expect(stored.status).not.toBe('running');
      return stored;
    },
    { timeout: 30_000, interval: 200 },
  );
  expect(recovered.status).toBe('failed');
  await waitFor(() => expect(result.current.run?.status).toBe('failed'), { timeout: 30_000, interval: 50 });
  expect(result.current.connection).toBe('ended');
  expect(result.current.run?.error?.code).toBe('STALLED');
  closeAnalysisClient(client);
}, 120_000);
