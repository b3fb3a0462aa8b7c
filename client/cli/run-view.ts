import cliProgress from 'cli-progress';
import type { ProgressEvent, RunSnapshot } from '../../shared/index.ts';
import { isTerminal } from '../../shared/run.ts';
import {
  formatDuration,
  formatTimestamp,
  noteText,
  percentText,
  printable,
  resultSummary,
  runDurationMs,
  stageText,
  stepText,
} from './format.ts';

/** What the user sees while a run is followed. */
export interface RunView {
  /** every progress event, in order */
  event(event: ProgressEvent): void;
  /** something the CLI itself has to say (cancelling, reconnecting); a passing one may be shown only briefly */
  notice(text: string, options?: { passing?: boolean }): void;
  /** the run reached a terminal status: say how it ended */
  finish(run: RunSnapshot): void;
  /** stop drawing at once (a second Ctrl-C); restores the cursor */
  abandon(): void;
}

export interface ViewStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** ETA as the server estimated it, counted down by the time passed since. */
function remainingMs(run: RunSnapshot, passedMs: number): number | null {
  return run.etaMs === null ? null : Math.max(0, run.etaMs - passedMs);
}

function elapsedText(run: RunSnapshot, now: number): string {
  const elapsed = runDurationMs(run, now);
  return elapsed === null ? '-' : formatDuration(Math.max(0, elapsed));
}

function outcomeText(run: RunSnapshot): string {
  const duration = runDurationMs(run);
  const took = duration === null ? '' : ` after ${formatDuration(duration)}`;
  switch (run.status) {
    case 'completed':
      return `run ${run.id} completed in ${duration === null ? '-' : formatDuration(duration)}`;
    case 'failed':
      return `run ${run.id} failed${took}: ${printable(noteText(run))}`;
    case 'cancelled':
      return `run ${run.id} cancelled${took}${run.cancelReason ? ` (${printable(run.cancelReason)})` : ''}`;
    default:
      return `run ${run.id} is ${run.status}`;
  }
}

/** The final lines on stdout: outcome, and for a completed run a summary of its result. */
function writeOutcome(stdout: NodeJS.WritableStream, run: RunSnapshot): void {
  stdout.write(`${outcomeText(run)}\n`);
  if (run.status === 'completed') stdout.write(`${resultSummary(run)}\n`);
}

/**
 * One line of state, for terminals that redraw and for logs that do not.
 * `now` is the moment it describes; the ETA counts down from `etaSince`.
 */
function statusLine(run: RunSnapshot, now: number, etaSince: number): string {
  const eta = remainingMs(run, now - etaSince);
  const note = printable(noteText(run));
  return [
    run.cancelRequested && !isTerminal(run.status) ? 'cancelling' : run.status,
    `${percentText(run)}`,
    `stage ${stageText(run)}`,
    `step ${stepText(run)}`,
    `ETA ${eta === null ? '-' : formatDuration(eta)}`,
    `elapsed ${elapsedText(run, now)}`,
    ...(note ? [note] : []),
  ].join(' | ');
}

const passingNoticeMs = 3000;

/** A live bar on a terminal (stderr), redrawn by cli-progress; outcome on stdout. */
export class BarView implements RunView {
  private run: RunSnapshot | null = null;
  private receivedAt = Date.now();
  private readonly bar: cliProgress.SingleBar;
  private started = false;
  private latestNotice: { text: string; until: number } | null = null;

  constructor(private readonly streams: ViewStreams) {
    this.bar = new cliProgress.SingleBar({
      ...cliProgress.Presets.shades_classic,
      stream: streams.stderr,
      hideCursor: true,
      barsize: 24,
      format: (options, params) => {
        const run = this.run;
        const bar = cliProgress.Format.BarFormat(params.progress, options);
        if (!run) return `${bar} connecting…`;
        const notice = this.latestNotice && this.latestNotice.until > Date.now() ? `[${this.latestNotice.text}] ` : '';
        return `${bar} ${notice}${statusLine(run, Date.now(), this.receivedAt)}`;
      },
    });
  }

  event(event: ProgressEvent): void {
    this.run = event.run;
    this.receivedAt = Date.now();
    if (!this.started) {
      this.started = true;
      this.streams.stderr.write(`run ${event.run.id} (${event.run.kind})\n`);
      this.bar.start(100, event.run.progress);
    } else {
      this.bar.update(event.run.progress);
    }
  }

  notice(text: string, { passing = false } = {}): void {
    if (this.started) {
      // cli-progress restores the cursor to where the bar started when it stops, so extra lines
      // written meanwhile would be overwritten: the notice goes into the bar's own line instead
      this.latestNotice = { text, until: passing ? Date.now() + passingNoticeMs : Infinity };
      this.bar.update(this.run?.progress ?? 0);
    } else {
      this.streams.stderr.write(`${text}\n`);
    }
  }

  finish(run: RunSnapshot): void {
    this.run = run;
    if (this.started) this.bar.stop();
    writeOutcome(this.streams.stdout, run);
  }

  abandon(): void {
    if (this.started) this.bar.stop();
  }
}

/** Plain lines (for pipes, CI logs, tests): one per status or stage change, none for mere progress. */
export class LineView implements RunView {
  private last: { status: string; stage: string; attempt: number } | null = null;

  constructor(private readonly streams: ViewStreams) {}

  event(event: ProgressEvent): void {
    const run = event.run;
    if (this.last === null) this.streams.stderr.write(`run ${run.id} (${run.kind})\n`);
    const key = { status: run.status, stage: run.stage?.key ?? '', attempt: run.attempt };
    const changed =
      this.last === null ||
      key.status !== this.last.status ||
      key.stage !== this.last.stage ||
      key.attempt !== this.last.attempt ||
      event.type === 'cancelling';
    this.last = key;
    // as of the event, also for replayed ones
    const at = event.at.getTime();
    if (changed) this.streams.stderr.write(`${formatTimestamp(event.at)} ${statusLine(run, at, at)}\n`);
  }

  notice(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  finish(run: RunSnapshot): void {
    writeOutcome(this.streams.stdout, run);
  }

  abandon(): void {}
}

/** `--json`: every event as one JSON line on stdout; notices stay on stderr. */
export class JsonView implements RunView {
  constructor(private readonly streams: ViewStreams) {}

  event(event: ProgressEvent): void {
    this.streams.stdout.write(`${JSON.stringify(event)}\n`);
  }

  notice(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  finish(): void {}

  abandon(): void {}
}

export function createRunView(json: boolean, streams: ViewStreams): RunView {
  if (json) return new JsonView(streams);
  return streams.stderr.isTTY ? new BarView(streams) : new LineView(streams);
}
