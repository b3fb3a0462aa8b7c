// Prisma's schema engine (WASM build) driven through our own driver adapters, so
// migrations need no native engine binary and no network.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type ErrorRegistry,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import {
  type DatabaseProvider,
  pgPoolConfig,
  type PgTarget,
  pgTargetOf,
  providerOf,
  sqliteAdapterFactory,
} from './client.ts';

export type { SchemaEngine };
export type EngineLog = (line: string) => void;

export const DEFAULT_PG_SHADOW_URL = 'postgresql://root@127.0.0.1:5432/test';

let loading: Promise<void> | undefined;

/**
 * The package entry imports the .wasm file as an ES module, which Node 20 only allows
 * behind --experimental-wasm-modules; instantiating it here and handing the instance
 * to the wasm-bindgen glue is what that entry does, minus the flag.
 */
function loadWasm(): Promise<void> {
  loading ??= (async () => {
    const gluePath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(gluePath.replace(/\.js$/, '.wasm'));
    const imports: Record<string, unknown> = { ...glue };
    // The engine only uses timers as timeouts (e.g. 10 s for the PostgreSQL advisory lock)
    // and never clears them, so a referenced timer would keep a finished CLI alive.
    for (const name of Object.keys(glue).filter((n) => n.startsWith('__wbg_setTimeout_'))) {
      const setTimer = glue[name as keyof typeof glue] as (...args: unknown[]) => NodeJS.Timeout;
      imports[name] = (...args: unknown[]) => setTimer(...args).unref();
    }
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': imports as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return loading;
}

/**
 * pg client that reports PostgreSQL's internal `"char"` type (OID 18) as text. The
 * engine's introspection reads `pg_constraint.contype`, which is `"char"`, and
 * @prisma/adapter-pg 7.10 rejects that type (UnsupportedNativeDataType), so every
 * describe of a PostgreSQL schema (diff, shadow database) fails without this.
 * pg already parses "char" values as strings, only the reported type is wrong.
 */
class CatalogFriendlyClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches every overload of pg's query()
  override query(...args: unknown[]): any {
    const at = args.findIndex((arg) => typeof arg === 'function');
    if (at >= 0) {
      const callback = args[at] as (err: Error | null, res?: unknown) => void;
      args[at] = (err: Error | null, res?: unknown) => callback(err, err ? res : retypeChar(res));
    }
    const result: unknown = (super.query as (...a: unknown[]) => unknown)(...args);
    return result instanceof Promise ? result.then(retypeChar) : result;
  }
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

function retypeChar<T>(res: T): T {
  for (const r of Array.isArray(res) ? res : [res]) {
    for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return res;
}

async function runPgStatement(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function ensurePgSchema(target: PgTarget): Promise<void> {
  if (target.schema) await runPgStatement(target.connectionString, `CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
}

function pgAdapterFactory(target: PgTarget): PrismaPg {
  return new PrismaPg(
    { ...pgPoolConfig(target), Client: CatalogFriendlyClient },
    target.schema ? { schema: target.schema } : undefined,
  );
}

/**
 * PostgreSQL adapter factory for the engine. Its shadow database is a throwaway database
 * on `shadowUrl`'s server. (Not a schema: the engine compares schema-qualified tables, so
 * the shadow must use the same schema name, `public`, as the connection the diff targets,
 * or every diff would drop and recreate everything.)
 */
function pgMigrationFactory(url: string, shadowUrl: string): SqlMigrationAwareDriverAdapterFactory {
  const main = pgAdapterFactory(pgTargetOf(url));
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    async connectToShadowDb() {
      const server = new URL(pgTargetOf(shadowUrl).connectionString);
      const database = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
      await runPgStatement(server.toString(), `CREATE DATABASE "${database}"`);
      const shadowDb = new URL(server);
      shadowDb.pathname = `/${database}`;
      const adapter = await pgAdapterFactory({ connectionString: shadowDb.toString(), schema: undefined }).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await runPgStatement(server.toString(), `DROP DATABASE IF EXISTS "${database}"`);
      };
      return adapter;
    },
  };
}

export interface EngineTarget {
  url: string;
  /** PostgreSQL URL whose server hosts the temporary shadow database */
  pgShadowUrl?: string;
}

/**
 * The engine replays migration scripts on the shadow database through `executeRaw`, but
 * better-sqlite3 prepares a single statement only (RangeError "more than one statement").
 * Such a call is a script, so run it as one; nothing has executed when prepare() throws.
 */
function sqliteMigrationFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  const inner = sqliteAdapterFactory(url);
  const acceptScripts = async (connecting: Promise<SqlDriverAdapter>) => {
    const adapter = await connecting;
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query) => {
      try {
        return await executeRaw(query);
      } catch (err) {
        if (query.args.length > 0 || !(err instanceof RangeError) || !/more than one statement/.test(err.message))
          throw err;
        await adapter.executeScript(query.sql);
        return 0;
      }
    };
    return adapter;
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: () => acceptScripts(inner.connect()),
    connectToShadowDb: () => acceptScripts(inner.connectToShadowDb()),
  };
}

function migrationFactory(target: EngineTarget): SqlMigrationAwareDriverAdapterFactory {
  return providerOf(target.url) === 'sqlite'
    ? sqliteMigrationFactory(target.url)
    : pgMigrationFactory(target.url, target.pgShadowUrl ?? process.env.TEST_DATABASE_URL_PG ?? DEFAULT_PG_SHADOW_URL);
}

/** Wraps a factory so that every connection it hands out is disposed exactly once, by us if not by the engine. */
function trackConnections(factory: SqlMigrationAwareDriverAdapterFactory) {
  const open = new Set<() => Promise<void>>();
  const track = async (connecting: Promise<SqlDriverAdapter>) => {
    const adapter = await connecting;
    const dispose = adapter.dispose.bind(adapter);
    let disposing: Promise<void> | undefined;
    const once = () => {
      open.delete(once);
      return (disposing ??= dispose());
    };
    adapter.dispose = once;
    open.add(once);
    return adapter;
  };
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => track(factory.connect()),
    connectToShadowDb: () => track(factory.connectToShadowDb()),
  };
  const disposeAll = async () => {
    await Promise.all([...open].map((dispose) => dispose()));
  };
  return { tracked, disposeAll };
}

function forwardEngineLog(log: EngineLog | undefined) {
  return (line: string) => {
    if (!log) return;
    try {
      const entry = JSON.parse(line) as { level?: string; fields?: { message?: string } };
      if (entry.level !== 'DEBUG' && entry.level !== 'TRACE' && entry.fields?.message) log(entry.fields.message);
    } catch {
      log(line);
    }
  };
}

/**
 * Runs `fn` with a schema engine connected to `target.url` (`schema` is the Prisma
 * schema text it is started with), then frees the engine and closes its connections.
 */
export async function withSchemaEngine<T>(
  target: EngineTarget,
  schema: string,
  fn: (engine: SchemaEngine, provider: DatabaseProvider) => Promise<T>,
  log?: EngineLog,
): Promise<T> {
  await loadWasm();
  const provider = providerOf(target.url);
  if (provider === 'postgresql') await ensurePgSchema(pgTargetOf(target.url));
  const { tracked, disposeAll } = trackConnections(migrationFactory(target));
  const bound = bindMigrationAwareSqlAdapterFactory(tracked);
  let engine: SchemaEngine | undefined;
  try {
    engine = await glue.SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, forwardEngineLog(log), bound);
    return await fn(engine, provider);
  } catch (err) {
    throw withDriverErrors(err, bound.errorRegistry);
  } finally {
    engine?.free();
    await disposeAll();
  }
}

/** The engine reports driver failures as "External error id#N"; the details stay in the adapter's registry. */
function withDriverErrors(err: unknown, registry: ErrorRegistry): unknown {
  if (!(err instanceof Error)) return err;
  err.message = err.message.replace(/External error id#(\d+)/g, (text, id: string) => {
    const record = registry.consumeError(Number(id));
    if (!record) return text;
    const cause = record.error instanceof DriverAdapterError ? record.error.cause : record.error;
    return `${text}: ${cause instanceof Error ? cause.message : JSON.stringify(cause)}`;
  });
  return err;
}
