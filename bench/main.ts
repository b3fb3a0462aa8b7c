/**
 * `npm run bench [-- --quick] [-- --only <scenario>[,<scenario>]] [-- --in-process]`:
 * runs the scenarios against a real server (in a child process where the
 * clients do real work, see BENCHMARKS.md) and BullMQ on the local Redis,
 * prints a table and writes bench/results/latest.json. Exits non-zero only
 * when the harness itself breaks, never because a target is missed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable, type Scenario, type ScenarioResult } from './lib/report.ts';
import { fanOut } from './scenarios/fan-out.ts';
import { progressLatency } from './scenarios/progress-latency.ts';
import { responsiveness } from './scenarios/responsiveness.ts';
import { startLatency } from './scenarios/start-latency.ts';
import { throughput } from './scenarios/throughput.ts';
import { writeAmplification } from './scenarios/write-amplification.ts';

const scenarios: Scenario[] = [throughput, progressLatency, responsiveness, writeAmplification, fanOut, startLatency];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: path.join(import.meta.dirname, 'results', 'latest.json') },
  },
});
const only = values.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !scenarios.some((scenario) => scenario.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = scenarios.filter((scenario) => !only || only.includes(scenario.name));
const log = (line: string) => console.error(`[bench] ${line}`);

/** 1-minute load average: other work on a shared machine skews absolute figures (ratios less so) */
const loadAverage = () => Number(os.loadavg()[0]!.toFixed(2));

const startedAt = new Date();
const results: ScenarioResult[] = [];
const loadBefore: Record<string, number> = {};
for (const scenario of selected) {
  log(`${scenario.name}: ${scenario.describe}`);
  const began = performance.now();
  loadBefore[scenario.name] = loadAverage();
  results.push(await scenario.run({ quick: values.quick, inProcess: values['in-process'], log }));
  log(`${scenario.name} took ${((performance.now() - began) / 1000).toFixed(1)} s`);
}

const rows = results.flatMap((result) => result.rows);
const report = {
  startedAt: startedAt.toISOString(),
  seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
  quick: values.quick,
  serverInProcess: values['in-process'],
  machine: {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadAverage(),
  rows,
  scenarios: Object.fromEntries(results.map((result) => [result.name, result.details])),
};
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(formatTable(rows));
console.log(
  `\n${report.machine.cpus} CPUs, ${process.version}; 1-min load average before each scenario: ${JSON.stringify(loadBefore)}`,
);
console.log(`written to ${path.relative(process.cwd(), values.out)} in ${report.seconds} s`);
// open handles of client libraries (ioredis reconnect timers, pg pools) must not keep a finished run alive
process.exit(0);
