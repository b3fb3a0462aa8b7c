import { isTerminal, type RunStatus } from '../../client/index.ts';
import type { BenchClient } from './server.ts';

/**
 * Subscribes to a run over the client's WebSocket and resolves with the first
 * event that shows it finished (a terminal event, or a terminal snapshot when
 * the run was over before the subscription began). `onEvent` sees every event
 * as it arrives.
 */
export interface SeenEvent {
  type: string;
  seq: number;
  run: { status: RunStatus; message: string | null; stage: { key: string } | null };
}

export function followRun(
  client: BenchClient,
  runId: string,
  onEvent?: (event: SeenEvent) => void,
  options: { lastEventId?: string } = {},
): Promise<SeenEvent> {
  return new Promise((resolve, reject) => {
    let finished = false;
    const subscription = client.analysis.progress.subscribe(
      { runId, ...(options.lastEventId !== undefined && { lastEventId: options.lastEventId }) },
      {
        onData: ({ data }) => {
          onEvent?.(data);
          if (!finished && isTerminal(data.run.status)) {
            finished = true;
            resolve(data);
          }
        },
        onError: (error) => {
          subscription.unsubscribe();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
        onComplete: () => {
          if (!finished) reject(new Error(`the subscription to run ${runId} ended before the run did`));
        },
      },
    );
  });
}
