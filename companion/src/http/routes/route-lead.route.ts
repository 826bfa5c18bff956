import { Router } from 'express';
import { z } from 'zod';
import { actorOf, assertMayReroute } from '../access.js';
import type { AppDeps, RouteResult } from '../app-context.js';
import { ApiError, STATUS_BY_CODE, type ApiErrorCode } from '../http.errors.js';
import { callerGone } from '../in-flight-limit.js';
import { RouteCoalescer } from '../route-coalescer.js';
import { leadParams, parseRequest, strictBody } from '../validation.js';
import { routeView } from '../views.js';

export const REASON_MAX = 1000;
export const IDEMPOTENCY_KEY_MAX = 200;

export const routeLeadBody = strictBody({
  reason: z
    .string({ error: 'must be text' })
    .max(REASON_MAX, `must be at most ${REASON_MAX} characters`)
    .optional(),
  dryRun: z.boolean({ error: 'must be true or false' }).optional(),
  /**
   * What to run: the re-route flow (default), or inbound routing as when the lead arrived ("created"),
   * which is how a demo lead shows an inbound rule.
   */
  trigger: z.enum(['reroute', 'created'], { error: 'must be "reroute" or "created"' }).optional(),
});

/** A retried request with the same key gets the same decision back, never a second pick. */
export const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1, 'must not be empty')
    .max(IDEMPOTENCY_KEY_MAX, `must be at most ${IDEMPOTENCY_KEY_MAX} characters`)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
});

/**
 * A refusal or a write that did not happen becomes an error the rep can act on; a decision that
 * was applied (or is waiting in the outbox for a retry) is the answer.
 */
export function assertRouted(result: RouteResult): void {
  const d = result.decision;
  if (d.outcome === 'refused') {
    const code: ApiErrorCode =
      d.refusal &&
      Object.hasOwn(STATUS_BY_CODE, d.refusal.code) &&
      STATUS_BY_CODE[d.refusal.code as ApiErrorCode] === 409
        ? (d.refusal.code as ApiErrorCode)
        : 'LEAD_NOT_ELIGIBLE';
    throw new ApiError(
      code,
      d.refusal?.message ?? d.summary,
      d.refusal?.action ?? 'Ask your RevOps admin whether this lead should be routed another way.',
    );
  }
  if (result.status === 'stale') {
    throw new ApiError(
      'STALE_DECISION',
      "Someone changed the lead's owner while Switchyard was routing it, so Switchyard changed nothing.",
      'Reload the lead and re-route it again if it still needs it.',
    );
  }
  if (result.status === 'failed') {
    const words = result.errors.map((e) => e.message).join(' ');
    throw new ApiError(
      'UPSTREAM_UNAVAILABLE',
      `Salesforce refused the change${words ? `: ${words}` : '.'}`,
      'Ask your Salesforce admin to fix what Salesforce names, then re-route the lead again.',
    );
  }
}

/** POST /v1/leads/{leadId}/route: re-route one lead now (or run inbound routing for it), or see where it would go (dryRun). */
export function routeLeadRoute(deps: AppDeps): Router {
  const router = Router();
  const coalescer = new RouteCoalescer(deps.routing, {
    onApplyError: (error) =>
      deps.logger.error(
        { err: error },
        'Applying re-routes failed after their commit; the outbox retries them.',
      ),
  });
  router.post('/leads/:leadId/route', async (req, res) => {
    const gone = callerGone(res);
    const { params, body, headers } = parseRequest(req, {
      params: leadParams,
      body: routeLeadBody,
      headers: idempotencyHeader,
    });
    const actor = actorOf(res);
    await assertMayReroute(deps.org, actor, params.leadId);
    const dryRun = body.dryRun ?? false;
    const kind = body.trigger ?? 'reroute';
    const key = headers['idempotency-key'];
    const result = await coalescer.route(
      {
        leadId: params.leadId,
        trigger: { kind, reason: body.reason?.trim() || null, actorId: actor.id },
        dryRun,
        // Scoped to the lead and the kind of request, so one key reused elsewhere never returns this decision.
        ...(key ? { requestKey: `${kind}:${params.leadId}:${dryRun ? 'dry' : 'live'}:${key}` } : {}),
      },
      gone,
    );
    deps.metrics.apiRoutes.inc({ outcome: result.decision.outcome, dry_run: String(dryRun) });
    assertRouted(result);
    res.json(routeView(result, dryRun));
  });
  return router;
}
