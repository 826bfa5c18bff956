import type { Kysely } from 'kysely';
import type { Trigger } from '../engine/model.js';
import type { Database } from '../store/schema.js';
import { isRouteFailure, type RouteItem, type RouteManyResult, type RouteResult } from './route-request.js';
import { setStatuses } from '../store/decision.repository.js';

/** A decision the org refused because the lead's owner changed before it was applied. */
export interface StaleDecision {
  decisionId: string;
  leadId: string;
  trigger: Trigger;
  /** The key the stale decision answered: it answers with the new decision from now on. */
  requestKey: string | null;
}

/**
 * Makes stale decisions again, once, on fresh context (`route` runs the whole routing of a batch);
 * the stale ones stay visible in the history, naming the decision that replaced them. Returns each
 * stale decision's replacement, or null where the lead could not be routed again.
 */
export async function redecideStale(
  db: Kysely<Database>,
  stale: StaleDecision[],
  route: (items: RouteItem[]) => Promise<RouteManyResult[]>,
): Promise<Array<RouteResult | null>> {
  if (stale.length === 0) return [];
  const remade = await route(
    stale.map((s) => ({
      request: { leadId: s.leadId, trigger: s.trigger },
      redecides: { id: s.decisionId, requestKey: s.requestKey },
    })),
  );
  const replacements = remade.map((r) => (r && !isRouteFailure(r) ? r : null));
  await setStatuses(
    db,
    stale.flatMap((s, j) => {
      const next = replacements[j];
      return next
        ? [
            {
              id: s.decisionId,
              status: 'stale' as const,
              detail: `The lead's owner changed before this decision was applied, so it was made again (decision ${next.decisionId}).`,
            },
          ]
        : [];
    }),
  );
  return replacements;
}
