import { sql, type Kysely } from 'kysely';
import type { LeadConversion, LeadUpdate } from '../crm/crm.port.js';
import type { Decision } from '../engine/decision.js';
import type { PoolState } from '../engine/distribution/distribution.types.js';
import type { Trigger } from '../engine/model.js';
import type { Database, DecisionStatus, OutboxStatus } from '../store/schema.js';

/**
 * The batch queries routing needs beyond the store's repositories: one statement per batch for
 * decisions, outbox rows, keys and statuses, so routing a thousand leads is a handful of round trips.
 */

/** The engine's decision as stored, with the decision it replaced when it was re-made. */
export type StoredDecision = Decision & { redecides?: string };

export interface LockedPool {
  state: PoolState | null;
  version: number;
}

/** A pool's state with the version of its row (xmin) it was read or written at. */
export interface KnownPool extends LockedPool {
  rowVersion: string;
}

/**
 * Locks the pools' state rows in name order (so two transactions never wait on each other in a
 * cycle) and returns their state. A pool whose row is still the version in `known` (nobody wrote
 * it since this process read or wrote it) comes back with the known state, not sent again: the
 * state holds every member's recent assignments, tens of kilobytes for a busy pool, and reading
 * and parsing it on every route cost more than the rest of the lock.
 */
export async function lockPools(
  tx: Kysely<Database>,
  names: string[],
  known: ReadonlyMap<string, KnownPool> = new Map(),
): Promise<Map<string, KnownPool>> {
  const locked = new Map<string, KnownPool>();
  if (names.length === 0) return locked;
  const versions = JSON.stringify(
    names.filter((n) => known.has(n)).map((name) => ({ name, row_version: known.get(name)!.rowVersion })),
  );
  const { rows } = await sql<{
    name: string;
    version: number;
    row_version: string;
    unchanged: boolean | null;
    state: unknown;
  }>`
    select p.name, p.version, p.xmin::text as row_version, p.xmin::text = k.row_version as unchanged,
      case when p.xmin::text = k.row_version then null else p.state end as state
    from pool_state p
    left join jsonb_to_recordset(${versions}::jsonb) as k(name text, row_version text) on k.name = p.name
    where p.name = any(${[...names].sort()}::text[])
    order by p.name
    for update of p
  `.execute(tx);
  for (const r of rows) {
    const state = r.unchanged ? known.get(r.name)!.state : (r.state as PoolState | null);
    locked.set(r.name, { state, version: r.version, rowVersion: r.row_version });
  }
  return locked;
}

/** The pools' state as last stored, without locking (dry runs). */
export async function readPools(db: Kysely<Database>, names: string[]): Promise<Map<string, LockedPool>> {
  const found = new Map<string, LockedPool>();
  if (names.length === 0) return found;
  const rows = await db
    .selectFrom('pool_state')
    .select(['name', 'state', 'version'])
    .where('name', '=', sql<string>`any(${names}::text[])`)
    .execute();
  for (const r of rows) found.set(r.name, { state: r.state as PoolState | null, version: r.version });
  return found;
}

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

/** Points a key at the decision that replaced the one it produced (a re-made decision). */
export async function repointKey(db: Kysely<Database>, key: string, decisionId: string): Promise<void> {
  await db.updateTable('idempotency').set({ decision_id: decisionId }).where('key', '=', key).execute();
}

export interface DecisionInsert {
  id: string;
  decision: StoredDecision;
  trigger: Trigger;
  status: DecisionStatus;
  requestKey: string | null;
}

/** Rows per statement: the rows travel as one JSON parameter (far faster than a parameter per field). */
const CHUNK = 1000;

function decisionRows(rows: DecisionInsert[]): string {
  return JSON.stringify(
    rows.map(({ id, decision, trigger, status, requestKey }) => ({
      id,
      lead_id: decision.leadId,
      flow_name: decision.flow.name,
      flow_version: decision.flow.version,
      trigger,
      outcome: decision.outcome,
      owner_id: decision.owner?.id ?? null,
      owner_kind: decision.owner?.kind ?? null,
      summary: decision.summary,
      decision,
      status,
      request_key: requestKey,
    })),
  );
}

const insertDecisionRows = (json: string) => sql`
  insert into decisions (id, lead_id, flow_name, flow_version, trigger, outcome, owner_id, owner_kind,
    summary, decision, status, request_key)
  select id, lead_id, flow_name, flow_version, trigger, outcome, owner_id, owner_kind,
    summary, decision, status, request_key
  from jsonb_to_recordset(${json}::jsonb) as d(id uuid, lead_id text, flow_name text, flow_version integer,
    trigger jsonb, outcome text, owner_id text, owner_kind text, summary text, decision jsonb, status text,
    request_key text)
`;

/** Decisions alone (dry runs), one statement per chunk. */
export async function insertDecisions(tx: Kysely<Database>, rows: DecisionInsert[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await insertDecisionRows(decisionRows(rows.slice(i, i + CHUNK))).execute(tx);
  }
}

export type Effect =
  { kind: 'update-lead'; payload: LeadUpdate } | { kind: 'convert-lead'; payload: LeadConversion };

export interface EffectRow {
  id: string;
  decisionId: string;
  effect: Effect;
  status: OutboxStatus;
}

/**
 * What routing commits for a batch, in one statement per chunk of decisions: the decisions, their
 * outbox rows, and (with the first chunk) the pools' new state. Outbox rows are leased to this
 * process for `leaseMs`: it applies them right after the commit, and the outbox worker leaves them
 * alone unless the lease runs out (this process died). Returns the outbox rows with their ids,
 * and the pools as written, with their new row versions. Run it inside the routing transaction,
 * with the pools locked.
 */
export async function storeDecisions(
  tx: Kysely<Database>,
  rows: DecisionInsert[],
  effects: Array<{ decisionId: string; effect: Effect }>,
  pools: Map<string, LockedPool>,
  leaseMs: number,
): Promise<{ effects: EffectRow[]; pools: Map<string, KnownPool> }> {
  const inserted: EffectRow[] = [];
  const saved = new Map<string, KnownPool>();
  if (rows.length === 0) return { effects: inserted, pools: saved };
  const effectsOf = new Map<string, Array<{ decisionId: string; effect: Effect }>>();
  for (const e of effects) effectsOf.set(e.decisionId, [...(effectsOf.get(e.decisionId) ?? []), e]);
  let poolJson: string | null = JSON.stringify(
    [...pools].map(([name, { state, version }]) => ({ name, state, version })),
  );
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const mine = chunk.flatMap((r) => effectsOf.get(r.id) ?? []);
    const effectJson = JSON.stringify(
      mine.map((r) => ({ decision_id: r.decisionId, kind: r.effect.kind, payload: r.effect.payload })),
    );
    // Every part runs to completion whether or not the final select reads it; the outbox rows'
    // foreign key is checked at the end of the statement, when their decisions are in.
    const { rows: out } = await sql<{
      id: string | null;
      decision_id: string | null;
      kind: string | null;
      pool: string | null;
      version: number | null;
      row_version: string | null;
    }>`
      with decided as (${insertDecisionRows(decisionRows(chunk))} returning 1),
      turned as (
        update pool_state set state = p.state, version = p.version + 1, updated_at = now()
        from jsonb_to_recordset(${poolJson ?? '[]'}::jsonb) as p(name text, state jsonb, version integer)
        where pool_state.name = p.name
        returning pool_state.name, pool_state.version, pool_state.xmin::text as row_version
      ),
      queued as (
        insert into outbox (decision_id, kind, payload, status, locked_until)
        select decision_id, kind, payload, 'pending', now() + ${leaseMs} * interval '1 millisecond'
        from jsonb_to_recordset(${effectJson}::jsonb) as e(decision_id uuid, kind text, payload jsonb)
        returning id, decision_id, kind
      )
      select id::text, decision_id::text, kind, null::text as pool, null::integer as version,
        null::text as row_version
      from queued
      union all
      select null, null, null, name, version, row_version from turned
    `.execute(tx);
    poolJson = null;
    // A decision has at most one effect of each kind: that pair finds each row's id.
    const idOf = new Map<string, string>();
    for (const r of out) {
      if (r.pool !== null) {
        saved.set(r.pool, {
          state: pools.get(r.pool)!.state,
          version: r.version!,
          rowVersion: r.row_version!,
        });
      } else {
        idOf.set(`${r.decision_id}:${r.kind}`, r.id!);
      }
    }
    for (const r of mine) {
      inserted.push({ ...r, id: idOf.get(`${r.decisionId}:${r.effect.kind}`)!, status: 'pending' });
    }
  }
  return { effects: inserted, pools: saved };
}

/** Every outbox row of these decisions, oldest first. */
export async function effectsOf(db: Kysely<Database>, decisionIds: string[]): Promise<EffectRow[]> {
  if (decisionIds.length === 0) return [];
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'decision_id', 'kind', 'payload', 'status'])
    .where('decision_id', '=', sql<string>`any(${decisionIds}::uuid[])`)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: String(r.id),
    decisionId: r.decision_id,
    effect: { kind: r.kind, payload: r.payload } as Effect,
    status: r.status,
  }));
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

/** Marks rows applied in one statement, the ids as one array parameter. */
const markAppliedRows = (ids: string[]) => sql`
  update outbox set status = 'applied', attempts = attempts + 1, last_error = null, locked_until = null,
    applied_at = now(), updated_at = now()
  where id = any(${ids}::bigint[]) and status = 'pending'
`;

export async function markApplied(db: Kysely<Database>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await markAppliedRows(ids).execute(db);
}

type StatusUpdate = { id: string; status: DecisionStatus; detail: string | null };

const setStatusRows = (updates: StatusUpdate[]) => sql`
  update decisions set status = u.status, status_detail = u.detail, updated_at = clock_timestamp()
  from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as u(id uuid, status text, detail text)
  where decisions.id = u.id
`;

export async function setStatuses(db: Kysely<Database>, updates: StatusUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await setStatusRows(updates).execute(db);
}

/**
 * Marks outbox rows applied and sets their decisions' statuses, in one statement: what routing
 * records after applying a batch it has just committed.
 */
export async function recordOutcomes(
  db: Kysely<Database>,
  appliedIds: string[],
  statuses: StatusUpdate[],
): Promise<void> {
  if (appliedIds.length === 0) {
    await setStatuses(db, statuses);
    return;
  }
  await sql`with applied as (${markAppliedRows(appliedIds)} returning 1) ${setStatusRows(statuses)}`.execute(
    db,
  );
}

export interface DecisionRecord {
  id: string;
  leadId: string;
  trigger: Trigger;
  decision: StoredDecision;
  status: DecisionStatus;
  statusDetail: string | null;
  requestKey: string | null;
  createdAt: Date;
}

export async function decisionsById(
  db: Kysely<Database>,
  ids: string[],
): Promise<Map<string, DecisionRecord>> {
  const found = new Map<string, DecisionRecord>();
  if (ids.length === 0) return found;
  const rows = await db
    .selectFrom('decisions')
    .select(['id', 'lead_id', 'trigger', 'decision', 'status', 'status_detail', 'request_key', 'created_at'])
    .where('id', '=', sql<string>`any(${ids}::uuid[])`)
    .execute();
  for (const r of rows) found.set(r.id, toRecord(r));
  return found;
}

export async function decisionsOfLead(
  db: Kysely<Database>,
  leadId: string,
  limit: number,
): Promise<DecisionRecord[]> {
  const rows = await db
    .selectFrom('decisions')
    .select(['id', 'lead_id', 'trigger', 'decision', 'status', 'status_detail', 'request_key', 'created_at'])
    .where('lead_id', '=', leadId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRecord);
}

function toRecord(r: {
  id: string;
  lead_id: string;
  trigger: unknown;
  decision: unknown;
  status: DecisionStatus;
  status_detail: string | null;
  request_key: string | null;
  created_at: Date;
}): DecisionRecord {
  return {
    id: r.id,
    leadId: r.lead_id,
    trigger: r.trigger as Trigger,
    decision: r.decision as StoredDecision,
    status: r.status,
    statusDetail: r.status_detail,
    requestKey: r.request_key,
    createdAt: r.created_at,
  };
}
