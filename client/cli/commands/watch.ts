import { parseArgs } from 'node:util';
import { parseOrUsageError, type CommandContext } from '../command-context.ts';
import { connectionOptions, connectionOptionSpecs } from '../connection-options.ts';
import { usageError } from '../errors.ts';
import { followWithCancel } from '../follow-with-cancel.ts';
import { createRunView } from '../run-view.ts';
import { openSession } from '../session.ts';
import { commandHelp } from '../usage.ts';

export async function watchCommand(context: CommandContext): Promise<number> {
  const parsed = parseOrUsageError(() =>
    parseArgs({ args: context.args, options: connectionOptionSpecs, allowPositionals: true }),
  );
  const { values, positionals } = parsed;
  if (values.help) {
    context.stdout.write(`${commandHelp.watch}\n`);
    return 0;
  }
  const [runId, ...extra] = positionals;
  if (!runId) throw usageError('watch needs a run id (the history command lists them)');
  if (extra.length > 0) throw usageError(`unexpected argument ${extra[0]}`);
  const options = connectionOptions(values, context.env);
  const session = openSession(options);
  const view = createRunView(options.json, context);
  try {
    return await followWithCancel(session, view, async () => {
      // a plain query first: a wrong token or an unknown id is a clear HTTP error, not a closed socket
      try {
        await session.client.analysis.get.query({ runId });
      } catch (error) {
        throw session.fail(error);
      }
      return runId;
    });
  } finally {
    session.close();
  }
}
