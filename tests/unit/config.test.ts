import { describe, expect, it } from 'vitest';
import { isLoopbackHost, loadConfig, parseTokens } from '../../server/config.ts';
import { decodeCursor, encodeCursor } from '../../server/runs/cursor.ts';

describe('config', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: 'file:./data/analysis.db',
      host: '127.0.0.1',
      port: 3000,
      tokens: null,
      heartbeatMs: 2000,
      stallTimeoutMs: 30000,
      cancelGraceMs: 5000,
    });
    expect(config.maxConcurrency).toBeGreaterThanOrEqual(1);
  });

  it('parses API_TOKENS and rejects malformed ones', () => {
    expect([...parseTokens('alice:t1, bob:t2')]).toEqual([
      ['t1', 'alice'],
      ['t2', 'bob'],
    ]);
    expect(() => parseTokens('alice')).toThrow(/user:token/);
    expect(() => parseTokens('alice:t,bob:t')).toThrow(/twice/);
  });

  it('refuses single-user mode on a non-loopback host', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/API_TOKENS/);
    expect(loadConfig({ HOST: '0.0.0.0', API_TOKENS: 'a:b' }).tokens?.get('b')).toBe('a');
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });

  it('reports bad numbers clearly', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ MAX_CONCURRENCY: '0' })).toThrow(/MAX_CONCURRENCY/);
  });
});

describe('history cursor', () => {
  it('round-trips and rejects garbage', () => {
    const run = { createdAt: new Date('2026-05-01T10:00:00.123Z'), id: 'abc-123' };
    expect(decodeCursor(encodeCursor(run))).toEqual(run);
    expect(decodeCursor('garbage')).toBeNull();
    expect(decodeCursor('')).toBeNull();
  });
});
