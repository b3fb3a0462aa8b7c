import { builtInAnalyses } from './analyses/built-in.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp({ config, analyses: builtInAnalyses });
  const address = await app.start();
  const mode = config.tokens ? `${config.tokens.size} token(s)` : 'single-user mode (user "local")';
  console.log(
    `analysis server on http://${address.host}:${address.port} (${app.database.provider}, ${mode}, ` +
      `max ${config.maxConcurrency} concurrent runs)`,
  );

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      console.log(`${signal} again: exiting now`);
      process.exit(1);
    }
    console.log(`${signal}: stopping (running runs get ${config.shutdownGraceMs} ms, then are re-queued)`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
