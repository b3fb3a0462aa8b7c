import type { Prisma } from '../../db/generated/sqlite/client.ts';

/** Values that went through zod or JSON already; Prisma wants its own JSON type for them. */
export function asJson(value: unknown): Prisma.InputJsonValue {
  return value as Prisma.InputJsonValue;
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
