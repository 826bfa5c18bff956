import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The replay_ids table: Salesforce Pub/Sub replay ids by topic, so the change stream resumes where
 * it stopped.
 */
export class ReplayIdRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(topic: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('replay_ids')
      .select('replay_id')
      .where('topic', '=', topic)
      .executeTakeFirst();
    return r?.replay_id ?? null;
  }

  async set(topic: string, replayId: string): Promise<void> {
    await this.db
      .insertInto('replay_ids')
      .values({ topic, replay_id: replayId })
      .onConflict((oc) => oc.column('topic').doUpdateSet({ replay_id: replayId, updated_at: sql`now()` }))
      .execute();
  }
}
