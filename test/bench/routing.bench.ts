/**
 * End-to-end routing throughput of inbound leads: read each lead's context from the local org,
 * pick the flow, decide with the pools locked, store decisions, pool turns and outbox rows, write
 * owners and fields back to the org, mark them applied. On PGlite always; on PostgreSQL too when
 * DATABASE_URL is set (in a schema of its own, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DEMO_CATALOG } from '../../companion/src/crm/local/demo-people.js';
import { createInboundLeadFactory } from '../../companion/src/crm/local/demo-org.generator.js';
import { ensureDemoOrg } from '../../companion/src/crm/local/demo-org.seed.js';
import { DEMO_SCENARIO } from '../../companion/src/crm/local/demo-scenarios.js';
import { localParts } from '../../companion/src/crm/local/local-parts.js';
import { upsertRecords } from '../../companion/src/crm/local/local-records.js';
import { demoId, KEY_PREFIX } from '../../companion/src/engine/salesforce-id.js';
import type { AccountRecord, CampaignRecord, LeadRecord } from '../../companion/src/engine/model.js';
import { readRoutingSet, SHIPPED_FLOWS_DIR } from '../../companion/src/routing/flow-files.js';
import { isRouteFailure, RoutingService } from '../../companion/src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import type { Store } from '../../companion/src/store/store.js';
import type { Report } from './run.js';

const NOW = '2026-11-23T15:00:00.000Z';
const LEADS = 4000;
const BATCH = 500;

async function bench(name: string, store: Store, report: Report): Promise<void> {
  const clock = () => new Date(NOW);
  await ensureDemoOrg(store.db, { accounts: 2000, leads: 4000, scenario: DEMO_SCENARIO, now: clock });
  // The org as `npm start` composes it: every call counted, contacts followed after conversions.
  const { org, crm, contacts, meter } = localParts(store.db, { now: clock });
  const catalog = DEMO_CATALOG;
  const service = await RoutingService.create({
    crm,
    contacts,
    meter,
    store,
    routingSet: await readRoutingSet(SHIPPED_FLOWS_DIR, catalog),
    clock,
    batchSize: BATCH,
  });

  // Inbound leads as the demo stream makes them, inserted in bulk so only routing is timed.
  const accounts: AccountRecord[] = [];
  for await (const page of org.streamAccounts()) accounts.push(...page);
  const next = createInboundLeadFactory(accounts, DEMO_SCENARIO.campaigns as CampaignRecord[], 42);
  const leads: LeadRecord[] = Array.from({ length: LEADS }, (_, i) => ({
    ...next(new Date(NOW)).lead,
    Id: demoId(KEY_PREFIX.lead, 7_000_000 + i),
  }));
  await upsertRecords(store.db, 'Lead', leads);
  // As `npm start` does before it listens: what the first decision builds is not inbound routing's cost.
  await service.warmUp();

  const began = performance.now();
  const results = await service.routeMany(leads.map((l) => ({ leadId: l.Id, trigger: { kind: 'created' } })));
  const seconds = (performance.now() - began) / 1000;
  const failed = results.filter((r) => isRouteFailure(r) || r.status !== 'applied').length;
  report({
    name: `routing bench leads not routed and applied, ${name}`,
    value: failed,
    unit: 'leads',
    target: '0',
  });
  report({
    name: `routing throughput, inbound leads end to end, ${name}`,
    value: LEADS / seconds,
    unit: 'leads/s',
    target: '>= 1000 leads/s',
  });
}

export default async function (report: Report): Promise<void> {
  const pglite = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  try {
    await bench('PGlite', pglite, report);
  } finally {
    await pglite.close();
  }

  const url = process.env.DATABASE_URL;
  if (!url) return;
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const postgres = await openDatabase({ databaseUrl: url, dataDir: IN_MEMORY }, { schema });
  try {
    await bench('PostgreSQL', postgres, report);
  } finally {
    await postgres.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}
