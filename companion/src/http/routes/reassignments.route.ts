import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { KEY_PREFIX } from '../../engine/salesforce-id.js';
import { FILTER_MAX_VALUES, LEAD_CHOICES } from '../../routing/lead-choice.js';
import { RUN_ID } from '../../routing/reassignment.js';
import { BACKTEST_MAX_LEADS, TRIGGERS } from '../../routing/what-if.js';
import { actorOf, assertAdmin } from '../access.js';
import type { AppDeps } from '../app-context.js';
import { streamProgress, wantsProgress } from '../progress-stream.js';
import { parseRequest, salesforceId, strictBody } from '../validation.js';

const ownerIdSchema = z
  .string({ error: 'must be a user or queue Id' })
  .refine((v) => v.startsWith(KEY_PREFIX.user) || v.startsWith(KEY_PREFIX.queue), {
    message: `must be a user Id (${KEY_PREFIX.user}…) or a queue Id (${KEY_PREFIX.queue}…)`,
  })
  .pipe(
    z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce Id'),
  );

/** A Lead field's values to match: Salesforce's text fields and picklist values hold at most 255 characters. */
const fieldValues = z
  .array(z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(255), {
    error: 'must be a list of values',
  })
  .min(1, 'list at least one value')
  .max(FILTER_MAX_VALUES);

const dateText = z
  .string({ error: 'must be a day (2026-06-30) or an instant (2026-06-30T12:00:00Z)' })
  .max(40);

export const reassignmentBody = strictBody({
  ownerId: ownerIdSchema.optional(),
  leadIds: z.array(salesforceId(KEY_PREFIX.lead)).min(1).max(BACKTEST_MAX_LEADS).optional(),
  pool: z.string({ error: 'must be the name of a pool' }).trim().min(1).max(100).optional(),
  territory: strictBody({
    table: z.string({ error: 'must be the name of a territory table' }).trim().min(1).max(100),
    row: z
      .number({ error: 'must be the number of a row, from 1' })
      .int('must be a whole number')
      .min(1, 'rows count from 1')
      .max(100_000),
  }).optional(),
  filter: strictBody({
    ownerId: ownerIdSchema.optional(),
    statuses: fieldValues.optional(),
    countries: fieldValues.optional(),
    states: fieldValues.optional(),
    leadSources: fieldValues.optional(),
    createdSince: dateText.optional(),
    createdBefore: dateText.optional(),
  }).optional(),
  trigger: z
    .enum([...TRIGGERS] as [string, ...string[]], { error: `must be one of ${[...TRIGGERS].join(', ')}` })
    .optional(),
  reason: z.string({ error: 'must be text' }).trim().min(1, 'must say why the leads move').max(1000),
  dryRun: z.boolean({ error: 'must be true or false' }).optional(),
  runId: z.string().regex(RUN_ID, 'must be 1 to 64 letters, digits, - or _').optional(),
}).refine((b) => LEAD_CHOICES.filter((way) => b[way] !== undefined).length === 1, {
  message: `choose the leads one way: give exactly one of ${LEAD_CHOICES.join(', ')}`,
  path: ['ownerId'],
});

/** The filter as the routing layer takes it: fields left out are absent, not undefined. */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

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
      ...(body.pool !== undefined ? { pool: body.pool } : {}),
      ...(body.territory !== undefined ? { territory: body.territory } : {}),
      ...(body.filter !== undefined ? { filter: withoutUndefined(body.filter) } : {}),
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
