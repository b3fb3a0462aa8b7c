import type { CommandContext } from './command-context.ts';
import type { ConnectionOptions } from './connection-options.ts';
import { CliError } from './errors.ts';
import { startFieldsText } from './kind-text.ts';
import { fetchKinds, unknownKindError } from './kinds.ts';
import { openSession } from './session.ts';
import { commandHelp } from './usage.ts';

/** Help should answer quickly even when the server does not. */
const kindsTimeoutMs = 5000;

/**
 * `start [<kind>] --help`: the usage, and under it the kind's fields as the
 * server describes them. Help never fails: when the fields cannot be fetched,
 * a note on stderr says why.
 */
export async function writeStartHelp(
  kind: string,
  options: ConnectionOptions,
  context: Pick<CommandContext, 'stdout' | 'stderr'>,
): Promise<void> {
  context.stdout.write(`${commandHelp.start}\n`);
  if (!kind) return;
  let fields: string;
  try {
    const session = openSession(options);
    try {
      const kinds = await fetchKinds(session, AbortSignal.timeout(kindsTimeoutMs));
      const described = kinds.find((known) => known.kind === kind);
      if (!described) {
        context.stderr.write(`note: ${unknownKindError(kind, kinds).message}\n`);
        return;
      }
      fields = startFieldsText(described);
    } finally {
      session.close();
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    context.stderr.write(`note: the fields of ${kind} are not listed: ${error.message}\n`);
    return;
  }
  context.stdout.write(`\n${fields}\n`);
}
