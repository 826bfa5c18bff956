import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { KEY_PREFIX } from '../../engine/salesforce-id.js';
import { RUN_ID } from '../../routing/reassignment.js';
import { BACKTEST_MAX_LEADS, TRIGGERS } from '../../routing/what-if.js';
import { actorOf, assertAdmin } from '../access.js';
import type { AppDeps } from '../app-context.js';
import { streamProgress, wantsProgress } from '../progress-stream.js';
import { parseRequest, salesforceId, strictBody } from '../validation.js';

export const reassignmentBody = strictBody({
  ownerId: z
    .string({ error: 'must be a user or queue Id' })
    .refine((v) => v.startsWith(KEY_PREFIX.user) || v.startsWith(KEY_PREFIX.queue), {
      message: `must be a user Id (${KEY_PREFIX.user}…) or a queue Id (${KEY_PREFIX.queue}…)`,
    })
    .pipe(
      z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce Id'),
    )
    .optional(),
  leadIds: z.array(salesforceId(KEY_PREFIX.lead)).min(1).max(BACKTEST_MAX_LEADS).optional(),
  trigger: z
    .enum([...TRIGGERS] as [string, ...string[]], { error: `must be one of ${[...TRIGGERS].join(', ')}` })
    .optional(),
  reason: z.string({ error: 'must be text' }).trim().min(1, 'must say why the leads move').max(1000),
  dryRun: z.boolean({ error: 'must be true or false' }).optional(),
  runId: z.string().regex(RUN_ID, 'must be 1 to 64 letters, digits, - or _').optional(),
}).refine((b) => (b.ownerId === undefined) !== (b.leadIds === undefined), {
  message: 'give either ownerId (move the leads this user or queue owns) or leadIds, not both',
  path: ['ownerId'],
});

/**
 * POST /v1/reassignments: bulk reassignment when a rep leaves or territories change. `dryRun` answers
 * where each lead would go against its owner today (nothing written); a real run moves the leads through
 * the flows in batches and answers its report. Admins only.
 */
export function reassignmentsRoute(deps: AppDeps): Router {
  const router = Router();
  router.post('/reassignments', async (req, res) => {
    const { body } = parseRequest(req, { body: reassignmentBody });
    const actor = actorOf(res);
    assertAdmin(actor, 'Reassigning leads in bulk');
    const selection = {
      ...(body.ownerId !== undefined ? { ownerId: body.ownerId } : {}),
      ...(body.leadIds !== undefined ? { leadIds: body.leadIds } : {}),
      ...(body.trigger !== undefined ? { trigger: body.trigger as never } : {}),
    };
    const run = (onProgress?: (progress: { done: number; total: number }) => void): Promise<unknown> =>
      body.dryRun
        ? deps.routing.reassignmentPreview(selection, onProgress)
        : deps.routing.reassign(
            { ...selection, runId: body.runId ?? randomUUID(), reason: body.reason, actorId: actor.id },
            onProgress,
          );
    if (wantsProgress(req)) {
      await streamProgress(res, run, body.dryRun ? 1000 : 200);
      return;
    }
    res.json(await run());
  });
  return router;
}
