import type { RunStatus } from '../../shared/run.ts';

/** The CLI's exit codes; `--help` prints them, scripts rely on them. */
export const exitCodes = {
  completed: 0,
  failed: 1,
  usage: 2,
  cancelledElsewhere: 3,
  connection: 4,
  /** 128 + SIGINT, as a shell reports a process stopped by Ctrl-C */
  cancelledHere: 130,
} as const;

export const exitCodeHelp = `Exit codes:
  0    the run completed (history: the page was printed)
  1    the run failed
  2    usage error or input the server rejected (BAD_REQUEST)
  3    the run was cancelled by someone else (another client, the API)
  4    connection, authentication (UNAUTHORIZED) or unknown run (NOT_FOUND) error
  130  the run was cancelled here with Ctrl-C (a second Ctrl-C quits at once, also 130)`;

/** The exit code of a finished run; `cancelledHere` tells whether this process asked for the cancel. */
export function exitCodeForRun(status: RunStatus, cancelledHere: boolean): number {
  switch (status) {
    case 'completed':
      return exitCodes.completed;
    case 'failed':
      return exitCodes.failed;
    case 'cancelled':
      return cancelledHere ? exitCodes.cancelledHere : exitCodes.cancelledElsewhere;
    default:
      throw new Error(`run is still ${status}`);
  }
}
