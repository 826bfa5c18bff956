import { sql, type Kysely } from 'kysely';
import { atomic } from './atomic.js';
import { toCount } from './sql-values.js';
import type { Database, OutboxKind, OutboxStatus } from './schema.js';

/**
 * The outbox table: each effect of a decision, written with it and retried until the CRM has it.
 * Everything that reads or writes outbox rows goes through here.
 */

/** An effect as the outbox keeps it: its kind and its payload as JSON. Routing types the payload. */
export interface OutboxEffect {
  kind: OutboxKind;
  payload: unknown;
}

export interface OutboxRow<E extends OutboxEffect = OutboxEffect> {
  /** A bigint, as text. */
  id: string;
  decisionId: string;
  effect: E;
  status: OutboxStatus;
}

/** A conversion held back until its decision's lead update is applied: not an error of the org. */
export const WAITING_FOR_UPDATE = 'WAITING_FOR_UPDATE';

/** Stored as "CODE: the org's words", readable as it is and parsed back for results. */
export function formatError(error: { code: string; message: string }): string {
  return `${error.code}: ${error.message}`;
}

function parseError(text: string): { code: string; message: string } {
  const m = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(text);
  return m ? { code: m[1]!, message: m[2]! } : { code: 'UNKNOWN', message: text };
}

/** The effects as the JSON parameter `insertOutboxRows` reads. */
export function outboxJson(effects: Array<{ decisionId: string; effect: OutboxEffect }>): string {
  return JSON.stringify(
    effects.map((r) => ({ decision_id: r.decisionId, kind: r.effect.kind, payload: r.effect.payload })),
  );
}

/**
 * Adds effects, pending and leased to their writer for `leaseMs` (it applies them right after its
 * commit; the worker takes them only once the lease runs out). A statement part, returning each
 * row's id, decision and kind, for `storeDecisions` to run with the decisions in one round trip.
 */
export const insertOutboxRows = (json: string, leaseMs: number) => sql`
  insert into outbox (decision_id, kind, payload, status, locked_until)
  select decision_id, kind, payload, 'pending', now() + ${leaseMs} * interval '1 millisecond'
  from jsonb_to_recordset(${json}::jsonb) as e(decision_id uuid, kind text, payload jsonb)
  returning id, decision_id, kind
`;

/** Every outbox row of these decisions, oldest first. */
export async function effectsOf<E extends OutboxEffect>(
  db: Kysely<Database>,
  decisionIds: string[],
): Promise<Array<OutboxRow<E>>> {
  if (decisionIds.length === 0) return [];
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'decision_id', 'kind', 'payload', 'status'])
    .where('decision_id', '=', sql<string>`any(${decisionIds}::uuid[])`)
    .orderBy('id')
    .execute();
  return rows.map((r) => toRow<E>(r));
}

/** The payload comes back as it was stored, so it has the type it was stored with. */
function toRow<E extends OutboxEffect>(r: {
  id: string;
  decision_id: string;
  kind: OutboxKind;
  payload: unknown;
  status: OutboxStatus;
}): OutboxRow<E> {
  return {
    id: String(r.id),
    decisionId: r.decision_id,
    effect: { kind: r.kind, payload: r.payload } as E,
    status: r.status,
  };
}

/** The errors the org gave for these decisions' effects, by decision. */
export async function errorsOf(
  db: Kysely<Database>,
  decisionIds: string[],
): Promise<Map<string, Array<{ code: string; message: string }>>> {
  const errors = new Map<string, Array<{ code: string; message: string }>>();
  if (decisionIds.length === 0) return errors;
  const rows = await db
    .selectFrom('outbox')
    .select(['decision_id', 'last_error'])
    .where('decision_id', '=', sql<string>`any(${decisionIds}::uuid[])`)
    .where('status', '!=', 'applied')
    .where('last_error', 'is not', null)
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const error = parseError(r.last_error!);
    if (error.code === WAITING_FOR_UPDATE) continue;
    const list = errors.get(r.decision_id) ?? [];
    list.push(error);
    errors.set(r.decision_id, list);
  }
  return errors;
}

/**
 * Takes up to `limit` pending rows that are due and not held by a live lease, oldest first, for
 * `leaseMs`: other workers and instances skip them meanwhile (FOR UPDATE SKIP LOCKED). A worker that
 * dies lets the lease run out, and the rows become claimable again: nothing is lost. The status is a
 * literal so that a prepared (generic) plan can use the partial index of pending rows.
 */
export async function claimDue<E extends OutboxEffect>(
  db: Kysely<Database>,
  limit: number,
  leaseMs: number,
): Promise<Array<OutboxRow<E>>> {
  return atomic(db, async (tx) => {
    const ids = tx
      .selectFrom('outbox')
      .select('id')
      .where(sql<boolean>`status = 'pending'`)
      .where('next_attempt_at', '<=', sql<Date>`now()`)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked();
    const rows = await tx
      .updateTable('outbox')
      .set({ locked_until: sql`now() + ${leaseMs} * interval '1 millisecond'`, updated_at: sql`now()` })
      .where('id', 'in', ids)
      .returning(['id', 'decision_id', 'kind', 'payload', 'status'])
      .execute();
    return rows.map((r) => toRow<E>(r)).sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  });
}

/** What marking a pending row applied sets, for both ways of finding the rows below. */
const SET_APPLIED = sql`
  set status = 'applied', attempts = attempts + 1, last_error = null, locked_until = null,
    applied_at = now(), updated_at = now()
`;

/** Marks pending rows applied, the ids as one array parameter. */
export async function markApplied(db: Kysely<Database>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`update outbox ${SET_APPLIED} where id = any(${ids}::bigint[]) and status = 'pending'`.execute(db);
}

/**
 * Marks pending rows of one decision applied; a statement part for `recordOutcomes`, right after the
 * rows were written. Found through the decision's index, whatever the table's size when the statement
 * was planned (once per connection, generically): the status is a parameter, so the plan cannot take
 * the partial index of pending rows instead, which holds every row ever pending until VACUUM and would
 * be read whole for a list of ids.
 */
export const markDecisionApplied = (decisionId: string, ids: string[]) => sql`
  update outbox ${SET_APPLIED}
  where decision_id = ${decisionId}::uuid and id = any(${ids}::bigint[]) and status = ${'pending'}
`;

export interface MarkFailedOptions {
  /** After this many failed attempts a retryable error fails the row for good. Default 8. */
  maxAttempts?: number;
  /** Wait before the next try; default doubles per attempt from 1 s up to 5 minutes. */
  retryAfterMs?: number;
}

/**
 * Records a failed attempt. A retryable error leaves the row pending until `maxAttempts`, due
 * again after a back-off; anything else fails it for good. Returns the row's new status (null when
 * the row was no longer pending).
 */
export async function markFailed(
  db: Kysely<Database>,
  id: string,
  error: string,
  retryable: boolean,
  options: MarkFailedOptions = {},
): Promise<OutboxStatus | null> {
  const maxAttempts = options.maxAttempts ?? 8;
  const row = await db
    .updateTable('outbox')
    .set({
      attempts: sql`attempts + 1`,
      last_error: error,
      locked_until: null,
      updated_at: sql`now()`,
      status: retryable
        ? sql<OutboxStatus>`case when attempts + 1 >= ${maxAttempts} then 'failed' else 'pending' end`
        : 'failed',
      next_attempt_at:
        options.retryAfterMs !== undefined
          ? sql`now() + ${options.retryAfterMs} * interval '1 millisecond'`
          : sql`now() + least(power(2, attempts), 300) * interval '1 second'`,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning('status')
    .executeTakeFirst();
  return row?.status ?? null;
}

/** Outbox rows by status (the metrics' gauge). */
export async function countOutbox(db: Kysely<Database>): Promise<Record<OutboxStatus, number>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('status')
    .execute();
  const counts: Record<OutboxStatus, number> = { pending: 0, applied: 0, failed: 0 };
  for (const r of rows) counts[r.status] = toCount(r.n);
  return counts;
}

/** Deletes up to `limit` rows applied before `before`, oldest first; returns how many went. */
export async function purgeOutbox(db: Kysely<Database>, before: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    with gone as (
      delete from outbox where id in (
        select id from outbox
        where status = 'applied' and applied_at < ${before.toISOString()}::timestamptz
        order by applied_at
        limit ${limit}
      )
      returning 1
    )
    select count(*) as n from gone
  `.execute(db);
  return Number(rows[0]?.n ?? 0);
}
