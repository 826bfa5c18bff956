import { Router, type Response } from 'express';
import { z } from 'zod';
import { FlowInvalidError } from '../../engine/flow/flow-loader.js';
import { OrgPeople } from '../../engine/flow/org-people.js';
import {
  checkRowPeople,
  describeRow,
  describeTerritoryChange,
  editTerritories,
  territoryTables,
  type TerritoryChange,
  type TerritoryRowInput,
} from '../../routing/territory-changes.js';
import { actorOf, assertAdmin } from '../access.js';
import type { AppDeps, RoutingVersionsPort } from '../app-context.js';
import { changeRefused } from '../http.errors.js';
import { parseRequest, queryInt, queryText, strictBody } from '../validation.js';
import { reason, REASON_MAX, versionNumber } from './flow-versions.route.js';

const TERRITORIES = 'territories.yaml';
/** At most this many values in one criterion of a row, each at most 100 characters. */
const VALUES_MAX = 200;

const values = (what: string) =>
  z
    .array(z.string({ error: `each ${what} must be text` }).max(100, 'must be at most 100 characters'), {
      error: `must be a list of ${what} values`,
    })
    .max(VALUES_MAX, `must list at most ${VALUES_MAX} values`)
    .optional();
const employees = z
  .number({ error: 'must be a whole number of employees' })
  .int('must be a whole number of employees')
  .min(0, 'must be 0 or more')
  .optional();
const name = z.string({ error: 'must be a name' }).trim().min(1, 'must not be empty').max(200);
const rowSchema = strictBody({
  region: values('region'),
  country: values('country'),
  state: values('state'),
  postalCode: values('postal code'),
  industry: values('industry'),
  employees: strictBody({ min: employees, max: employees }).optional(),
  assign: strictBody({ pool: name.optional(), queue: name.optional(), user: name.optional() }).refine(
    (a) => [a.pool, a.queue, a.user].filter((v) => v !== undefined).length === 1,
    'give exactly one of pool, queue or user',
  ),
});
const rowNumber = z
  .number({ error: 'must be a row number' })
  .int('must be a whole number')
  .min(1)
  .max(10_000);
const addBody = strictBody({
  row: rowSchema,
  at: rowNumber.optional(),
  reason,
  baseVersion: versionNumber.optional(),
  dryRun: z.boolean().optional(),
});
const editBody = strictBody({
  row: rowSchema,
  reason,
  baseVersion: versionNumber.optional(),
  dryRun: z.boolean().optional(),
});
const tableParams = z.object({
  table: z.string().regex(/^[\w.-]{1,100}$/, 'must be a territory table name'),
});
const rowParams = tableParams.extend({
  row: z
    .string()
    .regex(/^[1-9]\d{0,4}$/, 'must be a row number, counted from 1')
    .transform(Number),
});

/** A row as sent, without the keys zod leaves undefined. */
const rowInput = (row: z.output<typeof rowSchema>): TerritoryRowInput =>
  JSON.parse(JSON.stringify(row)) as TerritoryRowInput;

/**
 * The territory tables as data a manager changes (admins only): list them, add a row, edit one,
 * remove one. Each change edits `territories.yaml` of the live version, is checked (a person who does
 * not exist or is inactive, an unknown country or region, a row overlapping another) with the whole
 * set against the org, and is stored as the next version (who, when, why, the diff); routing uses it
 * for its next decision.
 */
export function territoriesRoute(deps: AppDeps & { versions: RoutingVersionsPort }): Router {
  const router = Router();
  const { versions } = deps;
  const people = () => new OrgPeople(deps.routing.org.directory.users(), deps.routing.org.directory.queues());

  const apply = async (
    res: Response,
    change: TerritoryChange,
    body: { reason: string; baseVersion?: number | undefined; dryRun?: boolean | undefined },
  ) => {
    const actor = actorOf(res);
    try {
      const { answer } = await versions.change({
        author: { id: actor.id, name: actor.name },
        reason: `${describeTerritoryChange(change)}: ${body.reason}`,
        action: 'territory-change',
        edit: (files) => ({ ...files, [TERRITORIES]: editTerritories(files[TERRITORIES] ?? '', change) }),
        ...(body.baseVersion !== undefined ? { baseVersion: body.baseVersion } : {}),
        ...(body.dryRun ? { dryRun: true } : {}),
      });
      res.status(answer.published ? 201 : 200).json({ ...answer, summary: describeTerritoryChange(change) });
    } catch (error) {
      if (!(error instanceof FlowInvalidError)) throw error;
      throw changeRefused(error.issues, 'Correct the row and save it again.');
    }
  };

  router.get('/territories', async (req, res) => {
    parseRequest(req, { query: z.object({ q: queryText(100) }) });
    assertAdmin(actorOf(res), 'Reading the territories');
    const live = await versions.live();
    const org = people();
    const directory = deps.routing.org.directory;
    const pools = deps.routing.routingSet.pools;
    const targetOf = (assign: TerritoryRowInput['assign']) => {
      if (assign.pool !== undefined)
        return { kind: 'pool', written: assign.pool, name: pools.get(assign.pool)?.label ?? assign.pool };
      if (assign.queue !== undefined) {
        const found = org.queue(assign.queue);
        return {
          kind: 'queue',
          written: assign.queue,
          name: found.ok ? (directory.queue(found.id)?.Name ?? assign.queue) : null,
        };
      }
      const found = org.user(assign.user ?? '');
      const user = found.ok ? directory.user(found.id) : undefined;
      return {
        kind: 'user',
        written: assign.user ?? '',
        name: user?.Name ?? null,
        active: user?.IsActive ?? false,
      };
    };
    res.json({
      version: live.version,
      items: territoryTables(live.files[TERRITORIES] ?? '').map((table) => ({
        name: table.name,
        rows: table.rows.map((row, i) => ({
          row: i + 1,
          ...row,
          words: describeRow(row),
          target: targetOf(row.assign ?? {}),
        })),
      })),
    });
  });

  router.post('/territories/:table/rows', async (req, res) => {
    const { params, body } = parseRequest(req, { params: tableParams, body: addBody });
    assertAdmin(actorOf(res), 'Changing a territory');
    const row = rowInput(body.row);
    checkRowPeople(row, people());
    await apply(
      res,
      { kind: 'add', table: params.table, row, ...(body.at !== undefined ? { at: body.at } : {}) },
      body,
    );
  });

  router.put('/territories/:table/rows/:row', async (req, res) => {
    const { params, body } = parseRequest(req, { params: rowParams, body: editBody });
    assertAdmin(actorOf(res), 'Changing a territory');
    const row = rowInput(body.row);
    checkRowPeople(row, people());
    await apply(res, { kind: 'edit', table: params.table, row: params.row, to: row }, body);
  });

  router.delete('/territories/:table/rows/:row', async (req, res) => {
    const { params, query } = parseRequest(req, {
      params: rowParams,
      query: z.object({
        reason: queryText(REASON_MAX).pipe(z.string().min(1, 'say why, in a few words')),
        baseVersion: queryInt(0, 0, 2_000_000_000),
      }),
    });
    assertAdmin(actorOf(res), 'Changing a territory');
    await apply(
      res,
      { kind: 'remove', table: params.table, row: params.row },
      { reason: query.reason, ...(query.baseVersion > 0 ? { baseVersion: query.baseVersion } : {}) },
    );
  });

  return router;
}
