/**
 * `decide` throughput with the shipped flows over a million-account index, on one core: inbound leads
 * of every kind (company domains, free mail, unknown companies; every lead source) routed one after
 * another, pool turns carried from one decision to the next as the store would.
 */
import { performance } from 'node:perf_hooks';
import { DEMO_CATALOG, DEMO_QUEUES, DEMO_USERS } from '../../companion/src/crm/local/demo-people.js';
import { DEMO_SCENARIO } from '../../companion/src/crm/local/demo-scenarios.js';
import { decide } from '../../companion/src/engine/decide.js';
import type { PoolState } from '../../companion/src/engine/distribution/distribution.types.js';
import { selectFlow } from '../../companion/src/engine/flow/routing-set.js';
import type { AccountRecord, LeadRecord, Trigger } from '../../companion/src/engine/model.js';
import { buildOrgSnapshot, routingContext } from '../../companion/src/engine/routing-context.js';
import { readRoutingSet, SHIPPED_FLOWS_DIR } from '../../companion/src/routing/flow-files.js';
import type { Report } from './run.js';
import { generateAccounts, random } from './support/synthetic-accounts.js';

const ACCOUNTS = 1_000_000;
const LEADS = 30_000;
const SOURCES = [
  'Demo Request',
  'Contact Us',
  'Webinar',
  'White Paper',
  'eBook',
  'List Upload',
  'Website',
  'Event',
];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'JP', 'AU', 'IN', 'BR', 'CA', 'NL'];

/**
 * An inbound mix: half from a company email of a known account, a fifth from the company email of a
 * company not in the org yet, a fifth from free mail naming a known account, a tenth from free mail
 * naming a company nobody knows.
 */
function inboundLeads(accounts: AccountRecord[], count: number): LeadRecord[] {
  const next = random(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const leads: LeadRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const account = pick(accounts);
    const host = new URL(account.Website as string).hostname.replace(/^www\./, '');
    const bucket = i % 10;
    const known = bucket < 5 || (bucket >= 7 && bucket < 9);
    const email =
      bucket < 5 ? `lead${i}@${host}` : bucket < 7 ? `lead${i}@newco${i}.com` : `lead${i}@gmail.com`;
    leads.push({
      Id: `00Q${i.toString(36).padStart(12, '0')}`,
      FirstName: 'Lead',
      LastName: String(i),
      Email: email,
      Company: known ? account.Name : `Newco ${i} Ltd`,
      Country: known ? (account.BillingCountry ?? null) : pick(COUNTRIES),
      LeadSource: pick(SOURCES),
      Status: 'MQL',
      OwnerId: DEMO_USERS[22]!.Id,
      Partner_Recalled__c: false,
    });
  }
  return leads;
}

export default async function (report: Report): Promise<void> {
  const accounts = generateAccounts(ACCOUNTS);
  const org = buildOrgSnapshot({
    accounts: [...accounts, ...DEMO_SCENARIO.accounts],
    opportunities: DEMO_SCENARIO.opportunities,
    leads: DEMO_SCENARIO.leads,
    users: DEMO_USERS,
    queues: DEMO_QUEUES,
  });
  const set = await readRoutingSet(SHIPPED_FLOWS_DIR, DEMO_CATALOG);
  const trigger: Trigger = { kind: 'created' };
  const flow = selectFlow(set, trigger)!;
  const leads = inboundLeads(accounts, LEADS);
  const poolStates = new Map<string, PoolState>();
  const now = '2026-11-23T15:00:00.000Z';
  const outcomes = new Map<string, number>();

  const run = (batch: LeadRecord[]) => {
    for (const lead of batch) {
      const context = routingContext(set, org, { now, trigger, poolState: (name) => poolStates.get(name) });
      const decision = decide(flow, lead, context);
      for (const change of decision.poolChanges) poolStates.set(change.pool, change.state);
      outcomes.set(decision.outcome, (outcomes.get(decision.outcome) ?? 0) + 1);
    }
  };
  run(leads.slice(0, 2_000));
  outcomes.clear();
  const measured = leads.slice(2_000);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run(measured);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  report({
    name: 'decide throughput, shipped flows, 1M-account index',
    value: measured.length / seconds,
    unit: 'leads/s',
    target: '>= 10000 leads/s',
  });
  report({
    name: 'decide CPU time per lead',
    value: (cpu.user + cpu.system) / 1000 / measured.length,
    unit: 'ms',
  });
  for (const [outcome, count] of [...outcomes].sort()) {
    report({ name: `decide outcomes: ${outcome}`, value: (100 * count) / measured.length, unit: '%' });
  }
}
