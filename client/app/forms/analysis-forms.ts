import type { AnalysisForm } from './field-spec.ts';

/** replaced by vite's `define` with the forms derived from the analyses' input schemas (see vite.config.ts) */
declare const __ANALYSIS_FORMS__: readonly AnalysisForm[];

export const analysisForms: readonly AnalysisForm[] = __ANALYSIS_FORMS__;
