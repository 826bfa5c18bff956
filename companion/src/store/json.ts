import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * JSON for a jsonb parameter. Passed as text because `pg` turns JS arrays into PostgreSQL arrays,
 * not JSON.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Runs `fn` in the caller's transaction when there is one, otherwise in a new transaction. */
export function atomic<T>(db: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** pg returns int8 (bigserial ids, counts) as strings; these stay strings for ids, numbers for counts. */
export function toCount(value: string | number | bigint | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
