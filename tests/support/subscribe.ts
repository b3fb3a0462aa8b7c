import type { TRPCClient } from '@trpc/client';
import type { TestRouter } from './test-server.ts';

type Client = TRPCClient<TestRouter>;
type Tracked = Parameters<NonNullable<Parameters<Client['analysis']['progress']['subscribe']>[1]['onData']>>[0];
export type ReceivedEvent = Tracked['data'];

/** Follows a run over the real WebSocket client until the subscription completes. */
export function followRun(client: Client, runId: string, options: { lastEventId?: string } = {}) {
  const events: ReceivedEvent[] = [];
  const ids: string[] = [];
  const states: string[] = [];
  let resolveDone!: () => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const subscription = client.analysis.progress.subscribe(
    { runId, ...(options.lastEventId !== undefined && { lastEventId: options.lastEventId }) },
    {
      onData: (tracked) => {
        ids.push(tracked.id);
        events.push(tracked.data);
      },
      onError: (error) => rejectDone(error),
      onComplete: () => resolveDone(),
      onConnectionStateChange: (state) => states.push(state.state),
    },
  );
  return { events, ids, states, done, unsubscribe: () => subscription.unsubscribe() };
}
