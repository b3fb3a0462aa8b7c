import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providers } from '../support/databases.ts';
import { followRun, type ReceivedEvent } from '../support/subscribe.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait.ts';

function expectOrderedTimeline(events: ReceivedEvent[]) {
  for (let i = 1; i < events.length; i++) {
    const previous = events[i - 1]!;
    const current = events[i]!;
    expect(current.seq).toBe(previous.seq + 1);
    expect(current.run.seq).toBe(current.seq);
    if (current.run.attempt === previous.run.attempt) {
      expect(current.run.progress).toBeGreaterThanOrEqual(previous.run.progress);
      expect(current.run.stage?.index ?? -1).toBeGreaterThanOrEqual(previous.run.stage?.index ?? -1);
    }
  }
}

describe.each(providers)('real server and client over WebSocket (%s)', (provider) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(provider);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('streams a run from snapshot to completed with a typed result', async () => {
    const client = server.client();
    const run = await client.analysis.start.mutate({
      kind: 'scripted-steps',
      input: { steps: 4, stepMs: 15, label: 'live' },
    });
    expect(run.status === 'queued' || run.status === 'running').toBe(true);
    // from the very first event, so the test does not depend on how fast the run starts
    const follower = followRun(client, run.id, { lastEventId: '0' });
    await follower.done;

    const { events, ids } = follower;
    expect(events[0]?.type).toBe('queued');
    expect(ids).toEqual(events.map((event) => String(event.seq)));
    expectOrderedTimeline(events);
    const last = events.at(-1)!;
    expect(last.type).toBe('completed');
    expect(last.run.progress).toBe(100);
    expect(events.slice(0, -1).every((event) => event.run.progress < 100)).toBe(true);
    const stageKeys = events.filter((event) => event.type === 'stage').map((event) => event.run.stage?.key);
    expect(stageKeys).toEqual(['load', 'compute', 'write']);
    expect(events.filter((event) => event.type === 'progress').length).toBeGreaterThan(0);

    const finished = await client.analysis.get.query({ runId: run.id });
    expect(finished.status).toBe('completed');
    expect(finished.finishedAt).toBeInstanceOf(Date);
    if (finished.kind === 'scripted-steps') expect(finished.result).toEqual({ steps: 12, label: 'live' });
    else throw new Error(`unexpected kind ${finished.kind}`);
    expect(finished.stages.map((stage) => stage.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it('runs the built-in neuron analysis in a worker thread, stage by stage', async () => {
    const client = server.client();
    const run = await client.analysis.start.mutate({
      kind: 'neuron-activation-stats',
      input: { layers: 2, neuronsPerLayer: 16, samples: 400, topK: 3, seed: 7 },
    });
    const follower = followRun(client, run.id, { lastEventId: '0' });
    await follower.done;
    expectOrderedTimeline(follower.events);
    const stageKeys = follower.events.filter((event) => event.type === 'stage').map((event) => event.run.stage?.key);
    expect(stageKeys).toEqual(['generate', 'stats', 'topk', 'summary']);
    const done = await client.analysis.get.query({ runId: run.id });
    expect(done.status).toBe('completed');
    if (done.kind !== 'neuron-activation-stats' || !done.result) throw new Error('expected a neuron result');
    expect(done.result.layers).toHaveLength(2);
    expect(done.result.totals.samples).toBe(400);

    // same seed, same result
    const again = await client.analysis.start.mutate({
      kind: 'neuron-activation-stats',
      input: { layers: 2, neuronsPerLayer: 16, samples: 400, topK: 3, seed: 7 },
    });
    await followRun(client, again.id).done;
    const second = await client.analysis.get.query({ runId: again.id });
    expect(second.result).toEqual(done.result);
  });

  it('resumes after the server kills the socket: no missing and no duplicated seq', async () => {
    const client = server.client();
    const run = await client.analysis.start.mutate({ kind: 'scripted-steps', input: { steps: 15, stepMs: 25 } });
    const follower = followRun(client, run.id);

    for (let kill = 0; kill < 2; kill++) {
      const seen = follower.events.length;
      await waitFor(() => follower.events.length > seen + 3, { what: 'events before killing the socket' });
      for (const socket of server.app.http.wss.clients) socket.terminate();
    }
    await follower.done;

    const seqs = follower.events.map((event) => event.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expectOrderedTimeline(follower.events);
    expect(follower.events[0]?.type).toBe('snapshot');
    expect(follower.events.filter((event) => event.type === 'snapshot')).toHaveLength(1);
    expect(follower.events.at(-1)?.type).toBe('completed');
    expect(follower.states).toContain('connecting');
  });

  it('resumes from an explicit lastEventId after the run finished', async () => {
    const client = server.client();
    const run = await client.analysis.start.mutate({ kind: 'scripted-steps', input: { steps: 3, stepMs: 1 } });
    const first = followRun(client, run.id, { lastEventId: '0' });
    await first.done;
    const cut = first.events[3]!;
    const resumed = followRun(client, run.id, { lastEventId: String(cut.seq) });
    await resumed.done;
    expect(resumed.events.map((event) => event.seq)).toEqual(
      first.events.filter((event) => event.seq > cut.seq).map((event) => event.seq),
    );
    expect(resumed.events.at(-1)?.run).toEqual(first.events.at(-1)?.run);
  });
});
