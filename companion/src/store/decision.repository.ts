import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Decision } from '../engine/decision.js';
import type { Trigger } from '../engine/model.js';
import { atomic } from './atomic.js';
import {
  insertOutboxRows,
  markDecisionApplied,
  outboxJson,
  type OutboxEffect,
  type OutboxRow,
} from './outbox.repository.js';
import { poolJson, updatePoolRows, type KnownPool, type LockedPool } from './pool.repository.js';
import type { Database, DecisionStatus } from './schema.js';

/**
 * The decisions table, the audit trail of every routing decision. Everything that reads or writes
 * decisions goes through here; what routing commits for a batch (decisions, outbox rows, pool turns)
 * is one statement per chunk, built from the outbox's and the pools' own statement parts.
 */

/** The engine's decision as stored, with the decision it replaced when it was re-made. */
export type StoredDecision = Decision & { redecides?: string };

export interface DecisionInsert {
  id: string;
  decision: StoredDecision;
  trigger: Trigger;
  status: DecisionStatus;
  requestKey: string | null;
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

export interface StatusUpdate {
  id: string;
  status: DecisionStatus;
  detail: string | null;
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

// json, not jsonb: each decision is stored as the text it arrives as (the column is json), so the
// batch's JSON is only scanned, never built into jsonb and written out again (the bulk of a routing
// transaction's time in the store, at several KB a decision).
const insertDecisionRows = (json: string) => sql`
  insert into decisions (id, lead_id, flow_name, flow_version, trigger, outcome, owner_id, owner_kind,
    summary, decision, status, request_key)
  select id, lead_id, flow_name, flow_version, trigger, outcome, owner_id, owner_kind,
    summary, decision, status, request_key
  from json_to_recordset(${json}::json) as d(id uuid, lead_id text, flow_name text, flow_version integer,
    trigger jsonb, outcome text, owner_id text, owner_kind text, summary text, decision json, status text,
    request_key text)
`;

/** Decisions alone (dry runs), one statement per chunk. */
export async function insertDecisions(tx: Kysely<Database>, rows: DecisionInsert[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await insertDecisionRows(decisionRows(rows.slice(i, i + CHUNK))).execute(tx);
  }
}

/**
 * What routing commits for a batch, in one statement per chunk of decisions: the decisions, their
 * outbox rows, and (with the first chunk) the pools' new state. Outbox rows are leased to this
 * process for `leaseMs`: it applies them right after the commit, and the outbox worker leaves them
 * alone unless the lease runs out (this process died). Returns the outbox rows with their ids,
 * and the pools as written, with their new row versions. Run it inside the routing transaction,
 * with the pools locked.
 */
export async function storeDecisions<E extends OutboxEffect>(
  tx: Kysely<Database>,
  rows: DecisionInsert[],
  effects: Array<{ decisionId: string; effect: E }>,
  pools: Map<string, LockedPool>,
  leaseMs: number,
): Promise<{ effects: Array<OutboxRow<E>>; pools: Map<string, KnownPool> }> {
  const inserted: Array<OutboxRow<E>> = [];
  const saved = new Map<string, KnownPool>();
  if (rows.length === 0) return { effects: inserted, pools: saved };
  const effectsOfDecision = new Map<string, Array<{ decisionId: string; effect: E }>>();
  for (const e of effects) {
    effectsOfDecision.set(e.decisionId, [...(effectsOfDecision.get(e.decisionId) ?? []), e]);
  }
  let pooled: string | null = poolJson(pools);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const mine = chunk.flatMap((r) => effectsOfDecision.get(r.id) ?? []);
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
      turned as (${updatePoolRows(pooled ?? '[]')}),
      queued as (${insertOutboxRows(outboxJson(mine), leaseMs)})
      select id::text, decision_id::text, kind, null::text as pool, null::integer as version,
        null::text as row_version
      from queued
      union all
      select null, null, null, name, version, row_version from turned
    `.execute(tx);
    pooled = null;
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

/**
 * One decision's status, found by its id alone. The store plans a statement once per connection (a
 * generic plan, see open-database.ts), often while the table is still small (a new store): a plan
 * made then for several ids, or for a join on a list of rows, reads every decision (a sequential
 * scan), at a cost that grows with each decision stored until the next VACUUM. Only the primary key
 * by one value is always found through its index.
 */
const setStatusRow = ({ id, status, detail }: StatusUpdate) => sql`
  update decisions set status = ${status}, status_detail = ${detail}, updated_at = clock_timestamp()
  where id = ${id}::uuid
`;

/** Sets the decisions' statuses, all or none. */
export async function setStatuses(db: Kysely<Database>, updates: StatusUpdate[]): Promise<void> {
  await inOne(db, updates.map(setStatusRow));
}

/**
 * Marks outbox rows applied and sets their decisions' statuses, all or none: what routing records
 * after applying a batch it has just committed. One statement per decision: for a batch of one (the
 * common case), one statement.
 */
export async function recordOutcomes(
  db: Kysely<Database>,
  applied: Array<{ id: string; decisionId: string }>,
  statuses: StatusUpdate[],
): Promise<void> {
  const rowsOf = new Map<string, string[]>();
  for (const { id, decisionId } of applied) rowsOf.set(decisionId, [...(rowsOf.get(decisionId) ?? []), id]);
  const statements = statuses.map((update) => {
    const ids = rowsOf.get(update.id);
    rowsOf.delete(update.id);
    if (!ids) return setStatusRow(update);
    return sql`with applied as (${markDecisionApplied(update.id, ids)} returning 1) ${setStatusRow(update)}`;
  });
  for (const [decisionId, ids] of rowsOf) statements.push(markDecisionApplied(decisionId, ids));
  await inOne(db, statements);
}

/** Runs the statements in one transaction; a single statement needs none of its own. */
async function inOne(db: Kysely<Database>, statements: Array<RawBuilder<unknown>>): Promise<void> {
  if (statements.length === 1) await statements[0]!.execute(db);
  else if (statements.length > 1)
    await atomic(db, async (tx) => {
      for (const statement of statements) await statement.execute(tx);
    });
}

const RECORD_COLUMNS = [
  'id',
  'lead_id',
  'trigger',
  'decision',
  'status',
  'status_detail',
  'request_key',
  'created_at',
] as const;

export async function decisionsById(
  db: Kysely<Database>,
  ids: string[],
): Promise<Map<string, DecisionRecord>> {
  const found = new Map<string, DecisionRecord>();
  if (ids.length === 0) return found;
  const rows = await db
    .selectFrom('decisions')
    .select(RECORD_COLUMNS)
    .where('id', '=', sql<string>`any(${ids}::uuid[])`)
    .execute();
  for (const r of rows) found.set(r.id, toRecord(r));
  return found;
}

/** The lead's decisions, newest first. */
export async function decisionsOfLead(
  db: Kysely<Database>,
  leadId: string,
  limit: number,
): Promise<DecisionRecord[]> {
  const rows = await db
    .selectFrom('decisions')
    .select(RECORD_COLUMNS)
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

export interface FlowActivity {
  /** Distinct flows with a decision (dry runs left out) for the lead since the given moment. */
  activeFlowsCount: number;
  /** The label of the flow that made the lead's newest decision (dry runs left out). */
  lastFlowName: string | null;
}

/** Routing activity of many leads from the audit trail, in one query. */
export async function flowActivity(
  db: Kysely<Database>,
  leadIds: string[],
  since: Date,
): Promise<Map<string, FlowActivity>> {
  const result = new Map<string, FlowActivity>();
  if (leadIds.length === 0) return result;
  const { rows } = await sql<{ lead_id: string; active: string; last_flow: string | null }>`
    select lead_id,
      count(distinct flow_name) filter (where created_at >= ${since.toISOString()}::timestamptz) as active,
      (array_agg(coalesce(decision->'finalFlow'->>'label', flow_name) order by seq desc))[1] as last_flow
    from decisions
    where lead_id = any(${leadIds}::text[]) and status <> 'dry-run'
    group by lead_id
  `.execute(db);
  for (const r of rows) {
    result.set(r.lead_id, { activeFlowsCount: Number(r.active), lastFlowName: r.last_flow });
  }
  return result;
}

/**
 * How many decisions went from one node of a flow straight to another since `since` (dry runs left out),
 * counted from each stored decision's path, one query.
 */
export async function flowEdgeCounts(
  db: Kysely<Database>,
  flow: string,
  since: Date,
): Promise<Array<{ from: string; to: string; count: number }>> {
  const { rows } = await sql<{ from_node: string; to_node: string; n: string }>`
    with steps as (
      select d.id, s.ord, s.step->>'flow' as flow, s.step->>'node' as node
      from decisions d, json_array_elements(d.decision->'path') with ordinality as s(step, ord)
      where d.created_at >= ${since.toISOString()}::timestamptz and d.status <> 'dry-run'
    ), pairs as (
      select flow, node, lead(flow) over w as next_flow, lead(node) over w as next_node
      from steps window w as (partition by id order by ord)
    )
    select node as from_node, next_node as to_node, count(*) as n
    from pairs
    where flow = ${flow} and next_flow = ${flow}
    group by node, next_node
  `.execute(db);
  return rows.map((r) => ({ from: r.from_node, to: r.to_node, count: Number(r.n) }));
}

/**
 * Leads each pool gave each member since `since`: a decision's pool change whose member became the
 * lead's owner (a turn given back on a rejection is not one); dry runs left out.
 */
export async function poolTurnsSince(
  db: Kysely<Database>,
  since: Date,
): Promise<Array<{ pool: string; ownerId: string; count: number }>> {
  const { rows } = await sql<{ pool: string; owner_id: string; n: string }>`
    select pc->>'pool' as pool, d.owner_id, count(*) as n
    from decisions d, json_array_elements(d.decision->'poolChanges') as pc
    where d.created_at >= ${since.toISOString()}::timestamptz and d.status <> 'dry-run'
      and pc->>'userId' = d.owner_id
    group by 1, 2
  `.execute(db);
  return rows.map((r) => ({ pool: r.pool, ownerId: r.owner_id, count: Number(r.n) }));
}

/** Decisions stored, by outcome and status (the metrics' gauge). */
export async function countDecisions(
  db: Kysely<Database>,
): Promise<Array<{ outcome: string; status: DecisionStatus; count: number }>> {
  const rows = await db
    .selectFrom('decisions')
    .select(['outcome', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['outcome', 'status'])
    .execute();
  return rows.map((r) => ({ outcome: r.outcome, status: r.status, count: Number(r.n) }));
}

/**
 * Deletes up to `limit` decisions made before `before`, oldest first, with their outbox rows; pending
 * ones (effects still to apply) stay. Returns how many went.
 */
export async function purgeDecisions(db: Kysely<Database>, before: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    with gone as (
      delete from decisions where id in (
        select id from decisions
        where created_at < ${before.toISOString()}::timestamptz and status <> 'pending'
        order by created_at
        limit ${limit}
      )
      returning 1
    )
    select count(*) as n from gone
  `.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** What the SLA clocks read of a decision: who it gave the lead to, from which flow and pool, and when. */
export interface DecisionOwnerChange {
  id: string;
  seq: string;
  leadId: string;
  trigger: Trigger;
  outcome: string;
  status: DecisionStatus;
  ownerId: string | null;
  ownerKind: string | null;
  previousOwnerId: string | null;
  flow: string | null;
  finalFlow: string | null;
  pool: string | null;
  /** The Status the decision wrote, if any. */
  statusWritten: string | null;
  /** When routing decided it (its clock): the owner is written then, or soon after. */
  decidedAt: string;
}

/** Decisions after `seq`, in order (not dry runs), at most `limit`. */
export async function decisionsSince(
  db: Kysely<Database>,
  seq: string,
  limit: number,
): Promise<DecisionOwnerChange[]> {
  const { rows } = await sql<{
    id: string;
    seq: string;
    lead_id: string;
    trigger: Trigger;
    outcome: string;
    status: DecisionStatus;
    owner_id: string | null;
    owner_kind: string | null;
    previous_owner_id: string | null;
    flow_name: string | null;
    final_flow: string | null;
    pool: string | null;
    status_written: string | null;
    decided_at: string;
  }>`
    select id::text, seq::text, lead_id, trigger, outcome, status, owner_id, owner_kind,
      decision->'previousOwner'->>'id' as previous_owner_id, flow_name,
      decision->'finalFlow'->>'name' as final_flow, decision->'poolChanges'->0->>'pool' as pool,
      decision->'fieldUpdates'->>'Status' as status_written, decision->>'decidedAt' as decided_at
    from decisions where seq > ${seq}::bigint and status <> 'dry-run' order by seq limit ${limit}
  `.execute(db);
  return rows.map((r) => ({
    id: r.id,
    seq: r.seq,
    leadId: r.lead_id,
    trigger: r.trigger,
    outcome: r.outcome,
    status: r.status,
    ownerId: r.owner_id,
    ownerKind: r.owner_kind,
    previousOwnerId: r.previous_owner_id,
    flow: r.flow_name,
    finalFlow: r.final_flow,
    pool: r.pool,
    statusWritten: r.status_written,
    decidedAt: new Date(r.decided_at).toISOString(),
  }));
}
