import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { toJson } from './sql-values.js';

/** One owner a lead had: when it was created or requalified, when this owner was written, when they touched it. */
export interface HandoffInsert {
  leadId: string;
  clockId: string;
  decisionId: string;
  flow: string | null;
  pool: string | null;
  policy: string | null;
  ownerId: string;
  /** The lead created or requalified: where time to assign starts. */
  since: string;
  assignedAt: string;
}

export interface HandoffRow extends HandoffInsert {
  assignSeconds: number;
  touchedAt: string | null;
  touchSeconds: number | null;
  touchedBy: string | null;
  breached: boolean;
}

/** Records owners as they are written (a decision once); returns the rows it added. */
export async function insertHandoffs(db: Kysely<Database>, rows: HandoffInsert[]): Promise<HandoffRow[]> {
  if (rows.length === 0) return [];
  const { rows: added } = await sql<RawHandoff>`
    insert into handoffs (lead_id, clock_id, decision_id, flow, pool, policy, owner_id, since, assigned_at,
      assign_seconds)
    select h."leadId", h."clockId", h."decisionId", h.flow, h.pool, h.policy, h."ownerId", h.since, h."assignedAt",
      greatest(0, extract(epoch from h."assignedAt" - h.since))
    from jsonb_to_recordset(${toJson(rows)}::jsonb) as h("leadId" text, "clockId" uuid, "decisionId" uuid,
      flow text, pool text, policy text, "ownerId" text, since timestamptz, "assignedAt" timestamptz)
    on conflict (decision_id) do nothing
    returning *
  `.execute(db);
  return added.map(toHandoff);
}

/**
 * The lead's current owner touched it first (accepted, changed its status, logged an activity): time
 * to first touch is kept on their handoff, once. Returns the handoffs it touched.
 */
export async function touchHandoffs(
  db: Kysely<Database>,
  touches: Array<{ leadId: string; ownerId: string; at: string; by: string }>,
): Promise<HandoffRow[]> {
  if (touches.length === 0) return [];
  const { rows } = await sql<RawHandoff>`
    update handoffs h set touched_at = t.at, touched_by = t.by,
      touch_seconds = greatest(0, extract(epoch from t.at - h.assigned_at))
    from jsonb_to_recordset(${toJson(touches)}::jsonb) as t("leadId" text, "ownerId" text, at timestamptz, by text)
    where h.id = (select max(id) from handoffs l where l.lead_id = t."leadId")
      and h.owner_id = t."ownerId" and h.touched_at is null
    returning h.*
  `.execute(db);
  return rows.map(toHandoff);
}

/** A step fired on these owners' watch: their handoffs count as SLA breaches. */
export async function markBreached(
  db: Kysely<Database>,
  owners: Array<{ clockId: string; ownerId: string }>,
) {
  if (owners.length === 0) return;
  await sql`
    update handoffs h set breached = true
    from jsonb_to_recordset(${toJson(owners)}::jsonb) as b("clockId" uuid, "ownerId" text)
    where h.clock_id = b."clockId" and h.owner_id = b."ownerId" and not h.breached
  `.execute(db);
}

/** A lead's owners, oldest first. */
export async function handoffsOf(db: Kysely<Database>, leadId: string, limit = 50): Promise<HandoffRow[]> {
  const { rows } = await sql<RawHandoff>`
    select * from (select * from handoffs where lead_id = ${leadId} order by id desc limit ${limit}) h order by id
  `.execute(db);
  return rows.map(toHandoff);
}

export interface HandoffReportRow {
  /** Monday of the week (UTC), YYYY-MM-DD. */
  week: string;
  /** The rep's user Id or the pool's name ('' for leads no pool assigned). */
  key: string;
  leads: number;
  assignP50: number | null;
  assignP90: number | null;
  touched: number;
  touchP50: number | null;
  touchP90: number | null;
  breaches: number;
}

/** Per week and rep (or pool): how many leads, time to assign and to first touch (p50, p90), breaches. */
export async function handoffReport(
  db: Kysely<Database>,
  by: 'rep' | 'pool',
  since: string,
): Promise<HandoffReportRow[]> {
  const key = by === 'rep' ? sql`owner_id` : sql`coalesce(pool, '')`;
  const { rows } = await sql<{
    week: string;
    key: string;
    leads: string;
    assign_p50: number | null;
    assign_p90: number | null;
    touched: string;
    touch_p50: number | null;
    touch_p90: number | null;
    breaches: string;
  }>`
    select to_char(date_trunc('week', assigned_at at time zone 'UTC'), 'YYYY-MM-DD') as week, ${key} as key,
      count(*) as leads,
      percentile_cont(0.5) within group (order by assign_seconds) as assign_p50,
      percentile_cont(0.9) within group (order by assign_seconds) as assign_p90,
      count(touch_seconds) as touched,
      percentile_cont(0.5) within group (order by touch_seconds) as touch_p50,
      percentile_cont(0.9) within group (order by touch_seconds) as touch_p90,
      count(*) filter (where breached) as breaches
    from handoffs where assigned_at >= ${since}::timestamptz
    group by 1, 2 order by 1 desc, 2
  `.execute(db);
  return rows.map((r) => ({
    week: r.week,
    key: r.key,
    leads: Number(r.leads),
    assignP50: r.assign_p50,
    assignP90: r.assign_p90,
    touched: Number(r.touched),
    touchP50: r.touch_p50,
    touchP90: r.touch_p90,
    breaches: Number(r.breaches),
  }));
}

interface RawHandoff {
  lead_id: string;
  clock_id: string;
  decision_id: string;
  flow: string | null;
  pool: string | null;
  policy: string | null;
  owner_id: string;
  since: Date;
  assigned_at: Date;
  assign_seconds: number;
  touched_at: Date | null;
  touch_seconds: number | null;
  touched_by: string | null;
  breached: boolean;
}

const toHandoff = (r: RawHandoff): HandoffRow => ({
  leadId: r.lead_id,
  clockId: r.clock_id,
  decisionId: r.decision_id,
  flow: r.flow,
  pool: r.pool,
  policy: r.policy,
  ownerId: r.owner_id,
  since: new Date(r.since).toISOString(),
  assignedAt: new Date(r.assigned_at).toISOString(),
  assignSeconds: Number(r.assign_seconds),
  touchedAt: r.touched_at ? new Date(r.touched_at).toISOString() : null,
  touchSeconds: r.touch_seconds === null ? null : Number(r.touch_seconds),
  touchedBy: r.touched_by,
  breached: r.breached,
});
