import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { demoUserId } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import type { LocalOrg } from '../../src/crm/local/local-org.js';
import type { LeadRecord } from '../../src/engine/model.js';
import { OutboxWorker } from '../../src/routing/outbox.worker.js';
import type { RoutingService } from '../../src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import { decisionsById } from '../../src/store/decision.repository.js';
import type { Store } from '../../src/store/store.js';
import { demoRoutingService, seedSmallDemoOrg } from './routing-fixture.js';

class Crash extends Error {}

let store: Store;
let org: LocalOrg;
/** Stops after every commit, as a process that died there would: the effects stay in the outbox. */
let crashing: RoutingService;
let healthy: RoutingService;

beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  org = await seedSmallDemoOrg(store);
  crashing = await demoRoutingService(store, org, {
    applyLeaseMs: 1,
    afterCommit: () => {
      throw new Crash('stopped after the commit');
    },
  });
  healthy = await demoRoutingService(store, org, { org: crashing.org });
});
afterAll(async () => {
  await store.close();
});

async function leftOver(company: string, domain: string): Promise<LeadRecord> {
  const { Id: _id, ...rest } = scenario('blueprint-region').lead;
  const lead = await org.insertLead({ fields: { ...rest, Company: company, Email: `aiko@${domain}` } });
  await expect(crashing.route({ leadId: lead.Id, trigger: { kind: 'created' } })).rejects.toBeInstanceOf(
    Crash,
  );
  return lead;
}

it('the worker applies what a stopped process left, on its own, within a few passes', async () => {
  const lead = await leftOver('Orbitan', 'orbitan.jp');
  const [stored] = await healthy.history(lead.Id, 1);
  expect(stored?.status).toBe('pending');

  const worker = new OutboxWorker(healthy, { intervalMs: 20 });
  worker.start();
  try {
    await vi.waitFor(async () => expect((await healthy.history(lead.Id, 1))[0]?.status).toBe('applied'), {
      timeout: 10_000,
      interval: 50,
    });
  } finally {
    await worker.stop();
  }
  expect((await org.getLead(lead.Id))?.OwnerId).toBe(stored?.decision.owner?.id);
});

it('a left-over decision whose lead changed owner meanwhile is made again on fresh context, visibly', async () => {
  const lead = await leftOver('Velliquor', 'velliquor.jp');
  await org.updateLeadsAsUser([{ id: lead.Id, fields: { OwnerId: demoUserId(2) } }]);

  expect(await new OutboxWorker(healthy).runOnce()).toBeGreaterThan(0);

  const history = await healthy.history(lead.Id, 5);
  expect(history.map((h) => h.status)).toEqual(['applied', 'stale']);
  expect(history[1]?.errors[0]?.code).toBe('OWNER_CHANGED');
  const stale = await decisionsById(store.db, [history[1]!.decisionId]);
  expect(stale.get(history[1]!.decisionId)?.statusDetail).toContain(history[0]!.decisionId);
  expect(history[0]?.decision.previousOwner?.id).toBe(demoUserId(2));
  expect((await org.getLead(lead.Id))?.OwnerId).toBe(history[0]?.decision.owner?.id);
});
