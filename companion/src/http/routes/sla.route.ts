import { Router } from 'express';
import { z } from 'zod';
import { KEY_PREFIX, toId18 } from '../../engine/salesforce-id.js';
import type { LeadRecord } from '../../engine/model.js';
import { isRouteFailure } from '../../routing/route-request.js';
import { actorOf, assertAdmin, findLead } from '../access.js';
import type { AppDeps, SlaPort } from '../app-context.js';
import { ApiError } from '../http.errors.js';
import { leadParams, parseRequest, queryEnum, queryInt, strictBody } from '../validation.js';
import { OwnerNames, personName } from '../views.js';

export const rejectBody = strictBody({
  reason: z
    .string({ error: 'must be text' })
    .trim()
    .min(1, 'must say why you reject the lead (the next owner reads it)')
    .max(1000),
});

/** Why a lead has no clock: it waits in a queue, or no routing gave it to its owner since clocks began. */
export const NO_CLOCK_WHY = ['queue', 'not-routed'] as const;

function noClockWhy(lead: LeadRecord): (typeof NO_CLOCK_WHY)[number] {
  return lead.OwnerId?.startsWith(KEY_PREFIX.queue) ? 'queue' : 'not-routed';
}

export const SLA_REPORT_BY = ['rep', 'pool'] as const;
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed'] as const;

/**
 * The SLA clock of a lead (GET /v1/leads/{id}/sla), Accept and Reject for its owner, and for admins
 * the handoff report (GET /v1/sla/report) and the notifications (GET /v1/sla/notifications).
 */
export function slaRoute(deps: AppDeps): Router {
  const router = Router();
  const clocks = (): SlaPort => {
    if (!deps.sla)
      throw new ApiError(
        'UPSTREAM_UNAVAILABLE',
        'This instance keeps no SLA clocks (its background jobs are not running).',
        'Ask another instance, or start this one with its background jobs (npm start).',
      );
    return deps.sla;
  };

  router.get('/leads/:leadId/sla', async (req, res) => {
    const { params } = parseRequest(req, { params: leadParams });
    const lead = await findLead(deps.org, params.leadId);
    let view = await clocks().view(lead.Id);
    // A lead routed or converted a moment ago, whose decision the clocks have not followed yet (the
    // sweep follows them every minute): follow the decisions now, so the page shows its clock and owner.
    // A clock that already names the lead's owner is current, and a page load does no more.
    if (!view || view.owner.id !== lead.OwnerId || lead.IsConverted === true) {
      await clocks().followAll();
      view = await clocks().view(lead.Id);
    }
    if (view) return void res.json(view);
    // No clock is an answer, not an error: the lead page says why nothing will remind, reassign or escalate.
    res.json({ leadId: lead.Id, status: 'none', why: noClockWhy(lead) });
  });

  router.post('/leads/:leadId/sla/accept', async (req, res) => {
    const { params } = parseRequest(req, { params: leadParams });
    const actor = actorOf(res);
    const lead = await findLead(deps.org, params.leadId);
    res.json(await clocks().accept(lead.Id, toId18(actor.id) ?? actor.id));
  });

  router.post('/leads/:leadId/sla/reject', async (req, res) => {
    const { params, body } = parseRequest(req, { params: leadParams, body: rejectBody });
    const actor = actorOf(res);
    const lead = await findLead(deps.org, params.leadId);
    const result = await clocks().reject(lead.Id, toId18(actor.id) ?? actor.id, body.reason);
    if (isRouteFailure(result))
      throw new ApiError('UPSTREAM_UNAVAILABLE', result.error.message, 'Try again.');
    res.json({ decision: result.decision, status: result.status, clock: await clocks().view(lead.Id) });
  });

  router.get('/sla/report', async (req, res) => {
    const { query } = parseRequest(req, {
      query: z.object({ by: queryEnum(SLA_REPORT_BY).default('rep'), weeks: queryInt(4, 1, 52) }),
    });
    assertAdmin(actorOf(res), 'The handoff report');
    const rows = await clocks().report(query.by, query.weeks);
    const names =
      query.by === 'rep'
        ? await OwnerNames.load(
            deps.org,
            rows.map((r) => r.key),
          )
        : null;
    res.json({
      by: query.by,
      weeks: query.weeks,
      items: rows.map((r) => ({ ...r, name: names ? (names.owner(r.key)?.name ?? r.key) : r.key || null })),
    });
  });

  router.get('/sla/notifications', async (req, res) => {
    const { query } = parseRequest(req, {
      query: z.object({ status: queryEnum(NOTIFICATION_STATUSES), limit: queryInt(50, 1, 500) }),
    });
    assertAdmin(actorOf(res), 'The notification log');
    const items = await clocks().notifications({
      ...(query.status ? { status: query.status } : {}),
      limit: query.limit,
    });
    res.json({
      items: items.map((n) => ({
        ...n,
        recipientName: personName(deps.routing.org.directory, n.recipientId),
      })),
    });
  });

  return router;
}
