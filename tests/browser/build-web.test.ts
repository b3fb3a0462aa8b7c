import { readFileSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureWebBuild, staleReason, webAppDir, webDistDir } from '../../scripts/build-web.ts';

describe('build:web (build when missing or stale)', () => {
  const input = path.join(webAppDir, 'styles.css');
  let restore: (() => void) | null = null;
  afterEach(() => {
    restore?.();
    restore = null;
  });

  it('builds once, then stays put until an input changes', async () => {
    await ensureWebBuild({ log: () => {} });
    expect(await staleReason()).toBeNull();
    expect(await ensureWebBuild({ log: () => {} })).toMatchObject({ built: false, reason: 'up to date' });

    const html = readFileSync(path.join(webDistDir, 'index.html'), 'utf8');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(statSync(path.join(webDistDir, script!)).size).toBeGreaterThan(1000);

    // an edited input makes the build stale (its content is left alone; only the time moves)
    const { atime, mtime } = statSync(input);
    restore = () => utimesSync(input, atime, mtime);
    const later = new Date(Date.now() + 1000);
    utimesSync(input, later, later);
    expect(await staleReason()).toBe('client/app/styles.css changed since the last build');
    restore();
    restore = null;
    expect(await staleReason()).toBeNull();
  }, 120_000);
});
