import { Router } from 'express';
import { z } from 'zod';
import type { LeadRecord } from '../../engine/model.js';
import { KEY_PREFIX, toId18 } from '../../engine/salesforce-id.js';
import { actorOf, assertMayRouteBatch, rerouteRefusal } from '../access.js';
import type { AppDeps, RouteRequest } from '../app-context.js';
import { isRouteFailure } from '../../routing/routing.service.js';
import { ForbiddenError, NotFoundError, toErrorResponse } from '../http.errors.js';
import { CallerGoneError, callerGone } from '../in-flight-limit.js';
import { parseRequest, salesforceId, strictBody } from '../validation.js';
import { routeView } from '../views.js';
import { assertRouted, REASON_MAX } from './route-lead.route.js';

/** Bounded so one request stays well inside a Salesforce transaction's and a caller's timeout. */
export const BATCH_MAX = 200;

export const routeBatchBody = strictBody({
  leadIds: z
    .array(salesforceId(KEY_PREFIX.lead), { error: 'must be a list of lead Ids' })
    .min(1, 'must hold at least one lead Id')
    .max(BATCH_MAX, `must hold at most ${BATCH_MAX} lead Ids; split the batch`),
  reason: z
    .string({ error: 'must be text' })
    .max(REASON_MAX, `must be at most ${REASON_MAX} characters`)
    .optional(),
  dryRun: z.boolean({ error: 'must be true or false' }).optional(),
});

/** POST /v1/route: route a batch of leads; one result per lead, in the order asked, failures included. */
export function routeBatchRoute(deps: AppDeps): Router {
  const router = Router();
  router.post('/route', async (req, res) => {
    const gone = callerGone(res);
    const { body } = parseRequest(req, { body: routeBatchBody });
    const actor = actorOf(res);
    assertMayRouteBatch(actor);
    const dryRun = body.dryRun ?? false;
    const ids = [...new Set(body.leadIds)];
    const [leads, access] = await Promise.all([
      deps.org.getMany<LeadRecord>('Lead', ids),
      deps.org.leadAccess(actor.id, ids),
    ]);
    // The same rule as one re-route, lead by lead: a lead the actor may not move fails alone.
    const refused = new Map(
      ids.flatMap((id) => {
        const refusal = leads.has(id) ? rerouteRefusal(actor, access.get(toId18(id) ?? id)) : null;
        return refusal ? [[id, new ForbiddenError(refusal.message, refusal.action)] as const] : [];
      }),
    );
    const requests: RouteRequest[] = ids
      .filter((id) => leads.has(id) && !refused.has(id))
      .map((leadId) => ({
        leadId,
        trigger: { kind: 'reroute', reason: body.reason?.trim() || null, actorId: actor.id },
        dryRun,
      }));
    if (gone.aborted) throw new CallerGoneError();
    const results = requests.length > 0 ? await deps.routing.routeMany(requests) : [];
    // routeMany answers in the order asked, one result per request.
    const byLead = new Map(requests.map((r, i) => [r.leadId, results[i]]));
    const items = ids.map((leadId) => {
      const result = byLead.get(leadId);
      if (!result || isRouteFailure(result)) {
        return {
          leadId,
          ok: false as const,
          error: toErrorResponse(result ? result.error : (refused.get(leadId) ?? notFound(leadId))).body
            .error,
        };
      }
      deps.metrics.apiRoutes.inc({ outcome: result.decision.outcome, dry_run: String(dryRun) });
      try {
        assertRouted(result);
        return { ok: true as const, ...routeView(result, dryRun) };
      } catch (err) {
        return {
          leadId,
          ok: false as const,
          decisionId: result.decisionId,
          error: toErrorResponse(err).body.error,
        };
      }
    });
    res.json({
      dryRun,
      total: items.length,
      routed: items.filter((i) => i.ok).length,
      failed: items.filter((i) => !i.ok).length,
      results: items,
    });
  });
  return router;
}

const notFound = (leadId: string) =>
  new NotFoundError(
    `No lead with Id ${leadId} exists in the org.`,
    'Check the Id; the lead may have been deleted or merged.',
  );
