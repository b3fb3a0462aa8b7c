import { CancelOnInterrupt } from './cancel-on-interrupt.ts';
import { exitCodeForRun } from './exit-codes.ts';
import { followRun } from './follow-run.ts';
import type { RunView } from './run-view.ts';
import type { Session } from './session.ts';

/**
 * Runs `body`, which names a run, then follows that run to its end and
 * returns the exit code of its outcome. A Ctrl-C from the start (even while
 * `body` is still waiting for the run's id) cancels the run.
 */
export async function followWithCancel(
  session: Session,
  view: RunView,
  body: () => Promise<string>,
  follow: { fromFirstEvent?: boolean } = {},
): Promise<number> {
  const interrupts = new CancelOnInterrupt(session, view);
  const uninstall = interrupts.install();
  try {
    const runId = await body();
    interrupts.attach(runId);
    const run = await Promise.race([followRun(session, runId, view, follow), interrupts.failed]);
    view.finish(run);
    return exitCodeForRun(run.status, await interrupts.cancelledHere());
  } finally {
    uninstall();
  }
}
