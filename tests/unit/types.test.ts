import type { TRPCClient } from '@trpc/client';
import { describe, expectTypeOf, it } from 'vitest';
import type { AppRouter, RunSnapshot, StartAnalysisInput } from '../../client/index.ts';
import type { NeuronActivationStatsResult } from '../../server/analyses/neuron-activation-stats.ts';

// Checked by `npm run typecheck`; the runtime part only keeps vitest from calling the file empty.
describe('types flow from the analysis definitions to the client', () => {
  it('types start input and results per kind', () => {
    type Client = TRPCClient<AppRouter>;
    type Start = Parameters<Client['analysis']['start']['mutate']>[0];
    expectTypeOf<Start>().toEqualTypeOf<StartAnalysisInput>();
    expectTypeOf<Start['kind']>().toEqualTypeOf<'neuron-activation-stats'>();
    expectTypeOf<{ kind: 'neuron-activation-stats'; input: { layers: 2 } }>().toExtend<Start>();
    expectTypeOf<{ kind: 'neuron-activation-stats'; input: { layers: 'two' } }>().not.toExtend<Start>();
    expectTypeOf<{ kind: 'other'; input: object }>().not.toExtend<Start>();

    expectTypeOf<RunSnapshot['result']>().toEqualTypeOf<NeuronActivationStatsResult | null>();
    expectTypeOf<RunSnapshot['input']['layers']>().toEqualTypeOf<number>();
    expectTypeOf<RunSnapshot['status']>().toEqualTypeOf<'queued' | 'running' | 'completed' | 'failed' | 'cancelled'>();
    expectTypeOf<RunSnapshot['createdAt']>().toEqualTypeOf<Date>();
  });
});
