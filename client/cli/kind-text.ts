import { formatTable, printable } from './format.ts';
import { fieldTableHeader, kindFieldRows } from './kind-fields.ts';
import type { KindDescription } from './kinds.ts';

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

/** The kind's input fields as `start` flags; `none` for a kind without input. */
export function fieldTableText(kind: KindDescription): string {
  const rows = kindFieldRows(kind.inputSchema);
  return rows.length === 0 ? 'none' : formatTable(fieldTableHeader, rows);
}

function stageTableText(kind: KindDescription): string {
  const rows = kind.stages.map((stage, index) => [
    `${index + 1}/${kind.stages.length}`,
    printable(stage.key),
    printable(stage.label),
    String(stage.weight),
  ]);
  return formatTable(['stage', 'key', 'label', 'weight'], rows);
}

/** What `kinds` prints for one kind: its name, stages and input fields. */
export function kindText(kind: KindDescription): string {
  return [
    printable(kind.kind),
    '  Stages:',
    indent(stageTableText(kind), 4),
    '  Input fields (start flags):',
    indent(fieldTableText(kind), 4),
  ].join('\n');
}

/** What `start <kind> --help` adds under the usage. */
export function startFieldsText(kind: KindDescription): string {
  return `Input fields of ${printable(kind.kind)}:\n${indent(fieldTableText(kind), 2)}`;
}
