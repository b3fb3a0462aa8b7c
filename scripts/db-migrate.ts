// npm run db:migrate: applies pending migrations to $DATABASE_URL (default: the embedded SQLite file).
import { migrateDatabase } from '../server/db/migrate.ts';

const url = process.env.DATABASE_URL ?? 'file:./data/analysis.db';
const started = Date.now();
const { applied } = await migrateDatabase(url);
const where = url.replace(/\/\/[^@/]*@/, '//***@');
console.log(
  applied.length
    ? `Applied ${applied.length} migration(s) to ${where} in ${Date.now() - started} ms:\n${applied.map((n) => `  ${n}`).join('\n')}`
    : `${where} is up to date.`,
);
