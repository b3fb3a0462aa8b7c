import { parseArgs } from 'node:util';
import { runStatuses, type RunStatus } from '../../../shared/run.ts';
import type { RouterInputs, RunSnapshot } from '../../../shared/index.ts';
import { parseOrUsageError, type CommandContext } from '../command-context.ts';
import { connectionOptions, connectionOptionSpecs } from '../connection-options.ts';
import { usageError } from '../errors.ts';
import {
  formatDuration,
  formatTable,
  formatTimestamp,
  noteText,
  percentText,
  printable,
  runDurationMs,
} from '../format.ts';
import { openSession } from '../session.ts';
import { commandHelp } from '../usage.ts';

const optionSpecs = {
  ...connectionOptionSpecs,
  status: { type: 'string' },
  kind: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
} as const;

type HistoryQuery = Exclude<RouterInputs['analysis']['history'], void | undefined>;

const maxNoteChars = 60;
/** left out of the next-page hint: the cursor is replaced, a token should not be echoed */
const optionsNotRepeated = new Set(['--cursor', '--token']);

function parseStatuses(text: string | undefined): RunStatus[] | undefined {
  if (text === undefined) return undefined;
  const statuses = text
    .split(',')
    .map((status) => status.trim())
    .filter(Boolean);
  const unknown = statuses.filter((status) => !(runStatuses as readonly string[]).includes(status));
  if (unknown.length > 0) throw usageError(`unknown status ${unknown.join(', ')} (one of ${runStatuses.join(', ')})`);
  return statuses as RunStatus[];
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw usageError(`--limit must be a whole number, got ${text}`);
  return Number(text);
}

function row(run: RunSnapshot): string[] {
  const duration = runDurationMs(run);
  const note = printable(noteText(run));
  return [
    run.id,
    run.kind,
    run.status,
    percentText(run),
    formatTimestamp(run.createdAt),
    duration === null ? '-' : `${formatDuration(duration)}${run.finishedAt ? '' : '…'}`,
    note.length > maxNoteChars ? `${note.slice(0, maxNoteChars - 1)}…` : note,
  ];
}

/** The same command with `--cursor`, so the next page is one copy-paste away. */
function nextPageHint(args: readonly string[], cursor: string): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const name = arg.split('=', 1)[0] as string;
    if (!optionsNotRepeated.has(name)) kept.push(arg);
    else if (!arg.includes('=')) i++; // and its value
  }
  return `next page: npm run analysis -- history ${[...kept, '--cursor', cursor].join(' ')}`;
}

export async function historyCommand(context: CommandContext): Promise<number> {
  const parsed = parseOrUsageError(() =>
    parseArgs({ args: context.args, options: optionSpecs, allowPositionals: false }),
  );
  const { values } = parsed;
  if (values.help) {
    context.stdout.write(`${commandHelp.history}\n`);
    return 0;
  }
  const query: HistoryQuery = {
    limit: parseLimit(values.limit),
    cursor: values.cursor,
    status: parseStatuses(values.status),
    // the kind is checked by the server against the registered kinds
    kind: values.kind as HistoryQuery['kind'],
  };
  const options = connectionOptions(values, context.env);
  const session = openSession(options);
  try {
    let page;
    try {
      page = await session.client.analysis.history.query(query);
    } catch (error) {
      throw session.fail(error);
    }
    if (options.json) {
      context.stdout.write(`${JSON.stringify(page)}\n`);
      return 0;
    }
    if (page.items.length === 0) {
      context.stdout.write('no runs\n');
    } else {
      const header = ['id', 'kind', 'status', 'progress', 'created', 'duration', 'message'];
      context.stdout.write(`${formatTable(header, page.items.map(row))}\n`);
    }
    if (page.nextCursor) context.stdout.write(`${nextPageHint(context.args, page.nextCursor)}\n`);
    return 0;
  } finally {
    session.close();
  }
}
