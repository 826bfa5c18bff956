/**
 * Distribution speed: one pool pick (working hours checked in each member's own time zone, caps
 * counted over a day of history) and one territory lookup in a table of a thousand rows.
 */
import { performance } from 'node:perf_hooks';
import type {
  PoolDefinition,
  PoolState,
  TerritoryTable,
} from '../../companion/src/engine/distribution/distribution.types.js';
import { pickFromPool } from '../../companion/src/engine/distribution/pool.js';
import { findTerritory } from '../../companion/src/engine/distribution/territory.js';
import type { UserRecord } from '../../companion/src/engine/model.js';
import type { Report } from './run.js';

const ZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Europe/London', 'Asia/Tokyo'];
const START = Date.parse('2026-11-16T14:00:00Z');

function poolBench(report: Report): void {
  const users = new Map<string, UserRecord>();
  const pool: PoolDefinition = { name: 'bench', strategy: 'round-robin', members: [] };
  for (let i = 0; i < 50; i += 1) {
    const id = `005BENCH${String(i).padStart(4, '0')}`;
    users.set(id, {
      Id: id,
      Name: `Rep ${i}`,
      IsActive: i % 10 !== 0,
      TimeZoneSidKey: ZONES[i % ZONES.length],
      WorkingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' },
    });
    pool.members.push({ userId: id, weight: 1 + (i % 3), capPerHour: 1000, capPerDay: 10_000 });
  }
  const lookup = (id: string): UserRecord | undefined => users.get(id);
  let state: PoolState | undefined;
  const picks = 20_000;
  const began = performance.now();
  for (let i = 0; i < picks; i += 1) {
    // One lead every 4 seconds: about 400 assignments of history per member after a day.
    state = pickFromPool(pool, state, lookup, START + i * 4_000).state;
  }
  const perPick = (performance.now() - began) / picks;
  report({
    name: 'pool pick, 50 members, time zones and caps',
    value: perPick,
    unit: 'ms',
    target: '<= 1 ms',
  });
}

function territoryBench(report: Report): void {
  const countries = ['US', 'CA', 'GB', 'DE', 'FR', 'JP', 'AU', 'IN', 'BR', 'NL'];
  const table: TerritoryTable = { name: 'bench', rows: [] };
  for (let i = 0; i < 1000; i += 1) {
    table.rows.push({
      country: [countries[i % countries.length]!],
      postalCode: [String(10 + (i % 90))],
      employees: { min: (i % 5) * 100, max: (i % 5) * 100 + 99 },
      assign: { pool: `p${i}` },
    });
  }
  table.rows.push({ assign: { queue: 'Unassigned Queue' } });
  const leads = Array.from({ length: 2000 }, (_, i) => ({
    Country: ['United States', 'Germany', 'Japan', 'Narnia'][i % 4]!,
    PostalCode: String(10_000 + i * 37),
    NumberOfEmployees: (i * 13) % 600,
  }));
  const began = performance.now();
  for (const lead of leads) findTerritory(table, lead);
  const perLookup = (performance.now() - began) / leads.length;
  report({ name: 'territory lookup, 1000 rows', value: perLookup, unit: 'ms', target: '<= 1 ms' });
}

export default async function (report: Report): Promise<void> {
  poolBench(report);
  territoryBench(report);
}
