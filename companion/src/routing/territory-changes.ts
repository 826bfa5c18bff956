import { isMap, isSeq, parseDocument, stringify, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import type { TerritoryRow, TerritoryTable } from '../engine/distribution/distribution.types.js';
import { rowsOverlapping } from '../engine/distribution/territory.js';
import type { OrgPeople } from '../engine/flow/org-people.js';
import { RoutingError } from './routing.errors.js';

/** A territory row as a manager writes it: criteria, and a pool, a queue (DeveloperName) or a person. */
export type TerritoryRowInput = Omit<TerritoryRow, 'assign'> & {
  assign: { pool?: string; queue?: string; user?: string };
};

/** One change a manager makes to a territory table, as data: `territories.yaml` is edited to say it. Rows count from 1. */
export type TerritoryChange =
  | { kind: 'add'; table: string; row: TerritoryRowInput; at?: number }
  | { kind: 'edit'; table: string; row: number; to: TerritoryRowInput }
  | { kind: 'remove'; table: string; row: number };

/** A territory change that cannot be made: no such table or row, a row sharing leads with another, an inactive person. */
export class TerritoryChangeError extends RoutingError {
  constructor(
    code: 'NOT_FOUND' | 'VALIDATION_FAILED',
    message: string,
    readonly action: string,
  ) {
    super(code, message);
  }
}

const LISTS = ['region', 'country', 'state', 'postalCode', 'industry'] as const;
const WORDS: Record<(typeof LISTS)[number], string> = {
  region: 'region',
  country: 'country',
  state: 'state',
  postalCode: 'postal code',
  industry: 'industry',
};

/** "country DE, FR; 50–500 employees → pool emea-sdr" (or "every lead → …" for a row without criteria). */
export function describeRow(row: TerritoryRowInput): string {
  const criteria: string[] = LISTS.filter((key) => row[key]?.length).map(
    (key) => `${WORDS[key]} ${row[key]!.join(', ')}`,
  );
  const band = row.employees;
  if (band && (band.min !== undefined || band.max !== undefined)) {
    criteria.push(
      band.min !== undefined && band.max !== undefined
        ? `${band.min}–${band.max} employees`
        : band.min !== undefined
          ? `at least ${band.min} employees`
          : `at most ${band.max} employees`,
    );
  }
  const target = (['pool', 'queue', 'user'] as const)
    .filter((kind) => row.assign[kind])
    .map((kind) => `${kind} ${row.assign[kind]}`)
    .join(' and ');
  return `${criteria.length ? criteria.join('; ') : 'every lead'} → ${target || 'nobody'}`;
}

/** "sdr-regions: row added as row 1: country DE → pool emea-sdr". */
export function describeTerritoryChange(change: TerritoryChange): string {
  switch (change.kind) {
    case 'add':
      return `${change.table}: row added${change.at === undefined ? '' : ` as row ${change.at}`}: ${describeRow(change.row)}`;
    case 'edit':
      return `${change.table} row ${change.row} now ${describeRow(change.to)}`;
    case 'remove':
      return `${change.table} row ${change.row} removed`;
  }
}

/** The territory tables as written in `territories.yaml` (people and queues by the names written there). */
export function territoryTables(text: string): TerritoryTable[] {
  const data = parseDocument(text).toJS() as { territories?: unknown } | null;
  const tables = Array.isArray(data?.territories) ? (data.territories as TerritoryTable[]) : [];
  return tables.filter((t) => t && typeof t.name === 'string' && Array.isArray(t.rows));
}

/**
 * Refuses a row that gives leads to a person routing would pass over, or names nobody: the set check
 * only warns about an inactive user, since a set that already names one must still load.
 */
export function checkRowPeople(row: TerritoryRowInput, people: OrgPeople): void {
  if (row.assign.user === undefined) return;
  const found = people.user(row.assign.user);
  if (!found.ok)
    throw new TerritoryChangeError(
      'VALIDATION_FAILED',
      `The row's person: ${found.message}.`,
      'Name an active user.',
    );
  if (found.warning)
    throw new TerritoryChangeError(
      'VALIDATION_FAILED',
      `The row gives leads to ${row.assign.user}, who is inactive in the org, so routing would pass them over.`,
      'Reactivate them in Salesforce first, or give the row to a pool, a queue or someone else.',
    );
}

/**
 * `territories.yaml` with the change made and every other line as written (comments, order, layout):
 * the changed row's lines are replaced, inserted or taken out, so the version's diff shows only them.
 * Throws TerritoryChangeError when the table or row is not there, or when the new row could take the
 * same leads as another row with as many criteria (only the earlier would get them); the set check
 * that follows catches the rest (an unknown country or region, a pool, queue or person the set lacks).
 */
export function editTerritories(text: string, change: TerritoryChange): string {
  const rows = findTable(parseDocument(text), change.table);
  const items = rows.items as YAMLMap[];
  const count = items.length;
  const place = (row: number, last: number) => {
    if (!Number.isInteger(row) || row < 1 || row > last)
      throw new TerritoryChangeError(
        'NOT_FOUND',
        `${change.table} has no row ${row}: it has ${count} row${count === 1 ? '' : 's'}.`,
        'List the rows (npm run cli -- territories list) and give one of their numbers.',
      );
    return row - 1;
  };
  if (count === 0)
    throw new TerritoryChangeError(
      'NOT_FOUND',
      `The territory table ${change.table} has no rows to place one beside.`,
      'Add its first row in the file (export, edit, publish).',
    );
  // "      - " before the first row: every row written here starts the same way.
  const first = items[0]!.range![0];
  const lead = text.slice(lineStart(text, first), first);
  const line = (row: TerritoryRowInput) =>
    `${lead}${stringify(rowNode(row), { collectionStyle: 'flow', lineWidth: 0 }).trim()}\n`;
  let edited: string;
  let changed: number | null = null;
  switch (change.kind) {
    case 'add': {
      const index = change.at === undefined ? count : place(change.at, count + 1);
      const at = index < count ? span(text, items[index]!)[0] : span(text, items[count - 1]!)[1];
      edited = `${text.slice(0, at)}${text.endsWith('\n') || at < text.length ? '' : '\n'}${line(change.row)}${text.slice(at)}`;
      changed = index;
      break;
    }
    case 'edit': {
      const index = place(change.row, count);
      const [from, to] = span(text, items[index]!);
      edited = `${text.slice(0, from)}${line(change.to)}${text.slice(to)}`;
      changed = index;
      break;
    }
    case 'remove': {
      const [from, to] = span(text, items[place(change.row, count)]!);
      edited = `${text.slice(0, from)}${text.slice(to)}`;
      break;
    }
  }
  if (changed !== null) refuseOverlap(edited, change.table, changed);
  return edited;
}

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
const lineEnd = (text: string, at: number) => {
  const end = text.indexOf('\n', at);
  return end < 0 ? text.length : end + 1;
};

/** The whole lines a row is written on: from its "- " to the end of its last value's line. */
function span(text: string, item: YAMLMap): [number, number] {
  const [start, valueEnd] = item.range!;
  return [lineStart(text, start), lineEnd(text, Math.max(start, valueEnd - 1))];
}

/** The row in the file's key order, without empty lists or blank values. */
function rowNode(row: TerritoryRowInput): Record<string, unknown> {
  const node: Record<string, unknown> = {};
  for (const key of ['region', 'country', 'state', 'postalCode'] as const) {
    const values = row[key]?.map((v) => String(v).trim()).filter(Boolean);
    if (values?.length) node[key] = values;
  }
  const band = row.employees;
  if (band && (band.min !== undefined || band.max !== undefined)) {
    node['employees'] = {
      ...(band.min !== undefined ? { min: band.min } : {}),
      ...(band.max !== undefined ? { max: band.max } : {}),
    };
  }
  const industry = row.industry?.map((v) => v.trim()).filter(Boolean);
  if (industry?.length) node['industry'] = industry;
  const assign: Record<string, string> = {};
  for (const kind of ['pool', 'queue', 'user'] as const) {
    const value = row.assign[kind]?.trim();
    if (value) assign[kind] = value;
  }
  node['assign'] = assign;
  return node;
}

function refuseOverlap(text: string, tableName: string, index: number): void {
  const table = territoryTables(text).find((t) => t.name === tableName);
  if (!table) return;
  const others = rowsOverlapping(table, index);
  if (others.length === 0) return;
  const row = table.rows[index]!;
  const listed = others.map((i) => `row ${i + 1} (${describeRow(table.rows[i]!)})`).join(' and ');
  throw new TerritoryChangeError(
    'VALIDATION_FAILED',
    `Row ${index + 1} (${describeRow(row)}) overlaps ${listed}: a lead could match both with as many criteria, and only the earlier row would get it.`,
    'Narrow one of the rows (another country, state, postal code, industry or employee band), or edit the existing row instead.',
  );
}

function findTable(doc: Document, name: string): YAMLSeq {
  const tables = doc.get('territories') as YAMLSeq | undefined;
  const found = isSeq(tables)
    ? (tables.items.find((t) => isMap(t) && t.get('name') === name) as YAMLMap | undefined)
    : undefined;
  if (!found)
    throw new TerritoryChangeError(
      'NOT_FOUND',
      `There is no territory table named ${name}.`,
      'List the tables (npm run cli -- territories list).',
    );
  const rows = found.get('rows');
  if (!isSeq(rows))
    throw new TerritoryChangeError(
      'NOT_FOUND',
      `The territory table ${name} lists no rows.`,
      'Add a rows list to it (export, edit, publish).',
    );
  return rows;
}
