import { sql, type Kysely } from 'kysely';
import { toJson } from './json.js';
import type { Database } from './schema.js';

export interface IndexSnapshot<M = unknown> {
  /** Which index, e.g. 'accounts'. */
  name: string;
  /** The newest SystemModstamp the snapshot includes: read only what changed after it. */
  lastModstamp: Date | null;
  recordCount: number;
  /** A serialised index to load instead of rebuilding, when the index has one. */
  snapshot: Buffer | null;
  meta: M | null;
  updatedAt: Date;
}

/** What the match index needs to start fast, one row per index. */
export class IndexSnapshotRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get<M = unknown>(name: string): Promise<IndexSnapshot<M> | null> {
    const r = await this.db
      .selectFrom('index_snapshots')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (!r) return null;
    return {
      name: r.name,
      lastModstamp: r.last_modstamp,
      recordCount: r.record_count,
      snapshot: r.snapshot,
      meta: r.meta as M | null,
      updatedAt: r.updated_at,
    };
  }

  async save<M = unknown>(
    s: Omit<IndexSnapshot<M>, 'updatedAt' | 'snapshot' | 'meta'> &
      Partial<Pick<IndexSnapshot<M>, 'snapshot' | 'meta'>>,
  ): Promise<void> {
    const values = {
      name: s.name,
      last_modstamp: s.lastModstamp,
      record_count: s.recordCount,
      snapshot: s.snapshot ?? null,
      meta: s.meta === undefined || s.meta === null ? null : toJson(s.meta),
    };
    await this.db
      .insertInto('index_snapshots')
      .values(values)
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          last_modstamp: values.last_modstamp,
          record_count: values.record_count,
          snapshot: values.snapshot,
          meta: values.meta,
          updated_at: sql`now()`,
        }),
      )
      .execute();
  }
}

/** Salesforce Pub/Sub replay ids by topic, so the change stream resumes where it stopped. */
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
