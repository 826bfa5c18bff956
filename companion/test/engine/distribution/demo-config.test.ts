import { describe, expect, it } from 'vitest';
import { DEMO_CATALOG } from '../../../src/crm/local/demo-people.js';
import { regionOf } from '../../../src/engine/distribution/countries.js';
import { validatePool } from '../../../src/engine/distribution/pool.js';
import { validateTerritoryTable } from '../../../src/engine/distribution/territory.js';
import { readRoutingSet, SHIPPED_FLOWS_DIR } from '../../../src/routing/flow-files.js';

// The demo org's pools and territories ship with the product: they must pass the checks admins get,
// with the people they name resolved against the demo org.
const set = await readRoutingSet(SHIPPED_FLOWS_DIR, DEMO_CATALOG);
const pools = [...set.pools.values()];
const territories = [...set.territories.values()];

describe('the demo pools and territories', () => {
  it.each(pools.map((p) => [p.name, p] as const))('pool %s is valid', (_name, pool) => {
    expect(validatePool(pool)).toEqual([]);
  });

  it.each(territories.map((t) => [t.name, t] as const))('territory table %s is valid', (_name, table) => {
    expect(validateTerritoryTable(table)).toEqual([]);
  });

  it('sends each country of the SDR regions to the pool of its own region', () => {
    const table = territories.find((t) => t.name === 'sdr-regions');
    expect(table).toBeDefined();
    for (const row of table!.rows) {
      const region = row.assign.pool?.split('-')[0]?.toUpperCase();
      for (const country of row.country ?? []) expect(regionOf(country), country).toBe(region);
    }
  });

  it('refers only to pools that exist', () => {
    const names = new Set(pools.map((p) => p.name));
    const targets = territories.flatMap((t) => t.rows.map((r) => r.assign.pool)).filter(Boolean);
    expect(targets.filter((name) => !names.has(name!))).toEqual([]);
  });
});
