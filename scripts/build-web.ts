import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, version as viteVersion } from 'vite';
import webConfig from '../client/app/vite.config.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const webAppDir = path.join(repoRoot, 'client/app');
export const webDistDir = path.join(webAppDir, 'dist');
/** written last into a finished build; a dot file, so the server never serves it */
const markerName = '.build-stamp.json';
const stagingPrefix = '.dist-staging-';

/**
 * Everything the bundle is made of: the page, the React layer and the links it
 * shares with the vanilla client, shared types, the analyses (their input
 * schemas become the start forms) and the lock file (dependency versions).
 */
const inputs = ['client', 'shared', 'server/analyses', 'package-lock.json'];
/** inside `inputs` but never in the bundle */
const notInputs = new Set([webDistDir, path.join(repoRoot, 'client/cli')]);

interface Marker {
  /** when the build that wrote this marker started: inputs changed later are not in it */
  startedAt: number;
  finishedAt: number;
  vite: string;
  /** the input files then, relative to the repository: an added, moved or deleted file changes this list */
  inputs: string[];
}

async function readMarker(): Promise<Marker | null> {
  try {
    return JSON.parse(await readFile(path.join(webDistDir, markerName), 'utf8')) as Marker;
  } catch {
    return null;
  }
}

/** Every input file with its modification time, sorted by path. */
async function listInputs(): Promise<Array<{ file: string; mtimeMs: number }>> {
  const files: Array<{ file: string; mtimeMs: number }> = [];
  const visit = async (target: string): Promise<void> => {
    const info = await stat(target).catch(() => null);
    if (!info) return; // an optional input (e.g. client/react before it exists)
    if (!info.isDirectory()) {
      files.push({ file: path.relative(repoRoot, target), mtimeMs: info.mtimeMs });
      return;
    }
    for (const entry of await readdir(target, { withFileTypes: true })) {
      const child = path.join(target, entry.name);
      if (entry.name.startsWith('.') || entry.name === 'node_modules' || notInputs.has(child)) continue;
      await visit(child);
    }
  };
  for (const input of inputs) await visit(path.join(repoRoot, input));
  return files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Why the page must be (re)built, or null when `dist/` is current. */
export async function staleReason(): Promise<string | null> {
  const marker = await readMarker();
  if (!marker) return 'no build yet';
  const files = await listInputs();
  const changed = files.find(({ mtimeMs }) => mtimeMs > marker.startedAt);
  if (changed) return `${changed.file} changed since the last build`;
  const now = files.map(({ file }) => file);
  const then = new Set(marker.inputs ?? []);
  const added = now.find((file) => !then.has(file));
  if (added) return `${added} was added since the last build`;
  const current = new Set(now);
  const removed = [...then].find((file) => !current.has(file));
  return removed ? `${removed} was removed since the last build` : null;
}

async function removeAbandonedStaging(): Promise<void> {
  const hour = 60 * 60 * 1000;
  for (const entry of await readdir(webAppDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(stagingPrefix)) continue;
    const dir = path.join(webAppDir, entry.name);
    const info = await stat(dir).catch(() => null);
    if (info && Date.now() - info.mtimeMs > hour) await rm(dir, { recursive: true, force: true });
  }
}

/** `dir` becomes `dist/`; a running server sees the old build or the new one, never half of one. */
async function publish(dir: string): Promise<void> {
  const previous = `${dir}-previous`;
  await rename(webDistDir, previous).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  try {
    await rename(dir, webDistDir);
  } catch (error) {
    // another process published its build in between: it is as fresh as ours
    if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
    await rm(dir, { recursive: true, force: true });
  } finally {
    await rm(previous, { recursive: true, force: true });
  }
}

export interface WebBuildResult {
  built: boolean;
  /** why it was built, or why not */
  reason: string;
  ms: number;
}

/** one build at a time across processes (e.g. two test files at once); a lock older than this was abandoned */
const lockDir = path.join(webAppDir, '.build-lock');
const abandonedLockMs = 2 * 60 * 1000;

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const info = await stat(lockDir).catch(() => null);
      if (info && Date.now() - info.mtimeMs > abandonedLockMs) await rm(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function buildInto(staging: string): Promise<void> {
  const startedAt = Date.now();
  const inputFiles = (await listInputs()).map(({ file }) => file);
  // vite picks React's production build and JSX runtime from NODE_ENV; a test runner sets it to "test"
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      ...webConfig,
      configFile: false,
      mode: 'production',
      logLevel: 'warn',
      build: { ...webConfig.build, outDir: staging, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const marker: Marker = { startedAt, finishedAt: Date.now(), vite: viteVersion, inputs: inputFiles };
  await writeFile(path.join(staging, markerName), `${JSON.stringify(marker, null, 2)}\n`);
}

/** Builds the demo page with vite unless `dist/` is newer than all of its inputs (or `force`). */
export async function ensureWebBuild(
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<WebBuildResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const began = Date.now();
  if (!options.force && !(await staleReason())) return { built: false, reason: 'up to date', ms: Date.now() - began };

  return withBuildLock(async () => {
    // another process may have built it while this one waited for the lock
    const reason = options.force ? 'forced' : await staleReason();
    if (!reason) return { built: false, reason: 'up to date', ms: Date.now() - began };
    log(`[build:web] building the demo page (${reason})`);
    await removeAbandonedStaging();
    const staging = path.join(webAppDir, `${stagingPrefix}${process.pid}-${randomBytes(3).toString('hex')}`);
    try {
      await buildInto(staging);
      await publish(staging);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    const ms = Date.now() - began;
    log(`[build:web] ${path.relative(process.cwd(), webDistDir) || webDistDir} written in ${ms} ms`);
    return { built: true, reason, ms };
  });
}

// `tsx scripts/build-web.ts [--force]`: `npm run build:web` forces, `prestart` builds only when stale
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  ensureWebBuild({ force: process.argv.includes('--force') }).then(
    (result) => {
      if (!result.built) console.log(`[build:web] the demo page is ${result.reason}`);
    },
    (error: unknown) => {
      console.error('[build:web] failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
