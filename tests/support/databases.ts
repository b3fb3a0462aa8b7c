import type { DatabaseProvider } from '../../server/db/client.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../scripts/scratch-database.ts';

export const postgresBaseUrl = process.env.TEST_DATABASE_URL_PG ?? 'postgresql://root@127.0.0.1:5432/test';

export type TestDatabase = ScratchDatabase;

/** A fresh, empty database of `provider`, private to the caller (one file or one schema). */
export async function createTestDatabase(provider: DatabaseProvider): Promise<TestDatabase> {
  return createScratchDatabase(provider, { prefix: 't', postgresUrl: postgresBaseUrl });
}

export const providers: DatabaseProvider[] = ['sqlite', 'postgresql'];
