import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { FlowInvalidError } from '../../engine/flow/flow-loader.js';
import type { PoolDefinition } from '../../engine/distribution/distribution.types.js';
import { OrgPeople } from '../../engine/flow/org-people.js';
import type { UserRecord } from '../../engine/model.js';
import { KEY_PREFIX } from '../../engine/salesforce-id.js';
import {
  describePoolChange,
  editPools,
  type MemberSettings,
  type PoolChange,
} from '../../routing/pool-changes.js';
import { actorOf, assertAdmin } from '../access.js';
import type { AppDeps, RoutingVersionsPort } from '../app-context.js';
import { changeRefused, NotFoundError, ValidationError } from '../http.errors.js';
import { parseRequest, queryBoolean, queryInt, queryText, salesforceId, strictBody } from '../validation.js';
import { personName } from '../views.js';
import { MAX_VERSION, reason, REASON_MAX, versionNumber } from './flow-versions.route.js';

const count = (what: string) =>
  z.number({ error: `must be a whole number of ${what}` }).int(`must be a whole number of ${what}`);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a calendar day, YYYY-MM-DD');
const settings = {
  weight: z.number({ error: 'must be a number' }).nullable().optional(),
  capPerHour: count('leads').nullable().optional(),
  capPerDay: count('leads').nullable().optional(),
  maxOpenLoad: count('leads').nullable().optional(),
  paused: z.boolean().optional(),
};
const poolParams = z.object({ pool: z.string().regex(/^[\w.-]{1,100}$/, 'must be a pool name') });
const memberParams = poolParams.extend({ userId: salesforceId(KEY_PREFIX.user) });
/** A member named in the path by username or email, as pools.yaml names people (an Id has no @). */
const namedMemberParams = poolParams.extend({ userId: z.string().max(200) });
const memberParamsOf = (req: Request) =>
  String(req.params['userId'] ?? '').includes('@') ? namedMemberParams : memberParams;

const addBody = strictBody({
  userId: salesforceId(KEY_PREFIX.user).optional(),
  /** The person by username or email, as the routing set names people (the admin page's field). */
  user: z.string({ error: 'must be a username or email' }).trim().min(1).max(200).optional(),
  ...settings,
  reason,
  baseVersion: versionNumber.optional(),
  dryRun: z.boolean().optional(),
});
const memberBody = strictBody({
  ...settings,
  away: strictBody({ from: day, to: day }).nullable().optional(),
  reason,
  baseVersion: versionNumber.optional(),
  dryRun: z.boolean().optional(),
});
const poolBody = strictBody({
  paused: z.boolean({ error: 'must be true or false' }).optional(),
  catchUp: strictBody({ leads: count('leads'), withinDays: count('days') })
    .nullable()
    .optional(),
  reason,
  baseVersion: versionNumber.optional(),
  dryRun: z.boolean().optional(),
});
/** How many of the next assignments a pool change shows before and after. */
export const POOL_LINE_LENGTH = 12;

const settingsOf = (body: MemberSettings): MemberSettings => {
  const out: MemberSettings = {};
  for (const key of ['weight', 'capPerHour', 'capPerDay', 'maxOpenLoad', 'paused'] as const)
    if (body[key] !== undefined) (out as Record<string, unknown>)[key] = body[key];
  return out;
};

/**
 * The pools as data a manager changes (admins only): add or remove a rep, change a weight or a cap,
 * mark someone out of office from a day to a day, pause a member or the pool. Each change edits
 * `pools.yaml` of the live version, is checked with the whole set against the org, and is stored as
 * the next version (who, when, why, the diff); routing uses it for its next decision.
 */
export function poolsRoute(deps: AppDeps & { versions: RoutingVersionsPort }): Router {
  const router = Router();
  const { versions } = deps;

  const userOf = async (id: string): Promise<UserRecord> => {
    const user = await deps.org.getUser(id);
    if (!user)
      throw new NotFoundError(
        `No user with Id ${id} exists in the org.`,
        'Check the Id (005…) of the person.',
      );
    return user;
  };

  /** A person as routing sets name them: username or email (or Id). */
  const userNamed = (written: string): UserRecord => {
    const directory = deps.routing.org.directory;
    const found = new OrgPeople(directory.users(), directory.queues()).user(written);
    if (!found.ok)
      throw new NotFoundError(
        `No such person: ${found.message}.`,
        'Give their username or email as Salesforce has it.',
      );
    return directory.user(found.id)!;
  };

  /** The member the path names: by user Id, or by username or email. */
  const memberOf = (written: string): Promise<UserRecord> | UserRecord =>
    written.includes('@') ? userNamed(written) : userOf(written);

  /**
   * Who gets the pool's next leads now and with the change, from its stored state: `now` as routing
   * has the pool, `changed` as the changed set has it (the change's effect is the edit of pools.yaml
   * alone, loaded as the set is checked).
   */
  const nextAssignments = async (now: PoolDefinition | undefined, changed: PoolDefinition) => {
    const named = (line: string[]) =>
      line.map((userId) => ({ userId, name: personName(deps.routing.org.directory, userId) }));
    const lines = await deps.routing.poolLines(now ? [now, changed] : [changed], POOL_LINE_LENGTH);
    return { before: named(now ? lines[0]! : []), after: named(lines.at(-1)!) };
  };

  /**
   * Stores the change as the next version, answering who gets the pool's next leads now and with it;
   * with `dryRun`, only answers. With `baseVersion` (the `previous` its dry run answered), refused with
   * VERSION_CONFLICT when someone stored another version since the preview.
   */
  const apply = async (
    res: Response,
    change: PoolChange,
    body: { reason: string; baseVersion?: number | undefined; dryRun?: boolean | undefined },
  ) => {
    const actor = actorOf(res);
    // Read before a stored change replaces it.
    const now = deps.routing.routingSet.pools.get(change.pool);
    try {
      const { answer, changed } = await versions.change({
        author: { id: actor.id, name: actor.name },
        reason: `${describePoolChange(change)}: ${body.reason}`,
        action: 'pool-change',
        edit: (files) => ({ ...files, 'pools.yaml': editPools(files['pools.yaml'] ?? '', change) }),
        ...(body.baseVersion !== undefined ? { baseVersion: body.baseVersion } : {}),
        ...(body.dryRun ? { dryRun: true } : {}),
      });
      // editPools found the pool, so the changed set has it.
      const pool = changed.pools.get(change.pool)!;
      res.status(answer.published ? 201 : 200).json({
        ...answer,
        summary: describePoolChange(change),
        nextAssignments: await nextAssignments(now, pool),
      });
    } catch (error) {
      if (!(error instanceof FlowInvalidError)) throw error;
      throw changeRefused(error.issues, 'Correct the setting and try again.');
    }
  };

  router.get('/pools', async (req, res) => {
    parseRequest(req, { query: z.object({ q: queryText(100) }) });
    assertAdmin(actorOf(res), 'Reading the pools');
    const set = deps.routing.routingSet;
    const directory = deps.routing.org.directory;
    const status = new Map((await deps.routing.poolStatus()).map((s) => [s.pool, s]));
    res.json({
      version: versions.versionInUse,
      items: [...set.pools.values()].map((pool) => ({
        name: pool.name,
        label: pool.label ?? null,
        strategy: pool.strategy,
        paused: pool.paused ?? false,
        catchUp: pool.catchUp ?? null,
        next: status.get(pool.name)?.next ?? null,
        nextName: personName(directory, status.get(pool.name)?.next),
        nextReason: status.get(pool.name)?.reason ?? null,
        members: pool.members.map((m) => ({
          userId: m.userId,
          name: personName(directory, m.userId),
          active: directory.user(m.userId)?.IsActive ?? false,
          weight: m.weight ?? 1,
          capPerHour: m.capPerHour ?? null,
          capPerDay: m.capPerDay ?? null,
          maxOpenLoad: m.maxOpenLoad ?? null,
          paused: m.paused ?? false,
          away: m.away ?? [],
          assigned: status.get(pool.name)?.assigned[m.userId] ?? 0,
          turnsToday: status.get(pool.name)?.turnsToday[m.userId] ?? 0,
          openLeads: status.get(pool.name)?.openLeads[m.userId] ?? null,
          skipped: status.get(pool.name)?.skipped.find((s) => s.userId === m.userId)?.reason ?? null,
        })),
      })),
    });
  });

  router.post('/pools/:pool/members', async (req, res) => {
    const { params, body } = parseRequest(req, { params: poolParams, body: addBody });
    assertAdmin(actorOf(res), 'Changing a pool');
    if ((body.userId === undefined) === (body.user === undefined))
      throw new ValidationError([
        { field: 'body', message: 'give the person as userId or as user, not both' },
      ]);
    const user = body.userId !== undefined ? await userOf(body.userId) : userNamed(body.user!);
    await apply(res, { kind: 'add', pool: params.pool, user, settings: settingsOf(body) }, body);
  });

  router.patch('/pools/:pool/members/:userId', async (req, res) => {
    const { params, body } = parseRequest(req, { params: memberParamsOf(req), body: memberBody });
    assertAdmin(actorOf(res), 'Changing a pool');
    const user = await memberOf(params.userId);
    const s = settingsOf(body);
    const changes: PoolChange[] = [];
    if (Object.keys(s).length > 0) changes.push({ kind: 'update', pool: params.pool, user, settings: s });
    if (body.away === null) changes.push({ kind: 'back', pool: params.pool, user });
    else if (body.away) changes.push({ kind: 'away', pool: params.pool, user, ...body.away });
    if (changes.length !== 1) {
      throw new ValidationError([
        {
          field: 'body',
          message:
            'give either settings (weight, capPerHour, capPerDay, maxOpenLoad, paused) or away, one change at a time',
        },
      ]);
    }
    await apply(res, changes[0]!, body);
  });

  router.delete('/pools/:pool/members/:userId', async (req, res) => {
    const { params, query } = parseRequest(req, {
      params: memberParamsOf(req),
      query: z.object({
        reason: queryText(REASON_MAX).pipe(z.string().min(1, 'say why, in a few words')),
        // As the other pool changes take them in the body; a DELETE has none.
        baseVersion: queryInt(0, 1, MAX_VERSION),
        dryRun: queryBoolean,
      }),
    });
    assertAdmin(actorOf(res), 'Changing a pool');
    const user = await memberOf(params.userId);
    await apply(
      res,
      { kind: 'remove', pool: params.pool, user },
      {
        reason: query.reason,
        ...(query.baseVersion > 0 ? { baseVersion: query.baseVersion } : {}),
        dryRun: query.dryRun,
      },
    );
  });

  router.patch('/pools/:pool', async (req, res) => {
    const { params, body } = parseRequest(req, { params: poolParams, body: poolBody });
    assertAdmin(actorOf(res), 'Changing a pool');
    if ((body.paused === undefined) === (body.catchUp === undefined)) {
      throw new ValidationError([
        { field: 'body', message: 'give either paused or catchUp, one change at a time' },
      ]);
    }
    const change: PoolChange =
      body.paused !== undefined
        ? { kind: body.paused ? 'pause' : 'resume', pool: params.pool }
        : { kind: 'catch-up', pool: params.pool, catchUp: body.catchUp ?? null };
    await apply(res, change, body);
  });

  return router;
}
