import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseProvider } from '../server/db/client.ts';

export interface ScratchDatabase {
  provider: DatabaseProvider;
  url: string;
  /** removes the file or drops the schema */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database of `provider`, private to the caller: a SQLite file
 * in a temporary folder, or a schema of its own in `postgresUrl`'s database.
 * Tests and benchmarks use it; `prefix` tells their leftovers apart.
 */
export function createScratchDatabase(
  provider: DatabaseProvider,
  options: { prefix: string; postgresUrl: string },
): ScratchDatabase {
  const name = `${options.prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), `analysis-${options.prefix}-`));
    return {
      provider,
      url: `file:${path.join(dir, `${name}.db`)}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = new URL(options.postgresUrl);
  url.searchParams.set('schema', name);
  return {
    provider,
    url: url.toString(),
    drop: async () => {
      const admin = new pg.Client({ connectionString: options.postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
