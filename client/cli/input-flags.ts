import { usageError } from './errors.ts';

const numeric = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A flag's text as the JSON value a shell user most likely meant: `8` → 8, `true` → true, `x` → 'x'. */
export function coerceFlagValue(text: string): unknown {
  if (numeric.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  return text;
}

/** `neurons-per-layer` → `neuronsPerLayer`, so flags look like flags and fields like fields. */
export function fieldName(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** `--input '<json>'`: the base object the field flags are laid over. */
export function parseInputJson(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`--input is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw usageError('--input must be a JSON object, e.g. --input \'{"layers": 8}\'');
  }
  return value as Record<string, unknown>;
}

/**
 * `parseArgs` reads `--seed -1` as an option `--seed` and a short option `-1`;
 * joining such pairs into `--seed=-1` keeps negative numbers as values.
 */
export function joinNegativeNumberValues(args: readonly string[], booleanFlags: ReadonlySet<string>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (arg === '--') {
      joined.push(...args.slice(i));
      break;
    }
    const isValueFlag = /^--[^=]+$/.test(arg) && !booleanFlags.has(arg.slice(2));
    if (isValueFlag && next !== undefined && /^-\d|^-\.\d/.test(next) && numeric.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}
