import { z } from 'zod';
import type { PoolDefinition, TerritoryTable } from '../distribution/distribution.types.js';
import { validatePool } from '../distribution/pool.js';
import { validateTerritoryTable } from '../distribution/territory.js';
import type { QueueRecord, Trigger, UserRecord } from '../model.js';
import type { FieldType, Scope } from './fields.js';
import { MAX_FLOW_DEPTH, MAX_STEPS } from '../decide.js';
import {
  checkFlowSource,
  FlowInvalidError,
  findCycleFrom,
  isPlainMap,
  type Flow,
  type FlowIssue,
} from './flow-loader.js';
import { OrgPeople, PeopleBinder, type PersonRef } from './org-people.js';
import { parseYamlSource, sortIssues, suggest, type SourceIssue, type YamlSource } from './yaml-source.js';
import { checkSlaPolicies, slaSchema, type SlaPolicy } from '../sla/sla-policy.js';
import { slaStepFlow } from '../sla/sla-step-flow.js';
import { checkCompanyAliases, type AliasGroups } from '../matching/company-aliases.js';

export interface SourceFile {
  file: string;
  text: string;
}

/**
 * What the org has, for checking that documents name only things that exist: its users (with
 * Username and Email) and queues (with DeveloperName and whether they take Leads).
 */
export interface OrgCatalog {
  users: readonly UserRecord[];
  queues: readonly QueueRecord[];
  fields?: Partial<Record<Scope, Record<string, FieldType>>>;
}

/** Everything routing runs on: flows, pools, territory tables, SLAs and company aliases, validated together. */
export interface RoutingSet {
  flows: Map<string, Flow>;
  /** Members are users by Id: the names the file writes are resolved when the set is loaded. */
  pools: Map<string, PoolDefinition>;
  territories: Map<string, TerritoryTable>;
  /** The SLA policies of `sla.yaml`, by name; none when the folder has no such file. */
  slas: Map<string, SlaPolicy>;
  /** The names companies also go by, from `aliases.yaml` (account matching); none when the set has no such file. */
  aliases: AliasGroups;
  /**
   * Every user and queue the files name, with the Id each stands for now (`rebindPeople` resolves
   * them again when the org changes), and the names that load but that routing passes over
   * (inactive users), each on its line.
   */
  people: { refs: PersonRef[]; warnings: SourceIssue[] };
}

const poolSchema = z.strictObject({
  name: z.string(),
  label: z.string().optional(),
  strategy: z.enum(['round-robin', 'load', 'performance']),
  respectWorkingHours: z.boolean().optional(),
  load: z.enum(['leads', 'opportunities', 'both']).optional(),
  paused: z.boolean().optional(),
  /** Missed turns given back to a member who returns or joins: at most `leads`, of the last `withinDays` days. */
  catchUp: z.strictObject({ leads: z.number(), withinDays: z.number() }).optional(),
  members: z.array(
    z.strictObject({
      /** A username, an email or a user Id; `userId` is the older key for the same. */
      user: z.string().optional(),
      userId: z.string().optional(),
      weight: z.number().optional(),
      capPerHour: z.number().optional(),
      capPerDay: z.number().optional(),
      maxOpenLoad: z.number().optional(),
      paused: z.boolean().optional(),
      /** Out of office in this pool: from and to a calendar day (YYYY-MM-DD), both included. */
      away: z.array(z.strictObject({ from: z.string(), to: z.string() })).optional(),
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
      region: z.array(z.string()).optional(),
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
 * Loads and checks flows, pools, territory tables, SLAs and company aliases as one set: every problem in every file is
 * reported, with its line, and nothing is returned unless the whole set is valid.
 */
export function loadRoutingSet(
  files: {
    flows: SourceFile[];
    pools: SourceFile;
    territories: SourceFile;
    sla?: SourceFile;
    aliases?: SourceFile;
  },
  org: OrgCatalog,
): RoutingSet {
  const issues: FlowIssue[] = [];
  const pools = new Map<string, PoolDefinition>();
  const territories = new Map<string, TerritoryTable>();
  const people = new PeopleBinder(new OrgPeople(org.users, org.queues));

  const poolSource = parseYamlSource(files.pools.text, files.pools.file);
  const poolList = listOf(poolSource, 'pools', poolSchema);
  poolList.valid.forEach(({ item: { members, ...rest }, index: i }) => {
    const pool: PoolDefinition = { ...rest, members: [] };
    if (pools.has(pool.name))
      poolSource.report(['pools', i, 'name'], `a pool named '${pool.name}' is already defined`);
    pools.set(pool.name, pool);
    let named = true;
    members.forEach(({ user, userId, ...member }, j) => {
      const at = ['pools', i, 'members', j];
      const written = user ?? userId;
      if (written === undefined || (user !== undefined && userId !== undefined)) {
        named = false;
        poolSource.report(at, 'a member names one user: user: <username, email or user Id>');
        return;
      }
      const entry = { ...member, userId: written };
      pool.members.push(entry);
      const key = user !== undefined ? 'user' : 'userId';
      people.bind(poolSource, [...at, key], 'user', written, (id) => (entry.userId = id));
    });
    // Duplicates are found among the people the names resolve to, whichever way each is written.
    // A problem with a member is shown at the key the file writes (user or userId).
    const keyOf = (j: string) => (members[Number(j)]?.user !== undefined ? 'user' : 'userId');
    if (named)
      for (const problem of validatePool(pool))
        poolSource.report(
          `pools[${i}].${problem.path.replace(/^members\[(\d+)\]\.userId$/, (_, j: string) => `members[${j}].${keyOf(j)}`)}`,
          problem.message,
        );
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
        territorySource.report(
          [...at, 'pool'],
          () => `no pool named '${pool}'${suggest(pool, poolList.names)}`,
        );
      }
      if (queue !== undefined)
        people.bind(territorySource, [...at, 'queue'], 'queue', queue, (id) => (row.assign.queue = id));
      if (user !== undefined)
        people.bind(territorySource, [...at, 'user'], 'user', user, (id) => (row.assign.user = id));
    });
  });
  issues.push(...territorySource.issues);

  const flowSources = files.flows.map((f) => parseYamlSource(f.text, f.file));
  const flowNames = flowSources
    .map((source) => (isPlainMap(source.data) ? source.data.flow : undefined))
    .filter((name): name is string => typeof name === 'string');
  const catalog = {
    pools: poolList.names,
    people,
    territories: tableList.names,
    flows: flowNames,
    ...(org.fields ? { fields: org.fields } : {}),
  };
  const flows = new Map<string, Flow>();
  const sourceOf = new Map<string, YamlSource>();
  files.flows.forEach((file, i) => {
    const source = flowSources[i]!;
    const flow = checkFlowSource(source, file.file, catalog);
    if (!flow) return;
    const clash = flows.get(flow.flow);
    if (clash) source.report(['flow'], `flow name '${flow.flow}' is also used by ${clash.file}`);
    flows.set(flow.flow, flow);
    sourceOf.set(flow.flow, source);
  });
  checkHandOvers(flows, sourceOf);
  for (const source of flowSources) issues.push(...source.issues);

  let slas = new Map<string, SlaPolicy>();
  if (files.sla) {
    const slaSource = parseYamlSource(files.sla.text, files.sla.file);
    const slaList = listOf(slaSource, 'slas', slaSchema);
    slas = checkSlaPolicies(slaSource, slaList.valid, { pools: poolList.names, flows: flowNames }, people);
    issues.push(...slaSource.issues);
  }

  let aliases: AliasGroups = [];
  if (files.aliases) {
    const aliasSource = parseYamlSource(files.aliases.text, files.aliases.file);
    aliases = checkCompanyAliases(aliasSource);
    issues.push(...aliasSource.issues);
  }

  if (issues.length > 0) throw new FlowInvalidError(sortIssues(issues));
  return {
    flows,
    pools,
    territories,
    slas,
    aliases,
    people: { refs: people.refs, warnings: sortIssues(people.warnings) },
  };
}

/** The subflow nodes of a flow: the flows it hands over to, and where. */
function handOvers(flow: Flow): Array<{ node: string; to: string }> {
  return Object.entries(flow.nodes).flatMap(([node, n]) =>
    n.type === 'subflow' ? [{ node, to: n.flow }] : [],
  );
}

/**
 * Refuses what every decision would fail on at run time: flows that hand a lead back to one another,
 * more hand-overs than a decision follows, and paths longer than a decision walks.
 */
function checkHandOvers(flows: Map<string, Flow>, sourceOf: Map<string, YamlSource>): void {
  const next = (name: string) => {
    const flow = flows.get(name);
    return flow
      ? handOvers(flow)
          .map((h) => h.to)
          .filter((to) => flows.has(to))
      : [];
  };
  const cyclic = new Set<string>();
  for (const name of [...flows.keys()].sort()) {
    if (cyclic.has(name)) continue;
    const cycle = findCycleFrom(name, next);
    if (!cycle) continue;
    cycle.forEach((member) => cyclic.add(member));
    const [from, to] = cycle as [string, string];
    const node = handOvers(flows.get(from)!).find((h) => h.to === to)!.node;
    sourceOf
      .get(from)!
      .report(
        ['nodes', node, 'flow'],
        `hand-over cycle: ${cycle.join(' → ')}: a lead would be handed back and forth forever; end one of these flows instead`,
      );
  }
  // The flows in a cycle have no longest run; the others are measured as if those ended.
  const acyclic = new Map([...flows].filter(([name]) => !cyclic.has(name)));
  const longest = longestRuns(acyclic);
  for (const [name, flow] of acyclic) {
    const run = longest.get(`${name}\u0000${flow.start}`)!;
    const report = sourceOf.get(name)!.report;
    if (run.handOvers > MAX_FLOW_DEPTH) {
      report(
        ['start'],
        `a lead can be handed over ${run.handOvers} times from here (${run.flows.join(' → ')}); a decision follows at most ${MAX_FLOW_DEPTH}: hand over fewer times`,
      );
    } else if (run.steps > MAX_STEPS) {
      report(
        ['start'],
        `a lead can pass ${run.steps} nodes from here, hand-overs included; a decision stops after ${MAX_STEPS}: shorten the longest path`,
      );
    }
  }
}

interface Run {
  steps: number;
  handOvers: number;
  /** The flows of the run with the most hand-overs, from this node's own. */
  flows: string[];
}

/**
 * The longest run from every node of every flow, in nodes passed and hand-overs, across flows. The
 * graph has no cycles (checked before); worked out with its own stack, as flows may be long.
 */
function longestRuns(flows: Map<string, Flow>): Map<string, Run> {
  const key = (flow: string, node: string) => `${flow}\u0000${node}`;
  const runs = new Map<string, Run>();
  const edges = (flowName: string, nodeId: string): Array<{ key: string; handOver: boolean }> => {
    const node = flows.get(flowName)!.nodes[nodeId]!;
    if (node.type === 'subflow') {
      const target = flows.get(node.flow);
      return target ? [{ key: key(node.flow, target.start), handOver: true }] : [];
    }
    const out: Array<{ key: string; handOver: boolean }> = [];
    if (node.type === 'decision') {
      for (const branch of node.branches) out.push({ key: key(flowName, branch.next), handOver: false });
      if (node.default !== undefined) out.push({ key: key(flowName, node.default), handOver: false });
    } else if ('next' in node) {
      out.push({ key: key(flowName, node.next), handOver: false });
    }
    return out;
  };
  for (const [name, flow] of flows) {
    const stack: Array<{ key: string; expanded: boolean }> = [
      { key: key(name, flow.start), expanded: false },
    ];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (runs.has(top.key)) continue;
      const [flowName, nodeId] = top.key.split('\u0000') as [string, string];
      const out = edges(flowName, nodeId);
      if (!top.expanded) {
        stack.push({ key: top.key, expanded: true });
        for (const edge of out) if (!runs.has(edge.key)) stack.push({ key: edge.key, expanded: false });
        continue;
      }
      const run: Run = { steps: 1, handOvers: 0, flows: [flowName] };
      for (const edge of out) {
        const after = runs.get(edge.key) ?? { steps: 0, handOvers: 0, flows: [] };
        run.steps = Math.max(run.steps, after.steps + 1);
        const handOvers = after.handOvers + (edge.handOver ? 1 : 0);
        if (handOvers > run.handOvers) {
          run.handOvers = handOvers;
          run.flows = edge.handOver ? [flowName, ...after.flows] : after.flows;
        }
      }
      runs.set(top.key, run);
    }
  }
  return runs;
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
  const data = source.data;
  const names: string[] = [];
  if (data === undefined) return { valid: [], names };
  const list = isPlainMap(data) ? data[key] : undefined;
  if (!isPlainMap(data) || !Array.isArray(list)) {
    source.report([key], `the document needs a list under '${key}:'`);
    return { valid: [], names };
  }
  for (const extra of Object.keys(data).filter((k) => k !== key))
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
  if (trigger.kind === 'sla' || !on.includes(trigger.kind)) return false;
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
  // An SLA step's move runs the step itself, never a flow of the folder.
  if (trigger.kind === 'sla') return slaStepFlow(set.slas, trigger);
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
