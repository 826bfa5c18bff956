import { describe, expect, it } from 'vitest';
import {
  findTerritory,
  rowTakesCountry,
  rowsOverlapping,
  validateTerritoryTable,
} from '../../../src/engine/distribution/territory.js';
import type {
  TerritoryLead,
  TerritoryRow,
  TerritoryTable,
} from '../../../src/engine/distribution/distribution.types.js';

const table: TerritoryTable = {
  name: 'na-sales',
  rows: [
    { assign: { queue: 'Unassigned Queue' } },
    { country: ['US'], assign: { pool: 'amer-sdr' } },
    { country: ['US'], state: ['CA', 'WA', 'OR'], assign: { pool: 'west' } },
    { country: ['US'], postalCode: ['941', '940'], assign: { pool: 'bay-area' } },
    { country: ['US'], state: ['CA'], employees: { min: 1000 }, assign: { user: '005ENTERPRISEWEST' } },
    { country: ['US'], employees: { max: 50 }, industry: ['Software'], assign: { pool: 'smb-software' } },
    { country: ['CA'], state: ['Quebec'], assign: { user: '005QUEBEC' } },
  ],
};

const lead = (fields: Partial<TerritoryLead>): TerritoryLead => fields;

describe('findTerritory', () => {
  it('picks the row with the most matching criteria', () => {
    const hit = findTerritory(table, lead({ Country: 'US', State: 'CA', NumberOfEmployees: 5000 }));
    expect(hit).toEqual({
      row: 4,
      assign: { user: '005ENTERPRISEWEST' },
      reason: 'row 5: country US, state CA, 5000 employees (at least 1000)',
    });
  });

  it('breaks ties between equally specific rows by row order', () => {
    // Both "US + state" and "US + postal code" match with two criteria; the state row comes first.
    const hit = findTerritory(table, lead({ Country: 'US', State: 'CA', PostalCode: '94105' }));
    expect(hit?.row).toBe(2);
  });

  it('matches postal codes by prefix, ignoring spaces and case', () => {
    expect(findTerritory(table, lead({ Country: 'US', PostalCode: '94105' }))?.assign).toEqual({
      pool: 'bay-area',
    });
    expect(findTerritory(table, lead({ Country: 'US', PostalCode: '94205' }))?.assign).toEqual({
      pool: 'amer-sdr',
    });
    const uk: TerritoryTable = {
      name: 'uk',
      rows: [{ postalCode: ['sw1a'], assign: { pool: 'westminster' } }],
    };
    expect(findTerritory(uk, lead({ PostalCode: 'SW1A 1AA' }))?.reason).toBe(
      'row 1: postal code SW1A 1AA starts with SW1A',
    );
    expect(findTerritory(uk, lead({ PostalCode: 'SW1 2AB' }))).toBeNull();
  });

  it('matches employee bands inclusively and skips the band when the size is unknown', () => {
    const software = { Country: 'US', Industry: 'software' };
    expect(findTerritory(table, lead({ ...software, NumberOfEmployees: 50 }))?.row).toBe(5);
    expect(findTerritory(table, lead({ ...software, NumberOfEmployees: 51 }))?.row).toBe(1);
    expect(findTerritory(table, lead({ ...software, NumberOfEmployees: null }))?.row).toBe(1);
    const banded: TerritoryTable = {
      name: 'bands',
      rows: [{ employees: { min: 100, max: 500 }, assign: { pool: 'mid' } }],
    };
    expect(findTerritory(banded, lead({ NumberOfEmployees: 100 }))?.reason).toBe(
      'row 1: 100 employees (100–500)',
    );
    expect(findTerritory(banded, lead({ NumberOfEmployees: 500 }))).not.toBeNull();
    expect(findTerritory(banded, lead({ NumberOfEmployees: 99 }))).toBeNull();
    expect(findTerritory(banded, lead({ NumberOfEmployees: 501 }))).toBeNull();
  });

  it('treats country names, codes and aliases as the same country', () => {
    for (const country of [
      'US',
      'us',
      'USA',
      'U.S.A.',
      'United States',
      'united states of america',
      'America',
    ]) {
      expect(findTerritory(table, lead({ Country: country }))?.row, country).toBe(1);
    }
    const rows: TerritoryTable = {
      name: 'emea',
      rows: [
        { country: ['United Kingdom'], assign: { pool: 'uk' } },
        { country: ['DEU'], assign: { pool: 'dach' } },
      ],
    };
    expect(findTerritory(rows, lead({ Country: 'UK' }))?.assign).toEqual({ pool: 'uk' });
    expect(findTerritory(rows, lead({ Country: 'Great Britain' }))?.assign).toEqual({ pool: 'uk' });
    expect(findTerritory(rows, lead({ Country: 'Germany' }))?.reason).toBe('row 2: country Germany (DE)');
    expect(findTerritory(rows, lead({ Country: 'France' }))).toBeNull();
  });

  it('treats state names and postal abbreviations as the same state', () => {
    expect(findTerritory(table, lead({ Country: 'United States', State: 'California' }))?.row).toBe(2);
    expect(findTerritory(table, lead({ Country: 'Canada', State: 'QC' }))?.assign).toEqual({
      user: '005QUEBEC',
    });
    // In Canada 'CA' is no province: only the catch-all row fits.
    expect(findTerritory(table, lead({ Country: 'Canada', State: 'CA' }))?.row).toBe(0);
  });

  it('compares industries without regard to case or spacing', () => {
    expect(
      findTerritory(table, lead({ Country: 'US', Industry: '  SOFTWARE ', NumberOfEmployees: 10 }))?.row,
    ).toBe(5);
  });

  it('falls back to a row without criteria, and says so', () => {
    expect(findTerritory(table, lead({ Country: 'Japan' }))).toEqual({
      row: 0,
      assign: { queue: 'Unassigned Queue' },
      reason: 'row 1, which has no criteria and takes every lead',
    });
  });

  describe('regions', () => {
    const regions: TerritoryTable = {
      name: 'sdr-regions',
      rows: [
        { region: ['AMER'], assign: { pool: 'amer-sdr' } },
        { region: ['EMEA'], assign: { pool: 'emea-sdr' } },
        { region: ['APJ'], assign: { pool: 'apj-sdr' } },
        { country: ['Egypt'], assign: { pool: 'egypt' } },
        { region: ['emea'], industry: ['Banking'], assign: { pool: 'emea-banks' } },
      ],
    };

    it("places a lead by its country's region, for countries no row names", () => {
      expect(findTerritory(regions, lead({ Country: 'Kazakhstan' }))).toEqual({
        row: 1,
        assign: { pool: 'emea-sdr' },
        reason: 'row 2: region EMEA (country Kazakhstan)',
      });
      expect(findTerritory(regions, lead({ Country: 'Uruguay' }))?.assign).toEqual({ pool: 'amer-sdr' });
      expect(findTerritory(regions, lead({ Country: 'Bangladesh' }))?.assign).toEqual({ pool: 'apj-sdr' });
    });

    it("a row naming the lead's country overrides the region row, even when it comes later", () => {
      expect(findTerritory(regions, lead({ Country: 'EG' }))?.assign).toEqual({ pool: 'egypt' });
    });

    it('a region with another criterion beats a country alone', () => {
      const hit = findTerritory(regions, lead({ Country: 'Egypt', Industry: 'banking' }));
      expect(hit?.assign).toEqual({ pool: 'emea-banks' });
    });

    it('a lead without a known country has no region', () => {
      expect(findTerritory(regions, lead({ Country: null }))).toBeNull();
      expect(findTerritory(regions, lead({ Country: 'Atlantis' }))).toBeNull();
    });

    it('refuses a region that does not exist, naming the ones that do', () => {
      const problems = validateTerritoryTable({
        name: 't',
        rows: [{ region: ['LATAM'], assign: { pool: 'p' } }],
      });
      expect(problems).toEqual([
        { path: 'rows[0].region[0]', message: "'LATAM' is not a sales region: use one of AMER, EMEA, APJ" },
      ]);
    });
  });

  it('returns null when no row fits', () => {
    const strict: TerritoryTable = { name: 'strict', rows: [{ country: ['DE'], assign: { pool: 'dach' } }] };
    expect(findTerritory(strict, lead({}))).toBeNull();
    expect(findTerritory(strict, lead({ Country: 'Narnia' }))).toBeNull();
  });

  it('reads postal codes and other values that arrive as numbers', () => {
    const numeric = {
      name: 'numeric',
      rows: [{ postalCode: [941], assign: { pool: 'bay-area' } }],
    } as unknown as TerritoryTable;
    expect(findTerritory(numeric, { PostalCode: 94105 } as unknown as TerritoryLead)?.row).toBe(0);
    expect(validateTerritoryTable(numeric)).toEqual([
      {
        path: 'rows[0].postalCode[0]',
        message: "941 is a number: write it in quotes ('941') so leading zeros are kept",
      },
    ]);
  });

  it('matches unknown country names as plain text', () => {
    const odd: TerritoryTable = { name: 'odd', rows: [{ country: ['Atlantis'], assign: { pool: 'myth' } }] };
    expect(findTerritory(odd, lead({ Country: ' atlantis ' }))?.row).toBe(0);
  });
});

describe('validateTerritoryTable', () => {
  it('accepts a sound table', () => {
    expect(validateTerritoryTable(table)).toEqual([]);
  });

  it('refuses an empty table', () => {
    expect(validateTerritoryTable({ name: 't', rows: [] })).toEqual([
      { path: 'rows', message: 'the table has no rows: add at least one' },
    ]);
  });

  it('names each problem and its place', () => {
    const problems = validateTerritoryTable({
      name: 'broken',
      rows: [
        { country: ['DE'], assign: {} },
        { country: ['FR'], assign: { user: '005A', queue: 'Partner Queue' } },
        { employees: { min: 500, max: 100 }, assign: { pool: 'mid' } },
        { country: [], industry: [''], assign: { pool: ' ' } },
        { country: ['Narnia'], employees: {}, assign: { pool: 'x' } },
        { country: ['Germany'], assign: { pool: 'dach' } },
      ],
    });
    expect(problems).toEqual([
      { path: 'rows[0].assign', message: 'names no target: set one of user, queue or pool' },
      { path: 'rows[1].assign', message: 'names both a user and a queue: keep exactly one' },
      { path: 'rows[2].employees', message: 'min 500 is above max 100, so no lead can match: swap them' },
      { path: 'rows[3].assign.pool', message: 'the pool is empty: name one' },
      { path: 'rows[3].country', message: 'the list is empty: list values or remove it' },
      { path: 'rows[3].industry[0]', message: 'the value is empty' },
      {
        path: 'rows[4].country[0]',
        message: "'Narnia' is not a country we know: use an ISO code such as 'DE' or 'US'",
      },
      {
        path: 'rows[4].employees',
        message: 'the employee band has neither min nor max: set one or remove it',
      },
      {
        path: 'rows[5]',
        message:
          'has the same criteria as rows[0], which comes first, so it is never chosen: merge or remove it',
      },
    ]);
  });

  it('refuses negative or fractional employee counts', () => {
    const problems = validateTerritoryTable({
      name: 't',
      rows: [{ employees: { min: -1, max: 2.5 }, assign: { pool: 'p' } }],
    });
    expect(problems.map((p) => p.path)).toEqual(['rows[0].employees.min', 'rows[0].employees.max']);
  });
});

describe('rowsOverlapping', () => {
  const table = (...rows: TerritoryRow[]): TerritoryTable => ({ name: 't', rows });
  const to = { pool: 'p' };

  it('names rows one lead could match with as many criteria, and none more or less specific', () => {
    const t = table(
      { region: ['EMEA'], assign: to },
      { country: ['DE', 'FR'], assign: to },
      { country: ['fr'], assign: to },
      { country: ['DE'], industry: ['Banking'], assign: to },
      { country: ['IT'], assign: to },
    );
    expect(rowsOverlapping(t, 2)).toEqual([1]);
    expect(rowsOverlapping(t, 4)).toEqual([]);
    // Region alone ranks below a country, a country and an industry above it.
    expect(rowsOverlapping(t, 0)).toEqual([]);
    expect(rowsOverlapping(t, 3)).toEqual([]);
  });

  it('compares postal prefixes, employee bands, and a region against a country of another row', () => {
    const postal = table(
      { postalCode: ['94'], assign: to },
      { postalCode: ['941'], assign: to },
      { postalCode: ['10'], assign: to },
    );
    expect(rowsOverlapping(postal, 1)).toEqual([0]);
    expect(rowsOverlapping(postal, 2)).toEqual([]);
    const bands = table(
      { employees: { min: 0, max: 50 }, assign: to },
      { employees: { min: 51 }, assign: to },
      { employees: { min: 50, max: 60 }, assign: to },
    );
    expect(rowsOverlapping(bands, 1)).toEqual([2]);
    expect(rowsOverlapping(bands, 0)).toEqual([2]);
    const places = table(
      { region: ['EMEA'], industry: ['Retail'], assign: to },
      { region: ['AMER'], state: ['CA'], assign: to },
      { region: ['AMER'], country: ['DE'], assign: to },
      { region: ['EMEA'], country: ['DE'], assign: to },
    );
    // Region and industry against region and state: EMEA and AMER never meet.
    expect(rowsOverlapping(places, 0)).toEqual([3]);
    expect(rowsOverlapping(places, 2)).toEqual([]);
  });
});

describe('rowTakesCountry', () => {
  it('takes a Country value exactly when a row of only those criteria would take the lead', () => {
    const rows: TerritoryRow[] = [
      { region: ['EMEA'], assign: { pool: 'emea' } },
      { country: ['DE', 'Austria'], assign: { pool: 'dach' } },
      { region: ['EMEA'], country: ['FR'], assign: { pool: 'france' } },
      { region: ['AMER'], country: ['FR'], assign: { pool: 'nowhere' } },
      { state: ['CA'], assign: { pool: 'any-country' } },
    ];
    const countries = ['Germany', 'DE', 'austria', 'FR', 'France', 'United States', 'Narnia', ' '];
    const taken = rows.map((row) => countries.filter((country) => rowTakesCountry(row, country)));
    expect(taken).toEqual([
      ['Germany', 'DE', 'austria', 'FR', 'France'],
      ['Germany', 'DE', 'austria'],
      ['FR', 'France'],
      [],
      countries,
    ]);
    // The same rule routing uses: a row holding only the row's region and country criteria.
    for (const row of rows) {
      const only: TerritoryRow = { ...row, state: undefined, assign: row.assign };
      for (const country of countries) {
        const hit = findTerritory({ name: 't', rows: [only] }, lead({ Country: country }));
        expect(rowTakesCountry(row, country), `${JSON.stringify(row)} ${country}`).toBe(hit !== null);
      }
    }
  });
});
