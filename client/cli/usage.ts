import { exitCodeHelp } from './exit-codes.ts';

const program = 'npm run analysis --';

const connectionHelp = `Connection (every command):
  --url <url>      server base URL (default: $ANALYSIS_URL or http://127.0.0.1:3000)
  --token <token>  API token (default: $ANALYSIS_TOKEN; not needed for a single-user server)
  --json           machine-readable output on stdout
  -h, --help       this help`;

export const commandHelp = {
  start: `Usage: ${program} start <kind> [--<field> <value> ...] [--input '<json>'] [options]

Starts a run of <kind> and follows it until it ends, with a live progress bar
(plain lines per stage when stderr is not a terminal). Ctrl-C cancels the run
and waits for it to end cancelled; a second Ctrl-C quits at once.

Input:
  --<field> <value>        one input field; kebab-case becomes camelCase
                           (--neurons-per-layer 128 → neuronsPerLayer: 128);
                           numbers, true, false and null are parsed, anything
                           else is a string; a flag without value is true;
                           negative numbers: --seed=-1 or --seed -1
  --input '<json>'         a JSON object of input fields (field flags override it)
  --idempotency-key <key>  the same key returns the same run instead of a new one

The server checks the input against the kind's schema; rejected input is
printed field by field (exit 2), an unknown kind with the kinds there are.
"${program} start <kind> --help" adds the kind's fields (flag, type,
default, range) below this text; "${program} kinds" lists every kind's.

Example:
  ${program} start neuron-activation-stats --layers 8 --samples 5000

With --json: one JSON line per progress event on stdout.

${connectionHelp}

${exitCodeHelp}`,

  watch: `Usage: ${program} watch <runId> [options]

Follows an existing run until it ends, with the same progress display as
start (reconnecting and resuming by itself). A finished run prints its final
state at once. Ctrl-C cancels the run; a second Ctrl-C quits at once.

With --json: one JSON line per progress event on stdout.

${connectionHelp}

${exitCodeHelp}`,

  history: `Usage: ${program} history [--status <s,s>] [--kind <kind>] [--limit <n>] [--cursor <cursor>] [options]

Lists your runs, newest first, as a table (id, kind, status, progress,
created, duration, message or error) and how to get the next page.

  --status <list>    only these statuses, comma-separated:
                     queued,running,completed,failed,cancelled
  --kind <kind>      only runs of this kind
  --limit <n>        rows per page, 1..100 (default 20)
  --cursor <cursor>  the page after this cursor (printed below the table)

With --json: the page ({ items, nextCursor }) as one JSON document.

${connectionHelp}

${exitCodeHelp}`,

  kinds: `Usage: ${program} kinds [<kind>] [options]

Lists the kinds of analysis the server runs (or only <kind>): each with its
stages and its input fields as start takes them (flag, type, default, range,
description).

With --json: the kinds ({ kind, stages, inputSchema }, inputSchema being the
JSON Schema of the kind's input) as one JSON document.

${connectionHelp}

Exit codes:
  0    the kinds were printed
  2    usage error, or <kind> is not one of them
  4    connection or authentication (UNAUTHORIZED) error`,
} as const;

export type CommandName = keyof typeof commandHelp;

export const generalHelp = `Usage: ${program} <command> [options]

Commands:
  start <kind> [--<field> <value> ...]  start a run and follow its progress
  watch <runId>                         follow an existing run
  history                               list your runs
  kinds [<kind>]                        the kinds of analysis, their stages and input fields
  help [command]                        this help, or a command's

Run "${program} <command> --help" for a command's options.

${connectionHelp}

${exitCodeHelp}`;
