import { sql, type Kysely, type RawBuilder } from 'kysely';
import { atomic } from './atomic.js';
import type { Database } from './schema.js';
import { toJson } from './sql-values.js';

/**
 * The org snapshot's records kept between starts, per object (Account, Opportunity, Lead): the
 * org_snapshot_records table (one row per record) and index_snapshots' row named after the object
 * (the instant its records were read as of: a restart asks the CRM for what changed since, instead
 * of reading the whole object again).
 */

/** Records per statement. */
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

/** Writes one chunk of records of an object, replacing those kept by Id: one JSON parameter, one statement text whatever the count. */
const upsertRows = (object: string, records: Identified[]) => sql`
  insert into org_snapshot_records (object, id, data)
  select ${object}, r->>'Id', r from jsonb_array_elements(${toJson(records)}::jsonb) as r
  on conflict (object, id) do update set data = excluded.data
`;

const deleteRows = (object: string, ids: string[]) => sql`
  delete from org_snapshot_records where object = ${object} and id = any(${ids}::text[])
`;

/**
 * The statements that write a change, its records (the last of each Id) and then the drop of removed
 * Ids, each made as it is run: a chunk at a time, since a million records as JSON at once would double
 * what a whole read holds.
 */
function* writes({ object, records, removedIds }: KeptChange): Generator<RawBuilder<unknown>> {
  const latest = new Map<string, Identified>();
  for (const record of records) latest.set(record.Id, record);
  const unique = [...latest.values()];
  for (let i = 0; i < unique.length; i += CHUNK) yield upsertRows(object, unique.slice(i, i + CHUNK));
  for (let i = 0; i < removedIds.length; i += CHUNK) yield deleteRows(object, removedIds.slice(i, i + CHUNK));
}

/** Whether `writes` makes a single statement of the change, which then needs no transaction of its own. */
function oneStatement({ records, removedIds }: KeptChange): boolean {
  if (removedIds.length === 0) return records.length > 0 && records.length <= CHUNK;
  return records.length === 0 && removedIds.length <= CHUNK;
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
    for (const statement of writes({ object, records, removedIds: [] })) await statement.execute(tx);
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
  // What routing writes through after a re-route (one lead) is one statement: no transaction.
  const [only] = some;
  if (!readAt && some.length === 1 && oneStatement(only!)) {
    for (const statement of writes(only!)) await statement.execute(db);
    return;
  }
  await atomic(db, async (tx) => {
    for (const change of some) {
      for (const statement of writes(change)) await statement.execute(tx);
      if (readAt) await mark(tx, change.object, readAt);
    }
  });
}
