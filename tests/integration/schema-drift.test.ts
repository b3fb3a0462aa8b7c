// Guards the two-provider database layer: the rendered schemas, both migration histories
// and the migrated databases must all describe the same models.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS, readModels, renderSchema, schemaPathOf } from '../../scripts/prisma-generate.ts';
import { openDatabase, pgTargetOf, sqliteFileOf } from '../../server/db/client.ts';
import { LOCK_FILE, migrateDatabase, migrationsDirOf, pendingSchemaChange } from '../../server/db/migrate.ts';

const PG_BASE_URL = process.env.TEST_DATABASE_URL_PG ?? 'postgresql://root@127.0.0.1:5432/test';
const TIMEOUT = 60_000;

function migrationFolders(provider: (typeof PROVIDERS)[number]): string[] {
  const dir = migrationsDirOf(provider);
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

type Layout = Record<string, string[]>;

function sqliteLayout(url: string): Layout {
  const db = new Sqlite(sqliteFileOf(url), { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        (db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]).map((c) => c.name).sort(),
      ]),
    );
  } finally {
    db.close();
  }
}

async function pgLayout(url: string): Promise<Layout> {
  const { connectionString, schema } = pgTargetOf(url);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'`,
      [schema],
    );
    const layout: Layout = {};
    for (const { table_name, column_name } of rows) (layout[table_name] ??= []).push(column_name);
    for (const columns of Object.values(layout)) columns.sort();
    return layout;
  } finally {
    await client.end();
  }
}

async function dropPgSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgTargetOf(PG_BASE_URL).connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

describe('rendered schemas', () => {
  it.each(PROVIDERS)('prisma/%s/schema.prisma is what models.prisma renders to', (provider) => {
    expect(readFileSync(schemaPathOf(provider), 'utf8')).toBe(renderSchema(provider, readModels()));
  });
});

describe('migration histories', () => {
  it('both providers have the same migration folders', () => {
    const sqlite = migrationFolders('sqlite');
    expect(sqlite.length).toBeGreaterThan(0);
    expect(migrationFolders('postgresql')).toEqual(sqlite);
  });

  it.each(PROVIDERS)('%s has a lock file naming its provider', (provider) => {
    expect(readFileSync(path.join(migrationsDirOf(provider), LOCK_FILE), 'utf8')).toContain(`provider = "${provider}"`);
  });

  it.each(PROVIDERS)(
    '%s migrations produce exactly the rendered schema',
    async (provider) => {
      const sql = await pendingSchemaChange(provider, {
        schema: renderSchema(provider, readModels()),
        pgShadowUrl: PG_BASE_URL,
      });
      expect(sql, 'run `npm run db:migration:create -- <name>`').toBe('');
    },
    TIMEOUT,
  );
});

describe('migrated databases', () => {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'schema-drift-'));
  const sqliteUrl = `file:${path.join(tmpDir, 'nested', 'drift.db')}`;
  const pgSchema = `drift_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const pgUrl = `${PG_BASE_URL}${PG_BASE_URL.includes('?') ? '&' : '?'}schema=${pgSchema}`;
  const urls = { sqlite: sqliteUrl, postgresql: pgUrl };
  const firstRun: Record<string, string[]> = {};

  beforeAll(async () => {
    for (const [provider, url] of Object.entries(urls)) firstRun[provider] = (await migrateDatabase(url)).applied;
  }, TIMEOUT);

  afterAll(async () => {
    await dropPgSchema(pgSchema);
    rmSync(tmpDir, { recursive: true, force: true });
  }, TIMEOUT);

  it('applies every migration on a fresh database', () => {
    expect(existsSync(sqliteFileOf(sqliteUrl))).toBe(true);
    expect(firstRun.sqlite).toEqual(migrationFolders('sqlite'));
    expect(firstRun.postgresql).toEqual(migrationFolders('postgresql'));
  });

  it('gives both databases the same tables and columns', async () => {
    const sqlite = sqliteLayout(sqliteUrl);
    const postgres = await pgLayout(pgUrl);
    expect(Object.keys(sqlite)).toContain('analysis_runs');
    expect(Object.keys(sqlite)).toContain('_prisma_migrations');
    expect(postgres).toEqual(sqlite);
  });

  it.each(PROVIDERS)(
    'a second migrate on %s applies nothing',
    async (provider) => {
      expect((await migrateDatabase(urls[provider])).applied).toEqual([]);
    },
    TIMEOUT,
  );

  it.each(PROVIDERS)(
    'round-trips a run and its events on %s',
    async (provider) => {
      const { db, provider: opened, close } = await openDatabase(urls[provider]);
      try {
        expect(opened).toBe(provider);
        const id = randomUUID();
        const input = { dataset: 'd1', options: { depth: 2, tags: ['a', 'b'] }, nothing: null };
        const stages = [
          { key: 'load', label: 'Load', weight: 1, status: 'pending', startedAt: null, finishedAt: null },
        ];
        const at = new Date('2026-01-02T03:04:05.678Z');
        await db.run.create({ data: { id, ownerId: 'owner-1', kind: 'demo', input, stages } });
        await db.runEvent.create({ data: { runId: id, seq: 1, type: 'progress', at, patch: { progress: 12.5 } } });

        const run = await db.run.findUniqueOrThrow({ where: { id }, include: { events: true } });
        expect(run).toMatchObject({
          status: 'queued',
          progress: 0,
          attempt: 1,
          seq: 0,
          cancelRequested: false,
          result: null,
        });
        expect(run.input).toEqual(input);
        expect(run.stages).toEqual(stages);
        expect(run.createdAt).toBeInstanceOf(Date);
        expect(Math.abs(run.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
        expect(run.events).toHaveLength(1);
        expect(run.events[0]!.at.toISOString()).toBe(at.toISOString());
        expect(run.events[0]!.patch).toEqual({ progress: 12.5 });

        const startedAt = new Date('2026-01-02T03:05:00.000Z');
        const updated = await db.run.updateManyAndReturn({
          where: { id, status: 'queued' },
          data: { status: 'running', startedAt, workerId: 'w1' },
        });
        expect(updated).toHaveLength(1);
        expect(updated[0]).toMatchObject({ id, status: 'running', workerId: 'w1' });
        expect(updated[0]!.startedAt?.toISOString()).toBe(startedAt.toISOString());
        expect(
          await db.run.updateManyAndReturn({ where: { id, status: 'queued' }, data: { status: 'failed' } }),
        ).toEqual([]);

        await db.run.delete({ where: { id } });
        expect(await db.runEvent.count({ where: { runId: id } })).toBe(0); // onDelete: Cascade
      } finally {
        await close();
      }
    },
    TIMEOUT,
  );

  it('opens SQLite in WAL mode with synchronous=NORMAL', async () => {
    const { db, close } = await openDatabase(sqliteUrl);
    try {
      const [journal] = await db.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
      const [sync] = await db.$queryRawUnsafe<{ synchronous: number | bigint }[]>('PRAGMA synchronous');
      const [busy] = await db.$queryRawUnsafe<{ timeout: number | bigint }[]>('PRAGMA busy_timeout');
      expect(journal?.journal_mode).toBe('wal');
      expect(Number(sync?.synchronous)).toBe(1);
      expect(Number(busy?.timeout)).toBe(5000);
    } finally {
      await close();
    }
  });
});

describe('providerOf', () => {
  it('rejects URLs of other databases', async () => {
    const { providerOf } = await import('../../server/db/client.ts');
    expect(providerOf('file:./x.db')).toBe('sqlite');
    expect(providerOf('postgres://u@h/db')).toBe('postgresql');
    expect(providerOf('postgresql://u@h/db?schema=s')).toBe('postgresql');
    expect(() => providerOf('mysql://u@h/db')).toThrow(/Unsupported database URL/);
  });
});
