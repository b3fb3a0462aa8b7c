export { formatDuration } from '../react/index.ts';

/** The random tail of a UUIDv7: its head is a timestamp that runs started together share. */
export function shortId(id: string): string {
  return id.slice(-6);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Time of day for today, date and time otherwise. */
export function formatWhen(date: Date | null, now = new Date()): string {
  if (!date) return '–';
  return date.toDateString() === now.toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

const integerFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
export function formatInteger(value: number): string {
  return integerFormat.format(value);
}

/** "neuron-activation-stats" → "Neuron activation stats" */
export function kindLabel(kind: string): string {
  const words = kind.replace(/[-_]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How long a run has taken so far, or took. */
export function runDuration(run: { startedAt: Date | null; finishedAt: Date | null }, now: number): number | null {
  if (!run.startedAt) return null;
  return (run.finishedAt?.getTime() ?? now) - run.startedAt.getTime();
}
