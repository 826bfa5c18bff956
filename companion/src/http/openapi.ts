import { STATUS_BY_CODE } from './http.errors.js';
import { ACTIVE_FLOWS_DAYS } from './lead-activity.js';
import { PARTNER_STATES } from './partner-status.js';
import { BATCH_MAX } from './routes/route-batch.route.js';
import { JOBS } from '../jobs/scheduled-jobs.js';
import { IDEMPOTENCY_KEY_MAX, REASON_MAX } from './routes/route-lead.route.js';
import { MATCHED_LEAD_SORTS, VISIBLE_IDS_MAX } from './routes/matched-leads.route.js';
import { NO_CLOCK_WHY } from './routes/sla.route.js';
import { FLOW_FOLDER_LIMITS } from '../routing/flow-files.js';
import { PICTURE_MAX_DAYS } from '../routing/flow-picture.js';
import { CATCH_UP_MAX_DAYS, CATCH_UP_MAX_LEADS } from '../engine/distribution/pool.js';
import { POOL_LINE_LENGTH } from './routes/pools.route.js';
import { FILTER_MAX_VALUES } from '../routing/lead-choice.js';
import { RUN_ID } from '../routing/reassignment.js';
import { BACKTEST_MAX_LEADS, TRIGGERS } from '../routing/what-if.js';
import { EXPORT_FORMAT, REASON_MAX as VERSION_REASON_MAX } from './routes/flow-versions.route.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] });
const nstr: Schema = { type: ['string', 'null'] };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const obj = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
});
const sfId = (prefix: string, what: string): Schema => ({
  type: 'string',
  pattern: `^${prefix}[a-zA-Z0-9]{12}([A-Z0-5]{3})?$`,
  description: `A ${what} Id, 15 or 18 characters; the checksum of an 18-character Id is checked. Answers use the 18-character form.`,
});

/** A JSON request body that takes these properties and no others. */
const strictJsonBody = (
  required: boolean,
  properties: Record<string, Schema>,
  requiredFields?: string[],
) => ({
  required,
  content: {
    'application/json': { schema: { ...obj(properties, requiredFields), additionalProperties: false } },
  },
});

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});
const json = (schema: Schema, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

/** The errors every authenticated /v1 endpoint may answer with. */
const commonErrors = {
  '400': errorResponse(
    'A path, query, header or body field is bad; details lists every one (VALIDATION_FAILED).',
  ),
  '401': errorResponse('No or wrong API key, or X-Switchyard-User missing or unknown (UNAUTHENTICATED).'),
  '403': errorResponse('The acting user is inactive or may not do this (FORBIDDEN).'),
  '429': errorResponse('Too many requests for this key and user; see Retry-After (RATE_LIMITED).'),
  '500': errorResponse('Something failed inside the companion (INTERNAL).'),
  '503': errorResponse(
    'The companion has as many requests in flight as it may take; see Retry-After (OVERLOADED).',
  ),
};
const notFound = { '404': errorResponse('No such record (NOT_FOUND).') };

const pathParam = (name: string, schema: Schema) => ({ name, in: 'path', required: true, schema });
/** A pool member in a path: a user Id, or the username or email pools.yaml names them by. */
const memberRef: Schema = {
  anyOf: [
    sfId('005', 'user'),
    {
      type: 'string',
      pattern: '@',
      maxLength: 200,
      description: 'A username or email, as pools.yaml names people.',
    },
  ],
};
const queryParam = (name: string, schema: Schema, description: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
const limitParam = (fallback: number) =>
  queryParam(
    'limit',
    { type: 'integer', minimum: 1, maximum: 200, default: fallback },
    'How many items to return.',
  );
const qParam = queryParam(
  'q',
  { type: 'string', maxLength: 200 },
  'Text to search for; empty lists the first items.',
);

const leadIdParam = pathParam('leadId', sfId('00Q', 'lead'));
const triggerKindSchema: Schema = { type: 'string', enum: [...TRIGGERS] };
/** The leads a backtest or a reassignment takes when they are named one by one. */
const manyLeadIds: Schema = {
  type: 'array',
  items: sfId('00Q', 'lead'),
  minItems: 1,
  maxItems: BACKTEST_MAX_LEADS,
};
const ownerIdSchema: Schema = { type: 'string', pattern: '^(005|00G)[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$' };
/** A reassignment filter's values for one Lead field. */
const fieldValues: Schema = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 255 },
  minItems: 1,
  maxItems: FILTER_MAX_VALUES,
};
const dayOrInstant: Schema = {
  type: 'string',
  maxLength: 40,
  description:
    'A day (2026-06-30, from its start in UTC) or an instant with its zone (2026-06-30T12:00:00Z).',
};
const candidateSchema: Schema = {
  type: 'array',
  description:
    'A routing set: each *.flow.yaml, pools.yaml and territories.yaml, and sla.yaml and aliases.yaml when it has them, by bare file name.',
  maxItems: FLOW_FOLDER_LIMITS.maxFlowFiles + 2,
  items: {
    ...obj({ name: { type: 'string', minLength: 1, maxLength: 200 }, text: str }),
    additionalProperties: false,
  },
};

const versionSchema: Schema = { type: 'integer', minimum: 1, maximum: 2_000_000_000 };
const versionParam = pathParam('version', versionSchema);
const reasonSchema: Schema = { type: 'string', minLength: 1, maxLength: VERSION_REASON_MAX };
const boolBody: Schema = { type: 'boolean' };
const fileChange: Schema = obj({
  file: str,
  change: { enum: ['added', 'removed', 'changed'] },
  added: { type: 'integer' },
  removed: { type: 'integer' },
  diff: {
    type: 'string',
    description: 'Changed lines prefixed + or -, with context; hunks headed "@@ line n @@".',
  },
});
/** What a publish, import, rollback or pool change answers. */
const versionChangeResponses = {
  '200': json(ref('VersionChange'), 'Nothing stored: a dry run, or files equal to the live ones.'),
  '201': json(ref('VersionChange'), 'Stored as the new live version.'),
  ...commonErrors,
  ...notFound,
  '409': errorResponse('Another version was stored after the base version (VERSION_CONFLICT).'),
};

/** What publishing a backtested candidate answers: the change, and the backtest it published. */
const publishedBacktest: Schema = {
  allOf: [ref('VersionChange'), obj({ backtest: { type: 'integer' } })],
};

const poolParam = pathParam('pool', { type: 'string', pattern: '^[\\w.-]{1,100}$' });
const daySchema: Schema = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'A calendar day, YYYY-MM-DD.',
};
const wholeOrNull: Schema = { type: ['integer', 'null'] };
const memberSettingsSchema: Record<string, Schema> = {
  weight: { type: ['number', 'null'] },
  capPerHour: wholeOrNull,
  capPerDay: wholeOrNull,
  maxOpenLoad: wholeOrNull,
  paused: boolBody,
};
/** What a pool or territory change answers: the version change, the change in words, and `extra`. */
const tableChangeResponses = (extra: Record<string, Schema> = {}) => {
  const answer: Schema = { allOf: [ref('VersionChange'), obj({ summary: str, ...extra })] };
  return {
    ...versionChangeResponses,
    '200': json(answer, 'Nothing stored: a dry run, or a change that changes nothing.'),
    '201': json(answer, 'Stored as the new live version.'),
  };
};

const tableParam = pathParam('table', { type: 'string', pattern: '^[\\w.-]{1,100}$' });
const rowParam = pathParam('row', { type: 'integer', minimum: 1, maximum: 99_999 });
const textList = (what: string): Schema => ({
  type: 'array',
  items: { type: 'string', maxLength: 100 },
  maxItems: 200,
  description: what,
});
const whole: Schema = { type: 'integer', minimum: 0 };
const territoryRowSchema: Schema = {
  ...obj(
    {
      region: textList('Sales regions: AMER, EMEA, APJ.'),
      country: textList('Countries, by ISO code (DE) or name.'),
      state: textList('States or provinces.'),
      postalCode: textList("Postal code prefixes: '94' takes 94105."),
      industry: textList('Industries, as the Lead field holds them.'),
      employees: { ...obj({ min: whole, max: whole }, []), additionalProperties: false },
      assign: {
        ...obj({ pool: str, queue: str, user: str }, []),
        additionalProperties: false,
        description: 'Exactly one: a pool name, a queue DeveloperName, or a user by username, email or Id.',
      },
    },
    ['assign'],
  ),
  additionalProperties: false,
};
const territoryChangeBody = (extra: Record<string, Schema>) =>
  strictJsonBody(
    true,
    { row: territoryRowSchema, ...extra, reason: reasonSchema, baseVersion: versionSchema, dryRun: boolBody },
    ['row', 'reason'],
  );

/**
 * What every pool change answers, and how one confirmed after its dry run is kept to the version the
 * preview was computed on.
 */
const POOL_BASE_VERSION =
  `The answer (\`nextAssignments\`) says who gets the pool's next ${POOL_LINE_LENGTH} leads now and with the change. ` +
  '`dryRun` answers what would change and stores nothing; its `previous` is the version it was computed on: send ' +
  'it as `baseVersion` with the confirmation, and a version someone else stored since is refused (409 ' +
  'VERSION_CONFLICT, naming it) instead of being changed without the preview showing it.';

/** Who gets a pool's next leads, now and with a change to the pool. */
const nextAssignmentsSchema: Schema = (() => {
  const line: Schema = {
    type: 'array',
    items: obj({ userId: str, name: nullable(str) }),
  };
  return obj({ before: line, after: line });
})();

/** What a pool change answers: with the version change, who gets the pool's next leads now and with it. */
const poolChangeResponses = tableChangeResponses({ nextAssignments: nextAssignmentsSchema });
const territoryChangeResponses = tableChangeResponses();

const accountIdParam = pathParam('accountId', sfId('001', 'account'));
const jobParam = pathParam('job', { enum: JOBS.map((j) => j.name) });
const jobNotFound = { '404': errorResponse('No scheduled job of that name (NOT_FOUND).') };
/** The matched-leads list's paging, sorting and search, for its GET and its POST. */
const matchedLeadsParams = [
  accountIdParam,
  limitParam(25),
  queryParam('offset', { type: 'integer', minimum: 0, default: 0 }, 'How many items to skip.'),
  queryParam('sort', { enum: [...MATCHED_LEAD_SORTS], default: 'lastActivity' }, 'The column to sort by.'),
  queryParam(
    'direction',
    { enum: ['asc', 'desc'] },
    'Default desc for lastActivity, activeFlowsCount and matchScore, else asc. Empty values sort last.',
  ),
  queryParam(
    'q',
    { type: 'string', maxLength: 200 },
    'Keep leads whose name, company, title, email, status or owner contains this text (case-insensitive).',
  ),
];

const routeBodyProps = {
  reason: {
    type: 'string',
    maxLength: REASON_MAX,
    description: 'Why the lead is re-routed, kept in the audit trail.',
  },
  dryRun: {
    type: 'boolean',
    default: false,
    description: 'Decide only: nothing is written and no round-robin turn is used.',
  },
};

const v1 = (summary: string, description: string, extra: Schema) => ({
  summary,
  description,
  security: [{ apiKey: [] }],
  parameters: [{ $ref: '#/components/parameters/ActingUser' }, ...((extra.parameters as unknown[]) ?? [])],
  ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'parameters')),
});

/** The OpenAPI 3.1 description of the API, written by hand next to the routes it describes. */
export function openApiDocument(): Schema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard companion API',
      version: '1.0.0',
      description:
        'Lead routing for Salesforce: re-route leads, read matched leads, partner status and routing history. ' +
        'Every call but /healthz needs `Authorization: Bearer <key>`; /v1 calls also name the acting Salesforce user in `X-Switchyard-User`. ' +
        'Errors always have the shape `{ error: { code, message, action, details? } }`. ' +
        'Reads are not filtered by Salesforce sharing: the Apex controller checks that the user can see a record before it asks. ' +
        'Requests are limited per acting user (RATE_LIMITED with Retry-After), and in all to what the companion can serve (OVERLOADED with Retry-After).',
    },
    servers: [{ url: '/' }],
    paths: {
      '/healthz': {
        get: {
          summary: 'Liveness',
          description: 'Answers while the process runs. No key needed.',
          security: [],
          responses: { '200': json(obj({ status: { const: 'ok' } })) },
        },
      },
      '/readyz': {
        get: {
          summary: 'Readiness',
          description:
            'Ready when the store answers, the match index is loaded and the CRM API limit is not spent.',
          security: [{ apiKey: [] }],
          responses: {
            '200': json(ref('Readiness'), 'Ready'),
            '401': commonErrors['401'],
            '503': json(ref('Readiness'), 'Not ready; checks says which part is not.'),
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          description:
            'Requests and latency by route, decisions by outcome and status, outbox rows by status, CRM API calls and whether the CRM is rate-limited.',
          security: [{ apiKey: [] }],
          responses: {
            '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: str } } },
            '401': commonErrors['401'],
          },
        },
      },
      '/v1/openapi.json': {
        get: {
          summary: 'This document',
          description: 'The OpenAPI 3.1 description of the API.',
          security: [{ apiKey: [] }],
          responses: { '200': json({ type: 'object' }), '401': commonErrors['401'] },
        },
      },
      '/v1/leads/{leadId}/route': {
        post: v1(
          'Re-route a lead now',
          'Runs routing for the lead again (trigger "reroute") and answers with the new owner and the path in words. ' +
            "Allowed for the lead's owner, members of the queue that owns it, and users with the re-route permission. " +
            'With trigger "created" it runs inbound routing instead, as when the lead arrived (the same people may ask). ' +
            'A refused re-route answers 409 LEAD_NOT_ELIGIBLE with the reason and what to do. ' +
            'The answer comes within a few seconds whatever Salesforce does: status "applied" once the change is in ' +
            'Salesforce, "pending" when Salesforce has not taken it yet (Switchyard keeps trying; the routing history ' +
            'shows when it is applied). ' +
            'With an Idempotency-Key header, a retried request returns the same decision instead of routing twice.',
          {
            parameters: [
              leadIdParam,
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX },
              },
            ],
            requestBody: strictJsonBody(
              false,
              {
                ...routeBodyProps,
                trigger: {
                  enum: ['reroute', 'created'],
                  default: 'reroute',
                  description:
                    'reroute: the re-route flow; created: inbound routing, as when the lead arrived.',
                },
              },
              [],
            ),
            responses: {
              '200': json(ref('RouteResult')),
              ...commonErrors,
              ...notFound,
              '409': errorResponse(
                'The lead may not be re-routed (LEAD_NOT_ELIGIBLE), its owner changed meanwhile (STALE_DECISION), ' +
                  'or its previous re-route is still being saved in Salesforce (REROUTE_IN_PROGRESS).',
              ),
              '413': errorResponse('The body is too large (PAYLOAD_TOO_LARGE).'),
              '503': errorResponse(
                'Salesforce refused or could not take the change (UPSTREAM_UNAVAILABLE), or the companion is at its limit of requests in flight; see Retry-After (OVERLOADED).',
              ),
            },
          },
        ),
      },
      '/v1/route': {
        post: v1(
          'Route a batch of leads',
          `Routes up to ${BATCH_MAX} leads (trigger "reroute"); needs the re-route permission. One result per lead, in the order asked; a lead that fails does not fail the others.`,
          {
            requestBody: strictJsonBody(
              true,
              {
                leadIds: {
                  type: 'array',
                  items: sfId('00Q', 'lead'),
                  minItems: 1,
                  maxItems: BATCH_MAX,
                },
                ...routeBodyProps,
              },
              ['leadIds'],
            ),
            responses: {
              '200': json(ref('BatchResult')),
              ...commonErrors,
              '413': errorResponse('The body is too large (PAYLOAD_TOO_LARGE).'),
            },
          },
        ),
      },
      '/v1/leads/{leadId}/simulate': {
        post: v1(
          'Simulate routing a lead',
          'Admins only. Decides the lead as routing would now, with the live routing set or a candidate sent as files, ' +
            'and answers with the owner and the whole path, every condition with its values. Nothing is stored, no ' +
            'pool turn is taken and nothing is written to Salesforce.',
          {
            parameters: [leadIdParam],
            requestBody: strictJsonBody(
              false,
              {
                trigger: {
                  ...obj(
                    {
                      kind: triggerKindSchema,
                      changedFields: { type: 'array', items: str, maxItems: 100 },
                      job: { type: 'string', maxLength: 100 },
                      reason: { type: 'string', maxLength: 1000 },
                    },
                    ['kind'],
                  ),
                  additionalProperties: false,
                },
                candidate: candidateSchema,
              },
              [],
            ),
            responses: {
              '200': json({ type: 'object', description: 'The decision: outcome, owner, summary, path.' }),
              ...commonErrors,
              ...notFound,
              '409': errorResponse('No flow takes this trigger (LEAD_NOT_ELIGIBLE).'),
              '413': errorResponse('The body is too large (PAYLOAD_TOO_LARGE).'),
            },
          },
        ),
      },
      '/v1/backtests/latest': {
        get: v1(
          'The last backtest of a candidate',
          "Admins only. The newest backtest an admin ran (POST /v1/backtests, the CLI's backtest): when, by whom, " +
            'against which live version, over what, and its summary (leads, owner changes from whom to whom, load per ' +
            'owner and pool, leads with no owner, conversions); `live.sameAsCandidate` says whether the live version ' +
            "holds exactly the candidate's files (it was published). `backtest.id` names the run to publish " +
            '(POST /v1/backtests/{backtestId}/publish) and `backtest.candidateKept` whether it still holds its ' +
            "candidate's files. `backtest` is null before the first.",
          {
            responses: {
              '200': json(
                obj({ backtest: nullable({ type: 'object' }), live: nullable({ type: 'object' }) }),
              ),
              ...commonErrors,
            },
          },
        ),
      },
      '/v1/backtests/{backtestId}/publish': {
        post: v1(
          'Publish a backtested candidate',
          'Admins only. Publishes the candidate of a kept backtest (`backtest.id` in GET /v1/backtests/latest; only the ' +
            "newest backtest keeps its candidate's files) over the version it was backtested against, checked against " +
            'the org as a publish is (400 with the problems in the message and in details). Refused with 409 ' +
            'VERSION_CONFLICT, naming the other version, when another version was stored since the backtest: its ' +
            'figures say nothing about publishing over that one. `dryRun` answers what would change and stores nothing.',
          {
            parameters: [pathParam('backtestId', { type: 'integer', minimum: 1 })],
            requestBody: strictJsonBody(true, { reason: reasonSchema, dryRun: boolBody }, ['reason']),
            responses: {
              ...versionChangeResponses,
              '200': json(
                publishedBacktest,
                'Nothing stored: a dry run, or a candidate equal to the live set.',
              ),
              '201': json(publishedBacktest, 'Stored as the new live version.'),
              '404': errorResponse(
                "No such backtest, or one that no longer keeps its candidate's files (NOT_FOUND).",
              ),
            },
          },
        ),
      },
      '/v1/backtests': {
        post: v1(
          'Backtest a candidate routing set',
          'Admins only. Replays real leads (created in the last `days`, or the `leadIds` given) through the live ' +
            'routing set and the candidate, from the same pool state, and answers with a summary (owners changed, from ' +
            'whom to whom, by path, load per owner and pool, leads left with no owner, conversions gained and lost) and ' +
            'one row per lead. Accept: text/csv answers the rows as CSV; Accept: application/x-ndjson streams progress ' +
            "lines and then the result. The run is kept (its summary and the candidate's files, as `backtestId` in the JSON " +
            'result) so the admin page shows it and POST /v1/backtests/{backtestId}/publish publishes it; no pool turn is ' +
            'taken and nothing is written to Salesforce.',
          {
            requestBody: strictJsonBody(
              true,
              {
                candidate: candidateSchema,
                days: { type: 'integer', minimum: 1, maximum: 3660 },
                leadIds: manyLeadIds,
                trigger: triggerKindSchema,
              },
              ['candidate'],
            ),
            responses: {
              '200': {
                description:
                  'The summary and the rows (JSON), the rows (CSV), or progress and the result (NDJSON).',
                content: {
                  'application/json': { schema: { type: 'object' } },
                  'text/csv': { schema: str },
                  'application/x-ndjson': { schema: str },
                },
              },
              ...commonErrors,
              '413': errorResponse('The body is too large (PAYLOAD_TOO_LARGE).'),
            },
          },
        ),
      },
      '/v1/flows/versions': {
        get: v1(
          "The routing set's versions",
          'Admins only. Every version of the routing set (flows, pools, territory tables), newest first: who stored it, ' +
            'when, why (publish, import, rollback, pool change, first start), the version it started from and what it ' +
            'changed, file by file with the diff. `live` is the version routing decides with; `before` pages back.',
          {
            parameters: [
              limitParam(20),
              queryParam('before', { type: 'integer', minimum: 1 }, 'Only versions below this number.'),
              queryParam(
                'file',
                { type: 'string', maxLength: 200 },
                "Only versions that changed this file: a flow's history (reroute.flow.yaml), the pools' (pools.yaml).",
              ),
            ],
            responses: {
              '200': json(
                obj({ live: { type: 'integer' }, items: { type: 'array', items: ref('RoutingVersion') } }),
              ),
              ...commonErrors,
            },
          },
        ),
      },
      '/v1/flows/versions/{version}': {
        get: v1('One routing version', 'Admins only. The version with its files and what it changed.', {
          parameters: [versionParam],
          responses: { '200': json(ref('RoutingVersionWithFiles')), ...commonErrors, ...notFound },
        }),
      },
      '/v1/flows/versions/{version}/rollback': {
        post: v1(
          'Roll back to an earlier version',
          "Admins only. Stores the earlier version's files as a new version, checked against the org as a publish is, " +
            'and routing uses it for its next decision. With `baseVersion`, refused (VERSION_CONFLICT) when another ' +
            'version was stored since.',
          {
            parameters: [versionParam],
            requestBody: strictJsonBody(
              true,
              { reason: reasonSchema, baseVersion: versionSchema, dryRun: boolBody },
              ['reason'],
            ),
            responses: versionChangeResponses,
          },
        ),
      },
      '/v1/flows/export': {
        get: v1(
          'Export the live routing set',
          'Admins only. The live version with its files, as one document another companion imports (`format` ' +
            'names it).',
          {
            responses: {
              '200': json({
                allOf: [ref('RoutingVersionWithFiles'), obj({ format: { const: EXPORT_FORMAT } })],
              }),
              ...commonErrors,
            },
          },
        ),
      },
      '/v1/flows/publish': {
        post: v1(
          'Publish a routing set',
          'Admins only. Checks the files as one routing set against the org (every problem as file:line:column: reason, ' +
            '400) and stores them as the next version over `baseVersion`, the version they were edited from; routing ' +
            'uses it for its next decision. Refused with 409 VERSION_CONFLICT, naming the other version, when another ' +
            'was stored since. `dryRun` answers what would change and stores nothing; files equal to the live ones ' +
            'store nothing.',
          {
            requestBody: strictJsonBody(
              true,
              { files: candidateSchema, reason: reasonSchema, baseVersion: versionSchema, dryRun: boolBody },
              ['files', 'reason', 'baseVersion'],
            ),
            responses: {
              ...versionChangeResponses,
              '413': errorResponse('The body is too large (PAYLOAD_TOO_LARGE).'),
            },
          },
        ),
      },
      '/v1/flows/import': {
        post: v1(
          'Import a routing set from another environment',
          'Admins only. As publish, for files exported from another companion (staging to production): the answer names ' +
            'what changed against the live set. `baseVersion` (optional) refuses the import when this companion stored ' +
            'another version since the one it names.',
          {
            requestBody: strictJsonBody(
              true,
              { files: candidateSchema, reason: reasonSchema, baseVersion: versionSchema, dryRun: boolBody },
              ['files', 'reason'],
            ),
            responses: {
              ...versionChangeResponses,
              '413': errorResponse('The body is too large (PAYLOAD_TOO_LARGE).'),
            },
          },
        ),
      },
      '/v1/pools': {
        get: v1(
          'The pools and their members',
          "Admins only. The live routing set's pools: strategy, whether paused, and each member with weight, caps, " +
            'paused and the days they are out of office; who is next (`next`, a user Id, and `nextName`).',
          {
            parameters: [queryParam('q', { type: 'string', maxLength: 100 }, 'Not used yet; reserved.')],
            responses: { '200': json({ type: 'object' }), ...commonErrors },
          },
        ),
      },
      '/v1/pools/{pool}': {
        patch: v1(
          'Pause or resume a pool, or set its catch-up',
          'Admins only. Either `paused` (a paused pool gives nobody a lead; an assignment tries its next target) or ' +
            '`catchUp`: what a rep back from time off gets for the turns they missed, up to `leads` of the last ' +
            '`withinDays` days (null: none, they rejoin level with everyone). One change a call, stored as the ' +
            'next version of the routing set, with who, when, why and the diff; routing uses it for its next decision. ' +
            POOL_BASE_VERSION,
          {
            parameters: [poolParam],
            requestBody: strictJsonBody(
              true,
              {
                paused: boolBody,
                catchUp: nullable({
                  type: 'object',
                  additionalProperties: false,
                  required: ['leads', 'withinDays'],
                  properties: {
                    leads: { type: 'integer', minimum: 1, maximum: CATCH_UP_MAX_LEADS },
                    withinDays: { type: 'integer', minimum: 1, maximum: CATCH_UP_MAX_DAYS },
                  },
                }),
                reason: reasonSchema,
                baseVersion: versionSchema,
                dryRun: boolBody,
              },
              ['reason'],
            ),
            responses: poolChangeResponses,
          },
        ),
      },
      '/v1/pools/{pool}/members': {
        post: v1(
          'Add a rep to a pool',
          'Admins only. The person (`userId`, or `user`: username or email) must be active; weight and caps are checked with the whole set (a cap below one is ' +
            'refused with its pools.yaml line). Stored as the next version; routing uses it for its next decision. ' +
            POOL_BASE_VERSION,
          {
            parameters: [poolParam],
            requestBody: strictJsonBody(
              true,
              {
                userId: sfId('005', 'user'),
                user: {
                  type: 'string',
                  minLength: 1,
                  maxLength: 200,
                  description: 'The person by username or email, instead of userId.',
                },
                ...memberSettingsSchema,
                reason: reasonSchema,
                baseVersion: versionSchema,
                dryRun: boolBody,
              },
              ['reason'],
            ),
            responses: poolChangeResponses,
          },
        ),
      },
      '/v1/pools/{pool}/members/{userId}': {
        patch: v1(
          "Change a member's settings, or mark them out of office",
          'Admins only. Either settings (weight, capPerHour, capPerDay, maxOpenLoad: null takes one away; paused) or ' +
            '`away`: out of office from a day to a day, UTC, both included (null: back). One change a call, stored as ' +
            'the next version; routing uses it for its next decision. ' +
            POOL_BASE_VERSION,
          {
            parameters: [poolParam, pathParam('userId', memberRef)],
            requestBody: strictJsonBody(
              true,
              {
                ...memberSettingsSchema,
                away: nullable({
                  ...obj({ from: daySchema, to: daySchema }),
                  additionalProperties: false,
                }),
                reason: reasonSchema,
                baseVersion: versionSchema,
                dryRun: boolBody,
              },
              ['reason'],
            ),
            responses: poolChangeResponses,
          },
        ),
        delete: v1(
          'Remove a rep from a pool',
          'Admins only. Stored as the next version of the routing set; `dryRun` and `baseVersion` are in the query, ' +
            'as a DELETE has no body. ' +
            POOL_BASE_VERSION,
          {
            parameters: [
              poolParam,
              pathParam('userId', memberRef),
              { ...queryParam('reason', reasonSchema, 'Why, kept with the version.'), required: true },
              queryParam('dryRun', boolBody, 'true: answer what would change, store nothing.'),
              queryParam(
                'baseVersion',
                versionSchema,
                "The dry run's `previous` (409 when another version was stored since).",
              ),
            ],
            responses: poolChangeResponses,
          },
        ),
      },
      '/v1/territories': {
        get: v1(
          'The territory tables and their rows',
          "Admins only. The live version's territory tables, each row numbered from 1 with its criteria, its target " +
            'as written (pool, queue DeveloperName, or user) with the name it stands for, and the row in words.',
          {
            parameters: [queryParam('q', { type: 'string', maxLength: 100 }, 'Not used yet; reserved.')],
            responses: {
              '200': json(obj({ version: versionSchema, items: { type: 'array' } })),
              ...commonErrors,
            },
          },
        ),
      },
      '/v1/territories/{table}/rows': {
        post: v1(
          'Add a territory row',
          'Admins only. Added at the end, or as row `at`. Refused when the person is missing or inactive, a country or ' +
            'region is unknown, the pool or queue does not exist, or the row overlaps another with as many criteria (only ' +
            'the earlier would get their shared leads). `baseVersion` refuses it (409) when another version was stored ' +
            'since the rows were read. Stored as the next version with who, when, why and the diff; routing uses it for ' +
            'its next decision.',
          {
            parameters: [tableParam],
            requestBody: territoryChangeBody({ at: { type: 'integer', minimum: 1, maximum: 10_000 } }),
            responses: territoryChangeResponses,
          },
        ),
      },
      '/v1/territories/{table}/rows/{row}': {
        put: v1(
          'Replace a territory row',
          'Admins only. The row numbered `row` (from 1) becomes the one sent, checked as an added row is; `baseVersion` ' +
            'makes sure it is the row the admin saw.',
          {
            parameters: [tableParam, rowParam],
            requestBody: territoryChangeBody({}),
            responses: territoryChangeResponses,
          },
        ),
        delete: v1('Remove a territory row', 'Admins only. Stored as the next version of the routing set.', {
          parameters: [
            tableParam,
            rowParam,
            { ...queryParam('reason', reasonSchema, 'Why, kept with the version.'), required: true },
            queryParam(
              'baseVersion',
              versionSchema,
              'The live version the rows were read from (409 when another was stored since).',
            ),
          ],
          responses: territoryChangeResponses,
        }),
      },
      '/v1/reassignments': {
        post: v1(
          'Reassign leads in bulk',
          'Admins only. Moves leads chosen one way — the open leads of a user or queue (`ownerId`), the `leadIds` given, ' +
            'the open leads of the members of a `pool`, the open leads a `territory` table row takes now (`{ table, row }`, ' +
            'rows counted from 1 as `GET /v1/territories` lists them), or the open leads a `filter` lets through (every ' +
            'criterion given must hold; `countries` are ISO codes or names and take every spelling the org uses, and so ' +
            'do `states` of the US, Canada and Australia (CA takes California); text ' +
            'compares without regard to case; dates are days (UTC) or instants) — through the flows ' +
            '(trigger `inactive-owner` unless `trigger` says otherwise: as if their owner had left), in batches of 200, ' +
            "each lead's history saying why with `reason`. `dryRun` answers where each would go against its owner today " +
            '(a backtest summary and rows; nothing written). A real run answers its report (moved, pending, unchanged, ' +
            'refused, failed, from whom to whom); sent again with the same `runId` it resumes, answering the leads it already ' +
            'routed from the store instead of routing them twice. Accept: application/x-ndjson streams progress lines, then the result.',
          {
            requestBody: strictJsonBody(
              true,
              {
                ownerId: ownerIdSchema,
                leadIds: manyLeadIds,
                pool: { type: 'string', minLength: 1, maxLength: 100 },
                territory: {
                  ...obj({
                    table: { type: 'string', minLength: 1, maxLength: 100 },
                    row: { type: 'integer', minimum: 1 },
                  }),
                  additionalProperties: false,
                },
                filter: {
                  ...obj(
                    {
                      ownerId: ownerIdSchema,
                      statuses: fieldValues,
                      countries: fieldValues,
                      states: fieldValues,
                      leadSources: fieldValues,
                      createdSince: dayOrInstant,
                      createdBefore: dayOrInstant,
                    },
                    [],
                  ),
                  additionalProperties: false,
                  minProperties: 1,
                },
                trigger: triggerKindSchema,
                reason: { type: 'string', minLength: 1, maxLength: 1000 },
                dryRun: { type: 'boolean' },
                runId: { type: 'string', pattern: RUN_ID.source },
              },
              ['reason'],
            ),
            responses: {
              '200': {
                description:
                  "The dry run (summary and rows) or the run's report; or progress lines and the result (NDJSON).",
                content: {
                  'application/json': { schema: { type: 'object' } },
                  'application/x-ndjson': { schema: str },
                },
              },
              ...commonErrors,
              '413': errorResponse('The body is too large (PAYLOAD_TOO_LARGE).'),
            },
          },
        ),
      },
      '/v1/flows/{flow}/picture.svg': {
        get: v1(
          'A flow as a picture',
          'Admins only. The live flow as SVG: its nodes top to bottom, each edge labelled with its condition in words. ' +
            'With `days`, each edge also says how many leads took it over that many days (from stored decisions, dry runs ' +
            "left out); with `leadId`, that lead's newest way through the flow is highlighted.",
          {
            parameters: [
              pathParam('flow', { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' }),
              queryParam(
                'days',
                { type: 'integer', minimum: 1, maximum: PICTURE_MAX_DAYS },
                'Count leads per edge over the last this many days.',
              ),
              queryParam(
                'leadId',
                sfId('00Q', 'lead'),
                "Highlight this lead's newest path through the flow.",
              ),
            ],
            responses: {
              '200': { description: 'The picture.', content: { 'image/svg+xml': { schema: str } } },
              ...commonErrors,
              '404': errorResponse(
                'No live flow of that name, or the lead never went through it (NOT_FOUND).',
              ),
            },
          },
        ),
      },
      '/v1/jobs': {
        get: v1(
          'The scheduled jobs',
          'Admins only. Each scheduled clean-up job: what it does, its schedule (cron, UTC), whether it is paused, ' +
            'its next run, and its newest runs (real and dry: when, by whom, leads looked at, moved, unchanged, failed, API calls).',
          {
            responses: { '200': json(obj({ items: { type: 'array', items: ref('Job') } })), ...commonErrors },
          },
        ),
      },
      '/v1/jobs/{job}/run': {
        post: v1(
          'Run a scheduled job now',
          'Admins only. Runs the job here and now and answers what it did; `dryRun` decides the same leads against each ' +
            'as it is and writes nothing. A real run the same day as another decides no lead twice (request keys).',
          {
            parameters: [jobParam],
            requestBody: strictJsonBody(false, { dryRun: { type: 'boolean' } }),
            responses: { '200': json(ref('JobRun')), ...commonErrors, ...jobNotFound },
          },
        ),
      },
      '/v1/jobs/{job}/pause': {
        post: v1(
          'Pause a scheduled job',
          'Admins only. The job keeps its schedule but skips its runs until resumed.',
          {
            parameters: [jobParam],
            responses: { '200': json(ref('Job')), ...commonErrors, ...jobNotFound },
          },
        ),
      },
      '/v1/jobs/{job}/resume': {
        post: v1('Resume a paused job', 'Admins only. The job runs on its schedule again.', {
          parameters: [jobParam],
          responses: { '200': json(ref('Job')), ...commonErrors, ...jobNotFound },
        }),
      },
      '/v1/accounts/{accountId}/matched-leads': {
        get: v1(
          "An account's matched leads, as the acting user sees them",
          `Leads whose matched account is this one (converted leads left out) that the acting user may read (UserRecordAccess), paged and sortable; fields their field-level security hides are null and named in hiddenFields, and are neither searched nor sorted by. Total and pages count only those leads. activeFlowsCount is the number of distinct flows with a decision for the lead in the last ${ACTIVE_FLOWS_DAYS} days (dry runs not counted). matchScore (0..1), matchReason and matchMethod say why the lead matches the account; all are null when the match index does not explain it.`,
          {
            parameters: matchedLeadsParams,
            responses: { '200': json(ref('MatchedLeads')), ...commonErrors, ...notFound },
          },
        ),
        post: v1(
          "An account's matched leads, among those Salesforce says the user may see",
          `As GET, among visibleLeadIds only: the Apex controller reads, in user mode, which of the account's leads the user may see and sends their Ids (at most ${VISIBLE_IDS_MAX}), so the total and every page count only those.`,
          {
            parameters: matchedLeadsParams,
            requestBody: strictJsonBody(true, {
              visibleLeadIds: { type: 'array', maxItems: VISIBLE_IDS_MAX, items: sfId('00Q', 'lead') },
            }),
            responses: { '200': json(ref('MatchedLeads')), ...commonErrors, ...notFound },
          },
        ),
      },
      '/v1/accounts': {
        get: v1('Search accounts', 'Accounts whose name or website contains q, by name.', {
          parameters: [limitParam(25), qParam],
          responses: { '200': json(listOf(ref('Account'))), ...commonErrors },
        }),
      },
      '/v1/accounts/{accountId}': {
        get: v1('One account', 'The account with its owner and BDR.', {
          parameters: [accountIdParam],
          responses: { '200': json(ref('Account')), ...commonErrors, ...notFound },
        }),
      },
      '/v1/leads': {
        get: v1(
          'Search leads',
          'Leads whose name, email or company contains q (or whose Id is q), newest first.',
          {
            parameters: [limitParam(25), qParam],
            responses: { '200': json(listOf(ref('Lead'))), ...commonErrors },
          },
        ),
      },
      '/v1/leads/{leadId}': {
        get: v1('One lead', 'The lead with its owner, matched account and last routing.', {
          parameters: [leadIdParam],
          responses: { '200': json(ref('Lead')), ...commonErrors, ...notFound },
        }),
      },
      '/v1/leads/{leadId}/partner-status': {
        get: v1('Partner status', "The lead's partner fields and the state they add up to, in words.", {
          parameters: [leadIdParam],
          responses: { '200': json(ref('PartnerStatus')), ...commonErrors, ...notFound },
        }),
      },
      '/v1/leads/{leadId}/routing-history': {
        get: v1('Routing history', "The lead's routing decisions, newest first, with their paths in words.", {
          parameters: [leadIdParam, limitParam(20)],
          responses: { '200': json(ref('RoutingHistory')), ...commonErrors, ...notFound },
        }),
      },
      '/v1/leads/{leadId}/sla': {
        get: v1(
          'The SLA clock',
          "Who owns the lead, since when, when the next step of its SLA fires and what it does; the steps fired, the lead's owners with their time to assign and to first touch, and its notifications. A lead without a clock answers status 'none' and why: it waits in a queue, or routing has not given it to its owner since clocks began.",
          {
            parameters: [leadIdParam],
            responses: {
              '200': json({ oneOf: [ref('SlaClock'), ref('SlaNoClock')] }),
              ...commonErrors,
              ...notFound,
            },
          },
        ),
      },
      '/v1/leads/{leadId}/sla/accept': {
        post: v1(
          'Accept the lead',
          "The lead's owner takes it: its SLA clock stops and the time to first touch is kept.",
          {
            parameters: [leadIdParam],
            responses: {
              '200': json(ref('SlaClock')),
              ...commonErrors,
              ...notFound,
              '403': errorResponse(
                'The acting user does not own the lead (SLA_NOT_OWNER), or is inactive (FORBIDDEN).',
              ),
              '409': errorResponse('The lead has no open SLA clock: nothing to accept (SLA_NO_CLOCK).'),
            },
          },
        ),
      },
      '/v1/leads/{leadId}/sla/reject': {
        post: v1(
          'Reject the lead',
          "The lead's owner passes it on with a reason: it goes to the next in its pool (never back to them or to an owner who let it lapse), and they get their round-robin turn back.",
          {
            parameters: [leadIdParam],
            requestBody: strictJsonBody(true, { reason: { type: 'string', minLength: 1, maxLength: 1000 } }, [
              'reason',
            ]),
            responses: {
              '200': json(
                obj({
                  decision: { type: 'object' },
                  status: { enum: ['applied', 'pending', 'failed', 'stale', 'dry-run'] },
                  clock: nullable(ref('SlaClock')),
                }),
              ),
              ...commonErrors,
              ...notFound,
              '403': errorResponse(
                'The acting user does not own the lead (SLA_NOT_OWNER), or is inactive (FORBIDDEN).',
              ),
              '409': errorResponse(
                'The lead has no open SLA clock (SLA_NO_CLOCK), or came from no pool, so nobody is next (SLA_NO_POOL).',
              ),
            },
          },
        ),
      },
      '/v1/sla/report': {
        get: v1(
          'Handoff report',
          'Admins only. Per week (Monday, UTC) and rep or pool: leads assigned, time to assign and to first touch (p50, p90, seconds), and SLA breaches (owners on whose watch a step fired).',
          {
            parameters: [
              queryParam('by', { enum: ['rep', 'pool'], default: 'rep' }, 'Group by rep or by pool.'),
              queryParam(
                'weeks',
                { type: 'integer', minimum: 1, maximum: 52, default: 4 },
                'How many weeks back.',
              ),
            ],
            responses: {
              '200': json(
                obj({
                  by: { enum: ['rep', 'pool'] },
                  weeks: { type: 'integer' },
                  items: {
                    type: 'array',
                    items: obj({
                      week: str,
                      key: str,
                      name: nstr,
                      leads: { type: 'integer' },
                      assignP50: { type: ['number', 'null'] },
                      assignP90: { type: ['number', 'null'] },
                      touched: { type: 'integer' },
                      touchP50: { type: ['number', 'null'] },
                      touchP90: { type: ['number', 'null'] },
                      breaches: { type: 'integer' },
                    }),
                  },
                }),
              ),
              ...commonErrors,
            },
          },
        ),
      },
      '/v1/sla/notifications': {
        get: v1(
          'Notifications',
          'Admins only. The notifications of SLA steps and arrivals, newest first, with their status: a failed one keeps its last error.',
          {
            parameters: [
              queryParam('status', { enum: ['pending', 'sent', 'failed'] }, 'Only these.'),
              queryParam('limit', { type: 'integer', minimum: 1, maximum: 500, default: 50 }, 'How many.'),
            ],
            responses: {
              '200': json(obj({ items: { type: 'array', items: ref('Notification') } })),
              ...commonErrors,
            },
          },
        ),
      },
      '/v1/me': {
        get: v1('The acting user', 'Who X-Switchyard-User is and what they may do.', {
          responses: {
            '200': json(
              obj({
                id: str,
                name: str,
                role: nstr,
                permissions: obj({ reroute: { type: 'boolean' }, admin: { type: 'boolean' } }),
              }),
            ),
            ...commonErrors,
          },
        }),
      },
      '/v1/users': {
        get: v1(
          'Search users',
          'Users whose name contains q (or whose Id is q), by name; inactive users too.',
          {
            parameters: [limitParam(25), qParam],
            responses: { '200': json(listOf(ref('User'))), ...commonErrors },
          },
        ),
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'The key in SWITCHYARD_API_KEY.' },
      },
      parameters: {
        ActingUser: {
          name: 'X-Switchyard-User',
          in: 'header',
          required: true,
          description:
            'The 18-character Id of the acting Salesforce user (005…), active and known to the org.',
          schema: sfId('005', 'user'),
        },
      },
      schemas: {
        Error: obj({
          error: obj(
            {
              code: {
                enum: Object.keys(STATUS_BY_CODE),
              },
              message: { type: 'string', description: 'What went wrong, in a sentence.' },
              action: { type: 'string', description: 'What to do next, in a sentence.' },
              details: { type: 'array', items: obj({ field: str, message: str }) },
            },
            ['code', 'message', 'action'],
          ),
        }),
        Owner: obj({ id: str, name: str, kind: { enum: ['user', 'queue'] } }),
        PathStep: obj({ node: str, text: str }),
        Flow: obj({ name: str, version: { type: 'integer' } }),
        WriteError: obj({ code: str, message: str }),
        RouteResult: obj({
          leadId: str,
          decisionId: str,
          dryRun: { type: 'boolean' },
          outcome: { enum: ['assigned', 'converted', 'queued', 'unchanged'] },
          owner: nullable(ref('Owner')),
          previousOwner: nullable(ref('Owner')),
          flow: ref('Flow'),
          summary: str,
          path: { type: 'array', items: ref('PathStep') },
          decidedAt: dateTime,
          status: { enum: ['pending', 'applied', 'dry-run'] },
          errors: { type: 'array', items: ref('WriteError') },
        }),
        BatchResult: obj({
          dryRun: { type: 'boolean' },
          total: { type: 'integer' },
          routed: { type: 'integer' },
          failed: { type: 'integer' },
          results: {
            type: 'array',
            items: {
              oneOf: [
                { allOf: [ref('RouteResult'), obj({ ok: { const: true } })] },
                obj({ leadId: str, ok: { const: false }, error: errorObject() }, ['leadId', 'ok', 'error']),
              ],
            },
          },
        }),
        MatchedLeads: obj({
          accountId: str,
          accountName: str,
          total: { type: 'integer' },
          limit: { type: 'integer' },
          offset: { type: 'integer' },
          hiddenFields: {
            type: 'array',
            items: { enum: ['title', 'email', 'status'] },
            description: "Item fields the acting user's field-level security hides: null in every item.",
          },
          items: {
            type: 'array',
            items: obj({
              id: str,
              name: str,
              company: nstr,
              title: nstr,
              email: nstr,
              status: nstr,
              owner: nullable(ref('Owner')),
              lastActivity: nstr,
              lastFlowName: nstr,
              activeFlowsCount: { type: 'integer', minimum: 0 },
              matchScore: { type: ['number', 'null'], minimum: 0, maximum: 1 },
              matchReason: nstr,
              matchMethod: {
                enum: ['email-domain', 'website', 'company-name', 'ambiguous', 'set-on-lead', null],
                description:
                  "How the lead matches, for a short label (matchReason has the words): the matcher's method, ambiguous when look-alikes tie, set-on-lead when no automatic match points to the account now.",
              },
            }),
          },
        }),
        JobRun: obj({
          job: str,
          day: { type: 'string', description: 'The day (UTC) the run counts for, YYYY-MM-DD.' },
          dryRun: { type: 'boolean' },
          candidates: { type: 'integer', description: 'Leads the job looked at.' },
          moved: {
            type: 'integer',
            description: 'Leads whose owner or fields it changed (would change, in a dry run).',
          },
          unchanged: { type: 'integer' },
          failed: { type: 'integer' },
          apiCalls: { type: 'integer', description: 'Calls the run made to the org.' },
        }),
        Job: obj({
          name: str,
          description: str,
          cron: { type: 'string', description: 'Five-field cron, read in UTC.' },
          paused: { type: 'boolean' },
          pauseChange: nullable(
            obj({
              paused: { type: 'boolean' },
              changedBy: nstr,
              changedByName: { ...nstr, description: 'The name of the user who paused or resumed it.' },
              changedAt: dateTime,
            }),
          ),
          nextRunAt: nullable(dateTime),
          runs: {
            type: 'array',
            description:
              'The newest runs, real and dry, newest first; a run without finishedAt is still going.',
            items: obj(
              {
                id: str,
                job: str,
                day: str,
                dryRun: { type: 'boolean' },
                startedBy: {
                  ...nstr,
                  description: 'The user Id of the admin who ran it; null for the schedule.',
                },
                startedByName: { ...nstr, description: "That admin's name; null for the schedule." },
                startedAt: dateTime,
                finishedAt: dateTime,
                error: str,
                candidates: { type: 'integer' },
                moved: { type: 'integer' },
                unchanged: { type: 'integer' },
                failed: { type: 'integer' },
                apiCalls: { type: 'integer' },
              },
              ['id', 'job', 'day', 'dryRun', 'startedBy', 'startedByName', 'startedAt'],
            ),
          },
        }),
        PartnerStatus: obj({
          leadId: str,
          state: { enum: [...PARTNER_STATES] },
          label: str,
          description: str,
          partnerAccount: nstr,
          partnerShareStatus: nstr,
          partnerLeadStatus: nstr,
          prospectShareStatus: nstr,
          partnerProspectStatus: nstr,
          recalled: { type: 'boolean' },
          recalledDate: nstr,
          acquisitionSource: nstr,
          lastRoutedAt: nstr,
        }),
        RoutingHistory: obj({
          leadId: str,
          items: {
            type: 'array',
            items: obj({
              id: str,
              decidedAt: dateTime,
              flow: ref('Flow'),
              trigger: {
                // The flows' triggers, and the SLA ladder's reassignment.
                enum: [...TRIGGERS, 'sla'],
              },
              outcome: { enum: ['assigned', 'converted', 'queued', 'unchanged', 'refused'] },
              owner: nullable(ref('Owner')),
              previousOwner: nullable(ref('Owner')),
              actor: nullable(obj({ id: str, name: str })),
              reason: nstr,
              job: nstr,
              refusal: nullable(obj({ code: str, message: str, action: str })),
              summary: str,
              status: { enum: ['applied', 'pending', 'failed', 'stale', 'dry-run'] },
              steps: { type: 'array', items: ref('PathStep') },
              path: { type: 'array', items: ref('PathStep') },
              errors: { type: 'array', items: ref('WriteError') },
            }),
          },
        }),
        Lead: obj({
          id: str,
          name: str,
          title: nstr,
          email: nstr,
          company: nstr,
          status: nstr,
          country: nstr,
          owner: nullable(ref('Owner')),
          matchedAccount: nullable(obj({ id: str, name: str })),
          lastRoutedAt: nstr,
          routingReason: nstr,
        }),
        Account: obj({
          id: str,
          name: str,
          website: nstr,
          type: nstr,
          country: nstr,
          owner: nullable(ref('Owner')),
          bdr: nullable(obj({ id: str, name: str })),
          bdrProspectingStatus: nstr,
          lastActivity: nstr,
        }),
        User: obj({
          id: str,
          name: str,
          role: nstr,
          region: nstr,
          active: { type: 'boolean' },
          outOfOfficeUntil: nstr,
          permissions: obj({ reroute: { type: 'boolean' } }),
        }),
        RoutingVersion: obj({
          version: { type: 'integer' },
          action: {
            enum: ['first-start', 'publish', 'import', 'rollback', 'pool-change', 'territory-change'],
          },
          author: obj({ id: str, name: str }),
          reason: str,
          baseVersion: { type: ['integer', 'null'] },
          rolledBackTo: { type: ['integer', 'null'] },
          changes: { type: 'array', items: fileChange },
          createdAt: dateTime,
        }),
        RoutingVersionWithFiles: {
          allOf: [ref('RoutingVersion'), obj({ files: candidateSchema })],
        },
        VersionChange: obj({
          version: { type: 'integer' },
          published: { type: 'boolean' },
          previous: { type: 'integer' },
          changes: { type: 'array', items: fileChange },
        }),
        Notification: obj(
          {
            id: str,
            leadId: str,
            clockId: str,
            step: { type: 'integer' },
            kind: { enum: ['assigned', 'remind', 'reassigned', 'escalated'] },
            recipientId: str,
            recipientName: {
              ...str,
              description:
                'The name of the user (or queue) it goes to; in the notification log (GET /v1/sla/notifications).',
            },
            channel: str,
            message: str,
            status: { enum: ['pending', 'sent', 'failed'] },
            attempts: { type: 'integer' },
            lastError: nstr,
            createdAt: dateTime,
            sentAt: nullable(dateTime),
          },
          [
            'id',
            'leadId',
            'clockId',
            'step',
            'kind',
            'recipientId',
            'channel',
            'message',
            'status',
            'attempts',
            'lastError',
            'createdAt',
            'sentAt',
          ],
        ),
        SlaNoClock: obj({
          leadId: str,
          status: { enum: ['none'] },
          why: { enum: [...NO_CLOCK_WHY] },
        }),
        SlaClock: obj({
          leadId: str,
          status: { enum: ['open', 'accepted', 'converted', 'moved', 'escalated', 'rejected'] },
          policy: nullable(obj({ name: str, label: nstr })),
          pool: nstr,
          owner: obj({
            id: str,
            name: nstr,
            timeZone: str,
            hours: obj({
              days: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 } },
              start: str,
              end: str,
            }),
          }),
          ownerSince: dateTime,
          arrivedAt: dateTime,
          dueAt: nullable(dateTime),
          next: nullable(
            obj({
              step: { type: 'integer' },
              action: { enum: ['remind', 'reassign', 'escalate'] },
              afterMinutes: { type: 'integer' },
              to: nstr,
              toKind: { enum: ['user', 'queue', null] },
            }),
          ),
          acceptedBy: { type: 'array', items: { enum: ['status-change', 'activity', 'accept'] } },
          closedAt: nullable(dateTime),
          closedBy: nstr,
          steps: {
            type: 'array',
            items: obj({
              clockId: str,
              step: { type: 'integer' },
              leadId: str,
              action: { enum: ['remind', 'reassign', 'escalate'] },
              ownerId: str,
              dueAt: dateTime,
              firedAt: dateTime,
              status: { enum: ['pending', 'done'] },
              detail: nstr,
            }),
          },
          handoffs: {
            type: 'array',
            items: obj({
              leadId: str,
              clockId: str,
              decisionId: str,
              flow: nstr,
              pool: nstr,
              policy: nstr,
              ownerId: str,
              since: dateTime,
              assignedAt: dateTime,
              assignSeconds: { type: 'number' },
              touchedAt: nullable(dateTime),
              touchSeconds: { type: ['number', 'null'] },
              touchedBy: nstr,
              breached: { type: 'boolean' },
            }),
          },
          notifications: { type: 'array', items: ref('Notification') },
        }),
        Readiness: obj({
          status: { enum: ['ready', 'not-ready'] },
          checks: { type: 'array', items: obj({ name: str, ok: { type: 'boolean' }, message: str }) },
        }),
      },
    },
  };
}

function listOf(item: Schema): Schema {
  return obj({ q: str, limit: { type: 'integer' }, items: { type: 'array', items: item } });
}

/** The inner error object, as a batch result carries it per lead. */
function errorObject(): Schema {
  return obj({ code: str, message: str, action: str }, ['code', 'message', 'action']);
}
