import { z } from 'zod';
import { builtInAnalyses } from '../../../server/analyses/built-in.ts';
import type { AnalysisForm, FieldSpec } from '../forms/field-spec.ts';

interface JsonSchemaProperty {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  description?: string;
}

/** "neuronsPerLayer" → "Neurons per layer" */
function labelFor(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function fieldFor(name: string, property: JsonSchemaProperty, required: boolean): FieldSpec | null {
  const common = { name, label: labelFor(name), required, description: property.description ?? null };
  if (property.enum) {
    const options = property.enum.filter((value): value is string => typeof value === 'string');
    return {
      ...common,
      type: 'enum',
      options,
      default: typeof property.default === 'string' ? property.default : null,
    };
  }
  switch (property.type) {
    case 'integer':
    case 'number':
      return {
        ...common,
        type: property.type,
        min: property.minimum ?? null,
        max: property.maximum ?? null,
        default: typeof property.default === 'number' ? property.default : null,
      };
    case 'boolean':
      return { ...common, type: 'boolean', default: property.default === true };
    case 'string':
      return {
        ...common,
        type: 'string',
        maxLength: property.maxLength ?? null,
        default: typeof property.default === 'string' ? property.default : null,
      };
    default:
      return null; // nested objects and arrays: the analysis' defaults apply
  }
}

/** The start form of every built-in analysis, derived from its zod input schema when the page is built. */
export function analysisForms(): AnalysisForm[] {
  return builtInAnalyses.map((analysis) => {
    const schema = z.toJSONSchema(analysis.input, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, JsonSchemaProperty>;
      required?: string[];
    };
    const required = new Set(schema.required ?? []);
    const fields = Object.entries(schema.properties ?? {})
      .map(([name, property]) => fieldFor(name, property, required.has(name)))
      .filter((field): field is FieldSpec => field !== null);
    return { kind: analysis.kind, stages: analysis.stages.map(({ key, label }) => ({ key, label })), fields };
  });
}
