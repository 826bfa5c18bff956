import { z } from 'zod';
import type { PoolDefinition, TerritoryTable } from '../distribution/distribution.types.js';
import { validatePool } from '../distribution/pool.js';
import { validateTerritoryTable } from '../distribution/territory.js';
import type { Trigger } from '../model.js';
import type { FieldType, Scope } from './fields.js';
import { checkFlow, FlowInvalidError, type Flow, type FlowIssue } from './flow-loader.js';
import { parseYamlSource, sortIssues, suggest, type YamlSource } from './yaml-source.js';

export interface SourceFile {
  file: string;
  text: string;
}

/** What the org has, for checking that documents name only things that exist. */
export interface OrgCatalog {
  users: string[];
  queues: string[];
  fields?: Partial<Record<Scope, Record<string, FieldType>>>;
}

/** Everything routing runs on: flows, pools and territory tables, validated together. */
export interface RoutingSet {
  flows: Map<string, Flow>;
  pools: Map<string, PoolDefinition>;
  territories: Map<string, TerritoryTable>;
}

const poolSchema = z.strictObject({
  name: z.string(),
  label: z.string().optional(),
  strategy: z.enum(['round-robin', 'load', 'performance']),
  respectWorkingHours: z.boolean().optional(),
  members: z.array(
    z.strictObject({
      userId: z.string(),
      weight: z.number().optional(),
      capPerHour: z.number().optional(),
      capPerDay: z.number().optional(),
      maxOpenLoad: z.number().optional(),
      paused: z.boolean().optional(),
    }),
  ),
});

const target = z.strictObject({
  user: z.string().optional(),
  queue: z.string().optional(),
  pool: z.string().optional(),
});
const territorySchema = z.strictObject({
  name: z.string(),
  rows: z.array(
    z.strictObject({
      country: z.array(z.string()).optional(),
      state: z.array(z.string()).optional(),
      postalCode: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
      employees: z.strictObject({ min: z.number().optional(), max: z.number().optional() }).optional(),
      industry: z.array(z.string()).optional(),
      assign: target,
    }),
  ),
});

/**
 * Loads and checks flows, pools and territory tables as one set: every problem in every file is
 * reported, with its line, and nothing is returned unless the whole set is valid.
 */
export function loadRoutingSet(
  files: { flows: SourceFile[]; pools: SourceFile; territories: SourceFile },
  org: OrgCatalog,
): RoutingSet {
  const issues: FlowIssue[] = [];
  const pools = new Map<string, PoolDefinition>();
  const territories = new Map<string, TerritoryTable>();

  const poolSource = parseYamlSource(files.pools.text, files.pools.file);
  const poolList = listOf(poolSource, 'pools', poolSchema);
  poolList.valid.forEach(({ item: pool, index: i }) => {
    if (pools.has(pool.name))
      poolSource.report(['pools', i, 'name'], `a pool named '${pool.name}' is already defined`);
    pools.set(pool.name, pool);
    for (const problem of validatePool(pool))
      poolSource.report(`pools[${i}].${problem.path}`, problem.message);
    pool.members.forEach((member, j) => {
      if (!org.users.includes(member.userId)) {
        poolSource.report(['pools', i, 'members', j, 'userId'], `user ${member.userId} is not in the org`);
      }
    });
  });
  issues.push(...poolSource.issues);

  const territorySource = parseYamlSource(files.territories.text, files.territories.file);
  const tableList = listOf(territorySource, 'territories', territorySchema);
  tableList.valid.forEach(({ item: table, index: i }) => {
    if (territories.has(table.name)) {
      territorySource.report(['territories', i, 'name'], `a table named '${table.name}' is already defined`);
    }
    territories.set(table.name, table);
    for (const problem of validateTerritoryTable(table)) {
      territorySource.report(`territories[${i}].${problem.path}`, problem.message);
    }
    table.rows.forEach((row, j) => {
      const at = ['territories', i, 'rows', j, 'assign'];
      const { pool, queue, user } = row.assign;
      if (pool !== undefined && !poolList.names.includes(pool)) {
        territorySource.report([...at, 'pool'], `no pool named '${pool}'${suggest(pool, poolList.names)}`);
      }
      if (queue !== undefined && !org.queues.includes(queue)) {
        territorySource.report([...at, 'queue'], `no queue named '${queue}'${suggest(queue, org.queues)}`);
      }
      if (user !== undefined && !org.users.includes(user)) {
        territorySource.report([...at, 'user'], `user ${user} is not in the org`);
      }
    });
  });
  issues.push(...territorySource.issues);

  const flowNames = files.flows
    .map((f) => /^\s*flow:\s*['"]?([\w-]+)/m.exec(f.text)?.[1])
    .filter((n): n is string => !!n);
  const catalog = {
    pools: poolList.names,
    queues: org.queues,
    users: org.users,
    territories: tableList.names,
    flows: flowNames,
    ...(org.fields ? { fields: org.fields } : {}),
  };
  const flows = new Map<string, Flow>();
  for (const file of files.flows) {
    const checked = checkFlow(file.text, file.file, catalog);
    issues.push(...checked.issues);
    if (!checked.flow) continue;
    const clash = flows.get(checked.flow.flow);
    if (clash) {
      issues.push({
        file: file.file,
        line: 1,
        column: 1,
        path: 'flow',
        message: `flow name '${checked.flow.flow}' is also used by ${clash.file}`,
      });
    }
    flows.set(checked.flow.flow, checked.flow);
  }

  if (issues.length > 0) throw new FlowInvalidError(sortIssues(issues));
  return { flows, pools, territories };
}

/**
 * The valid entries of the document's top-level list; each invalid one is reported on its own, so one
 * broken pool does not hide the others (nor make every flow that names them look wrong).
 */
function listOf<T>(
  source: YamlSource,
  key: string,
  schema: z.ZodType<T>,
): { valid: Array<{ item: T; index: number }>; names: string[] } {
  const data = source.data as Record<string, unknown> | null | undefined;
  const names: string[] = [];
  if (data === undefined) return { valid: [], names };
  const list = data?.[key];
  if (!Array.isArray(list)) {
    source.report([key], `the document needs a list under '${key}:'`);
    return { valid: [], names };
  }
  for (const extra of Object.keys(data ?? {}).filter((k) => k !== key))
    source.report([extra], `unknown key '${extra}'`);
  const valid: Array<{ item: T; index: number }> = [];
  list.forEach((raw, index) => {
    const name = (raw as { name?: unknown } | null)?.name;
    if (typeof name === 'string') names.push(name);
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      valid.push({ item: parsed.data, index });
      return;
    }
    for (const issue of parsed.error.issues) {
      const path = [key, index, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
      if (issue.code === 'unrecognized_keys')
        for (const k of issue.keys) source.report([...path, k], `unknown key '${k}'`);
      else source.report(path, issue.message.replace(/^Invalid input: /, ''));
    }
  });
  return { valid, names };
}

/** Whether a flow handles this trigger: its kind, and for updates a watched field, and for jobs its name. */
export function acceptsTrigger(flow: Flow, trigger: Trigger): boolean {
  const { on, changed, jobs } = flow.trigger;
  if (!on.includes(trigger.kind)) return false;
  if (trigger.kind === 'updated' && changed) {
    const touched = new Set([...(trigger.changedFields ?? []), ...Object.keys(trigger.previous ?? {})]);
    if (!changed.some((field) => touched.has(field))) return false;
  }
  if (trigger.kind === 'scheduled' && jobs && !jobs.includes(trigger.job ?? '')) return false;
  return true;
}

/**
 * The flow that routing starts in for a trigger: of the flows that accept it, those another accepting
 * flow hands over to are not entry points (partner routing hands over to the blueprint); then by name.
 */
export function selectFlow(set: RoutingSet, trigger: Trigger): Flow | null {
  const accepting = [...set.flows.values()].filter((flow) => acceptsTrigger(flow, trigger));
  const handedTo = new Set(
    accepting.flatMap((flow) =>
      Object.values(flow.nodes).flatMap((n) => (n.type === 'subflow' ? [n.flow] : [])),
    ),
  );
  const entries = accepting
    .filter((flow) => !handedTo.has(flow.flow))
    .sort((a, b) => a.flow.localeCompare(b.flow));
  return entries[0] ?? null;
}
