import type { RunSnapshotOf } from '../../shared/run.ts';

type AnyRun = RunSnapshotOf;

/** `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const wholeSeconds = Math.round(seconds);
  const minutes = Math.floor(wholeSeconds / 60);
  if (minutes < 60) return `${minutes}m${String(wholeSeconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Local date and time to the second: `2026-12-03 14:56:36`. */
export function formatTimestamp(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** How long a run has been running, or ran; null while it has not started. */
export function runDurationMs(run: AnyRun, now: number = Date.now()): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? run.finishedAt.getTime() : now;
  return end - run.startedAt.getTime();
}

export function stageText(run: AnyRun): string {
  return run.stage ? `${run.stage.index + 1}/${run.stage.count} ${run.stage.label}` : '-';
}

export function stepText(run: AnyRun): string {
  return run.step ? `${run.step.current}/${run.step.total}` : '-';
}

export function percentText(run: AnyRun): string {
  return `${Math.floor(run.progress)}%`;
}

/** The run's message, or its error where it has one. */
export function noteText(run: AnyRun): string {
  if (run.error) return `${run.error.code}: ${run.error.message}`;
  if (run.status === 'cancelled' && run.cancelReason) return `cancelled: ${run.cancelReason}`;
  return run.message ?? '';
}

/** Replaces control characters, so text from a run cannot move the cursor or recolour the terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

interface LayerSummary {
  layer: number;
  neurons: number;
  deadCount: number;
  meanSparsity: number;
}

function isLayerSummaries(value: unknown): value is LayerSummary[] {
  return (
    Array.isArray(value) &&
    value.every(
      (layer: Partial<LayerSummary> | null) =>
        typeof layer?.layer === 'number' &&
        typeof layer.neurons === 'number' &&
        typeof layer.deadCount === 'number' &&
        typeof layer.meanSparsity === 'number',
    )
  );
}

const maxCompactResultChars = 2000;

/** A few lines about a completed run's result: a per-layer table for neuron statistics, compact JSON otherwise. */
export function resultSummary(run: AnyRun): string {
  const layers = (run.result as { layers?: unknown } | null)?.layers;
  if (run.kind === 'neuron-activation-stats' && isLayerSummaries(layers)) {
    const rows = layers.map((layer) => [
      String(layer.layer),
      String(layer.neurons),
      String(layer.deadCount),
      `${(layer.meanSparsity * 100).toFixed(1)}%`,
    ]);
    const dead = layers.reduce((sum, layer) => sum + layer.deadCount, 0);
    const neurons = layers.reduce((sum, layer) => sum + layer.neurons, 0);
    return `${formatTable(['layer', 'neurons', 'dead', 'sparsity'], rows)}\ntotal: ${dead} of ${neurons} neurons dead`;
  }
  const json = JSON.stringify(run.result);
  return json.length > maxCompactResultChars ? `${json.slice(0, maxCompactResultChars)}… (truncated)` : json;
}
