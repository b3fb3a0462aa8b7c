export { AnalysisProvider, createAnalysisQueryClient, trpc, type AnalysisProviderProps } from './provider.tsx';
export {
  useAnalysisRun,
  type AnalysisConnection,
  type AnalysisRunState,
  type UseAnalysisRunOptions,
} from './use-analysis-run.ts';
export { useStartAnalysis } from './use-start-analysis.ts';
export { useCancelAnalysis } from './use-cancel-analysis.ts';
export { useAnalysisHistory, type HistoryFilters, type UseAnalysisHistoryOptions } from './use-analysis-history.ts';
export { AnalysisProgress, progressLook, type AnalysisProgressProps, type ProgressLook } from './analysis-progress.tsx';
export { formatDuration, formatCount } from './format.ts';
export { useNow } from './use-now.ts';
export * from '../../shared/index.ts';
