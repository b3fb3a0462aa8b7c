import { parseArgs } from 'node:util';
import type { StartAnalysisInput } from '../../../shared/index.ts';
import { parseOrUsageError, type CommandContext } from '../command-context.ts';
import { connectionOptions, connectionOptionSpecs } from '../connection-options.ts';
import { usageError } from '../errors.ts';
import { followWithCancel } from '../follow-with-cancel.ts';
import { coerceFlagValue, fieldName, joinNegativeNumberValues, parseInputJson } from '../input-flags.ts';
import { explainRejectedKind } from '../kinds.ts';
import { createRunView } from '../run-view.ts';
import { openSession } from '../session.ts';
import { writeStartHelp } from '../start-help.ts';

const optionSpecs = {
  ...connectionOptionSpecs,
  input: { type: 'string' },
  'idempotency-key': { type: 'string' },
} as const;

const booleanFlags = new Set(
  Object.entries(optionSpecs)
    .filter(([, spec]) => spec.type === 'boolean')
    .map(([name]) => name),
);

interface StartArgs {
  kind: string;
  input: Record<string, unknown>;
  idempotencyKey: string | undefined;
  values: Partial<Record<keyof typeof optionSpecs, string | boolean>>;
}

/** Known options are the CLI's; every other `--flag [value]` is a field of the kind's input. */
export function parseStartArgs(args: readonly string[]): StartArgs {
  const { values, tokens } = parseArgs({
    args: joinNegativeNumberValues(args, booleanFlags),
    options: optionSpecs,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const fields: Record<string, unknown> = {};
  const positionals: string[] = [];
  const consumed = new Set<number>();
  tokens.forEach((token, position) => {
    if (token.kind === 'positional') {
      if (!consumed.has(token.index)) positionals.push(token.value);
      return;
    }
    if (token.kind !== 'option' || token.name in optionSpecs) return;
    if (!token.rawName.startsWith('--')) throw usageError(`unknown option ${token.rawName}`);
    const next = tokens[position + 1];
    let value: unknown = true;
    if (token.inlineValue) value = coerceFlagValue(token.value ?? '');
    else if (next?.kind === 'positional' && next.index === token.index + 1) {
      value = coerceFlagValue(next.value);
      consumed.add(next.index);
    }
    fields[fieldName(token.name)] = value;
  });
  for (const name of ['url', 'token', 'input', 'idempotency-key'] as const) {
    if (values[name] === true) throw usageError(`--${name} needs a value`);
  }
  const [kind, ...extra] = positionals;
  if (values.help) return { kind: kind ?? '', input: {}, idempotencyKey: undefined, values };
  if (!kind) throw usageError('start needs the kind of analysis, e.g. start neuron-activation-stats');
  if (extra.length > 0) throw usageError(`unexpected argument ${extra[0]} (input fields are --<field> <value>)`);
  const input = { ...parseInputJson(values.input as string | undefined), ...fields };
  const idempotencyKey = values['idempotency-key'] as string | undefined;
  return { kind, input, idempotencyKey, values };
}

export async function startCommand(context: CommandContext): Promise<number> {
  const parsed: StartArgs = parseOrUsageError(() => parseStartArgs(context.args));
  const options = connectionOptions(parsed.values, context.env);
  if (parsed.values.help) {
    await writeStartHelp(parsed.kind, options, context);
    return 0;
  }
  const session = openSession(options);
  const view = createRunView(options.json, context);
  try {
    return await followWithCancel(
      session,
      view,
      async () => {
        // the kind is whatever the user typed: the server checks it and its input against the registered kinds
        const request = {
          kind: parsed.kind,
          input: parsed.input,
          ...(parsed.idempotencyKey !== undefined && { idempotencyKey: parsed.idempotencyKey }),
        } as StartAnalysisInput;
        try {
          const run = await session.client.analysis.start.mutate(request);
          return run.id;
        } catch (error) {
          throw await explainRejectedKind(session, parsed.kind, session.fail(error));
        }
      },
      { fromFirstEvent: true },
    );
  } finally {
    session.close();
  }
}
