import { sql } from 'kysely';
import type { StoreSession } from '../store/store.js';

/** The window "active flows" counts over. */
export const ACTIVE_FLOWS_DAYS = 30;

export interface LeadActivity {
  /** Distinct flows with a decision (dry runs left out) for the lead in the last 30 days. */
  activeFlowsCount: number;
  /** The label of the flow that made the lead's newest decision (dry runs left out). */
  lastFlowName: string | null;
}

/** Routing activity of many leads from the audit trail, in one query. */
export async function leadActivity(
  store: StoreSession,
  leadIds: string[],
  now: Date,
): Promise<Map<string, LeadActivity>> {
  const result = new Map<string, LeadActivity>();
  if (leadIds.length === 0) return result;
  const since = new Date(now.getTime() - ACTIVE_FLOWS_DAYS * 86_400_000).toISOString();
  const { rows } = await sql<{ lead_id: string; active: string; last_flow: string | null }>`
    select lead_id,
      count(distinct flow_name) filter (where created_at >= ${since}::timestamptz) as active,
      (array_agg(coalesce(decision->'finalFlow'->>'label', flow_name) order by seq desc))[1] as last_flow
    from decisions
    where lead_id = any(${leadIds}::text[]) and status <> 'dry-run'
    group by lead_id
  `.execute(store.db);
  for (const r of rows) {
    result.set(r.lead_id, { activeFlowsCount: Number(r.active), lastFlowName: r.last_flow });
  }
  return result;
}
