import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { toJson } from './sql-values.js';

/** How a clock ended: accepted (by a signal), converted, moved (by a person), escalated to a queue, rejected. */
export type ClockStatus = 'open' | 'accepted' | 'converted' | 'moved' | 'escalated' | 'rejected';

export interface SlaClockRow {
  leadId: string;
  /** The decision that started this arrival's clock. */
  id: string;
  policy: string | null;
  pool: string | null;
  flow: string | null;
  ownerId: string;
  ownerSince: string;
  arrivedAt: string;
  startStatus: string | null;
  /** Working minutes earlier owners of this arrival held it. */
  minutesBefore: number;
  nextStep: number;
  dueAt: string | null;
  /** Owners on whose watch a step fired: the lead never goes back to them. */
  lapsed: string[];
  status: ClockStatus;
  closedAt: string | null;
  closedBy: string | null;
}

interface RawClock {
  lead_id: string;
  id: string;
  policy: string | null;
  pool: string | null;
  flow: string | null;
  owner_id: string;
  owner_since: Date;
  arrived_at: Date;
  start_status: string | null;
  minutes_before: number;
  next_step: number;
  due_at: Date | null;
  lapsed: string[];
  status: ClockStatus;
  closed_at: Date | null;
  closed_by: string | null;
}

const iso = (d: Date | string | null): string | null =>
  d === null ? null : typeof d === 'string' ? new Date(d).toISOString() : d.toISOString();

function toClock(r: RawClock): SlaClockRow {
  return {
    leadId: r.lead_id,
    id: r.id,
    policy: r.policy,
    pool: r.pool,
    flow: r.flow,
    ownerId: r.owner_id,
    ownerSince: iso(r.owner_since)!,
    arrivedAt: iso(r.arrived_at)!,
    startStatus: r.start_status,
    minutesBefore: r.minutes_before,
    nextStep: r.next_step,
    dueAt: iso(r.due_at),
    lapsed: typeof r.lapsed === 'string' ? (JSON.parse(r.lapsed) as string[]) : r.lapsed,
    status: r.status,
    closedAt: iso(r.closed_at),
    closedBy: r.closed_by,
  };
}

/** How far the clocks have followed the decisions (a decision seq). */
export async function readSlaCursor(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{
    seq: string;
  }>`select seq::text from sla_cursor where name = 'decisions'`.execute(db);
  return rows[0]?.seq ?? '0';
}

/**
 * Moves the cursor from `from` to `to`, only if it is still at `from` (another instance did not take
 * these decisions first); takes the row's lock until the transaction ends. True when it moved.
 */
export async function advanceSlaCursor(db: Kysely<Database>, from: string, to: string): Promise<boolean> {
  const { rows } = await sql<{ seq: string }>`
    update sla_cursor set seq = ${to}::bigint where name = 'decisions' and seq = ${from}::bigint returning seq::text
  `.execute(db);
  return rows.length === 1;
}

export type ClockOpen = Omit<SlaClockRow, 'status' | 'closedAt' | 'closedBy'>;

/** Starts clocks, each replacing the lead's earlier one (the flows routed it again). */
export async function openClocks(db: Kysely<Database>, clocks: ClockOpen[]): Promise<void> {
  if (clocks.length === 0) return;
  await sql`
    insert into sla_clocks (lead_id, id, policy, pool, flow, owner_id, owner_since, arrived_at, start_status,
      minutes_before, next_step, due_at, lapsed, status, closed_at, closed_by, updated_at)
    select c."leadId", c.id, c.policy, c.pool, c.flow, c."ownerId", c."ownerSince", c."arrivedAt", c."startStatus",
      c."minutesBefore", c."nextStep", c."dueAt", coalesce(c.lapsed, '[]'), 'open', null, null, clock_timestamp()
    from jsonb_to_recordset(${toJson(clocks)}::jsonb) as c("leadId" text, id uuid, policy text, pool text,
      flow text, "ownerId" text, "ownerSince" timestamptz, "arrivedAt" timestamptz, "startStatus" text,
      "minutesBefore" integer, "nextStep" integer, "dueAt" timestamptz, lapsed jsonb)
    on conflict (lead_id) do update set id = excluded.id, policy = excluded.policy, pool = excluded.pool,
      flow = excluded.flow, owner_id = excluded.owner_id, owner_since = excluded.owner_since,
      arrived_at = excluded.arrived_at, start_status = excluded.start_status,
      minutes_before = excluded.minutes_before, next_step = excluded.next_step, due_at = excluded.due_at,
      lapsed = excluded.lapsed, status = 'open', closed_at = null, closed_by = null, updated_at = clock_timestamp()
  `.execute(db);
}

/** A clock handed to its next owner by its own step: the same arrival, a new owner and due time. */
export interface ClockHandOver {
  leadId: string;
  clockId: string;
  ownerId: string;
  ownerSince: string;
  minutesBefore: number;
  dueAt: string | null;
}

export async function handOverClocks(db: Kysely<Database>, moves: ClockHandOver[]): Promise<void> {
  if (moves.length === 0) return;
  await sql`
    update sla_clocks c set owner_id = m."ownerId", owner_since = m."ownerSince",
      minutes_before = m."minutesBefore", due_at = m."dueAt", updated_at = clock_timestamp()
    from jsonb_to_recordset(${toJson(moves)}::jsonb) as m("leadId" text, "clockId" uuid, "ownerId" text,
      "ownerSince" timestamptz, "minutesBefore" integer, "dueAt" timestamptz)
    where c.lead_id = m."leadId" and c.id = m."clockId" and c.status = 'open'
  `.execute(db);
}

export interface ClockClose {
  leadId: string;
  status: Exclude<ClockStatus, 'open'>;
  /** What closed it: accept, status-change, activity, converted, moved, escalated, rejected. */
  by: string;
  at: string;
  /** Only the clock of this arrival (a later arrival's clock stays open). */
  clockId?: string;
}

/** Closes open clocks; returns those it closed, as they were. */
export async function closeClocks(db: Kysely<Database>, closes: ClockClose[]): Promise<SlaClockRow[]> {
  if (closes.length === 0) return [];
  const { rows } = await sql<RawClock>`
    update sla_clocks c set status = x.status, closed_by = x.by, closed_at = x.at, due_at = null,
      updated_at = clock_timestamp()
    from jsonb_to_recordset(${toJson(closes)}::jsonb) as x("leadId" text, status text, by text, at timestamptz,
      "clockId" uuid)
    where c.lead_id = x."leadId" and c.status = 'open' and (x."clockId" is null or c.id = x."clockId")
    returning c.*
  `.execute(db);
  return rows.map(toClock);
}

/** Open clocks whose next step is due at `now`, soonest first. */
export async function dueClocks(db: Kysely<Database>, now: string, limit: number): Promise<SlaClockRow[]> {
  const { rows } = await sql<RawClock>`
    select * from sla_clocks where status = 'open' and due_at <= ${now}::timestamptz order by due_at limit ${limit}
  `.execute(db);
  return rows.map(toClock);
}

export async function clocksOf(db: Kysely<Database>, leadIds: string[]): Promise<Map<string, SlaClockRow>> {
  if (leadIds.length === 0) return new Map();
  const { rows } = await sql<RawClock>`
    select * from sla_clocks where lead_id in (select jsonb_array_elements_text(${toJson(leadIds)}::jsonb))
  `.execute(db);
  return new Map(rows.map((r) => [r.lead_id, toClock(r)]));
}

export interface StepClaim {
  leadId: string;
  clockId: string;
  step: number;
  action: string;
  ownerId: string;
  dueAt: string;
  /** When the step after it is due; null when it is the last. */
  nextDue: string | null;
  /** Steps that move the lead wait for routing ('pending'); a reminder is done as it fires. */
  status: 'pending' | 'done';
  /** When it fired, by the caller's clock (an unfinished move is taken up again after a lease from then). */
  firedAt: string;
  detail: string | null;
}

/**
 * Fires steps, each once across instances: a clock moves on only from the step it was at, and the
 * step's row is written in the same statement (its key refuses a second). The owner joins the
 * clock's lapsed list. Returns the claims that fired.
 */
export async function claimSteps(db: Kysely<Database>, claims: StepClaim[]): Promise<StepClaim[]> {
  if (claims.length === 0) return [];
  const { rows } = await sql<{ lead_id: string; step: number }>`
    with x as (
      select * from jsonb_to_recordset(${toJson(claims)}::jsonb) as x("leadId" text, "clockId" uuid, step integer,
        action text, "ownerId" text, "dueAt" timestamptz, "nextDue" timestamptz, status text, detail text,
        "firedAt" timestamptz)
    ),
    moved as (
      update sla_clocks c set next_step = x.step + 1, due_at = x."nextDue",
        lapsed = case when c.lapsed ? x."ownerId" then c.lapsed else c.lapsed || to_jsonb(x."ownerId") end,
        updated_at = clock_timestamp()
      from x
      where c.lead_id = x."leadId" and c.id = x."clockId" and c.next_step = x.step and c.status = 'open'
      -- The claim's own fields come back with the row: no second join over the claims.
      returning x."leadId", x."clockId", x.step, x.action, x."ownerId", x."dueAt", x.status, x.detail, x."firedAt"
    )
    insert into sla_steps (clock_id, step, lead_id, action, owner_id, due_at, status, detail, fired_at, updated_at)
    select "clockId", step, "leadId", action, "ownerId", "dueAt", status, detail, "firedAt", "firedAt" from moved
    on conflict (clock_id, step) do nothing
    returning lead_id, step
  `.execute(db);
  const fired = new Set(rows.map((r) => `${r.lead_id}:${r.step}`));
  return claims.filter((c) => fired.has(`${c.leadId}:${c.step}`));
}

export interface SlaStepRow {
  clockId: string;
  step: number;
  leadId: string;
  action: string;
  ownerId: string;
  dueAt: string;
  firedAt: string;
  status: 'pending' | 'done';
  detail: string | null;
}

interface RawStep {
  clock_id: string;
  step: number;
  lead_id: string;
  action: string;
  owner_id: string;
  due_at: Date;
  fired_at: Date;
  status: 'pending' | 'done';
  detail: string | null;
}

const toStep = (r: RawStep): SlaStepRow => ({
  clockId: r.clock_id,
  step: r.step,
  leadId: r.lead_id,
  action: r.action,
  ownerId: r.owner_id,
  dueAt: iso(r.due_at)!,
  firedAt: iso(r.fired_at)!,
  status: r.status,
  detail: r.detail,
});

/** Steps that move a lead, fired but not finished after `olderThan` (the instance that fired them stopped). */
export async function unfinishedSteps(
  db: Kysely<Database>,
  olderThan: string,
  limit: number,
): Promise<SlaStepRow[]> {
  const { rows } = await sql<RawStep>`
    select * from sla_steps where status = 'pending' and updated_at < ${olderThan}::timestamptz
    order by updated_at limit ${limit}
  `.execute(db);
  return rows.map(toStep);
}

export async function finishStep(
  db: Kysely<Database>,
  clockId: string,
  step: number,
  detail: string,
): Promise<void> {
  await sql`
    update sla_steps set status = 'done', detail = ${detail}, updated_at = clock_timestamp()
    where clock_id = ${clockId}::uuid and step = ${step}
  `.execute(db);
}

/** The steps fired on a lead's clock, in order. */
export async function stepsOf(db: Kysely<Database>, clockId: string): Promise<SlaStepRow[]> {
  const { rows } =
    await sql<RawStep>`select * from sla_steps where clock_id = ${clockId}::uuid order by step`.execute(db);
  return rows.map(toStep);
}
