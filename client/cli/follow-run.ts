import { isTerminal } from '../../shared/run.ts';
import type { RunSnapshot } from '../../shared/index.ts';
import { CliError } from './errors.ts';
import { exitCodes } from './exit-codes.ts';
import type { RunView } from './run-view.ts';
import type { Session } from './session.ts';

/**
 * Follows `analysis.progress` until the run reaches a terminal status and
 * returns that snapshot. Without `fromFirstEvent` it starts from the run's
 * current snapshot. Reconnects and resumes are the client's: this only tells
 * the user while the connection is down.
 */
export function followRun(
  session: Session,
  runId: string,
  view: RunView,
  { fromFirstEvent = false }: { fromFirstEvent?: boolean } = {},
): Promise<RunSnapshot> {
  return new Promise<RunSnapshot>((resolve, reject) => {
    let finished = false;
    let disconnected = false;
    const settle = (outcome: () => void) => {
      if (finished) return;
      finished = true;
      subscription.unsubscribe();
      outcome();
    };
    const subscription = session.client.analysis.progress.subscribe(
      // a run this process just started: replay its timeline from event 1, so no stage goes unseen
      fromFirstEvent ? { runId, lastEventId: '0' } : { runId },
      {
        onData: ({ data: event }) => {
          if (finished) return;
          if (disconnected) {
            disconnected = false;
            view.notice('reconnected', { passing: true });
          }
          view.event(event);
          if (isTerminal(event.run.status)) settle(() => resolve(event.run));
        },
        onError: (error) => settle(() => reject(session.fail(error))),
        onComplete: () => {
          // the server ends the stream after the terminal event; ending without one means it was cut short
          if (finished) return;
          session.client.analysis.get
            .query({ runId })
            .then((run) => {
              if (isTerminal(run.status)) settle(() => resolve(run));
              else
                settle(() =>
                  reject(new CliError(`the progress stream of run ${runId} ended early`, exitCodes.connection)),
                );
            })
            .catch((error: unknown) => settle(() => reject(session.fail(error))));
        },
        onConnectionStateChange: (state) => {
          if (state.state === 'connecting' && state.error && !disconnected && !finished) {
            disconnected = true;
            view.notice(`connection lost (${state.error.message}); reconnecting…`);
          }
        },
      },
    );
  });
}
