import type { Kysely } from 'kysely';
import type { AccountRecord } from '../engine/model.js';
import { atomic } from './atomic.js';
import type { Database } from './schema.js';
import { toJson } from './sql-values.js';

/**
 * The org snapshot's accounts kept between starts: the org_snapshot_accounts table (one row per
 * account) and index_snapshots' row 'Account' (the instant the accounts were read as of: a restart
 * asks the CRM for what changed since, instead of reading every account again).
 */

const NAME = 'Account';
/** Rows per insert statement: well under PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;

export interface KeptAccounts {
  /** Changes at or after this instant may be missing from `accounts`. */
  readAt: Date;
  accounts: AccountRecord[];
}

/** The kept accounts, or null when none were kept yet (a first start). */
export async function loadAccounts(db: Kysely<Database>): Promise<KeptAccounts | null> {
  const mark = await db
    .selectFrom('index_snapshots')
    .select('last_modstamp')
    .where('name', '=', NAME)
    .executeTakeFirst();
  if (!mark?.last_modstamp) return null;
  const rows = await db.selectFrom('org_snapshot_accounts').select('data').execute();
  return { readAt: new Date(mark.last_modstamp), accounts: rows.map((r) => r.data as AccountRecord) };
}

async function upsert(tx: Kysely<Database>, accounts: AccountRecord[]): Promise<void> {
  const latest = new Map(accounts.map((a) => [a.Id, a]));
  const rows = [...latest.values()].map((a) => ({ id: a.Id, data: toJson(a) }));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx
      .insertInto('org_snapshot_accounts')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.column('id').doUpdateSet({ data: (eb) => eb.ref('excluded.data') }))
      .execute();
  }
}

async function mark(tx: Kysely<Database>, readAt: Date): Promise<void> {
  const count = await tx
    .selectFrom('org_snapshot_accounts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const values = { last_modstamp: readAt, record_count: Number(count.n) };
  await tx
    .insertInto('index_snapshots')
    .values({ name: NAME, ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
}

/** Keeps exactly `accounts`, read as of `readAt` (a whole read of the org). */
export async function replaceAccounts(
  db: Kysely<Database>,
  accounts: AccountRecord[],
  readAt: Date,
): Promise<void> {
  await atomic(db, async (tx) => {
    await tx.deleteFrom('org_snapshot_accounts').execute();
    await upsert(tx, accounts);
    await mark(tx, readAt);
  });
}

/**
 * Writes changed accounts and drops removed ones, in one transaction; with `readAt` (a catch-up read
 * of everything changed since the last one), the kept accounts are then as of that instant.
 */
export async function saveAccounts(
  db: Kysely<Database>,
  accounts: AccountRecord[],
  removedIds: string[],
  readAt?: Date,
): Promise<void> {
  if (accounts.length === 0 && removedIds.length === 0 && !readAt) return;
  await atomic(db, async (tx) => {
    await upsert(tx, accounts);
    for (let i = 0; i < removedIds.length; i += CHUNK)
      await tx
        .deleteFrom('org_snapshot_accounts')
        .where('id', 'in', removedIds.slice(i, i + CHUNK))
        .execute();
    if (readAt) await mark(tx, readAt);
  });
}
