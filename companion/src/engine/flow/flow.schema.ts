import { z } from 'zod';

/**
 * The flow document, as people write it in YAML. This schema is the single source of truth: the
 * loader validates against it and `flowJsonSchema()` exports it for editor completion.
 */

export const OPERATORS = [
  'equals',
  'notEquals',
  'in',
  'notIn',
  'empty',
  'notEmpty',
  'startsWith',
  'contains',
  'greaterThan',
  'lessThan',
  'greaterOrEqual',
  'lessOrEqual',
  'olderThanDays',
  'newerThanDays',
  'daysAgo',
  'changed',
] as const;
export type Operator = (typeof OPERATORS)[number];

export const TRIGGER_KINDS = [
  'created',
  'updated',
  'campaign-member',
  'reroute',
  'scheduled',
  'inactive-owner',
] as const;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export interface ConditionDoc {
  field?: string;
  op?: Operator;
  value?: unknown;
  all?: ConditionDoc[];
  any?: ConditionDoc[];
  not?: ConditionDoc;
}

/** One object with optional keys (rather than a union) so errors name the exact key that is wrong. */
export const conditionSchema = z
  .strictObject({
    field: z.string().describe('scope.Field, e.g. lead.Status or account.Type').optional(),
    op: z.enum(OPERATORS).optional(),
    value: z.union([scalar, z.array(scalar)]).optional(),
    get all() {
      return z.array(conditionSchema).min(1).describe('true when every condition is true').optional();
    },
    get any() {
      return z.array(conditionSchema).min(1).describe('true when at least one condition is true').optional();
    },
    get not() {
      return conditionSchema.describe('true when the condition is false').optional();
    },
  })
  .describe('A field test ({field, op, value}) or a combination (all / any / not).');

export const assignTargetSchema = z
  .strictObject({
    user: z.string().describe('a user: username, email or user Id').optional(),
    queue: z.string().describe("a queue's DeveloperName (or Id)").optional(),
    pool: z.string().describe('a round-robin pool name').optional(),
    territory: z
      .string()
      .describe('a territory table name: its matching row picks the pool, queue or user')
      .optional(),
    field: z
      .string()
      .describe('a user lookup field, e.g. account.OwnerId, account.BDR_Assigned__c, lead.OwnerId')
      .optional(),
    sameCompanyOwner: z
      .literal(true)
      .describe('the owner of the other leads from the same company')
      .optional(),
  })
  .describe('Where a lead may go. Exactly one key.');
export type AssignTargetDoc = z.infer<typeof assignTargetSchema>;

const targets = z
  .union([assignTargetSchema, z.array(assignTargetSchema).min(1)])
  .describe('One target, or a list tried in order: the first that yields an active, available owner wins.');

const fieldValues = z
  .record(z.string(), scalar)
  .describe('Lead fields to set, by API name. Strings may use {scope.Field} placeholders.');

const base = {
  label: z.string().describe('Shown in explanations and history').optional(),
  description: z.string().optional(),
};
const next = z.string().describe('the id of the node to go to next');

export const nodeSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('match'),
    ...base,
    typeOrder: z
      .array(z.string())
      .describe('Tie-break order of account types for this match; defaults to the index policy')
      .optional(),
    next,
  }),
  z.strictObject({
    type: z.literal('decision'),
    ...base,
    branches: z.array(z.strictObject({ label: z.string().optional(), when: conditionSchema, next })).min(1),
    default: next.optional(),
  }),
  z.strictObject({ type: z.literal('update'), ...base, set: fieldValues, next }),
  z.strictObject({
    type: z.literal('assign'),
    ...base,
    to: targets,
    excludeCurrentOwner: z
      .boolean()
      .describe('Never hand the lead back to its current owner (for re-routing)')
      .optional(),
    set: fieldValues.optional(),
    next,
  }),
  z.strictObject({
    type: z.literal('convert'),
    ...base,
    owner: targets.describe('Owner of the new contact; the first active user wins'),
    createOpportunity: z.boolean().default(false),
    convertedStatus: z
      .string()
      .describe("A lead status the org marks converted; without it, the org's converted status")
      .optional(),
    set: fieldValues.optional(),
    next,
  }),
  z.strictObject({
    type: z.literal('refuse'),
    ...base,
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'use UPPER_SNAKE_CASE, e.g. LEAD_NOT_ELIGIBLE'),
    message: z.string().describe('What went wrong, in words; may use {scope.Field} placeholders'),
    action: z.string().describe('What the person should do instead'),
  }),
  z.strictObject({
    type: z.literal('subflow'),
    ...base,
    flow: z.string().describe('the name of another flow, which takes over from here'),
  }),
  z.strictObject({ type: z.literal('end'), ...base, summary: z.string().optional() }),
]);
export type NodeDoc = z.infer<typeof nodeSchema>;

export const flowSchema = z
  .strictObject({
    $schema: z.string().optional(),
    flow: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use kebab-case, e.g. partner-routing')
      .describe('The flow name'),
    version: z.number().int().positive(),
    label: z.string(),
    description: z.string().optional(),
    trigger: z.strictObject({
      on: z.array(z.enum(TRIGGER_KINDS)).min(1),
      changed: z
        .array(z.string())
        .describe('For updates: run only when one of these lead fields changed')
        .optional(),
      jobs: z.array(z.string()).describe('For scheduled runs: the job names this flow serves').optional(),
    }),
    start: z.string().describe('The id of the first node'),
    nodes: z.record(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'node ids are kebab-case'), nodeSchema),
  })
  .describe('A Switchyard routing flow');
export type FlowDoc = z.infer<typeof flowSchema>;

/** The JSON Schema of flow documents, for editors (`# yaml-language-server: $schema=…`). */
export function flowJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(flowSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
