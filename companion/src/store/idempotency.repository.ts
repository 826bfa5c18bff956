import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The idempotency table: request keys already answered, each with the decision it produced, so a
 * retried request gets the same decision. Everything that reads or writes keys goes through here.
 */

/** The decisions already made for these request keys. */
export async function findKeys(db: Kysely<Database>, keys: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (keys.length === 0) return found;
  const rows = await db
    .selectFrom('idempotency')
    .select(['key', 'decision_id'])
    .where('key', '=', sql<string>`any(${keys}::text[])`)
    .execute();
  for (const r of rows) found.set(r.key, r.decision_id);
  return found;
}

/**
 * Claims keys for new decisions, in key order; returns the keys claimed. A key another transaction
 * holds uncommitted makes this wait for it, then it is not claimed: that transaction's answer stands.
 */
export async function claimKeys(tx: Kysely<Database>, claims: Map<string, string>): Promise<Set<string>> {
  if (claims.size === 0) return new Set();
  const rows = await tx
    .insertInto('idempotency')
    .values(
      [...claims]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, decisionId]) => ({ key, decision_id: decisionId })),
    )
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .execute();
  return new Set(rows.map((r) => r.key));
}

/** Gives back keys claimed for requests that kept no decision (they changed nothing). */
export async function releaseKeys(tx: Kysely<Database>, keys: string[]): Promise<void> {
  if (keys.length > 0) await tx.deleteFrom('idempotency').where('key', 'in', keys).execute();
}

/** Points a key at the decision that replaced the one it produced (a re-made decision). */
export async function repointKey(db: Kysely<Database>, key: string, decisionId: string): Promise<void> {
  await db.updateTable('idempotency').set({ decision_id: decisionId }).where('key', '=', key).execute();
}

/**
 * Forgets up to `limit` keys claimed before `before`, oldest first; returns how many went. A request
 * repeated after that is decided again.
 */
export async function purgeKeys(db: Kysely<Database>, before: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    with gone as (
      delete from idempotency where key in (
        select key from idempotency
        where created_at < ${before.toISOString()}::timestamptz
        order by created_at
        limit ${limit}
      )
      returning 1
    )
    select count(*) as n from gone
  `.execute(db);
  return Number(rows[0]?.n ?? 0);
}
