/** One line of the printed table and of `bench/results/latest.json`. */
export interface ResultRow {
  scenario: string;
  metric: string;
  ours: number | string;
  /** BullMQ (or the raw floor) measured in the same run */
  peer?: number | string;
  /** ours / peer where that comparison means something */
  ratio?: number;
  target?: string;
  /** whether the target is met; absent where there is no target */
  met?: boolean;
  note?: string;
}

export interface ScenarioResult {
  name: string;
  rows: ResultRow[];
  /** the raw measurements behind the rows */
  details: Record<string, unknown>;
}

export interface ScenarioOptions {
  quick: boolean;
  /** `--in-process`: run the server of the client-side scenarios in the benchmark's process, as before */
  inProcess: boolean;
  log: (line: string) => void;
}

export interface Scenario {
  name: string;
  describe: string;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}

function cell(value: ResultRow[keyof ResultRow]): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'NO';
  if (typeof value === 'number') return Number.isNaN(value) ? 'n/a' : String(value);
  return String(value);
}

const columns: Array<[keyof ResultRow, string]> = [
  ['scenario', 'scenario'],
  ['metric', 'metric'],
  ['ours', 'ours'],
  ['peer', 'peer'],
  ['ratio', 'ours/peer'],
  ['target', 'target'],
  ['met', 'met'],
  ['note', 'note'],
];

/** A Markdown table, readable as plain text too. */
export function formatTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((row) => columns.map(([key]) => cell(row[key])));
  const widths = columns.map(([, title], i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(columns.map(([, title]) => title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map((values) => line(values)),
  ].join('\n');
}
