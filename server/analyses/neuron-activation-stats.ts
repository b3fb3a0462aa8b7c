import { z } from 'zod';
import { defineAnalysis, type AnalysisContext } from './define.ts';

/**
 * Synthetic stand-in for the original system's analysis of a network's neurons.
 *
 * `generate` runs a seeded random ReLU network over random stimuli: every layer
 * has `neuronsPerLayer` neurons, each wired to up to `maxFanIn` neurons of the
 * layer below (all of them when the layer below is that small). A neuron's
 * pre-activation is standardised over the samples (like batch norm), then
 * `activation = scale * max(0, z - threshold)` with a per-neuron scale and
 * threshold: most neurons get a high threshold (sparse), some a low one
 * (dense), and a few one above every pre-activation (dead). Everything is a
 * pure function of the input, so the result does not depend on timing or on
 * how the work is chunked.
 */

/** Upper bound on layers × neuronsPerLayer × samples: at most ~200 MB of activations and ~30 s of work. */
export const maxActivationValues = 50_000_000;
const maxFanIn = 256;
const stimulusFeatures = 64;
const sampleBlock = 2048;
/** yield to the event loop after this much uninterrupted work, so an abort message can be delivered */
const yieldEveryMs = 25;
const reportedPerLayer = 5;

export const neuronActivationStatsInput = z
  .object({
    layers: z.number().int().min(1).max(64).default(6).describe('hidden layers of the network'),
    neuronsPerLayer: z.number().int().min(1).max(4096).default(256).describe('neurons in each layer'),
    samples: z.number().int().min(1).max(200_000).default(9000).describe('input samples pushed through the network'),
    topK: z.number().int().min(1).max(50).default(5).describe('strongest samples kept per neuron'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(42)
      .describe('random seed: the same seed gives the same result'),
  })
  .refine((input) => input.layers * input.neuronsPerLayer * input.samples <= maxActivationValues, {
    message: `layers × neuronsPerLayer × samples must be at most ${maxActivationValues.toLocaleString('en-US')}; use fewer samples or a smaller network`,
  });

export type NeuronActivationStatsInput = z.output<typeof neuronActivationStatsInput>;

export interface NeuronActivationStatsResult {
  layers: Array<{
    /** 0-based, like `neuron` and `sample` */
    layer: number;
    neurons: number;
    deadCount: number;
    /** mean over the layer's neurons (dead ones included) of the fraction of samples where it is 0 */
    meanSparsity: number;
    /** mean activation over all neurons and samples of the layer */
    meanActivation: number;
    /** the (up to) 5 live neurons with the highest selectivity, most selective first */
    mostSelective: Array<{
      neuron: number;
      /**
       * lifetime sparsity (Vinje & Gallant 2000):
       * (1 - mean(a)^2 / mean(a^2)) / (1 - 1/samples), in [0, 1];
       * 1 = responds to a single sample, 0 = responds equally to all
       */
      selectivity: number;
      fractionActive: number;
      /** strongest active samples (activation > 0), highest first, at most topK */
      topSamples: Array<{ sample: number; activation: number }>;
    }>;
  }>;
  totals: { neurons: number; dead: number; samples: number };
}

interface LayerStats {
  mean: Float64Array;
  std: Float64Array;
  max: Float64Array;
  fractionActive: Float64Array;
  selectivity: Float64Array;
  dead: Uint8Array;
}

interface LayerTopK {
  /** neuron j's entries live at [j * width, j * width + count[j]), sorted highest first */
  width: number;
  count: Uint8Array;
  sample: Int32Array;
  value: Float32Array;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** independent stream per purpose, so adding draws in one place does not shift the others */
function streamSeed(seed: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function gaussian(random: () => number): () => number {
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const u = 1 - random(); // (0, 1]: log(0) is -Infinity
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * random();
    spare = r * Math.sin(theta);
    hasSpare = true;
    return r * Math.cos(theta);
  };
}

function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : 0;
}

class Pacer {
  private lastYield = performance.now();
  constructor(private readonly signal: AbortSignal) {}

  checkAborted(): void {
    if (this.signal.aborted) throw this.signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
  }

  /** cheap enough to call per neuron or per block of samples */
  async pause(): Promise<void> {
    this.checkAborted();
    if (performance.now() - this.lastYield < yieldEveryMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
    this.checkAborted();
  }
}

async function generate(
  input: NeuronActivationStatsInput,
  ctx: AnalysisContext,
  pacer: Pacer,
): Promise<Float32Array[]> {
  const { layers, neuronsPerLayer: width, samples, seed } = input;
  ctx.stage('generate', { total: layers * width });

  // a few stimulus features, so they add little to peak memory next to the first layer
  const inputWidth = Math.min(width, stimulusFeatures);
  let below = new Float32Array(inputWidth * samples);
  const stimulus = gaussian(mulberry32(streamSeed(seed, 0)));
  for (let i = 0; i < below.length; i++) below[i] = stimulus();
  let belowWidth = inputWidth;

  const activations: Float32Array[] = [];
  const z = new Float64Array(samples);
  const pool = new Int32Array(Math.max(width, inputWidth));
  let done = 0;

  for (let layer = 0; layer < layers; layer++) {
    const random = mulberry32(streamSeed(seed, layer + 1));
    const normal = gaussian(random);
    const fanIn = Math.min(belowWidth, maxFanIn);
    const sources = new Int32Array(fanIn);
    const weights = new Float64Array(fanIn);
    const out = new Float32Array(width * samples);
    const message = `layer ${layer + 1}/${layers}`;

    for (let neuron = 0; neuron < width; neuron++) {
      // partial Fisher-Yates: a random subset of the layer below, kept in index order for locality
      for (let i = 0; i < belowWidth; i++) pool[i] = i;
      if (fanIn < belowWidth) {
        for (let i = 0; i < fanIn; i++) {
          const j = i + Math.floor(random() * (belowWidth - i));
          const t = pool[i]!;
          pool[i] = pool[j]!;
          pool[j] = t;
        }
        pool.subarray(0, fanIn).sort();
      }
      for (let i = 0; i < fanIn; i++) {
        sources[i] = pool[i]!;
        weights[i] = normal() / Math.sqrt(fanIn);
      }
      const kind = random();
      const scale = 0.6 + random();
      const jitter = random();

      for (let start = 0; start < samples; start += sampleBlock) {
        const end = Math.min(samples, start + sampleBlock);
        z.fill(0, start, end);
        for (let i = 0; i < fanIn; i++) {
          const w = weights[i]!;
          const offset = sources[i]! * samples;
          for (let s = start; s < end; s++) z[s]! += w * below[offset + s]!;
        }
        if (end < samples) await pacer.pause();
      }

      let sum = 0;
      for (let s = 0; s < samples; s++) sum += z[s]!;
      const mean = sum / samples;
      let squares = 0;
      let peak = Number.NEGATIVE_INFINITY;
      for (let s = 0; s < samples; s++) {
        const d = z[s]! - mean;
        squares += d * d;
        if (d > peak) peak = d;
      }
      const std = Math.sqrt(squares / samples);
      const inverse = std > 1e-12 ? 1 / std : 0;

      // threshold on the standardised pre-activation: sets how often the neuron fires
      let threshold: number;
      if (kind < 0.06) {
        // dead by construction: even the largest pre-activation stays below the threshold
        threshold = peak * inverse + 0.05 + jitter;
      } else if (kind < 0.82) {
        threshold = 0.3 + 2.1 * jitter; // sparse: active on roughly 1%-38% of the samples
      } else {
        threshold = -0.6 + 0.9 * jitter; // dense
      }

      const row = neuron * samples;
      for (let s = 0; s < samples; s++) {
        const a = (z[s]! - mean) * inverse - threshold;
        out[row + s] = a > 0 ? a * scale : 0;
      }

      ctx.step(++done, message);
      await pacer.pause();
    }

    activations.push(out);
    below = out;
    belowWidth = width;
  }
  return activations;
}

async function computeStats(
  activations: Float32Array[],
  input: NeuronActivationStatsInput,
  ctx: AnalysisContext,
  pacer: Pacer,
): Promise<LayerStats[]> {
  const { layers, neuronsPerLayer: width, samples } = input;
  ctx.stage('stats', { total: layers * width });
  const result: LayerStats[] = [];
  let done = 0;
  for (let layer = 0; layer < layers; layer++) {
    const values = activations[layer]!;
    const stats: LayerStats = {
      mean: new Float64Array(width),
      std: new Float64Array(width),
      max: new Float64Array(width),
      fractionActive: new Float64Array(width),
      selectivity: new Float64Array(width),
      dead: new Uint8Array(width),
    };
    const message = `layer ${layer + 1}/${layers}`;
    for (let neuron = 0; neuron < width; neuron++) {
      const row = neuron * samples;
      let sum = 0;
      let squares = 0;
      let max = 0;
      let active = 0;
      for (let s = 0; s < samples; s++) {
        const a = values[row + s]!;
        if (a > 0) {
          sum += a;
          squares += a * a;
          if (a > max) max = a;
          active++;
        }
      }
      const mean = sum / samples;
      const meanSquare = squares / samples;
      stats.mean[neuron] = mean;
      stats.std[neuron] = Math.sqrt(Math.max(0, meanSquare - mean * mean));
      stats.max[neuron] = max;
      stats.fractionActive[neuron] = active / samples;
      stats.dead[neuron] = active === 0 ? 1 : 0;
      stats.selectivity[neuron] =
        active === 0 || samples < 2
          ? 0
          : Math.min(1, Math.max(0, (1 - (mean * mean) / meanSquare) / (1 - 1 / samples)));
      ctx.step(++done, message);
      await pacer.pause();
    }
    result.push(stats);
  }
  return result;
}

async function computeTopK(
  activations: Float32Array[],
  stats: LayerStats[],
  input: NeuronActivationStatsInput,
  ctx: AnalysisContext,
  pacer: Pacer,
): Promise<LayerTopK[]> {
  const { layers, neuronsPerLayer: width, samples } = input;
  const k = Math.min(input.topK, samples);
  ctx.stage('topk', { total: layers * width });
  // min-heap of the k best so far; the root is the weakest (lowest value, later sample on ties)
  const heapValue = new Float64Array(k);
  const heapSample = new Int32Array(k);
  const weaker = (a: number, b: number) =>
    heapValue[a]! < heapValue[b]! || (heapValue[a] === heapValue[b] && heapSample[a]! > heapSample[b]!);
  const swap = (a: number, b: number) => {
    const v = heapValue[a]!;
    heapValue[a] = heapValue[b]!;
    heapValue[b] = v;
    const s = heapSample[a]!;
    heapSample[a] = heapSample[b]!;
    heapSample[b] = s;
  };
  const siftDown = (size: number) => {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let weakest = i;
      if (left < size && weaker(left, weakest)) weakest = left;
      if (right < size && weaker(right, weakest)) weakest = right;
      if (weakest === i) return;
      swap(i, weakest);
      i = weakest;
    }
  };
  const siftUp = (index: number) => {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!weaker(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };

  const result: LayerTopK[] = [];
  let done = 0;
  for (let layer = 0; layer < layers; layer++) {
    const values = activations[layer]!;
    const dead = stats[layer]!.dead;
    const top: LayerTopK = {
      width: k,
      count: new Uint8Array(width),
      sample: new Int32Array(width * k),
      value: new Float32Array(width * k),
    };
    const message = `layer ${layer + 1}/${layers}`;
    for (let neuron = 0; neuron < width; neuron++) {
      if (!dead[neuron]) {
        const row = neuron * samples;
        let size = 0;
        let threshold = 0; // only active samples (> 0) qualify
        for (let s = 0; s < samples; s++) {
          const a = values[row + s]!;
          // ties keep the earlier sample: scanning in order, a later equal value never displaces it
          if (a <= threshold) continue;
          if (size < k) {
            heapValue[size] = a;
            heapSample[size] = s;
            siftUp(size++);
            if (size === k) threshold = heapValue[0]!;
          } else {
            heapValue[0] = a;
            heapSample[0] = s;
            siftDown(k);
            threshold = heapValue[0]!;
          }
        }
        // drain weakest-first into the slots from the back, leaving them highest first
        const base = neuron * k;
        top.count[neuron] = size;
        for (let n = size; n > 0; n--) {
          top.value[base + n - 1] = heapValue[0]!;
          top.sample[base + n - 1] = heapSample[0]!;
          swap(0, n - 1);
          siftDown(n - 1);
        }
      }
      ctx.step(++done, message);
      await pacer.pause();
    }
    result.push(top);
  }
  return result;
}

async function summarise(
  stats: LayerStats[],
  topK: LayerTopK[],
  input: NeuronActivationStatsInput,
  ctx: AnalysisContext,
  pacer: Pacer,
): Promise<NeuronActivationStatsResult> {
  const { layers, neuronsPerLayer: width, samples } = input;
  ctx.stage('summary', { total: layers });
  const summaries: NeuronActivationStatsResult['layers'] = [];
  let totalDead = 0;
  for (let layer = 0; layer < layers; layer++) {
    const s = stats[layer]!;
    const top = topK[layer]!;
    let deadCount = 0;
    let sparsity = 0;
    let activation = 0;
    // best live neurons by selectivity, lower index first on ties; kept sorted, at most 5 long
    const best: number[] = [];
    const better = (a: number, b: number) =>
      s.selectivity[a]! > s.selectivity[b]! || (s.selectivity[a] === s.selectivity[b] && a < b);
    for (let neuron = 0; neuron < width; neuron++) {
      sparsity += 1 - s.fractionActive[neuron]!;
      activation += s.mean[neuron]!;
      if (s.dead[neuron]) {
        deadCount++;
        continue;
      }
      if (best.length === reportedPerLayer && !better(neuron, best[best.length - 1]!)) continue;
      let at = best.length;
      while (at > 0 && better(neuron, best[at - 1]!)) at--;
      best.splice(at, 0, neuron);
      if (best.length > reportedPerLayer) best.pop();
    }
    totalDead += deadCount;
    summaries.push({
      layer,
      neurons: width,
      deadCount,
      meanSparsity: round(sparsity / width),
      meanActivation: round(activation / width),
      mostSelective: best.map((neuron) => {
        const base = neuron * top.width;
        const topSamples: Array<{ sample: number; activation: number }> = [];
        for (let i = 0; i < top.count[neuron]!; i++) {
          topSamples.push({ sample: top.sample[base + i]!, activation: round(top.value[base + i]!) });
        }
        return {
          neuron,
          selectivity: round(s.selectivity[neuron]!),
          fractionActive: round(s.fractionActive[neuron]!),
          topSamples,
        };
      }),
    });
    ctx.step(layer + 1, `layer ${layer + 1}/${layers}`);
    await pacer.pause();
  }
  return { layers: summaries, totals: { neurons: layers * width, dead: totalDead, samples } };
}

export default defineAnalysis({
  kind: 'neuron-activation-stats',
  workerModule: import.meta.url,
  input: neuronActivationStatsInput,
  // weights: measured shares of a default run (generation does up to 256 multiply-adds per activation)
  stages: [
    { key: 'generate', label: 'Generate activations', weight: 97 },
    { key: 'stats', label: 'Per-neuron statistics', weight: 1.2 },
    { key: 'topk', label: 'Top-k samples', weight: 1 },
    { key: 'summary', label: 'Per-layer summary', weight: 0.1 },
  ],
  async run(input, ctx): Promise<NeuronActivationStatsResult> {
    const pacer = new Pacer(ctx.signal);
    pacer.checkAborted();
    const activations = await generate(input, ctx, pacer);
    const stats = await computeStats(activations, input, ctx, pacer);
    const topK = await computeTopK(activations, stats, input, ctx, pacer);
    return summarise(stats, topK, input, ctx, pacer);
  },
});
