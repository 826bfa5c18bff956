import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Request keys already answered, each with the decision it produced. */
export class IdempotencyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The decision a key produced, or null when the key is new. */
  async find(key: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('idempotency')
      .select('decision_id')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.decision_id ?? null;
  }

  /**
   * Records key → decision. Returns false when the key was already taken; inside a transaction a
   * concurrent claim of the same key waits for the other to commit, then returns false, so the
   * caller rolls back and answers with `find(key)` instead of deciding twice.
   */
  async claim(key: string, decisionId: string): Promise<boolean> {
    const rows = await this.db
      .insertInto('idempotency')
      .values({ key, decision_id: decisionId })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    return rows.length === 1;
  }

  /** Forgets keys older than `before`; returns how many. */
  async purgeOlderThan(before: Date): Promise<number> {
    const res = await this.db.deleteFrom('idempotency').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
