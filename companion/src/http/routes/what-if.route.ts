import express, { Router } from 'express';
import { z } from 'zod';
import { backtestCsv } from '../../engine/backtest.js';
import { FlowInvalidError } from '../../engine/flow/flow-loader.js';
import type { RoutingSet } from '../../engine/flow/routing-set.js';
import { formatIssue } from '../../engine/flow/yaml-source.js';
import { KEY_PREFIX } from '../../engine/salesforce-id.js';
import { FLOW_FOLDER_LIMITS } from '../../routing/flow-files.js';
import { filesHash } from '../../routing/set-changes.js';
import { BACKTEST_MAX_LEADS, TRIGGERS } from '../../routing/what-if.js';
import { actorOf, assertAdmin } from '../access.js';
import type { AppDeps } from '../app-context.js';
import { ValidationError } from '../http.errors.js';
import { streamProgress, wantsProgress } from '../progress-stream.js';
import { leadParams, parseRequest, salesforceId, strictBody } from '../validation.js';
import { flowView, ownerRef } from '../views.js';

/** The paths whose bodies carry a routing set, which may be larger than other requests' bodies. */
export const WHAT_IF_PATHS = ['/v1/backtests', '/v1/leads/:leadId/simulate'];
/** A routing set's files at their limit, with room for the JSON around them. */
export const whatIfBodyParser = express.json({
  limit: FLOW_FOLDER_LIMITS.maxTotalBytes + 256 * 1024,
  strict: true,
  type: 'application/json',
});

const triggerKind = z.enum([...TRIGGERS] as [string, ...string[]], {
  error: `must be one of ${[...TRIGGERS].join(', ')}`,
});

/** A routing set's files as the API takes them: [{ name, text }]. */
export const candidateFiles = z
  .array(
    strictBody({
      name: z.string({ error: 'must be text' }).min(1).max(200),
      text: z.string({ error: 'must be text' }),
    }),
    { error: 'must be a list of files, each {"name": "<file name>", "text": "<its YAML>"}' },
  )
  .max(FLOW_FOLDER_LIMITS.maxFlowFiles + 2, `must hold at most ${FLOW_FOLDER_LIMITS.maxFlowFiles + 2} files`);

const simulateBody = strictBody({
  trigger: strictBody({
    kind: triggerKind,
    changedFields: z.array(z.string().max(100)).max(100).optional(),
    job: z.string().max(100).optional(),
    reason: z.string().max(1000).optional(),
  }).optional(),
  candidate: candidateFiles.optional(),
});

const backtestBody = strictBody({
  candidate: candidateFiles,
  days: z.number({ error: 'must be a whole number of days' }).int().min(1).max(3660).optional(),
  leadIds: z.array(salesforceId(KEY_PREFIX.lead)).min(1).max(BACKTEST_MAX_LEADS).optional(),
  trigger: triggerKind.optional(),
}).refine((b) => (b.days === undefined) !== (b.leadIds === undefined), {
  message: 'give either days (look back this many days) or leadIds (exactly these leads), not both',
  path: ['days'],
});

/** The candidate set, or a 400 naming each problem as file:line: reason. */
function candidateOf(deps: AppDeps, files: Array<{ name: string; text: string }>): RoutingSet {
  try {
    return deps.routing.candidateSet(files.map((f) => ({ file: f.name, text: f.text })));
  } catch (error) {
    if (!(error instanceof FlowInvalidError)) throw error;
    throw new ValidationError(
      error.issues.map((issue) => ({ field: `candidate/${issue.file}`, message: formatIssue(issue) })),
    );
  }
}

/**
 * POST /v1/leads/{leadId}/simulate and POST /v1/backtests: an admin sees where leads would go under the
 * live routing set or a candidate, before anything goes live. Nothing is stored or written to the org.
 */
export function whatIfRoute(deps: AppDeps): Router {
  const router = Router();

  router.post('/leads/:leadId/simulate', async (req, res) => {
    const { params, body } = parseRequest(req, {
      params: leadParams,
      body: simulateBody,
    });
    assertAdmin(actorOf(res), 'Simulating routing');
    const candidate = body.candidate ? candidateOf(deps, body.candidate) : undefined;
    const trigger = body.trigger ?? { kind: 'created' };
    const decision = await deps.routing.simulate(
      params.leadId,
      { ...trigger, kind: trigger.kind as never, actorId: actorOf(res).id },
      candidate,
    );
    res.json({
      leadId: decision.leadId,
      set: candidate ? 'candidate' : 'live',
      trigger: decision.trigger,
      outcome: decision.outcome,
      owner: ownerRef(decision.owner),
      previousOwner: ownerRef(decision.previousOwner),
      flow: flowView(decision),
      summary: decision.summary,
      conversion: decision.conversion,
      fieldUpdates: decision.fieldUpdates,
      path: decision.path,
    });
  });

  router.post('/backtests', async (req, res) => {
    const { body } = parseRequest(req, { body: backtestBody });
    assertAdmin(actorOf(res), 'Backtesting routing');
    const candidate = candidateOf(deps, body.candidate);
    const scope = {
      ...(body.days !== undefined ? { days: body.days } : {}),
      ...(body.leadIds !== undefined ? { leadIds: body.leadIds } : {}),
      ...(body.trigger !== undefined ? { trigger: body.trigger as never } : {}),
    };
    const actor = actorOf(res);
    // Kept (the summary, who, against which live version) so the admin page shows it before a publish.
    const backtest = async (onProgress?: (p: { done: number; total: number }) => void) => {
      const result = await deps.routing.backtest(candidate, scope, onProgress);
      const backtestId = await deps.routing.keepBacktest(result, {
        author: { id: actor.id, name: actor.name },
        liveVersion: deps.versions?.versionInUse ?? null,
        candidate: Object.fromEntries(body.candidate.map((f) => [f.name, f.text])),
      });
      // The id the run is kept as, so its candidate is published by it (not by whichever run is newest then).
      return { ...result, backtestId };
    };
    if (wantsProgress(req)) {
      // Progress lines while it runs, then the result: a long backtest shows how far it is.
      await streamProgress(res, backtest);
      return;
    }
    const result = await backtest();
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      res.type('text/csv').attachment('backtest.csv').send(backtestCsv(result.rows));
      return;
    }
    res.json(result);
  });

  router.get('/backtests/latest', async (req, res) => {
    parseRequest(req, { query: z.object({}) });
    assertAdmin(actorOf(res), 'Reading the last backtest');
    const last = await deps.routing.backtestRun();
    const live = deps.versions ? await deps.versions.live() : null;
    // The files stay in the store: the page publishes them by the run's id (POST /v1/backtests/{id}/publish).
    const { candidate, ...summary } = last ?? { candidate: null };
    res.json({
      backtest: last ? { ...summary, candidateKept: candidate !== null } : null,
      live: live
        ? {
            version: live.version,
            sameAsCandidate: last ? filesHash(live.files) === last.candidateHash : false,
          }
        : null,
    });
  });

  return router;
}
