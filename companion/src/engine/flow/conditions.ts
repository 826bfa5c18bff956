import type { ConditionDoc } from './flow.schema.js';
import { LIST_SCOPES, splitField, type Scope } from './fields.js';

/** What a condition saw and concluded, in words. */
export interface ConditionTrace {
  text: string;
  result: boolean;
}

/** How conditions read the routing context. */
export interface FieldReader {
  /** A single-valued field, or undefined when the scope or field is absent. */
  value(scope: Scope, field: string): unknown;
  /** Every value of a field across a list scope (e.g. each matched open opportunity). */
  values(scope: Scope, field: string): unknown[];
  /** The lead's value before the update, and whether the update touched the field. */
  changed(field: string): { changed: boolean; before: unknown };
  /** The decision's time, epoch ms. */
  now: number;
}

const DAY_MS = 86_400_000;

/**
 * Evaluates a condition and appends what each field test saw to `traces`. Never throws: a missing
 * field or a null is "empty", which equals nothing, is in no list, and is neither older nor newer than
 * anything; so notEquals and notIn are true for it. List scopes ask "is there one that…".
 */
export function evaluate(cond: ConditionDoc, reader: FieldReader, traces: ConditionTrace[]): boolean {
  if (cond.all) {
    for (const c of cond.all) if (!evaluate(c, reader, traces)) return false;
    return true;
  }
  if (cond.any) {
    for (const c of cond.any) if (evaluate(c, reader, traces)) return true;
    return false;
  }
  if (cond.not) return !evaluate(cond.not, reader, traces);

  const { path, scope, field, op, list } = leafOf(cond);
  let result: boolean;
  let seen: string;

  if (op === 'changed') {
    const change = reader.changed(field);
    result = change.changed;
    seen = `${path} was ${show(change.before)}, is ${show(reader.value('lead', field))}`;
  } else if (list) {
    const values = reader.values(scope, field);
    result = values.some((v) => test(op, v, cond.value, reader.now));
    seen = values.length === 0 ? `no ${scope} to look at` : `${path} values ${values.map(show).join(', ')}`;
  } else {
    const actual = reader.value(scope, field);
    result = test(op, actual, cond.value, reader.now);
    seen = `${path} is ${show(actual)}`;
  }
  const words = op === 'daysAgo' ? describeTest(op, cond.value, reader.now) : leafWords(cond, op);
  traces.push({ text: `${seen}; ${words}: ${result ? 'yes' : 'no'}`, result });
  return result;
}

/** A field test as every decision reads it: worked out once per condition of a loaded flow. */
interface Leaf {
  path: string;
  scope: Scope;
  field: string;
  op: string;
  /** A list scope: "is there one that…". */
  list: boolean;
  /** What the test asks, in words (not for daysAgo, whose words name the decision's day). */
  words?: string;
}

const leaves = new WeakMap<ConditionDoc, Leaf>();

function leafOf(cond: ConditionDoc): Leaf {
  let leaf = leaves.get(cond);
  if (leaf === undefined) {
    const path = cond.field ?? '';
    const { scope, field } = splitField(path);
    leaf = {
      path,
      scope: scope as Scope,
      field,
      op: cond.op ?? 'equals',
      list: LIST_SCOPES.has(scope as Scope),
    };
    leaves.set(cond, leaf);
  }
  return leaf;
}

function leafWords(cond: ConditionDoc, op: string): string {
  const leaf = leafOf(cond);
  leaf.words ??= describeTest(op, cond.value, 0);
  return leaf.words;
}

function test(op: string, actual: unknown, expected: unknown, now: number): boolean {
  switch (op) {
    case 'empty':
      return isEmpty(actual);
    case 'notEmpty':
      return !isEmpty(actual);
    case 'equals':
      return same(actual, expected);
    case 'notEquals':
      return !same(actual, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((e) => same(actual, e));
    case 'notIn':
      return !(Array.isArray(expected) && expected.some((e) => same(actual, e)));
    case 'startsWith':
      return typeof actual === 'string' && actual.toLowerCase().startsWith(String(expected).toLowerCase());
    case 'contains':
      return typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase());
    case 'greaterThan':
      return order(actual, expected, (c) => c > 0);
    case 'lessThan':
      return order(actual, expected, (c) => c < 0);
    case 'greaterOrEqual':
      return order(actual, expected, (c) => c >= 0);
    case 'lessOrEqual':
      return order(actual, expected, (c) => c <= 0);
    case 'olderThanDays': {
      const t = timeOf(actual);
      return t !== null && t < now - Number(expected) * DAY_MS;
    }
    case 'newerThanDays': {
      const t = timeOf(actual);
      return t !== null && t >= now - Number(expected) * DAY_MS;
    }
    case 'daysAgo': {
      // Calendar days in UTC: 1 is the day before the decision's day, whatever its hour.
      const t = timeOf(actual);
      return t !== null && dayOf(t) === dayOf(now) - Number(expected);
    }
    default:
      return false;
  }
}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Equality as a Salesforce admin expects it: text ignores case and surrounding spaces. */
function same(actual: unknown, expected: unknown): boolean {
  if (isEmpty(actual) || isEmpty(expected)) return isEmpty(actual) && isEmpty(expected);
  if (typeof actual === 'string' && typeof expected === 'string') {
    return actual.trim().toLowerCase() === expected.trim().toLowerCase();
  }
  if (typeof actual === 'string' && typeof expected === 'boolean')
    return actual.toLowerCase() === String(expected);
  return actual === expected;
}

function order(actual: unknown, expected: unknown, accept: (comparison: number) => boolean): boolean {
  if (isEmpty(actual) || isEmpty(expected)) return false;
  if (typeof actual === 'number' && typeof expected === 'number') return accept(actual - expected);
  const a = timeOf(actual);
  const b = timeOf(expected);
  return a !== null && b !== null && accept(a - b);
}

function timeOf(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

function show(value: unknown): string {
  if (isEmpty(value)) return 'empty';
  return typeof value === 'string' ? `"${value}"` : String(value);
}

const WORDS: Record<string, string> = {
  equals: 'must equal',
  notEquals: 'must not equal',
  in: 'must be one of',
  notIn: 'must not be one of',
  startsWith: 'must start with',
  contains: 'must contain',
  greaterThan: 'must be greater than',
  lessThan: 'must be less than',
  greaterOrEqual: 'must be at least',
  lessOrEqual: 'must be at most',
};

function describeTest(op: string, expected: unknown, now: number): string {
  switch (op) {
    case 'empty':
      return 'must be empty';
    case 'notEmpty':
      return 'must not be empty';
    case 'changed':
      return 'must have changed';
    case 'olderThanDays':
      return `must be more than ${String(expected)} days ago`;
    case 'newerThanDays':
      return `must be within the last ${String(expected)} days`;
    case 'daysAgo': {
      const day = new Date((dayOf(now) - Number(expected)) * DAY_MS).toISOString().slice(0, 10);
      return `must be on ${day} (${String(expected)} day${expected === 1 ? '' : 's'} before the decision's day, UTC)`;
    }
    default:
      return `${WORDS[op] ?? op} ${Array.isArray(expected) ? expected.map(show).join(', ') : show(expected)}`;
  }
}
