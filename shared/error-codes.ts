/** `error.code` values a run can end with (besides codes an analysis throws itself). */
export const runErrorCodes = {
  /** the analysis threw */
  analysisFailed: 'ANALYSIS_FAILED',
  /** the heartbeat stopped for longer than STALL_TIMEOUT_MS */
  stalled: 'STALLED',
  /** the run's kind is no longer registered */
  unknownKind: 'UNKNOWN_KIND',
  /** the analysis returned something its result schema rejects */
  invalidResult: 'INVALID_RESULT',
} as const;
export type RunErrorCode = (typeof runErrorCodes)[keyof typeof runErrorCodes];
