import type { TRPCClient } from '@trpc/client';
import { describe, expectTypeOf, it } from 'vitest';
import type { AppRouter, RunSnapshot, StartAnalysisInput } from '../../client/index.ts';
import type { CancelOutcome, RunDetails } from '../../client/react/index.ts';
import type { useAnalysisHistory, useAnalysisRun, useStartAnalysis } from '../../client/react/index.ts';
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

describe('types flow into the React hooks', () => {
  it('types useStartAnalysis per kind and useAnalysisRun/useAnalysisHistory by the router', () => {
    type Start = Parameters<ReturnType<typeof useStartAnalysis>['mutateAsync']>[0];
    expectTypeOf<Start>().toEqualTypeOf<StartAnalysisInput>();
    expectTypeOf<{ kind: 'neuron-activation-stats'; input: { samples: 100 } }>().toExtend<Start>();
    expectTypeOf<{ kind: 'neuron-activation-stats'; input: { samples: '100' } }>().not.toExtend<Start>();
    expectTypeOf<
      Awaited<ReturnType<ReturnType<typeof useStartAnalysis>['mutateAsync']>>
    >().toEqualTypeOf<RunSnapshot>();

    type Live = ReturnType<typeof useAnalysisRun>;
    expectTypeOf<Live['run']>().toEqualTypeOf<RunDetails | undefined>();
    expectTypeOf<NonNullable<Live['run']>['result']>().toEqualTypeOf<NeuronActivationStatsResult | null>();
    expectTypeOf<Live['connection']>().toEqualTypeOf<'connecting' | 'live' | 'reconnecting' | 'ended'>();
    expectTypeOf<Live['cancel']>().returns.resolves.toEqualTypeOf<CancelOutcome>();

    expectTypeOf<ReturnType<typeof useAnalysisHistory>['runs']>().toEqualTypeOf<RunSnapshot[]>();
    expectTypeOf<{ status: ['completed'] }>().toExtend<Parameters<typeof useAnalysisHistory>[0]>();
    expectTypeOf<{ status: ['done'] }>().not.toExtend<Parameters<typeof useAnalysisHistory>[0]>();
  });
});
