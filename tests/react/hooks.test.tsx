// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { useState, type ReactNode } from 'react';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AnalysisProvider,
  useAnalysisHistory,
  useAnalysisRun,
  useStartAnalysis,
  type AnalysisConnection,
} from '../../client/react/index.ts';
import { providers } from '../support/databases.ts';
import { startTestServer, testTokens, type TestServer } from '../support/test-server.ts';

/** A real `ws` socket that keeps the tracked event ids (seqs) it received, in order. */
const receivedSeqs: number[] = [];
class RecordingWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('message', (raw: Buffer) => {
      const message = JSON.parse(raw.toString()) as { result?: { type?: string; id?: string } };
      if (message.result?.id !== undefined) receivedSeqs.push(Number(message.result.id));
    });
  }
}

const waitOptions = { timeout: 20_000, interval: 20 };

/** Connection states in the order the component rendered them, repeats folded. */
function transitions(states: AnalysisConnection[]): AnalysisConnection[] {
  return states.filter((state, index) => state !== states[index - 1]);
}

describe.each(providers)('React hooks against a real server on %s', (provider) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(provider);
    // as if the page had been served by this server: same origin, so the DOM's fetch allows the calls
    (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${server.url}/`);
  });
  afterAll(() => server.close());
  afterEach(() => {
    cleanup();
    receivedSeqs.length = 0;
  });

  function Wrapper({ children }: { children: ReactNode }) {
    return (
      <AnalysisProvider token={testTokens.alice} WebSocket={RecordingWebSocket} retryDelayMs={() => 50}>
        {children}
      </AnalysisProvider>
    );
  }

  async function subscribers(): Promise<number> {
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { subscribers: number };
    return health.subscribers;
  }

  it('follows a run: connecting → live → ended, with the server’s snapshots, and keeps history in step', async () => {
    const caller = server.caller();
    const started = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 8, stepMs: 40 } });
    const states: AnalysisConnection[] = [];
    const progress: number[] = [];
    const stageLabels = new Set<string>();
    const { result } = renderHook(
      () => {
        const live = useAnalysisRun(started.id);
        const history = useAnalysisHistory({ limit: 50 });
        states.push(live.connection);
        if (live.run) progress.push(live.run.progress);
        if (live.run?.stage) stageLabels.add(live.run.stage.label);
        return { live, history };
      },
      { wrapper: Wrapper },
    );

    // while it runs, the history row moves with the events (history is not refetched on progress)
    await waitFor(() => {
      const row = result.current.history.runs.find((run) => run.id === started.id);
      const run = result.current.live.run;
      expect(run?.status).toBe('running');
      expect(row?.progress).toBeGreaterThan(20);
      expect(row?.seq).toBe(run?.seq);
    }, waitOptions);

    await waitFor(() => expect(result.current.live.connection).toBe('ended'), waitOptions);
    const final = await caller.analysis.get({ runId: started.id });
    expect(result.current.live.run).toEqual(final);
    expect(final.status).toBe('completed');
    expect(transitions(states)).toEqual(['connecting', 'live', 'ended']);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect([...stageLabels]).toEqual(expect.arrayContaining(['Load', 'Compute', 'Write']));
    // the timeline folded from events equals the server's
    expect(result.current.live.run?.stages.map((stage) => stage.status)).toEqual([
      'completed',
      'completed',
      'completed',
    ]);
    await waitFor(() => {
      const row = result.current.history.runs.find((run) => run.id === started.id);
      expect(row?.status).toBe('completed');
      expect(row?.seq).toBe(final.seq);
    }, waitOptions);
    expect(result.current.live.error).toBeNull();
  });

  it('does not subscribe to a run that has already finished', async () => {
    const caller = server.caller();
    const started = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 1, stepMs: 1 } });
    await waitFor(
      async () => expect((await caller.analysis.get({ runId: started.id })).status).toBe('completed'),
      waitOptions,
    );
    receivedSeqs.length = 0;
    const { result } = renderHook(() => useAnalysisRun(started.id), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.run?.status).toBe('completed'), waitOptions);
    expect(result.current.connection).toBe('ended');
    expect(receivedSeqs).toEqual([]);
  });

  it('closes the subscription on unmount', async () => {
    const caller = server.caller();
    const started = await caller.analysis.start({ kind: 'wait-forever', input: {} });
    const before = await subscribers();
    const { result, unmount } = renderHook(() => useAnalysisRun(started.id), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.connection).toBe('live'), waitOptions);
    await waitFor(async () => expect(await subscribers()).toBe(before + 1), waitOptions);
    unmount();
    await waitFor(async () => expect(await subscribers()).toBe(before), waitOptions);
    await caller.analysis.cancel({ runId: started.id });
  });

  it('shows reconnecting when the socket is killed, then resumes without a missing or duplicate seq', async () => {
    const caller = server.caller();
    const started = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 20, stepMs: 40 } });
    const states: AnalysisConnection[] = [];
    const { result } = renderHook(
      () => {
        const live = useAnalysisRun(started.id);
        states.push(live.connection);
        return live;
      },
      { wrapper: Wrapper },
    );
    await waitFor(() => expect(receivedSeqs.length).toBeGreaterThan(4), waitOptions);
    for (const socket of server.app.http.wss.clients) socket.terminate();
    await waitFor(() => expect(result.current.connection).toBe('ended'), waitOptions);

    expect(transitions(states)).toEqual(['connecting', 'live', 'reconnecting', 'live', 'ended']);
    // the first event is a snapshot at the run's then-current seq; from there every seq once, in order
    const first = receivedSeqs[0]!;
    expect(receivedSeqs).toEqual(receivedSeqs.map((_, index) => first + index));
    const final = await caller.analysis.get({ runId: started.id });
    expect(receivedSeqs.at(-1)).toBe(final.seq);
    expect(result.current.run).toEqual(final);
  });

  it('starts a run and cancels it through the hooks; the cancel reaches every view of the run', async () => {
    const { result } = renderHook(
      () => {
        const [runId, setRunId] = useState<string | null>(null);
        const start = useStartAnalysis();
        const live = useAnalysisRun(runId);
        const cancelled = useAnalysisHistory({ status: ['cancelled'] });
        return { setRunId, start, live, cancelled };
      },
      { wrapper: Wrapper },
    );
    expect(result.current.live.connection).toBe('ended');
    let runId = '';
    await act(async () => {
      // the default input takes seconds: long enough to be cancelled mid-run
      const run = await result.current.start.mutateAsync({ kind: 'neuron-activation-stats', input: {} });
      runId = run.id;
      result.current.setRunId(run.id);
    });
    await waitFor(() => expect(result.current.live.connection).toBe('live'), waitOptions);
    await act(async () => {
      expect(['cancelled', 'cancelling']).toContain(await result.current.live.cancel('enough'));
    });
    await waitFor(() => expect(result.current.live.connection).toBe('ended'), waitOptions);
    expect(result.current.live.run).toMatchObject({ status: 'cancelled', cancelReason: 'enough' });
    // the cancelled-only history learns about it without being asked
    await waitFor(() => expect(result.current.cancelled.runs.map((run) => run.id)).toContain(runId), waitOptions);
  });

  it('reports a run it may not see as an error, not as a crash', async () => {
    const { result } = renderHook(() => useAnalysisRun('no-such-run'), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.error).not.toBeNull(), waitOptions);
    expect(result.current.error?.message).toMatch(/not found/);
    expect(result.current.run).toBeUndefined();
  });
});
