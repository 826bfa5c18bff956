import { Router } from 'express';
import { z } from 'zod';
import { FlowInvalidError } from '../../engine/flow/flow-loader.js';
import { formatIssue } from '../../engine/flow/yaml-source.js';
import {
  VersionConflictError,
  whenStored,
  type RoutingFiles,
  type StoredVersion,
} from '../../routing/routing-versions.js';
import { actorOf, assertAdmin } from '../access.js';
import type { AppDeps, RoutingVersionsPort } from '../app-context.js';
import { ApiError, changeRefused, NotFoundError, ValidationError } from '../http.errors.js';
import { parseRequest, queryInt, queryText, strictBody } from '../validation.js';
import { candidateFiles } from './what-if.route.js';

/** The paths whose bodies carry a routing set. */
export const VERSION_PATHS = ['/v1/flows/publish', '/v1/flows/import'];
/** What an export says it is, so an import knows the file. */
export const EXPORT_FORMAT = 'switchyard-routing-set';
/** The highest version number the API takes. */
export const MAX_VERSION = 2_000_000_000;
export const REASON_MAX = 1000;

/** Why a change is made, kept with its version. */
export const reason = z
  .string({ error: 'must be text saying why' })
  .trim()
  .min(1, 'say why, in a few words')
  .max(REASON_MAX, `must be at most ${REASON_MAX} characters`);
export const versionNumber = z
  .number({ error: 'must be a version number' })
  .int('must be a whole number')
  .min(1, 'versions start at 1')
  .max(MAX_VERSION);

const publishBody = strictBody({
  files: candidateFiles,
  reason,
  baseVersion: versionNumber,
  dryRun: z.boolean().optional(),
});
const importBody = strictBody({
  files: candidateFiles,
  reason,
  baseVersion: versionNumber.optional(),
  dryRun: z.boolean().optional(),
});
const rollbackBody = strictBody({
  reason,
  baseVersion: versionNumber.optional(),
  dryRun: z.boolean().optional(),
});
const publishBacktestBody = strictBody({ reason, dryRun: z.boolean().optional() });
const backtestParam = z.object({
  backtestId: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, 'must be a backtest number')
    .transform(Number)
    .refine((n) => n <= MAX_VERSION, 'no such backtest'),
});
const versionParam = z.object({
  version: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, 'must be a version number')
    .transform(Number)
    .refine((n) => n <= MAX_VERSION, 'no such version'),
});

/** Files as the API sends them: [{ name, text }], in the order the set lists them. */
export const fileList = (files: RoutingFiles) =>
  Object.entries(files).map(([name, text]) => ({ name, text }));

/** Sent files as the store keeps them, or a 400 naming a file sent twice. */
function filesFrom(sent: Array<{ name: string; text: string }>): RoutingFiles {
  const files: RoutingFiles = {};
  const twice: string[] = [];
  sent.forEach(({ name, text }, i) => {
    if (Object.hasOwn(files, name)) twice.push(`files.${i}`);
    files[name] = text;
  });
  if (twice.length > 0)
    throw new ValidationError(
      twice.map((field) => ({ field, message: 'names a file sent before: send each file once' })),
    );
  return files;
}

/** The files' problems, each as file:line:column path: reason, in a 400. */
async function checked<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof FlowInvalidError)) throw error;
    throw new ValidationError(
      error.issues.map((issue) => ({ field: `files/${issue.file}`, message: formatIssue(issue) })),
    );
  }
}

function versionView(v: StoredVersion, withFiles: boolean) {
  const { files, ...info } = v;
  return withFiles ? { ...info, files: fileList(files) } : info;
}

/**
 * The routing set's versions (admins only): the history with each change's diff, one version with
 * its files, the live set's export, publishing a set edited from a version or a backtested candidate,
 * importing one from another environment, and rolling back. Each change is stored with who, when and why, and routing uses it
 * for its next decision.
 */
export function flowVersionsRoute(deps: AppDeps & { versions: RoutingVersionsPort }): Router {
  const router = Router();
  const { versions } = deps;
  const author = (res: Parameters<typeof actorOf>[0]) => {
    const actor = actorOf(res);
    return { id: actor.id, name: actor.name };
  };

  router.get('/flows/versions', async (req, res) => {
    const { query } = parseRequest(req, {
      query: z.object({
        limit: queryInt(20, 1, 200),
        before: queryInt(MAX_VERSION, 1, MAX_VERSION),
        file: queryText(200),
      }),
    });
    assertAdmin(actorOf(res), 'Reading the routing versions');
    const items = await versions.list(query.limit, query.before, query.file || undefined);
    res.json({ live: versions.versionInUse, items });
  });

  router.get('/flows/versions/:version', async (req, res) => {
    const { params } = parseRequest(req, { params: versionParam });
    assertAdmin(actorOf(res), 'Reading a routing version');
    res.json(versionView(await versions.get(params.version), true));
  });

  router.get('/flows/export', async (_req, res) => {
    assertAdmin(actorOf(res), 'Exporting the routing set');
    const live = await versions.live();
    res.json({ format: EXPORT_FORMAT, ...versionView(live, true) });
  });

  router.post('/flows/publish', async (req, res) => {
    const { body } = parseRequest(req, { body: publishBody });
    assertAdmin(actorOf(res), 'Publishing routing');
    const answer = await checked(() =>
      versions.publish({
        files: filesFrom(body.files),
        author: author(res),
        reason: body.reason,
        action: 'publish',
        baseVersion: body.baseVersion,
        ...(body.dryRun ? { dryRun: true } : {}),
      }),
    );
    res.status(answer.published ? 201 : 200).json(answer);
  });

  router.post('/flows/import', async (req, res) => {
    const { body } = parseRequest(req, { body: importBody });
    assertAdmin(actorOf(res), 'Importing routing');
    const answer = await checked(() =>
      versions.publish({
        files: filesFrom(body.files),
        author: author(res),
        reason: body.reason,
        action: 'import',
        ...(body.baseVersion !== undefined ? { baseVersion: body.baseVersion } : {}),
        ...(body.dryRun ? { dryRun: true } : {}),
      }),
    );
    res.status(answer.published ? 201 : 200).json(answer);
  });

  router.post('/flows/versions/:version/rollback', async (req, res) => {
    const { params, body } = parseRequest(req, { params: versionParam, body: rollbackBody });
    assertAdmin(actorOf(res), 'Rolling back routing');
    const answer = await checked(() =>
      versions.rollback({
        to: params.version,
        author: author(res),
        reason: body.reason,
        ...(body.baseVersion !== undefined ? { baseVersion: body.baseVersion } : {}),
        ...(body.dryRun ? { dryRun: true } : {}),
      }),
    );
    res.status(answer.published ? 201 : 200).json(answer);
  });

  // The candidate the admin page shows the last backtest of, published as it was backtested: over the
  // version it was compared with, so a version stored since (another admin's) is never undone unseen.
  router.post('/backtests/:backtestId/publish', async (req, res) => {
    const { params, body } = parseRequest(req, { params: backtestParam, body: publishBacktestBody });
    assertAdmin(actorOf(res), 'Publishing a backtested candidate');
    const id = params.backtestId;
    const run = await deps.routing.backtestRun(id);
    if (!run) {
      throw new NotFoundError(
        `There is no backtest ${id}: only the newest 100 backtests are kept.`,
        'Run the backtest of your candidate again (npm run cli -- backtest --candidate <folder>) and publish that one.',
      );
    }
    if (!run.candidate) {
      const newest = await deps.routing.backtestRun();
      throw new NotFoundError(
        `Backtest ${id} no longer holds its candidate's files: only the newest backtest keeps them` +
          (newest
            ? ` (backtest ${newest.id}, run by ${newest.author.name} at ${whenStored(newest.ranAt)}).`
            : '.'),
        'Publish the newest backtest, or run the backtest of your candidate again and publish that one.',
      );
    }
    if (run.liveVersion === null) {
      throw new ApiError(
        'VERSION_CONFLICT',
        `Backtest ${id} was not compared with a stored version of the routing set, so it says nothing about publishing over the live one.`,
        'Run the backtest of your candidate again and publish that one.',
      );
    }
    try {
      const answer = await versions.publish({
        files: run.candidate,
        author: author(res),
        reason: body.reason,
        action: 'publish',
        baseVersion: run.liveVersion,
        ...(body.dryRun ? { dryRun: true } : {}),
      });
      res.status(answer.published ? 201 : 200).json({ ...answer, backtest: id });
    } catch (error) {
      if (error instanceof VersionConflictError) {
        throw new ApiError(
          'VERSION_CONFLICT',
          `Backtest ${id} compared the candidate with version ${error.base}. ${error.message}`,
          `Run the backtest again, against version ${error.live.version}, and publish that one if its figures still suit you.`,
        );
      }
      if (error instanceof FlowInvalidError) {
        throw changeRefused(
          error.issues,
          "The org changed since the backtest: correct the candidate's files, run the backtest again and publish that one.",
        );
      }
      throw error;
    }
  });

  return router;
}
