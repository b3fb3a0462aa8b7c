/**
 * Values as the raw drivers bind them, in the exact forms Prisma writes, so
 * rows written here read back through Prisma unchanged (and compare and sort
 * like Prisma's own bound values do).
 */

/** SQLite DATETIME: Prisma's better-sqlite3 adapter writes ISO 8601 with an explicit UTC offset. */
export function sqliteDate(date: Date | null): string | null {
  return date === null ? null : date.toISOString().replace('Z', '+00:00');
}

export function sqliteBoolean(value: boolean | null): 0 | 1 | null {
  return value === null ? null : value ? 1 : 0;
}

/** PostgreSQL `timestamp(3)` without time zone holds UTC wall time, as Prisma stores it. */
export function postgresDate(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function jsonText(value: unknown): string {
  return JSON.stringify(value);
}
