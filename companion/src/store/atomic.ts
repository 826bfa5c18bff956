import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Runs `fn` in the caller's transaction when there is one, otherwise in a new transaction. */
export function atomic<T>(db: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
