import type { CommandContext } from './command-context.ts';
import { CliError, usageError } from './errors.ts';
import { exitCodes } from './exit-codes.ts';
import { commandHelp, generalHelp, type CommandName } from './usage.ts';

type Command = (context: CommandContext) => Promise<number>;

// loaded on demand: help and usage errors answer without loading the tRPC client
const commands: Record<CommandName, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.ts')).startCommand,
  watch: async () => (await import('./commands/watch.ts')).watchCommand,
  history: async () => (await import('./commands/history.ts')).historyCommand,
  kinds: async () => (await import('./commands/kinds.ts')).kindsCommand,
};

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = args[0];
    process.stdout.write(`${topic && isCommand(topic) ? commandHelp[topic] : generalHelp}\n`);
    return 0;
  }
  if (name === undefined) throw usageError('no command given', generalHelp);
  if (!isCommand(name)) throw usageError(`unknown command ${name}`, generalHelp);
  const command = await commands[name]();
  return command({ args, env: process.env, stdout: process.stdout, stderr: process.stderr });
}

function report(error: unknown, argv: string[]): number {
  if (error instanceof CliError) {
    process.stderr.write(`error: ${error.message}\n`);
    for (const line of error.details) process.stderr.write(`  ${line}\n`);
    if (error.help) process.stderr.write(`\n${error.help}\n`);
    else if (error.exitCode === exitCodes.usage && argv[0] && isCommand(argv[0])) {
      process.stderr.write(`(npm run analysis -- ${argv[0]} --help shows the options)\n`);
    }
    return error.exitCode;
  }
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

// exit explicitly: the client's idle WebSocket and HTTP keep-alive would otherwise hold the process for seconds
const argv = process.argv.slice(2);
run(argv).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(report(error, argv)),
);
