// Renders prisma/<provider>/schema.prisma from prisma/models.prisma and generates
// one Prisma client per provider into server/db/generated/<provider>.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROVIDERS = ['sqlite', 'postgresql'] as const;
export type SchemaProvider = (typeof PROVIDERS)[number];

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const modelsPath = path.join(repoRoot, 'prisma', 'models.prisma');

export function schemaPathOf(provider: SchemaProvider): string {
  return path.join(repoRoot, 'prisma', provider, 'schema.prisma');
}

export function renderSchema(provider: SchemaProvider, models: string): string {
  return [
    '// generated from models.prisma, do not edit (run `npm run db:generate`)',
    '',
    'generator client {',
    '  provider            = "prisma-client"',
    `  output              = "../../server/db/generated/${provider}"`,
    '  moduleFormat        = "esm"',
    '  runtime             = "nodejs"',
    '  importFileExtension = "ts"',
    '}',
    '',
    'datasource db {',
    `  provider = "${provider}"`,
    '}',
    '',
    models,
  ].join('\n');
}

export function readModels(): string {
  return readFileSync(modelsPath, 'utf8');
}

/** Writes the rendered schema files; returns the providers whose file changed. */
export function writeSchemas(models = readModels()): SchemaProvider[] {
  const changed: SchemaProvider[] = [];
  for (const provider of PROVIDERS) {
    const file = schemaPathOf(provider);
    const text = renderSchema(provider, models);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    changed.push(provider);
  }
  return changed;
}

function generateClient(provider: SchemaProvider): void {
  const require = createRequire(import.meta.url);
  const prismaCli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
  const dir = path.join(repoRoot, 'prisma', provider);
  // `prisma generate` never runs the schema engine, but the CLI still insists on
  // finding (or downloading) its native binary; any existing file satisfies it.
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  };
  const result = spawnSync(
    process.execPath,
    [
      prismaCli,
      'generate',
      '--config',
      path.join(dir, 'prisma.config.ts'),
      '--schema',
      path.join(dir, 'schema.prisma'),
    ],
    { cwd: dir, env, stdio: 'inherit' },
  );
  if (result.status !== 0)
    throw new Error(`prisma generate failed for ${provider} (exit ${result.status ?? result.signal})`);
}

function main(): void {
  const changed = writeSchemas();
  for (const provider of changed) console.log(`rendered prisma/${provider}/schema.prisma`);
  for (const provider of PROVIDERS) generateClient(provider);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
