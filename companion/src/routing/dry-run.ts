import type { Store } from '../store/store.js';
import { keptDecision } from './decide-and-store.js';
import type { LeadDecider } from './lead-decider.js';
import type { Planned } from './load-contexts.js';
import type { RouteResult } from './route-request.js';
import { insertDecisions, type DecisionInsert } from '../store/decision.repository.js';
import { readPools } from '../store/pool.repository.js';

/**
 * Decides with the stored pool state, without locking it, and keeps each decision for the audit
 * trail with status 'dry-run': no pool turn is used and nothing is written to the CRM.
 */
export async function dryRun(
  deps: { store: Store; decider: LeadDecider },
  plans: Planned[],
  now: string,
): Promise<RouteResult[]> {
  const pools = await readPools(deps.store.db, deps.decider.poolsOf(plans));
  const batch = deps.decider.batch();
  const rows: DecisionInsert[] = plans.map((plan) => ({
    id: plan.id,
    decision: keptDecision(
      deps.decider.decide(plan, now, (name) => pools.get(name)?.state ?? undefined, batch),
    ),
    trigger: plan.item.request.trigger,
    status: 'dry-run',
    requestKey: null,
  }));
  await insertDecisions(deps.store.db, rows);
  return rows.map((r) => ({ decisionId: r.id, decision: r.decision, status: 'dry-run', errors: [] }));
}
