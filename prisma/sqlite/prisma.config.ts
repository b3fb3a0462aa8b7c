// Lets the Prisma CLI work on this provider's schema from anywhere:
// `prisma generate|migrate deploy --config prisma/<provider>/prisma.config.ts`.
// The datasource is optional so that generation (postinstall) needs no URL.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  schema: path.join(here, 'schema.prisma'),
  migrations: { path: path.join(here, 'migrations') },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
