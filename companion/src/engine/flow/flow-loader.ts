import type { z } from 'zod';
import {
  flowSchema,
  type AssignTargetDoc,
  type ConditionDoc,
  type FlowDoc,
  type NodeDoc,
} from './flow.schema.js';
import {
  LIST_SCOPES,
  mergeFields,
  OPERATORS_BY_TYPE,
  SCOPES,
  splitField,
  type FieldCatalog,
  type FieldType,
  type Scope,
} from './fields.js';
import type { PeopleBinder } from './org-people.js';
import {
  DocumentInvalidError,
  parseYamlSource,
  sortIssues,
  suggest,
  type IssueMessage,
  type PathSegment,
  type SourceIssue,
  type YamlSource,
} from './yaml-source.js';

export type FlowIssue = SourceIssue;

/** What a flow may refer to: it is invalid when it names a pool, queue, user, table or flow not in here. */
export interface FlowCatalog {
  pools: string[];
  /** The org's users and queues, which resolves the names flows give them. */
  people: PeopleBinder;
  territories: string[];
  flows: string[];
  fields?: Partial<Record<Scope, Record<string, FieldType>>>;
}

export interface Flow extends FlowDoc {
  file: string;
}

export class FlowInvalidError extends DocumentInvalidError {
  constructor(issues: FlowIssue[]) {
    super(issues, 'flow', 'FLOW_INVALID');
  }
}

/** @internal Parses and validates one flow document; throws FlowInvalidError listing every problem (the loader tests read one flow at a time). */
export function loadFlow(text: string, file: string, catalog: FlowCatalog): Flow {
  const { flow, issues } = checkFlow(text, file, catalog);
  if (!flow) throw new FlowInvalidError(issues);
  return flow;
}

export function checkFlow(
  text: string,
  file: string,
  catalog: FlowCatalog,
): { flow?: Flow; issues: FlowIssue[] } {
  const source = parseYamlSource(text, file);
  const flow = checkFlowSource(source, file, catalog);
  const issues = sortIssues([...source.issues]);
  return flow ? { flow, issues } : { issues };
}

/** The flow in a parsed document, or undefined after reporting its problems to the source. */
export function checkFlowSource(source: YamlSource, file: string, catalog: FlowCatalog): Flow | undefined {
  if (source.data === undefined) return undefined;
  if (!isPlainMap(source.data)) {
    source.report([], 'a flow is a map of keys (flow:, version:, label:, trigger:, start:, nodes:)');
    return undefined;
  }
  const parsed = flowSchema.safeParse(source.data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportSchemaIssue(issue, source.report);
    return undefined;
  }
  const before = source.issues.length;
  checkSemantics(parsed.data, catalog, source);
  return source.issues.length === before ? { ...parsed.data, file } : undefined;
}

/** A YAML map as plain data (not a list, a scalar, or binary data from !!binary). */
export function isPlainMap(data: unknown): data is Record<string, unknown> {
  return typeof data === 'object' && data !== null && Object.getPrototypeOf(data) === Object.prototype;
}

function reportSchemaIssue(issue: z.core.$ZodIssue, report: Report) {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) report([...path, key], `unknown key '${key}'`);
  } else if (issue.code === 'invalid_union' && path.at(-1) === 'type') {
    report(path, 'unknown node type: use match, decision, update, assign, convert, refuse, subflow or end');
  } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    report(
      path,
      `${issue.message}: ${issue.errors.map((e) => e.map((i) => i.message).join(', ')).join('; or ')}`,
    );
  } else if (issue.code === 'invalid_type' && issue.input === undefined) {
    report(path, `'${String(path.at(-1))}' is missing`);
  } else {
    report(path, issue.message.replace(/^Invalid input: /, ''));
  }
}

function checkSemantics(flow: FlowDoc, catalog: FlowCatalog, source: YamlSource) {
  const report = source.report;
  const fields = mergeFields(catalog.fields);
  const ids = Object.keys(flow.nodes);
  const known = new Set(ids);

  const edge = (path: PathSegment[], target: string) => {
    if (!known.has(target))
      report(path, () => `goes to '${target}', which is not a node${suggest(target, ids)}`);
  };

  if (!known.has(flow.start))
    report(['start'], () => `'${flow.start}' is not a node${suggest(flow.start, ids)}`);
  for (const field of flow.trigger.changed ?? []) {
    if (!(field in fields.lead))
      report(
        ['trigger', 'changed'],
        () => `unknown lead field '${field}'${suggest(field, Object.keys(fields.lead))}`,
      );
  }

  for (const [id, node] of Object.entries(flow.nodes)) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['nodes', id, ...rest];
    for (const [target, path] of successors(node)) edge(at(...path), target);
    switch (node.type) {
      case 'decision':
        if (node.default === undefined) {
          report(
            at('branches'),
            `decision '${id}' has no default: add 'default: <node id>' for leads that match no branch`,
          );
        }
        node.branches.forEach((branch, i) =>
          checkCondition(branch.when, at('branches', i, 'when'), fields, report),
        );
        break;
      case 'update':
        checkSet(node.set, at('set'), fields, report);
        break;
      case 'assign':
        checkTargets(node.to, at('to'), fields, catalog, source);
        if (node.set) checkSet(node.set, at('set'), fields, report);
        break;
      case 'convert':
        checkTargets(node.owner, at('owner'), fields, catalog, source);
        if (node.set) checkSet(node.set, at('set'), fields, report);
        break;
      case 'refuse':
        checkTemplate(node.message, at('message'), fields, report);
        checkTemplate(node.action, at('action'), fields, report);
        break;
      case 'subflow':
        if (node.flow === flow.flow) report(at('flow'), 'a flow cannot hand over to itself');
        else if (!catalog.flows.includes(node.flow)) {
          report(at('flow'), () => `no flow named '${node.flow}'${suggest(node.flow, catalog.flows)}`);
        }
        break;
      default:
        break;
    }
  }

  if (!known.has(flow.start)) return;
  const reachable = new Set<string>();
  const stack = [flow.start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reachable.has(id) || !known.has(id)) continue;
    reachable.add(id);
    for (const [target] of successors(flow.nodes[id]!)) stack.push(target);
  }
  for (const id of ids) {
    if (!reachable.has(id))
      report(['nodes', id], `node '${id}' cannot be reached from start '${flow.start}'`);
  }
  const cycle = findCycle(flow);
  if (cycle) report(['nodes', cycle[0]!], `cycle: ${cycle.join(' → ')}: a lead could loop forever`);
}

/** The edges out of a node, with the path of each edge in the node. */
export function successors(node: NodeDoc): Array<[string, PathSegment[]]> {
  switch (node.type) {
    case 'decision': {
      const out: Array<[string, PathSegment[]]> = node.branches.map((b, i) => [
        b.next,
        ['branches', i, 'next'],
      ]);
      if (node.default !== undefined) out.push([node.default, ['default']]);
      return out;
    }
    case 'refuse':
    case 'subflow':
    case 'end':
      return [];
    default:
      return [[node.next, ['next']]];
  }
}

function findCycle(flow: FlowDoc): string[] | null {
  return findCycleFrom(flow.start, (id) => {
    const node = flow.nodes[id];
    return node ? successors(node).map(([target]) => target) : [];
  });
}

/**
 * The first cycle reachable from `start` (its ids, the first repeated at the end), or null. Depth-first
 * with its own stack rather than recursion: a flow may be thousands of nodes long.
 */
export function findCycleFrom(start: string, next: (id: string) => readonly string[]): string[] | null {
  const done = new Set<string>();
  const trail: string[] = [];
  const onTrail = new Set<string>();
  const pending: Array<{ id: string; targets: readonly string[]; index: number }> = [];
  const enter = (id: string) => {
    trail.push(id);
    onTrail.add(id);
    pending.push({ id, targets: next(id), index: 0 });
  };
  enter(start);
  while (pending.length > 0) {
    const top = pending.at(-1)!;
    if (top.index === top.targets.length) {
      pending.pop();
      trail.pop();
      onTrail.delete(top.id);
      done.add(top.id);
      continue;
    }
    const target = top.targets[top.index++]!;
    if (onTrail.has(target)) return [...trail.slice(trail.indexOf(target)), target];
    if (!done.has(target)) enter(target);
  }
  return null;
}

type Report = (path: PathSegment[], message: IssueMessage) => void;

function resolveField(
  path: string,
  fields: FieldCatalog,
): { scope: Scope; field: string; type: FieldType } | (() => string) {
  const { scope, field } = splitField(path);
  if (!SCOPES.includes(scope as Scope)) {
    return () =>
      `unknown scope '${scope}' in '${path}': use one of ${SCOPES.join(', ')} (e.g. lead.Status)${suggest(scope, SCOPES)}`;
  }
  const type = fields[scope as Scope][field];
  if (!type) {
    return () => `unknown field '${path}'${suggest(field, Object.keys(fields[scope as Scope]), `${scope}.`)}`;
  }
  return { scope: scope as Scope, field, type };
}

function checkCondition(cond: ConditionDoc, path: PathSegment[], fields: FieldCatalog, report: Report): void {
  const forms = (['field', 'all', 'any', 'not'] as const).filter((k) => cond[k] !== undefined);
  if (forms.length !== 1) {
    report(
      path,
      forms.length === 0
        ? 'empty condition: give field + op, or all / any / not'
        : `use one of ${forms.join(' / ')} per condition, not several: nest them with all`,
    );
    return;
  }
  if (cond.all) return cond.all.forEach((c, i) => checkCondition(c, [...path, 'all', i], fields, report));
  if (cond.any) return cond.any.forEach((c, i) => checkCondition(c, [...path, 'any', i], fields, report));
  if (cond.not) return checkCondition(cond.not, [...path, 'not'], fields, report);

  const resolved = resolveField(cond.field!, fields);
  if (typeof resolved === 'function') return report([...path, 'field'], resolved);
  if (cond.op === undefined) return report(path, `'${cond.field}' has no op: add e.g. 'op: equals'`);
  const allowed = OPERATORS_BY_TYPE[resolved.type];
  if (!allowed.includes(cond.op)) {
    return report(
      [...path, 'op'],
      `'${cond.op}' does not apply to ${resolved.type} field ${cond.field}: use ${allowed.join(', ')}`,
    );
  }
  if (cond.op === 'changed' && resolved.scope !== 'lead') {
    return report([...path, 'op'], `'changed' applies to lead fields only (an update's before and after)`);
  }
  const valuePath = [...path, 'value'];
  const v = cond.value;
  switch (cond.op) {
    case 'empty':
    case 'notEmpty':
    case 'changed':
      if (v !== undefined) report(valuePath, `'${cond.op}' takes no value: remove it`);
      return;
    case 'in':
    case 'notIn':
      if (!Array.isArray(v) || v.length === 0)
        return report(valuePath, `'${cond.op}' needs a list of values, e.g. [MQL, Inquiry]`);
      v.forEach((item, i) => checkValueType(item, resolved.type, [...valuePath, i], report));
      return;
    case 'olderThanDays':
    case 'newerThanDays':
    case 'daysAgo':
      if (typeof v !== 'number' || v < 0)
        report(valuePath, `'${cond.op}' needs a number of days (0 or more)`);
      return;
    default:
      if (v === undefined) return report(path, `'${cond.op}' needs a value`);
      if (Array.isArray(v)) return report(valuePath, `'${cond.op}' takes one value; for a list use 'in'`);
      checkValueType(v, resolved.type, valuePath, report);
  }
}

function checkValueType(value: unknown, type: FieldType, path: PathSegment[], report: Report): void {
  if (value === null) return;
  const ok =
    type === 'boolean'
      ? typeof value === 'boolean'
      : type === 'number'
        ? typeof value === 'number'
        : type === 'date' || type === 'datetime'
          ? typeof value === 'string' && !Number.isNaN(Date.parse(value))
          : typeof value === 'string';
  if (!ok) {
    const want =
      type === 'date' || type === 'datetime'
        ? 'a date like 2025-05-01'
        : `a ${type === 'id' ? 'string' : type}`;
    report(path, `${JSON.stringify(value)} is not ${want}, which this field holds`);
  }
}

const USER_FIELD = /^(lead|account|opportunity)\./;

function checkTargets(
  to: AssignTargetDoc | AssignTargetDoc[],
  path: PathSegment[],
  fields: FieldCatalog,
  catalog: FlowCatalog,
  source: YamlSource,
): void {
  const report = source.report;
  const list = Array.isArray(to) ? to : [to];
  list.forEach((target, i) => {
    const p = Array.isArray(to) ? [...path, i] : path;
    const keys = Object.keys(target) as Array<keyof AssignTargetDoc>;
    if (keys.length !== 1) {
      report(
        p,
        keys.length === 0
          ? 'empty target: give one of user, queue, pool, territory, field, sameCompanyOwner'
          : `one target per entry, not ${keys.join(' and ')}: list them to try in order`,
      );
      return;
    }
    const named = (kind: 'pools' | 'territories', value: string, label: string) => {
      if (!catalog[kind].includes(value))
        report([...p, keys[0]!], () => `no ${label} named '${value}'${suggest(value, catalog[kind])}`);
    };
    if (target.pool !== undefined) named('pools', target.pool, 'pool');
    if (target.territory !== undefined) named('territories', target.territory, 'territory table');
    // The engine works with Ids: a resolved name is replaced by the record's Id in the loaded flow.
    if (target.queue !== undefined)
      catalog.people.bind(source, [...p, 'queue'], 'queue', target.queue, (id) => (target.queue = id));
    if (target.user !== undefined)
      catalog.people.bind(source, [...p, 'user'], 'user', target.user, (id) => (target.user = id));
    if (target.field !== undefined) {
      const resolved = resolveField(target.field, fields);
      if (typeof resolved === 'function') report([...p, 'field'], resolved);
      else if (resolved.type !== 'id' || !USER_FIELD.test(target.field)) {
        report(
          [...p, 'field'],
          `'${target.field}' does not hold a user: use a lookup such as account.OwnerId or account.BDR_Assigned__c`,
        );
      }
    }
  });
}

function checkSet(
  set: Record<string, unknown>,
  path: PathSegment[],
  fields: FieldCatalog,
  report: Report,
): void {
  for (const [name, value] of Object.entries(set)) {
    const type = fields.lead[name];
    if (!type) {
      report([...path, name], () => `unknown lead field '${name}'${suggest(name, Object.keys(fields.lead))}`);
      continue;
    }
    if (name === 'OwnerId') report([...path, name], 'set the owner with an assign node, not a field update');
    if (typeof value === 'string') checkTemplate(value, [...path, name], fields, report);
    else checkValueType(value, type, [...path, name], report);
  }
}

const PLACEHOLDER = /\{([a-zA-Z]+\.[A-Za-z0-9_]+)\}/g;

function checkTemplate(text: string, path: PathSegment[], fields: FieldCatalog, report: Report): void {
  for (const [, ref] of text.matchAll(PLACEHOLDER)) {
    const resolved = resolveField(ref!, fields);
    if (typeof resolved === 'function') report(path, () => `placeholder {${ref}}: ${resolved()}`);
    else if (LIST_SCOPES.has(resolved.scope))
      report(path, `placeholder {${ref}}: ${resolved.scope} is a list; it has no single value`);
  }
}
