import type { AnyAnalysis } from './analyses/define.ts';
import { createRegistry } from './analyses/registry.ts';
import { createAppRouter } from './api/app-router.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { createHttpServer } from './http/http-server.ts';
import { InMemoryEventBus } from './runs/event-bus.ts';
import { RunService } from './runs/run-service.ts';
import { Runner } from './runs/runner.ts';

/** null when the database answers a trivial query within a second, else why not */
async function pingDatabase(db: Database): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('no answer within 1 s'), 1000);
  });
  const query = db.$queryRawUnsafe('SELECT 1').then(
    () => null,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface AppOptions<Analyses extends readonly AnyAnalysis[]> {
  config: Config;
  analyses: Analyses;
  log?: (line: string) => void;
}

/**
 * Everything one server process holds, wired in dependency order:
 * database (migrated) → runner → service → router → HTTP + WebSocket.
 */
export async function createApp<const Analyses extends readonly AnyAnalysis[]>(options: AppOptions<Analyses>) {
  const { config } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const applied = await migrateDatabase(config.databaseUrl, { log });
  const database = await openDatabase(config.databaseUrl);
  const registry = createRegistry(options.analyses);
  const bus = new InMemoryEventBus();
  const runner = new Runner({
    store: database,
    bus,
    registry,
    maxConcurrency: config.maxConcurrency,
    heartbeatMs: config.heartbeatMs,
    stallTimeoutMs: config.stallTimeoutMs,
    cancelGraceMs: config.cancelGraceMs,
    progressIntervalMs: config.progressIntervalMs,
    flushIntervalMs: config.flushIntervalMs,
    pollIntervalMs: config.pollIntervalMs,
    log,
  });
  const runs = new RunService(database, runner, bus, registry);
  const router = createAppRouter(registry);
  const api = { runs, tokens: config.tokens };
  const http = createHttpServer({
    router,
    api,
    log,
    webDir: config.webDir,
    health: async () => {
      const databaseError = await pingDatabase(database.db);
      return {
        ok: databaseError === null,
        database: database.provider,
        ...(databaseError !== null && { databaseError }),
        statements: database.statements,
        activeRuns: runner.activeRuns,
        maxConcurrency: config.maxConcurrency,
        subscribers: bus.subscriberCount(),
      };
    },
  });

  let closing: Promise<void> | null = null;
  return {
    config,
    database,
    registry,
    bus,
    runner,
    runs,
    router,
    http,
    migrations: applied.applied,
    /** Starts executing runs and listening; resolves with the bound address. */
    async start() {
      runner.start();
      return http.listen(config.port, config.host);
    },
    /** Graceful stop: no new runs, running ones get `shutdownGraceMs`, the rest are re-queued. */
    close(graceMs = config.shutdownGraceMs): Promise<void> {
      closing ??= (async () => {
        await runner.stop(graceMs);
        await http.close();
        await database.close();
      })();
      return closing;
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
