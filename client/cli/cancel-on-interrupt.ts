import { exitCodes } from './exit-codes.ts';
import type { RunView } from './run-view.ts';
import type { Session } from './session.ts';

export const interruptCancelReason = 'cancelled from the terminal (Ctrl-C)';

/** SIGINTs closer together than this are one Ctrl-C delivered twice. */
const duplicateSignalMs = 300;

/**
 * Ctrl-C while following a run: the first one cancels the run (once its id is
 * known) and the CLI keeps following until it ends `cancelled`; the second
 * one quits at once.
 */
export class CancelOnInterrupt {
  private runId: string | null = null;
  private interruptedAt: number | null = null;
  private request: Promise<void> | null = null;
  private accepted = false;
  private failure: ((error: unknown) => void) | null = null;
  readonly failed = new Promise<never>((_resolve, reject) => (this.failure = reject));

  constructor(
    private readonly session: Session,
    private readonly view: RunView,
    private readonly exit: (code: number) => never = (code) => process.exit(code),
  ) {
    // a follow that ends normally never observes `failed`: keep its rejection from counting as unhandled
    this.failed.catch(() => undefined);
  }

  install(): () => void {
    const onSigint = () => this.interrupt();
    process.on('SIGINT', onSigint);
    return () => process.off('SIGINT', onSigint);
  }

  /** The run to cancel; a Ctrl-C that came before it was known cancels it now. */
  attach(runId: string): void {
    this.runId = runId;
    if (this.interruptedAt !== null) this.request = this.cancel(runId);
  }

  private interrupt(): void {
    const now = Date.now();
    // a parent that forwards SIGINT (npm run does, to its child) adds to the one the terminal sends the
    // whole process group: one Ctrl-C may arrive twice within milliseconds, and is not the second one
    if (this.interruptedAt !== null && now - this.interruptedAt < duplicateSignalMs) return;
    if (this.interruptedAt !== null) {
      this.view.abandon();
      process.stderr.write('interrupted again: quitting without waiting for the run to end\n');
      this.exit(exitCodes.cancelledHere);
    }
    this.interruptedAt = now;
    this.view.notice('cancelling the run… (Ctrl-C again: quit without waiting)');
    if (this.runId !== null) this.request = this.cancel(this.runId);
  }

  /** Whether this process's cancel was accepted (the run was not already finished); waits for a cancel in flight. */
  async cancelledHere(): Promise<boolean> {
    if (this.request) await this.request;
    return this.accepted;
  }

  private async cancel(runId: string): Promise<void> {
    try {
      const { outcome } = await this.session.client.analysis.cancel.mutate({ runId, reason: interruptCancelReason });
      if (outcome === 'already-finished') this.view.notice('the run had already finished');
      else this.accepted = true;
    } catch (error) {
      this.failure?.(this.session.fail(error));
    }
  }
}
