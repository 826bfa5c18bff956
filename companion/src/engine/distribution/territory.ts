import { countryCode, countryKey, normalizeName, regionOf, SALES_REGIONS, stateKey } from './countries.js';
import type {
  DistributionProblem,
  TerritoryHit,
  TerritoryLead,
  TerritoryRow,
  TerritoryTable,
} from './distribution.types.js';
import { targetProblems } from './target.js';

const LIST_CRITERIA = ['region', 'country', 'state', 'postalCode', 'industry'] as const;

/**
 * Tables come from YAML and leads from orgs with custom field types, so a postal code may arrive
 * as a number: compare everything as text rather than fail.
 */
function text(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

/** 'SW1A 1AA' and 'sw1a-1aa' compare equal; prefixes are matched on this form. */
function postalKey(value: unknown): string {
  return text(value)
    .toUpperCase()
    .replace(/[\s-]+/g, '');
}

const countryOf = (value: unknown): string => countryKey(text(value));
const regionKey = (value: unknown): string => text(value).trim().toUpperCase();
const industryOf = (value: unknown): string => normalizeName(text(value));

function hasValues(list: string[] | undefined): list is string[] {
  return Array.isArray(list) && list.length > 0;
}

function hasBand(row: TerritoryRow): boolean {
  return row.employees !== undefined && (row.employees.min !== undefined || row.employees.max !== undefined);
}

function describeBand(band: { min?: number; max?: number }): string {
  if (band.min !== undefined && band.max !== undefined) return `${band.min}–${band.max}`;
  return band.min !== undefined ? `at least ${band.min}` : `at most ${band.max}`;
}

interface LeadKeys {
  /** From the full country table, so every country has its region without a row of its own. */
  region: string | null;
  country: string | null;
  countryCode: string | null;
  state: string | null;
  postal: string | null;
}

/** The criteria a row matched, in words, or null when any criterion fails. */
function matchRow(row: TerritoryRow, lead: TerritoryLead, keys: LeadKeys): string[] | null {
  const matched: string[] = [];
  if (!takesCountryKeys(row, keys)) return null;
  if (hasValues(row.region)) matched.push(`region ${keys.region} (country ${lead.Country})`);
  if (hasValues(row.country)) {
    matched.push(
      `country ${lead.Country}${keys.countryCode && keys.countryCode !== lead.Country ? ` (${keys.countryCode})` : ''}`,
    );
  }
  if (hasValues(row.state)) {
    if (!keys.state || !row.state.some((s) => stateKey(text(s), keys.countryCode) === keys.state))
      return null;
    matched.push(`state ${lead.State}`);
  }
  if (hasValues(row.postalCode)) {
    const postal = keys.postal;
    const prefixes = row.postalCode.map(postalKey).filter((p) => p && postal?.startsWith(p));
    if (prefixes.length === 0) return null;
    const longest = prefixes.reduce((a, b) => (b.length > a.length ? b : a));
    matched.push(`postal code ${lead.PostalCode} starts with ${longest}`);
  }
  if (hasBand(row)) {
    const employees = lead.NumberOfEmployees;
    const { min, max } = row.employees!;
    if (typeof employees !== 'number' || !Number.isFinite(employees)) return null;
    if ((min !== undefined && employees < min) || (max !== undefined && employees > max)) return null;
    matched.push(`${employees} employees (${describeBand(row.employees!)})`);
  }
  if (hasValues(row.industry)) {
    const industry = industryOf(lead.Industry);
    if (!industry || !row.industry.some((i) => industryOf(i) === industry)) return null;
    matched.push(`industry ${lead.Industry}`);
  }
  return matched;
}

/**
 * Whether a lead with this Country value meets the row's region and country criteria (a row without
 * either takes every country): what a search for the leads a row takes can ask the org before reading them.
 */
export function rowTakesCountry(row: TerritoryRow, country: string): boolean {
  return takesCountryKeys(row, countryKeys(country));
}

/** What the region and country criteria compare of a Country value. */
function countryKeys(country: unknown): Pick<LeadKeys, 'region' | 'country' | 'countryCode'> {
  const code = countryCode(text(country));
  return {
    region: regionOf(code),
    country: text(country).trim() ? countryOf(country) : null,
    countryCode: code,
  };
}

/** Whether the row's region and country criteria (a row may have neither) take these keys. */
function takesCountryKeys(row: TerritoryRow, keys: Pick<LeadKeys, 'region' | 'country'>): boolean {
  if (hasValues(row.region) && (!keys.region || !row.region.some((r) => regionKey(r) === keys.region)))
    return false;
  return (
    !hasValues(row.country) || (!!keys.country && row.country.some((c) => countryOf(c) === keys.country))
  );
}

/**
 * How specific a matched row is: each criterion counts two, a region one, so a row naming the lead's
 * country overrides a row naming only its region, while region plus another criterion beats country.
 */
function specificity(row: TerritoryRow, matched: string[]): number {
  return matched.length * 2 - (hasValues(row.region) ? 1 : 0);
}

/**
 * The territory row for a lead: of the rows whose every criterion matches, the most specific wins
 * (see `specificity`), and among equals the earlier row. A row without criteria catches every lead.
 * `row` in the hit is the 0-based index; the reason counts rows from 1, as people do.
 */
export function findTerritory(table: TerritoryTable, lead: TerritoryLead): TerritoryHit | null {
  const country = countryKeys(lead.Country);
  const keys: LeadKeys = {
    ...country,
    state: text(lead.State).trim() ? stateKey(text(lead.State), country.countryCode) : null,
    postal: postalKey(lead.PostalCode) || null,
  };
  let best: { index: number; matched: string[]; rank: number } | null = null;
  for (const [index, row] of table.rows.entries()) {
    const matched = matchRow(row, lead, keys);
    if (!matched) continue;
    const rank = specificity(row, matched);
    if (!best || rank > best.rank) best = { index, matched, rank };
  }
  if (!best) return null;
  const { index, matched } = best;
  const row = table.rows[index]!;
  return {
    row: index,
    assign: row.assign,
    reason: matched.length
      ? `row ${index + 1}: ${matched.join(', ')}`
      : `row ${index + 1}, which has no criteria and takes every lead`,
  };
}

/** A row's criteria in a canonical form: two rows with the same form match the same leads. */
function criteriaSignature(row: TerritoryRow): string {
  const list = (values: string[] | undefined, key: (v: unknown) => string): string[] =>
    hasValues(values) ? [...new Set(values.map(key))].sort() : [];
  return JSON.stringify([
    list(row.region, regionKey),
    list(row.country, countryOf),
    list(row.state, (s) => stateKey(text(s), null)),
    list(row.postalCode, postalKey),
    list(row.industry, industryOf),
    hasBand(row) ? [row.employees!.min ?? null, row.employees!.max ?? null] : [],
  ]);
}

function bandProblems(row: TerritoryRow, at: string): DistributionProblem[] {
  if (row.employees === undefined) return [];
  const { min, max } = row.employees;
  if (min === undefined && max === undefined) {
    return [
      { path: `${at}.employees`, message: 'the employee band has neither min nor max: set one or remove it' },
    ];
  }
  const problems: DistributionProblem[] = [];
  for (const [key, value] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      problems.push({
        path: `${at}.employees.${key}`,
        message: `${value} is not a whole number of employees`,
      });
    }
  }
  if (problems.length === 0 && min !== undefined && max !== undefined && min > max) {
    problems.push({
      path: `${at}.employees`,
      message: `min ${min} is above max ${max}, so no lead can match: swap them`,
    });
  }
  return problems;
}

/** Everything wrong with a territory table, each with its place (`rows[2].assign`) and what to do. */
export function validateTerritoryTable(table: TerritoryTable): DistributionProblem[] {
  const problems: DistributionProblem[] = [];
  if (!table.name?.trim()) problems.push({ path: 'name', message: 'the table needs a name' });
  if (!Array.isArray(table.rows) || table.rows.length === 0) {
    problems.push({ path: 'rows', message: 'the table has no rows: add at least one' });
    return problems;
  }
  const seen = new Map<string, number>();
  table.rows.forEach((row, index) => {
    const at = `rows[${index}]`;
    problems.push(...targetProblems(row.assign, `${at}.assign`));
    for (const key of LIST_CRITERIA) {
      const values = row[key];
      if (values === undefined) continue;
      if (!Array.isArray(values) || values.length === 0) {
        problems.push({ path: `${at}.${key}`, message: 'the list is empty: list values or remove it' });
        continue;
      }
      values.forEach((value: unknown, i) => {
        if (typeof value === 'number' && key === 'postalCode') {
          problems.push({
            path: `${at}.${key}[${i}]`,
            message: `${value} is a number: write it in quotes ('${value}') so leading zeros are kept`,
          });
        } else if (typeof value !== 'string') {
          problems.push({
            path: `${at}.${key}[${i}]`,
            message: `${String(value)} is not text: write it in quotes`,
          });
        } else if (!value.trim()) {
          problems.push({ path: `${at}.${key}[${i}]`, message: 'the value is empty' });
        } else if (key === 'region' && !(SALES_REGIONS as string[]).includes(regionKey(value))) {
          problems.push({
            path: `${at}.${key}[${i}]`,
            message: `'${value}' is not a sales region: use one of ${SALES_REGIONS.join(', ')}`,
          });
        } else if (key === 'country' && !countryCode(value)) {
          problems.push({
            path: `${at}.${key}[${i}]`,
            message: `'${value}' is not a country we know: use an ISO code such as 'DE' or 'US'`,
          });
        }
      });
    }
    problems.push(...bandProblems(row, at));
    const signature = criteriaSignature(row);
    const earlier = seen.get(signature);
    if (earlier === undefined) {
      seen.set(signature, index);
    } else {
      problems.push({
        path: at,
        message: `has the same criteria as rows[${earlier}], which comes first, so it is never chosen: merge or remove it`,
      });
    }
  });
  return problems;
}

/** How `findTerritory` ranks a row that matches: the same count as `specificity`, before matching. */
function rank(row: TerritoryRow): number {
  const set = LIST_CRITERIA.filter((key) => hasValues(row[key])).length + (hasBand(row) ? 1 : 0);
  return set * 2 - (hasValues(row.region) ? 1 : 0);
}

function share(a: string[] | undefined, b: string[] | undefined, key: (v: unknown) => string): boolean {
  if (!hasValues(a) || !hasValues(b)) return true;
  const keys = new Set(a.map(key));
  return b.some((value) => keys.has(key(value)));
}

/** Whether one lead could meet every criterion of both rows. */
function couldMatchBoth(a: TerritoryRow, b: TerritoryRow): boolean {
  const postal = (x: string[] | undefined, y: string[] | undefined) =>
    !hasValues(x) ||
    !hasValues(y) ||
    x.map(postalKey).some((p) => y.map(postalKey).some((q) => p.startsWith(q) || q.startsWith(p)));
  // A region and a country meet only when the country lies in the region.
  const regionMeetsCountry = (r: TerritoryRow, c: TerritoryRow) =>
    !hasValues(r.region) ||
    !hasValues(c.country) ||
    c.country.some((country) =>
      r.region!.some((region) => regionKey(region) === regionOf(countryCode(text(country)))),
    );
  const band = (x: TerritoryRow) =>
    hasBand(x) ? [x.employees!.min ?? 0, x.employees!.max ?? Infinity] : [0, Infinity];
  const [aMin, aMax] = band(a) as [number, number];
  const [bMin, bMax] = band(b) as [number, number];
  return (
    share(a.region, b.region, regionKey) &&
    share(a.country, b.country, countryOf) &&
    share(a.state, b.state, (s) => stateKey(text(s), null)) &&
    share(a.industry, b.industry, industryOf) &&
    postal(a.postalCode, b.postalCode) &&
    regionMeetsCountry(a, b) &&
    regionMeetsCountry(b, a) &&
    aMin <= bMax &&
    bMin <= aMax
  );
}

/**
 * The other rows (0-based) that could take the same lead as row `index` with as many criteria: for
 * such a lead `findTerritory` picks the earlier row by its place alone, so a manager adding or editing
 * a row is told instead of finding one of the two rows silently starved.
 */
export function rowsOverlapping(table: TerritoryTable, index: number): number[] {
  const row = table.rows[index];
  if (!row) return [];
  return table.rows.flatMap((other, i) =>
    i !== index && rank(other) === rank(row) && couldMatchBoth(row, other) ? [i] : [],
  );
}
