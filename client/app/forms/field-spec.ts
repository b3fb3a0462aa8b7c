import type { AnalysisKind } from '../../../shared/index.ts';

interface FieldBase {
  name: string;
  label: string;
  required: boolean;
  description: string | null;
}

export type FieldSpec = FieldBase &
  (
    | { type: 'integer' | 'number'; min: number | null; max: number | null; default: number | null }
    | { type: 'boolean'; default: boolean }
    | { type: 'string'; maxLength: number | null; default: string | null }
    | { type: 'enum'; options: string[]; default: string | null }
  );

/** What the page needs to offer a start form for one analysis kind. */
export interface AnalysisForm {
  kind: AnalysisKind;
  stages: Array<{ key: string; label: string }>;
  fields: FieldSpec[];
}
