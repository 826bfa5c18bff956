import { sql, type Kysely } from 'kysely';
import type { SfRecord } from '../../engine/model.js';
import { demoId, toId18 } from '../../engine/salesforce-id.js';
import type { Database } from '../../store/schema.js';

/** The objects the demo org keeps, one row per record in crm_records. */
export type CrmObject =
  'User' | 'Queue' | 'Account' | 'Contact' | 'Opportunity' | 'Campaign' | 'CampaignMember' | 'Lead';

/** Fields Salesforce computes; nobody writes them through an update. */
export const SYSTEM_FIELDS = ['Id', 'SystemModstamp', 'CreatedDate', 'LastModifiedDate'] as const;

interface RecordRow {
  data: unknown;
  modstamp: Date;
}

/** A stored record as Salesforce would return it, SystemModstamp included. */
export function toRecord<T extends SfRecord>(row: RecordRow): T {
  return { ...(row.data as T), SystemModstamp: row.modstamp.toISOString() };
}

/** Removes what is computed on read, so it is never stored. */
export function storable(record: SfRecord): Record<string, unknown> {
  const { SystemModstamp: _ignored, ...rest } = record;
  return rest;
}

/** The 18-character form of a 15- or 18-character Id, or null when it is not an Id. */
export function normaliseId(id: string): string | null {
  return typeof id === 'string' ? toId18(id) : null;
}

/**
 * Inserts (or replaces, by Id) records of one object in multi-row statements: the JSON of a chunk
 * travels as one parameter, which is far faster than a parameter per field.
 */
export async function upsertRecords(
  db: Kysely<Database>,
  object: CrmObject,
  records: SfRecord[],
  chunkSize = 2000,
): Promise<void> {
  for (let i = 0; i < records.length; i += chunkSize) {
    const chunk = JSON.stringify(records.slice(i, i + chunkSize).map(storable));
    await sql`
      insert into crm_records (object, id, data, modstamp)
      select ${object}, e->>'Id', e, clock_timestamp() from jsonb_array_elements(${chunk}::jsonb) as e
      on conflict (id) do update set object = excluded.object, data = excluded.data, modstamp = excluded.modstamp
    `.execute(db);
  }
}

/** Replaces the data of existing records by Id, in one statement. */
export async function replaceRecords(
  db: Kysely<Database>,
  records: Array<{ id: string; data: SfRecord }>,
): Promise<void> {
  if (records.length === 0) return;
  const payload = JSON.stringify(records.map((r) => ({ id: r.id, data: storable(r.data) })));
  await sql`
    update crm_records set data = u.data, modstamp = clock_timestamp()
    from jsonb_to_recordset(${payload}::jsonb) as u(id text, data jsonb)
    where crm_records.id = u.id
  `.execute(db);
}

/** A fresh Id for a record the companion creates, from a sequence far above the seeded ranges. */
export async function nextId(db: Kysely<Database>, keyPrefix: string): Promise<string> {
  const { rows } = await sql<{ n: string }>`select nextval('crm_id_seq') as n`.execute(db);
  return demoId(keyPrefix, Number(rows[0]!.n));
}

export async function getRecords<T extends SfRecord>(
  db: Kysely<Database>,
  object: CrmObject,
  ids: string[],
  options: { forUpdate?: boolean } = {},
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  if (ids.length === 0) return found;
  let query = db
    .selectFrom('crm_records')
    .select(['id', 'data', 'modstamp'])
    .where('object', '=', object)
    .where('id', '=', sql<string>`any(${[...new Set(ids)]}::text[])`)
    .orderBy('id');
  if (options.forUpdate) query = query.forUpdate();
  for (const row of await query.execute()) found.set(row.id, toRecord<T>(row));
  return found;
}

/** Records of any objects by Id (an Id names its object), keyed by Id, each with its object. */
export async function getAnyRecords(
  db: Kysely<Database>,
  ids: string[],
): Promise<Map<string, { object: CrmObject; record: SfRecord }>> {
  const found = new Map<string, { object: CrmObject; record: SfRecord }>();
  if (ids.length === 0) return found;
  const rows = await db
    .selectFrom('crm_records')
    .select(['id', 'object', 'data', 'modstamp'])
    .where('id', '=', sql<string>`any(${[...new Set(ids)]}::text[])`)
    .execute();
  for (const row of rows) found.set(row.id, { object: row.object as CrmObject, record: toRecord(row) });
  return found;
}

/** `%text%` for ILIKE, with the text's own wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
