import type { Kysely } from 'kysely';
import { atomic } from './atomic.js';
import type { Database } from './schema.js';
import { toJson } from './sql-values.js';

/**
 * The org snapshot's records kept between starts, per object (Account, Opportunity, Lead): the
 * org_snapshot_records table (one row per record) and index_snapshots' row named after the object
 * (the instant its records were read as of: a restart asks the CRM for what changed since, instead
 * of reading the whole object again).
 */

/** Rows per insert statement: well under PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;
/** Rows per select when loading. */
const LOAD_PAGE = 10_000;

interface Identified {
  Id: string;
}

export interface Kept<T> {
  /** Changes at or after this instant may be missing from `records`. */
  readAt: Date;
  records: T[];
}

/** Records of one object to write and Ids to drop. */
export interface KeptChange {
  object: string;
  records: Identified[];
  removedIds: string[];
}

/** The kept records of `object`, or null when none were kept yet (a first start). */
export async function loadKept<T extends Identified>(
  db: Kysely<Database>,
  object: string,
): Promise<Kept<T> | null> {
  const mark = await db
    .selectFrom('index_snapshots')
    .select('last_modstamp')
    .where('name', '=', object)
    .executeTakeFirst();
  if (!mark?.last_modstamp) return null;
  // Page by page along the primary key: a million records in one answer would be held twice at once.
  const records: T[] = [];
  for (let after = ''; ;) {
    const rows = await db
      .selectFrom('org_snapshot_records')
      .select(['id', 'data'])
      .where('object', '=', object)
      .where('id', '>', after)
      .orderBy('id')
      .limit(LOAD_PAGE)
      .execute();
    for (const row of rows) records.push(row.data as unknown as T);
    if (rows.length < LOAD_PAGE) break;
    after = rows[rows.length - 1]!.id;
  }
  return { readAt: new Date(mark.last_modstamp), records };
}

async function write(tx: Kysely<Database>, { object, records, removedIds }: KeptChange): Promise<void> {
  const latest = new Map<string, Identified>();
  for (const record of records) latest.set(record.Id, record);
  const unique = [...latest.values()];
  // Rows made a chunk at a time: a million records as JSON at once would double what a whole read holds.
  for (let i = 0; i < unique.length; i += CHUNK) {
    await tx
      .insertInto('org_snapshot_records')
      .values(unique.slice(i, i + CHUNK).map((r) => ({ object, id: r.Id, data: toJson(r) })))
      .onConflict((oc) => oc.columns(['object', 'id']).doUpdateSet({ data: (eb) => eb.ref('excluded.data') }))
      .execute();
  }
  for (let i = 0; i < removedIds.length; i += CHUNK)
    await tx
      .deleteFrom('org_snapshot_records')
      .where('object', '=', object)
      .where('id', 'in', removedIds.slice(i, i + CHUNK))
      .execute();
}

async function mark(tx: Kysely<Database>, object: string, readAt: Date): Promise<void> {
  const count = await tx
    .selectFrom('org_snapshot_records')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('object', '=', object)
    .executeTakeFirstOrThrow();
  const values = { last_modstamp: readAt, record_count: Number(count.n) };
  await tx
    .insertInto('index_snapshots')
    .values({ name: object, ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
}

/** Keeps exactly `records` of `object`, read as of `readAt` (a whole read of the object). */
export async function replaceKept(
  db: Kysely<Database>,
  object: string,
  records: Identified[],
  readAt: Date,
): Promise<void> {
  await atomic(db, async (tx) => {
    await tx.deleteFrom('org_snapshot_records').where('object', '=', object).execute();
    await write(tx, { object, records, removedIds: [] });
    await mark(tx, object, readAt);
  });
}

/**
 * Writes changed records and drops removed ones, in one transaction; with `readAt` (a catch-up read
 * of everything changed since the last one), the kept records of each object named are then as of
 * that instant.
 */
export async function saveKept(db: Kysely<Database>, changes: KeptChange[], readAt?: Date): Promise<void> {
  const some = changes.filter((c) => c.records.length > 0 || c.removedIds.length > 0 || readAt);
  if (some.length === 0) return;
  await atomic(db, async (tx) => {
    for (const change of some) {
      await write(tx, change);
      if (readAt) await mark(tx, change.object, readAt);
    }
  });
}
