// npm run db:migration:create -- <name>
// Diffs both providers' migration histories against the current prisma/models.prisma and
// writes prisma/<provider>/migrations/<timestamp>_<name>/migration.sql for both, with the
// same folder name (the drift test requires the histories to stay in step).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOCK_FILE, lockFileContent, migrationsDirOf, pendingSchemaChange } from '../server/db/migrate.ts';
import { PROVIDERS, readModels, renderSchema, writeSchemas } from './prisma-generate.ts';

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14); // YYYYMMDDHHMMSS (UTC), like Prisma
}

async function main(): Promise<void> {
  const rawName = process.argv.slice(2).join('_');
  const name = rawName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name) {
    console.error('usage: npm run db:migration:create -- <name>');
    process.exitCode = 2;
    return;
  }

  const models = readModels();
  for (const provider of writeSchemas(models)) {
    console.log(`rendered prisma/${provider}/schema.prisma (run \`npm run db:generate\` to refresh the clients)`);
  }

  const scripts = await Promise.all(
    PROVIDERS.map(async (provider) => ({
      provider,
      sql: await pendingSchemaChange(provider, { schema: renderSchema(provider, models) }),
    })),
  );
  if (scripts.every((s) => s.sql === '')) {
    console.log('No schema changes: the migrations already produce prisma/models.prisma.');
    return;
  }

  const folder = `${timestamp()}_${name}`;
  for (const { provider, sql } of scripts) {
    const baseDir = migrationsDirOf(provider);
    await mkdir(path.join(baseDir, folder), { recursive: true });
    // An empty step keeps both histories' folder names identical.
    await writeFile(
      path.join(baseDir, folder, 'migration.sql'),
      sql || `-- No changes for ${provider} in this step.\n`,
    );
    await writeFile(path.join(baseDir, LOCK_FILE), lockFileContent(provider));
    console.log(`wrote prisma/${provider}/migrations/${folder}/migration.sql`);
  }
}

await main();
