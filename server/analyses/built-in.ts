import neuronActivationStats from './neuron-activation-stats.ts';

/** The analyses `npm start` serves. */
export const builtInAnalyses = [neuronActivationStats] as const;
