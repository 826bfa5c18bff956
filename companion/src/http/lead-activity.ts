import { flowActivity, type FlowActivity } from '../store/decision.repository.js';
import type { StoreSession } from '../store/store.js';

/** The window "active flows" counts over. */
export const ACTIVE_FLOWS_DAYS = 30;

export type LeadActivity = FlowActivity;

/** Routing activity of many leads from the audit trail: flows in the last 30 days, and the last flow. */
export function leadActivity(
  store: StoreSession,
  leadIds: string[],
  now: Date,
): Promise<Map<string, LeadActivity>> {
  return flowActivity(store.db, leadIds, new Date(now.getTime() - ACTIVE_FLOWS_DAYS * 86_400_000));
}
