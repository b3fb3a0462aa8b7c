import { describe, it, expect } from 'vitest';
import type { AnalysisContext } from '../../server/analyses/define.ts';
import definition, {
  maxActivationValues,
  neuronActivationStatsInput,
  type NeuronActivationStatsResult,
} from '../../server/analyses/neuron-activation-stats.ts';

type Recorded =
  | { type: 'stage'; key: string; total: number | undefined; message: string | undefined }
  | { type: 'step'; current: number; message: string | undefined }
  | { type: 'log'; message: string };

function fakeContext(options: { onStep?: (count: number, controller: AbortController) => void } = {}) {
  const controller = new AbortController();
  const events: Recorded[] = [];
  let steps = 0;
  const ctx: AnalysisContext = {
    signal: controller.signal,
    stage: (key, o) => void events.push({ type: 'stage', key, total: o?.total, message: o?.message }),
    step: (current, message) => {
      events.push({ type: 'step', current, message });
      options.onStep?.(++steps, controller);
    },
    log: (message) => void events.push({ type: 'log', message }),
  };
  return { ctx, controller, events };
}

async function run(raw: Record<string, unknown>, ctx = fakeContext().ctx): Promise<NeuronActivationStatsResult> {
  return definition.run(neuronActivationStatsInput.parse(raw), ctx);
}

const small = { layers: 3, neuronsPerLayer: 48, samples: 600, topK: 4, seed: 7 };

describe('neuron-activation-stats definition', () => {
  it('declares its kind, worker module and stages in order', () => {
    expect(definition.kind).toBe('neuron-activation-stats');
    expect(definition.workerModule).toBe(
      new URL('../../server/analyses/neuron-activation-stats.ts', import.meta.url).href,
    );
    expect(definition.stages.map((s) => s.key)).toEqual(['generate', 'stats', 'topk', 'summary']);
    for (const stage of definition.stages) expect(stage.weight).toBeGreaterThan(0);
  });
});

describe('input schema', () => {
  it('fills every field with its default', () => {
    expect(neuronActivationStatsInput.parse({})).toEqual({
      layers: 6,
      neuronsPerLayer: 256,
      samples: 9000,
      topK: 5,
      seed: 42,
    });
  });

  it('rejects out-of-range and non-integer values', () => {
    expect(neuronActivationStatsInput.safeParse({ layers: 0 }).success).toBe(false);
    expect(neuronActivationStatsInput.safeParse({ layers: 65 }).success).toBe(false);
    expect(neuronActivationStatsInput.safeParse({ layers: 2.5 }).success).toBe(false);
    expect(neuronActivationStatsInput.safeParse({ neuronsPerLayer: 4097 }).success).toBe(false);
    expect(neuronActivationStatsInput.safeParse({ samples: 0 }).success).toBe(false);
    expect(neuronActivationStatsInput.safeParse({ topK: 51 }).success).toBe(false);
    expect(neuronActivationStatsInput.safeParse({ seed: -1 }).success).toBe(false);
    expect(neuronActivationStatsInput.safeParse({ seed: 2 ** 31 }).success).toBe(false);
    expect(neuronActivationStatsInput.safeParse({ seed: 2 ** 31 - 1 }).success).toBe(true);
    expect(neuronActivationStatsInput.safeParse({ layers: '3' }).success).toBe(false);
  });

  it('caps layers × neuronsPerLayer × samples with a clear message', () => {
    const tooBig = neuronActivationStatsInput.safeParse({ layers: 64, neuronsPerLayer: 4096, samples: 200_000 });
    expect(tooBig.success).toBe(false);
    expect(tooBig.error?.issues[0]?.message).toMatch(/layers × neuronsPerLayer × samples must be at most/);
    const justOver = neuronActivationStatsInput.safeParse({
      layers: 1,
      neuronsPerLayer: 250,
      samples: maxActivationValues / 250 + 1,
    });
    expect(justOver.success).toBe(false);
    const atCap = neuronActivationStatsInput.safeParse({
      layers: 1,
      neuronsPerLayer: 250,
      samples: maxActivationValues / 250,
    });
    expect(atCap.success).toBe(true);
  });
});

describe('run', () => {
  it('is deterministic per seed and differs across seeds', async () => {
    const a = await run(small);
    const b = await run(small);
    expect(b).toEqual(a);
    const c = await run({ ...small, seed: 8 });
    expect(c).not.toEqual(a);
  });

  it('enters the declared stages in order, with totals, and never steps past them', async () => {
    const { ctx, events } = fakeContext();
    await run(small, ctx);
    const stages = events.filter((e) => e.type === 'stage');
    expect(stages.map((s) => s.key)).toEqual(definition.stages.map((s) => s.key));
    expect(stages.map((s) => s.total)).toEqual([144, 144, 144, 3]);

    let total = 0;
    let last = 0;
    let stepsInStage = 0;
    const check = () => {
      if (total) {
        expect(stepsInStage).toBeGreaterThan(0);
        expect(last).toBe(total);
      }
    };
    for (const event of events) {
      if (event.type === 'stage') {
        check();
        total = event.total ?? 0;
        last = 0;
        stepsInStage = 0;
      } else if (event.type === 'step') {
        stepsInStage++;
        expect(event.current).toBeGreaterThanOrEqual(last);
        expect(event.current).toBeLessThanOrEqual(total);
        expect(event.message).toMatch(/^layer [1-3]\/3$/);
        last = event.current;
      }
    }
    check();
  });

  it('returns well-formed, JSON-serialisable summaries', async () => {
    const input = neuronActivationStatsInput.parse(small);
    const result = await run(small);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(result.layers).toHaveLength(input.layers);
    expect(result.totals).toEqual({
      neurons: input.layers * input.neuronsPerLayer,
      dead: result.layers.reduce((sum, l) => sum + l.deadCount, 0),
      samples: input.samples,
    });
    expect(result.totals.dead).toBeGreaterThan(0);
    expect(result.totals.dead).toBeLessThan(result.totals.neurons / 2);

    result.layers.forEach((layer, index) => {
      expect(layer.layer).toBe(index);
      expect(layer.neurons).toBe(input.neuronsPerLayer);
      expect(layer.deadCount).toBeGreaterThanOrEqual(0);
      expect(layer.deadCount).toBeLessThanOrEqual(layer.neurons);
      expect(layer.meanSparsity).toBeGreaterThanOrEqual(0);
      expect(layer.meanSparsity).toBeLessThanOrEqual(1);
      expect(layer.meanActivation).toBeGreaterThan(0);
      expect(layer.mostSelective).toHaveLength(5);

      const neurons = layer.mostSelective.map((n) => n.neuron);
      expect(new Set(neurons).size).toBe(neurons.length);
      for (let i = 1; i < layer.mostSelective.length; i++) {
        expect(layer.mostSelective[i]!.selectivity).toBeLessThanOrEqual(layer.mostSelective[i - 1]!.selectivity);
      }
      for (const neuron of layer.mostSelective) {
        expect(Number.isInteger(neuron.neuron)).toBe(true);
        expect(neuron.neuron).toBeGreaterThanOrEqual(0);
        expect(neuron.neuron).toBeLessThan(layer.neurons);
        expect(neuron.selectivity).toBeGreaterThanOrEqual(0);
        expect(neuron.selectivity).toBeLessThanOrEqual(1);
        expect(neuron.fractionActive).toBeGreaterThan(0);
        expect(neuron.fractionActive).toBeLessThanOrEqual(1);
        expect(neuron.topSamples.length).toBeGreaterThan(0);
        expect(neuron.topSamples.length).toBeLessThanOrEqual(input.topK);
        expect(neuron.topSamples.length).toBe(Math.min(input.topK, Math.round(neuron.fractionActive * input.samples)));
        for (let i = 0; i < neuron.topSamples.length; i++) {
          const top = neuron.topSamples[i]!;
          expect(Number.isInteger(top.sample)).toBe(true);
          expect(top.sample).toBeGreaterThanOrEqual(0);
          expect(top.sample).toBeLessThan(input.samples);
          expect(top.activation).toBeGreaterThan(0);
          if (i > 0) expect(top.activation).toBeLessThanOrEqual(neuron.topSamples[i - 1]!.activation);
        }
      }
    });
  });

  it('handles tiny inputs', async () => {
    const result = await run({ layers: 1, neuronsPerLayer: 4, samples: 50 });
    expect(result.layers).toHaveLength(1);
    expect(result.layers[0]!.mostSelective.length).toBeLessThanOrEqual(4);
    expect(result.totals).toMatchObject({ neurons: 4, samples: 50 });
  });

  it('handles a single sample', async () => {
    const result = await run({ layers: 2, neuronsPerLayer: 8, samples: 1, topK: 50 });
    for (const layer of result.layers) {
      for (const neuron of layer.mostSelective) expect(neuron.topSamples.length).toBeLessThanOrEqual(1);
    }
  });
});

describe('cancellation', () => {
  it('rejects with the abort reason soon after an abort during a step', async () => {
    const reason = new Error('cancelled by test');
    const { ctx, events } = fakeContext({
      onStep: (count, controller) => {
        if (count === 3) controller.abort(reason);
      },
    });
    await expect(run({}, ctx)).rejects.toBe(reason);
    expect(events.filter((e) => e.type === 'step')).toHaveLength(3);
  });

  it('notices an abort delivered through the event loop (it yields while working)', async () => {
    const { ctx, controller } = fakeContext();
    const timer = setTimeout(() => controller.abort(), 100);
    try {
      const error = await run({}, ctx).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('AbortError');
    } finally {
      clearTimeout(timer);
    }
  });

  it('does no work when already aborted', async () => {
    const { ctx, controller, events } = fakeContext();
    controller.abort();
    await expect(run({}, ctx)).rejects.toMatchObject({ name: 'AbortError' });
    expect(events).toEqual([]);
  });
});
