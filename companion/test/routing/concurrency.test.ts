import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_QUEUES, DEMO_USERS, demoUserId } from '../../src/crm/local/demo-people.js';
import { LocalCrm } from '../../src/crm/local/local-crm.js';
import { upsertRecords } from '../../src/crm/local/local-records.js';
import { demoId, KEY_PREFIX } from '../../src/engine/salesforce-id.js';
import { loadRoutingSet } from '../../src/engine/flow/routing-set.js';
import type { LeadRecord } from '../../src/engine/model.js';
import { isRouteFailure, RoutingService, type RouteManyResult } from '../../src/routing/routing.service.js';
import type { Store } from '../../src/store/store.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import { readPools } from '../../src/store/pool.repository.js';
import { postgresSchema, type SharedPostgres } from '../store/backends.js';
import { DEMO_CATALOG } from '../../src/crm/local/demo-people.js';
import { MONDAY } from './routing-fixture.js';

const MEMBERS = [1, 2, 5, 8].map(demoUserId);
const LEADS = 200;

const routingSet = () =>
  loadRoutingSet(
    {
      flows: [
        {
          file: 'inbound.flow.yaml',
          text: `flow: inbound
version: 1
label: Inbound
trigger: { on: [created] }
start: pool
nodes:
  pool: { type: assign, to: { pool: equal }, next: done }
  done: { type: end }
`,
        },
      ],
      pools: {
        file: 'pools.yaml',
        text: `pools:
  - name: equal
    strategy: round-robin
    respectWorkingHours: false
    members: [${MEMBERS.map((id) => `{ userId: ${id} }`).join(', ')}]
`,
      },
      territories: { file: 'territories.yaml', text: 'territories: []\n' },
    },
    DEMO_CATALOG,
  );

/** Raw leads parked with one user, to be routed into the pool. */
const parkedLeads = (count: number, firstNumber: number, name: string): LeadRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    Id: demoId(KEY_PREFIX.lead, firstNumber + i),
    LastName: `${name} ${i}`,
    Company: `${name} ${i}`,
    Status: 'Raw',
    OwnerId: demoUserId(23),
    IsConverted: false,
  }));

/**
 * The demo people and these leads in the first store, and a routing service on each store given
 * (the same store twice: two services sharing it).
 */
async function servicesOn(
  stores: Store[],
  leads: LeadRecord[],
  options: { batchSize?: number } = {},
): Promise<RoutingService[]> {
  const db = stores[0]!.db;
  await upsertRecords(db, 'User', DEMO_USERS);
  await upsertRecords(db, 'Queue', DEMO_QUEUES);
  await upsertRecords(db, 'Lead', leads);
  const set = routingSet();
  const services: RoutingService[] = [];
  for (const store of stores) {
    services.push(
      await RoutingService.create({
        crm: new LocalCrm(store.db),
        store,
        routingSet: set,
        clock: () => new Date(MONDAY),
        ...options,
      }),
    );
  }
  return services;
}

const shared: SharedPostgres | null = postgresSchema();
if (!shared) {
  console.log('Skipping the two-instance routing test: DATABASE_URL is not set (it needs PostgreSQL).');
}

describe.skipIf(!shared)('two instances on one PostgreSQL', () => {
  const stores: Store[] = [];
  let services: RoutingService[] = [];
  const leads = parkedLeads(LEADS, 8_000_000, 'Parallel');

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) stores.push(await shared!.open());
    services = await servicesOn(stores, leads, { batchSize: 10 });
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await shared?.cleanup();
  });

  it('routes 200 leads from one pool in parallel: each decided once, picks unique and fair', async () => {
    const requests = leads.map((lead) => ({
      leadId: lead.Id,
      trigger: { kind: 'created' as const },
      requestKey: `inbound:${lead.Id}`,
    }));
    const [a, b] = await Promise.all([
      services[0]!.routeMany(requests),
      services[1]!.routeMany([...requests].reverse()),
    ]);
    const byLead = (results: RouteManyResult[]) =>
      new Map(results.map((r) => (isRouteFailure(r) ? [r.leadId, null] : [r.decision.leadId, r])));
    const fromA = byLead(a);
    const fromB = byLead(b);

    // Both instances answer every lead with the same stored decision.
    for (const lead of leads) {
      expect(fromA.get(lead.Id)?.decisionId).toBeDefined();
      expect(fromB.get(lead.Id)?.decisionId).toBe(fromA.get(lead.Id)?.decisionId);
    }
    const db = stores[0]!.db;
    const decisions = await db.selectFrom('decisions').select(['lead_id', 'owner_id', 'status']).execute();
    expect(decisions).toHaveLength(LEADS);
    expect(new Set(decisions.map((d) => d.lead_id)).size).toBe(LEADS);
    expect(decisions.every((d) => d.status === 'applied')).toBe(true);

    const counts = new Map(MEMBERS.map((id) => [id, 0]));
    for (const d of decisions) counts.set(d.owner_id!, (counts.get(d.owner_id!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...MEMBERS].sort());
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);

    const state = (await readPools(stores[0]!.db, ['equal'])).get('equal');
    const picks = Object.values(state!.state!.members).reduce((n, m) => n + m.assignedTotal, 0);
    expect(picks).toBe(LEADS);
    const owners = await db
      .selectFrom('crm_records')
      .select(['id', 'data'])
      .where('object', '=', 'Lead')
      .execute();
    const decided = new Map(decisions.map((d) => [d.lead_id, d.owner_id]));
    for (const row of owners) expect((row.data as LeadRecord).OwnerId).toBe(decided.get(row.id));
  });
});

describe('two routing services on one embedded store, taking turns', () => {
  let store: Store;
  let services: RoutingService[] = [];
  const leads = parkedLeads(12, 8_100_000, 'Turns');

  beforeAll(async () => {
    store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
    services = await servicesOn([store, store], leads);
  });
  afterAll(async () => {
    await store.close();
  });

  it("each sees the other's picks: the pool rotates as it would with one service", async () => {
    // Each service keeps the pool state it last read or wrote; the other's writes must reach it.
    const owners: string[] = [];
    for (const [i, lead] of leads.entries()) {
      const result = await services[i % 2]!.route({ leadId: lead.Id, trigger: { kind: 'created' } });
      owners.push(result.decision.owner!.id);
    }
    const rounds = [owners.slice(0, 4), owners.slice(4, 8), owners.slice(8, 12)];
    for (const round of rounds) expect([...round].sort()).toEqual([...MEMBERS].sort());
    expect(rounds[1]).toEqual(rounds[0]);
    expect(rounds[2]).toEqual(rounds[0]);
    const state = (await readPools(store.db, ['equal'])).get('equal');
    expect(Object.values(state!.state!.members).map((m) => m.assignedTotal)).toEqual([3, 3, 3, 3]);
  });
});
