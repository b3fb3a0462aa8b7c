import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { z } from 'zod';
import { interruptCancelReason } from '../../client/cli/cancel-on-interrupt.ts';
import { parseStartArgs } from '../../client/cli/commands/start.ts';
import { exitCodes } from '../../client/cli/exit-codes.ts';
import { kindFieldRows } from '../../client/cli/kind-fields.ts';
import { providers } from '../support/databases.ts';
import { pollUntil, sleep, waitStatus } from '../support/runs.ts';
import { startTestServer, testTokens, type TestServer } from '../support/test-server.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cliEntry = path.join(repoRoot, 'client/cli/main.ts');

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a user runs it: its own Node process, output through pipes (so no progress-bar redraws). */
function spawnCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ANALYSIS_URL: '', ANALYSIS_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    exited,
    /** resolves once the output matches, fails if the CLI exits first */
    async outputMatching(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpMatchArray> {
      let exitedFirst = false;
      void exited.then(() => (exitedFirst = true));
      for (;;) {
        const match = pattern.exec(stream === 'stdout' ? stdout : stderr);
        if (match) return match;
        if (exitedFirst) throw new Error(`the CLI exited before printing ${pattern}:\n${stderr}\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return spawnCli(args, env).exited;
}

const runIdLine = /^run (\S+) \(([\w-]+)\)$/m;

describe.concurrent('CLI without a server', () => {
  it('an unknown command prints the usage and exits 2', async ({ expect }) => {
    const result = await cli(['frobnicate']);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.stderr).toContain('unknown command frobnicate');
    expect(result.stderr).toContain('Usage: npm run analysis -- <command>');
    expect(result.stdout).toBe('');
  });

  it('start --help documents the input flags and the exit codes', async ({ expect }) => {
    const result = await cli(['start', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: npm run analysis -- start <kind>');
    expect(result.stdout).toMatch(/130\s+the run was cancelled here with Ctrl-C/);
    expect(result.stdout).toMatch(/3\s+the run was cancelled by someone else/);
  });

  it('start input flags: kebab-case fields, numbers, booleans, negative numbers, --input underneath', ({ expect }) => {
    const parsed = parseStartArgs([
      'neuron-activation-stats',
      '--input',
      '{"layers": 2, "samples": 100}',
      '--neurons-per-layer',
      '16',
      '--seed=-3',
      '--samples',
      '-1',
      '--verbose',
      '--label',
      'x y',
      '--json',
    ]);
    expect(parsed.kind).toBe('neuron-activation-stats');
    expect(parsed.input).toEqual({
      layers: 2,
      samples: -1,
      neuronsPerLayer: 16,
      seed: -3,
      verbose: true,
      label: 'x y',
    });
    expect(parsed.values.json).toBe(true);
    expect(() => parseStartArgs(['scripted-steps', 'extra'])).toThrow(/unexpected argument extra/);
    expect(() => parseStartArgs(['--steps', '3'])).toThrow(/start needs the kind/);
  });

  it('--input that is not JSON is a usage error (exit 2) before anything is sent', async ({ expect }) => {
    const result = await cli(['start', 'scripted-steps', '--input', '{steps: 3}', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.stderr).toContain('--input is not valid JSON');
  });

  it('start <kind> --help without a server: the usage, exit 0, and a note why no fields are listed', async ({
    expect,
  }) => {
    const result = await cli(['start', 'neuron-activation-stats', '--help', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: npm run analysis -- start <kind>');
    expect(result.stdout).not.toContain('Input fields of');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^note: the fields of neuron-activation-stats are not listed: cannot reach the server at http:\/\/127\.0\.0\.1:9/,
      ),
    ]);
  });

  it('field table rows from a JSON Schema: enums, nullable, exclusive bounds, input-only fields', ({ expect }) => {
    const input = z.object({
      mode: z.enum(['fast', 'exact']).default('fast').describe('how to count'),
      threshold: z.number().gt(0).lt(1).nullable(),
      tags: z.array(z.string()).min(1).max(3).optional(),
      'odd-name': z.boolean().optional(),
      retries: z.number().int().min(0).optional(),
    });
    const rows = kindFieldRows(z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }));
    expect(rows).toEqual([
      ['--mode', 'string', '"fast"', 'one of "fast", "exact"', 'how to count'],
      ['--threshold', 'number|null', 'required', '> 0, < 1', ''],
      [`--input '{"tags": …}'`, 'string[]', '-', 'items 1..3', ''],
      [`--input '{"odd-name": …}'`, 'boolean', '-', '-', ''],
      ['--retries', 'integer', '-', '>= 0', ''],
    ]);
  });

  it('an unreachable server is a connection error (exit 4)', async ({ expect }) => {
    // port 9 (discard) is not listened on here; the CLI must say so rather than hang
    const result = await cli(['history', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(exitCodes.connection);
    expect(result.stderr).toContain('cannot reach the server at http://127.0.0.1:9');
  });
});

// concurrent: each test spawns its own CLI processes and creates its own runs
describe.concurrent.each(providers)('CLI against a real server on %s', (provider) => {
  let server: TestServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    // room for every test's runs at once, so no test waits for another's to leave a slot
    server = await startTestServer(provider, { env: { MAX_CONCURRENCY: '8' } });
    env = { ANALYSIS_URL: server.url, ANALYSIS_TOKEN: testTokens.alice };
  });

  afterAll(async () => {
    await server?.close();
  });

  it('start: a completed run exits 0, with a line per stage and the outcome and result last', async ({ expect }) => {
    const result = await cli(['start', 'scripted-steps', '--steps', '3', '--step-ms', '5', '--label', 'from-cli'], env);
    expect(result.code).toBe(exitCodes.completed);
    const runId = runIdLine.exec(result.stderr)?.[1];
    expect(runId).toBeDefined();
    for (const stage of ['1/3 Load', '2/3 Compute', '3/3 Write']) expect(result.stderr).toContain(`stage ${stage}`);
    expect(result.stderr).not.toContain('\u001b['); // plain lines on a pipe, no redraws
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^run ${runId} completed in \\S+$`));
    expect(JSON.parse(lines[1] ?? '')).toEqual({ steps: 9, label: 'from-cli' });
    const run = await server.caller().analysis.get({ runId: runId as string });
    expect(run).toMatchObject({ status: 'completed', kind: 'scripted-steps', input: { steps: 3, stepMs: 5 } });
  });

  it('start: Ctrl-C cancels the run on the server, waits for it to end and exits 130', async ({ expect }) => {
    const cli = spawnCli(['start', 'wait-forever'], env);
    await cli.outputMatching('stderr', /stage 1\/1 Wait/);
    const runId = (await cli.outputMatching('stderr', runIdLine))[1] as string;
    cli.child.kill('SIGINT');
    const result = await cli.exited;
    expect(result.code).toBe(exitCodes.cancelledHere);
    expect(result.stderr).toContain('cancelling the run');
    expect(result.stdout).toContain(`run ${runId} cancelled after`);
    const run = await server.caller().analysis.get({ runId });
    expect(run).toMatchObject({ status: 'cancelled', cancelReason: interruptCancelReason });
  });

  it('watch: follows a run to its end (exit 0); a finished one prints its final state and its exit code (1)', async ({
    expect,
  }) => {
    const caller = server.caller();
    const running = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 10, stepMs: 50 } });
    const watched = await cli(['watch', running.id], env);
    expect(watched.code).toBe(exitCodes.completed);
    expect(watched.stdout).toContain(`run ${running.id} completed in`);
    expect(watched.stderr).toContain('stage 3/3 Write');

    const failed = await caller.analysis.start({
      kind: 'scripted-steps',
      input: { steps: 1, stepMs: 0, failAtStep: 1 },
    });
    await waitStatus(caller, failed.id, 'failed');
    const finished = await cli(['watch', failed.id], env);
    expect(finished.code).toBe(exitCodes.failed);
    expect(finished.stdout).toContain(`run ${failed.id} failed`);
  });

  it('watch: a run cancelled by someone else exits 3, with one JSON line per event', async ({ expect }) => {
    const caller = server.caller();
    const run = await caller.analysis.start({ kind: 'wait-forever', input: {} });
    await waitStatus(caller, run.id, 'running');
    const watcher = spawnCli(['watch', run.id, '--json'], env);
    await watcher.outputMatching('stdout', /"type":"snapshot"/);
    await caller.analysis.cancel({ runId: run.id, reason: 'from the API' });
    const result = await watcher.exited;
    expect(result.code).toBe(exitCodes.cancelledElsewhere);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; runId: string; run: { status: string } });
    expect(events[0]).toMatchObject({ type: 'snapshot', runId: run.id, run: { status: 'running' } });
    expect(events.at(-1)).toMatchObject({ type: 'cancelled', run: { status: 'cancelled' } });
  });

  it('history: prints the runs as a table, filters by status, and as JSON', async ({ expect }) => {
    const caller = server.caller();
    const done = await caller.analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    const queuedThenCancelled = await caller.analysis.start({ kind: 'wait-forever', input: {} });
    await caller.analysis.cancel({ runId: queuedThenCancelled.id, reason: 'not needed' });
    await waitStatus(caller, done.id, 'completed');
    await waitStatus(caller, queuedThenCancelled.id, 'cancelled');

    const table = await cli(['history', '--limit', '100'], env);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['id', 'kind', 'status', 'progress', 'created', 'duration', 'message']);
    expect(rows.find((row) => row.startsWith(done.id))).toMatch(/scripted-steps\s+completed\s+100%/);
    expect(rows.find((row) => row.startsWith(queuedThenCancelled.id))).toMatch(
      /wait-forever\s+cancelled\s+\d+%.*cancelled: not needed$/,
    );

    const json = await cli(['history', '--status', 'cancelled', '--json', '--limit', '100'], env);
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout) as { items: Array<{ id: string; status: string }>; nextCursor: string | null };
    expect(page.items.map((run) => run.id)).toContain(queuedThenCancelled.id);
    expect(page.items.every((run) => run.status === 'cancelled')).toBe(true);
  });
});

// input validation, auth, paging hints and a second Ctrl-C do not depend on the database: one provider is enough
describe.concurrent('CLI against a real server, database-independent behaviour (SQLite)', () => {
  let server: TestServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    // a run that ignores its cancel stays `running` (cancel requested) for the grace: time for a second Ctrl-C
    server = await startTestServer('sqlite', { env: { CANCEL_GRACE_MS: '3000' } });
    env = { ANALYSIS_URL: server.url, ANALYSIS_TOKEN: testTokens.alice };
  });

  afterAll(async () => {
    await server?.close();
  });

  it('kinds: each kind with its stages and its input fields as start flags, and as JSON', async ({ expect }) => {
    const result = await cli(['kinds'], env);
    expect(result.code).toBe(0);
    const sections = result.stdout.trim().split('\n\n');
    const neuron = sections.find((section) => section.startsWith('neuron-activation-stats\n'));
    expect(neuron).toBeDefined();
    expect(neuron).toMatch(/^ {4}1\/4\s+generate\s+Generate activations\s+97$/m);
    expect(neuron).toMatch(/^ {4}flag\s+type\s+default\s+range\s+description$/m);
    expect(neuron).toMatch(/^ {4}--neurons-per-layer\s+integer\s+256\s+1\.\.4096\s+neurons in each layer$/m);
    expect(sections.map((section) => section.split('\n')[0])).toContain('scripted-steps');

    const json = await cli(['kinds', '--json'], env);
    expect(json.code).toBe(0);
    const kinds = JSON.parse(json.stdout) as Array<{ kind: string; inputSchema: { properties: object } }>;
    expect(kinds.find((kind) => kind.kind === 'neuron-activation-stats')?.inputSchema.properties).toHaveProperty(
      'neuronsPerLayer.default',
      256,
    );
  });

  it('start <kind> --help lists that kind’s flags under the start usage', async ({ expect }) => {
    const result = await cli(['start', 'neuron-activation-stats', '--help'], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [usage, fields] = result.stdout.split('Input fields of neuron-activation-stats:\n');
    expect(usage).toContain('Usage: npm run analysis -- start <kind>');
    expect(fields).toMatch(/^ {2}--layers\s+integer\s+6\s+1\.\.64\s+hidden layers of the network$/m);
    expect(fields).toMatch(/^ {2}--top-k\s+integer\s+5\s+1\.\.50\s/m);
    expect(fields).not.toContain('--steps'); // scripted-steps' field, not this kind's
  });

  it('start with an unknown kind exits 2 naming the kinds there are', async ({ expect }) => {
    const result = await cli(['start', 'no-such-kind', '--layers', '3'], env);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.stderr).toMatch(/^error: unknown kind no-such-kind \(the server has: .*neuron-activation-stats/m);
    expect(result.stderr).toMatch(/the server has: .*scripted-steps.*\)$/m);
    expect(result.stdout).toBe('');

    const help = await cli(['start', 'no-such-kind', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stderr).toMatch(/^note: unknown kind no-such-kind \(the server has: .*neuron-activation-stats/);
  });

  it('history: a full page ends with the command for the next one', async ({ expect }) => {
    await server.caller().analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    await server.caller().analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    const paged = await cli(['history', '--limit', '1', '--token', testTokens.alice], env);
    expect(paged.code).toBe(0);
    const hint = /^next page: npm run analysis -- history --limit 1 --cursor (\S+)$/m.exec(paged.stdout);
    expect(hint).not.toBeNull(); // and the token is not echoed
    const next = await server.caller().analysis.history({ limit: 1, cursor: hint?.[1] ?? null });
    expect(next.items).toHaveLength(1);
  });

  it('bad input exits 2 with the validation issues, field by field', async ({ expect }) => {
    const result = await cli(['start', 'scripted-steps', '--steps', '-1', '--input', '{"stepMs": "fast"}'], env);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.stderr).toContain('the server rejected the input');
    expect(result.stderr).toMatch(/^ {2}input\.steps: Too small: expected number to be >=0$/m);
    expect(result.stderr).toMatch(/^ {2}input\.stepMs: .*expected number, received string$/m);
  });

  it('a wrong token exits 4 with UNAUTHORIZED; another user’s run is NOT_FOUND (exit 4)', async ({ expect }) => {
    const wrongToken = await cli(['start', 'scripted-steps'], { ...env, ANALYSIS_TOKEN: 'not-a-token' });
    expect(wrongToken.code).toBe(exitCodes.connection);
    expect(wrongToken.stderr).toContain('UNAUTHORIZED');

    const alicesRun = await server.caller().analysis.start({ kind: 'scripted-steps', input: { steps: 0 } });
    const asBob = await cli(['watch', alicesRun.id, '--token', testTokens.bob], env);
    expect(asBob.code).toBe(exitCodes.connection);
    expect(asBob.stderr).toContain(`NOT_FOUND: run ${alicesRun.id} not found`);
  });

  it('Ctrl-C waits for a run slow to stop; a second Ctrl-C quits at once (130, no outcome)', async ({ expect }) => {
    const caller = server.caller();
    const cli = spawnCli(['start', 'wait-forever', '--ignore-signal'], env);
    const runId = (await cli.outputMatching('stderr', runIdLine))[1] as string;
    await cli.outputMatching('stderr', /stage 1\/1 Wait/);
    cli.child.kill('SIGINT');
    await pollUntil(
      'the cancel to be requested',
      () => caller.analysis.get({ runId }),
      (run) => run.cancelRequested,
    );
    await sleep(400); // longer than the CLI takes one signal delivered twice to be
    expect(cli.child.exitCode).toBeNull(); // still following the run, which ignores its signal for the grace
    cli.child.kill('SIGINT');
    const result = await cli.exited;
    expect(result.code).toBe(exitCodes.cancelledHere);
    expect(result.stderr).toContain('interrupted again: quitting without waiting');
    expect(result.stdout).toBe('');
    const run = await waitStatus(caller, runId, 'cancelled');
    expect(run.cancelReason).toBe(interruptCancelReason);
  });
});
