import { Router } from 'express';
import { z } from 'zod';
import { KEY_PREFIX } from '../../engine/salesforce-id.js';
import { PICTURE_MAX_DAYS } from '../../routing/flow-picture.js';
import { actorOf, assertAdmin } from '../access.js';
import type { AppDeps } from '../app-context.js';
import { parseRequest, salesforceId } from '../validation.js';

const pictureQuery = z.strictObject({
  days: z.coerce
    .number({ error: 'must be a whole number of days' })
    .int('must be a whole number of days')
    .min(1)
    .max(PICTURE_MAX_DAYS)
    .optional(),
  leadId: salesforceId(KEY_PREFIX.lead).optional(),
});

const flowParams = z.object({
  flow: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a flow name, e.g. partner-routing'),
});

/**
 * GET /v1/flows/{flow}/picture.svg: a live flow as SVG for admins, optionally with how many leads took
 * each edge over the last `days` days and one lead's newest path through it highlighted.
 */
export function flowPictureRoute(deps: AppDeps): Router {
  const router = Router();
  router.get('/flows/:flow/picture.svg', async (req, res) => {
    const { params, query } = parseRequest(req, {
      params: flowParams,
      query: pictureQuery,
    });
    assertAdmin(actorOf(res), 'Drawing a flow');
    const svg = await deps.routing.flowPicture({
      flow: params.flow,
      ...(query.days !== undefined ? { days: query.days } : {}),
      ...(query.leadId !== undefined ? { leadId: query.leadId } : {}),
    });
    res.type('image/svg+xml').set('Cache-Control', 'no-store').send(svg);
  });
  return router;
}
