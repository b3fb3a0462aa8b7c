import { printable } from './format.ts';
import { fieldName } from './input-flags.ts';

/** The JSON Schema keywords the table shows; anything else in a property is ignored. */
interface PropertySchema {
  type?: string | string[];
  items?: PropertySchema;
  anyOf?: PropertySchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

interface ObjectSchema {
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

/** `neuronsPerLayer` → `neurons-per-layer`: the inverse of `fieldName`. */
export function flagName(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** Flags carry numbers, booleans, null and strings; arrays and objects, and names no flag maps to, need --input. */
function flagText(field: string, schema: PropertySchema): string {
  const flag = flagName(field);
  const flagCarriesIt = fieldName(flag) === field && schema.type !== 'array' && schema.type !== 'object';
  return flagCarriesIt ? `--${flag}` : `--input '{"${field}": …}'`;
}

function typeText(schema: PropertySchema): string {
  if (schema.anyOf) return [...new Set(schema.anyOf.map(typeText))].join('|');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === 'array' && schema.items) return `${typeText(schema.items)}[]`;
  if (Array.isArray(schema.type)) return schema.type.join('|');
  return schema.type ?? (schema.enum ? 'enum' : 'any');
}

/** zod writes `.int()` without bounds as ±MAX_SAFE_INTEGER: no bound a user would set. */
function bound(value: number | undefined): number | undefined {
  return value === undefined || Math.abs(value) >= Number.MAX_SAFE_INTEGER ? undefined : value;
}

function between(low: number | undefined, high: number | undefined, lowExclusive = false, highExclusive = false) {
  if (low !== undefined && high !== undefined && !lowExclusive && !highExclusive) return `${low}..${high}`;
  const parts = [
    low === undefined ? '' : `${lowExclusive ? '>' : '>='} ${low}`,
    high === undefined ? '' : `${highExclusive ? '<' : '<='} ${high}`,
  ];
  return parts.filter(Boolean).join(', ');
}

function rangeText(schema: PropertySchema): string {
  if (schema.enum) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  const exclusiveLow = bound(schema.exclusiveMinimum);
  const exclusiveHigh = bound(schema.exclusiveMaximum);
  const numbers = between(
    exclusiveLow ?? bound(schema.minimum),
    exclusiveHigh ?? bound(schema.maximum),
    exclusiveLow !== undefined,
    exclusiveHigh !== undefined,
  );
  const length = between(schema.minLength, schema.maxLength);
  const items = between(schema.minItems, schema.maxItems);
  const parts = [numbers, length && `length ${length}`, items && `items ${items}`].filter(Boolean);
  if (parts.length === 0 && schema.anyOf) return schema.anyOf.map(rangeText).filter(Boolean).join('; ');
  return parts.join('; ');
}

export const fieldTableHeader = ['flag', 'type', 'default', 'range', 'description'] as const;

/**
 * The rows of a kind's field table (cells in `fieldTableHeader` order), from
 * the JSON Schema of its input (`analysis.kinds`). Cells are made printable:
 * names, defaults and descriptions come from the server.
 */
export function kindFieldRows(inputSchema: unknown): string[][] {
  const { properties = {}, required = [] } = (inputSchema ?? {}) as ObjectSchema;
  return Object.entries(properties).map(([field, schema]) => {
    const defaultText =
      'default' in schema ? JSON.stringify(schema.default) : required.includes(field) ? 'required' : '-';
    return [
      flagText(field, schema),
      typeText(schema),
      defaultText,
      rangeText(schema) || '-',
      schema.description ?? '',
    ].map(printable);
  });
}
