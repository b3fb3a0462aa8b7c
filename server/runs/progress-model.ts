/** Below 100 until the run completes: a finished last step is not a finished run. */
export const maxRunningProgress = 99.9;

/**
 * Overall percent from stage weights and the step inside the current stage.
 * `fraction` is the share of the current stage done (0..1).
 */
export function weightedProgress(weights: readonly number[], stageIndex: number, fraction: number): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) return 0;
  let done = 0;
  for (let i = 0; i < stageIndex && i < weights.length; i++) done += weights[i] ?? 0;
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  done += (weights[stageIndex] ?? 0) * clamped;
  return Math.min(maxRunningProgress, (100 * done) / total);
}

/** Keeps percent within an attempt from going backwards and rounds it for display. */
export function nextProgress(previous: number, computed: number): number {
  return Math.max(previous, Math.round(computed * 100) / 100);
}

/**
 * Time left from the rate observed over a sliding window, so a stage that is
 * slower than its weight suggests corrects the estimate within seconds.
 */
export class EtaEstimator {
  private readonly samples: Array<{ at: number; progress: number }> = [];

  constructor(private readonly windowMs = 10_000) {}

  observe(at: number, progress: number): number | null {
    this.samples.push({ at, progress });
    while (this.samples.length > 2 && at - (this.samples[1]?.at ?? at) >= this.windowMs) this.samples.shift();
    const first = this.samples[0];
    if (!first || progress < 1) return null;
    const elapsed = at - first.at;
    const gained = progress - first.progress;
    if (elapsed < 250 || gained <= 0) return null;
    const eta = ((100 - progress) * elapsed) / gained;
    return Math.min(Math.round(eta), 2_147_483_647);
  }

  reset(): void {
    this.samples.length = 0;
  }
}
