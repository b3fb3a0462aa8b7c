import { parseArgs } from 'node:util';
import { parseOrUsageError, type CommandContext } from '../command-context.ts';
import { connectionOptions, connectionOptionSpecs } from '../connection-options.ts';
import { usageError } from '../errors.ts';
import { kindText } from '../kind-text.ts';
import { fetchKinds, unknownKindError } from '../kinds.ts';
import { openSession } from '../session.ts';
import { commandHelp } from '../usage.ts';

export async function kindsCommand(context: CommandContext): Promise<number> {
  const parsed = parseOrUsageError(() =>
    parseArgs({ args: context.args, options: connectionOptionSpecs, allowPositionals: true }),
  );
  const { values, positionals } = parsed;
  if (values.help) {
    context.stdout.write(`${commandHelp.kinds}\n`);
    return 0;
  }
  const [only, ...extra] = positionals;
  if (extra.length > 0) throw usageError(`unexpected argument ${extra[0]}`);
  const options = connectionOptions(values, context.env);
  const session = openSession(options);
  try {
    const kinds = await fetchKinds(session);
    const shown = only === undefined ? kinds : kinds.filter((described) => described.kind === only);
    if (only !== undefined && shown.length === 0) throw unknownKindError(only, kinds);
    if (options.json) context.stdout.write(`${JSON.stringify(shown)}\n`);
    else context.stdout.write(`${shown.length === 0 ? 'no kinds' : shown.map(kindText).join('\n\n')}\n`);
    return 0;
  } finally {
    session.close();
  }
}
