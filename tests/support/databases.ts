import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseProvider } from '../../server/db/client.ts';

export const postgresBaseUrl = process.env.TEST_DATABASE_URL_PG ?? 'postgresql://root@127.0.0.1:5432/test';

export interface TestDatabase {
  provider: DatabaseProvider;
  url: string;
  /** removes the file or drops the schema */
  drop(): Promise<void>;
}

/** A fresh, empty database of `provider`, private to the caller (one file or one schema). */
export async function createTestDatabase(provider: DatabaseProvider): Promise<TestDatabase> {
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'analysis-test-'));
    return {
      provider,
      url: `file:${path.join(dir, `${name}.db`)}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = new URL(postgresBaseUrl);
  url.searchParams.set('schema', name);
  return {
    provider,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresBaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export const providers: DatabaseProvider[] = ['sqlite', 'postgresql'];
