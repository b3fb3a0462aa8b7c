import { afterEach, describe, expect, it } from 'vitest';
import { providers } from '../support/databases.ts';
import { followRun } from '../support/subscribe.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait.ts';

/** CPU time this process (all its threads) spends over `ms`. */
async function cpuMillisOver(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

describe.each(providers)('cancelling CPU-bound analyses in worker threads (%s)', (provider) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a loop that never yields still sees the cancel through ctx.step()', async () => {
    // a grace period far longer than the test: only the AbortSignal can end this run
    server = await startTestServer(provider, { env: { CANCEL_GRACE_MS: '600000' } });
    const client = server.client();
    const run = await client.analysis.start.mutate({ kind: 'busy-worker', input: { milliseconds: 600_000 } });
    const follower = followRun(client, run.id, { lastEventId: '0' });
    await waitFor(() => follower.events.some((event) => event.type === 'progress'), {
      what: 'progress from the worker',
    });

    // the main thread stays free while the worker spins
    const during = await client.analysis.get.query({ runId: run.id });
    expect(during.status).toBe('running');

    const { outcome } = await client.analysis.cancel.mutate({ runId: run.id, reason: 'enough' });
    expect(outcome).toBe('cancelling');
    await follower.done;
    const types = follower.events.map((event) => event.type);
    expect(types.at(-1)).toBe('cancelled');
    expect(types.filter((type) => type === 'cancelling')).toHaveLength(1);
    expect(types.indexOf('cancelling')).toBeLessThan(types.length - 1);
    const final = await client.analysis.get.query({ runId: run.id });
    expect(final).toMatchObject({ status: 'cancelled', cancelReason: 'enough', result: null, error: null });
    expect(final.stages[0]?.status).toBe('cancelled');
  });

  it('a worker that ignores the signal is terminated after the grace period and its slot reused', async () => {
    server = await startTestServer(provider, { env: { CANCEL_GRACE_MS: '300', MAX_CONCURRENCY: '1' } });
    const client = server.client();
    const deaf = await client.analysis.start.mutate({
      kind: 'busy-worker',
      input: { milliseconds: 600_000, ignoreSignal: true },
    });
    await waitFor(async () => (await client.analysis.get.query({ runId: deaf.id })).stage?.key === 'spin', {
      what: 'the deaf worker to start spinning',
    });
    // a thread is spinning (on a busy machine it may take a few windows to get a core)
    await waitFor(async () => (await cpuMillisOver(300)) > 150, { what: 'the deaf worker to use a core' });

    const { outcome } = await client.analysis.cancel.mutate({ runId: deaf.id });
    expect(outcome).toBe('cancelling');
    await waitFor(async () => (await client.analysis.get.query({ runId: deaf.id })).status === 'cancelled', {
      what: 'the deaf run to be finalized',
    });
    // the spinning thread is gone, not merely forgotten
    await waitFor(async () => (await cpuMillisOver(300)) < 100, { what: 'the terminated worker to stop using CPU' });

    // the only slot is free again
    const next = await client.analysis.start.mutate({ kind: 'busy-worker', input: { milliseconds: 50 } });
    await followRun(client, next.id).done;
    const done = await client.analysis.get.query({ runId: next.id });
    expect(done.status).toBe('completed');
    if (done.kind === 'busy-worker') expect(done.result).toEqual({ spun: 50 });
  });
});
