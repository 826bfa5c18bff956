import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_USERS, demoQueueId, demoUserId } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import type { LocalOrg } from '../../src/crm/local/local-org.js';
import { upsertRecords } from '../../src/crm/local/local-records.js';
import type { LeadChangeListener } from '../../src/crm/crm.port.js';
import type { LeadRecord } from '../../src/engine/model.js';
import { InboundGenerator } from '../../src/crm/local/inbound-generator.js';
import { InactiveOwnerSweep } from '../../src/jobs/inactive-owner.sweep.js';
import { LeadChangeTrigger } from '../../src/jobs/lead-change.trigger.js';
import { isRouteFailure, type RoutingService } from '../../src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';
import { demoRoutingService, MONDAY, seedSmallDemoOrg } from '../routing/routing-fixture.js';

let store: Store;
let org: LocalOrg;
let service: RoutingService;
let router: LeadChangeTrigger;

beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  org = await seedSmallDemoOrg(store);
  service = await demoRoutingService(store, org);
  router = new LeadChangeTrigger({
    feed: org.feed,
    service,
    crm: org,
    resume: store.replayIds,
  });
  router.start();
});
afterAll(async () => {
  await router.stop();
  await store.close();
});

async function copyOf(key: string, fields: Partial<LeadRecord>): Promise<LeadRecord> {
  const { Id: _id, ...rest } = scenario(key).lead;
  const lead = await org.insertLead({ fields: { ...rest, ...fields } });
  await router.idle();
  return lead;
}

const historyOf = (id: string) => service.history(id, 10);

describe('route on create', () => {
  it('routes inbound demo leads as they arrive', async () => {
    const inbound = new InboundGenerator({
      org,
      ratePerMinute: 0,
      seed: 7,
      clock: () => new Date(MONDAY),
    });
    const leads = await inbound.emit(5);
    await router.idle();

    for (const lead of leads) {
      const [latest] = await historyOf(lead.Id);
      expect(latest?.decision.trigger).toBe('created');
      expect(latest?.status).toBe('applied');
      const now = await org.getLead(lead.Id);
      expect(now?.Last_Routed_At__c).toBe(MONDAY);
    }
  });
});

describe('the inbound stream', () => {
  it('adds demo leads at its rate once started, and stops adding when stopped', async () => {
    const before = service.org.leads.size;
    const inbound = new InboundGenerator({
      org,
      ratePerMinute: 600,
      seed: 11,
      clock: () => new Date(MONDAY),
    });
    const seen: string[] = [];
    const unsubscribe = org.feed.subscribe((change) => {
      if (change.kind === 'created' && change.origin === 'inbound') seen.push(change.leadId);
    });
    inbound.start();
    try {
      await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(10), {
        timeout: 15_000,
        interval: 100,
      });
    } finally {
      inbound.stop();
      unsubscribe();
    }
    await router.idle();
    const [latest] = await historyOf(seen[0]!);
    expect(latest?.decision.trigger).toBe('created');
    expect(service.org.leads.size).toBeGreaterThan(before);
  });
});

describe('a routing batch that fails', () => {
  it('is tried again after a pause, not dropped', async () => {
    const lead = (await org.getLead(scenario('blueprint-hot').lead.Id))!;
    let calls = 0;
    // The first batch meets a fault (the database went away for a moment); the next try works.
    const flaky = new Proxy(service, {
      get(target, prop) {
        if (prop === 'routeMany') {
          return (requests: Parameters<RoutingService['routeMany']>[0]) => {
            calls += 1;
            return calls === 1 ? Promise.reject(new Error('connection reset')) : target.routeMany(requests);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    let tell: LeadChangeListener = () => {};
    const errors: unknown[] = [];
    const retrying = new LeadChangeTrigger({
      feed: { subscribe: (listener) => ((tell = listener), () => {}) },
      service: flaky,
      crm: org,
      // A first start: its catch-up only marks where the next one looks from.
      resume: { get: async () => null, set: async () => {} },
      firstRetryMs: 10,
      onError: (error) => errors.push(error),
    });
    retrying.start();
    try {
      tell({
        leadId: lead.Id,
        kind: 'created',
        changedFields: ['Id'],
        previous: {},
        lead,
        origin: 'inbound',
      });
      await retrying.idle();
    } finally {
      await retrying.stop();
    }

    expect(errors).toEqual([new Error('connection reset')]);
    expect(calls).toBe(2);
    const [latest] = await historyOf(lead.Id);
    expect(latest?.decision.trigger).toBe('created');
  });
});

describe('route on update', () => {
  it('routes a lead in Unqualified Holding when its status is activated', async () => {
    const holding = demoQueueId(8);
    const lead = await copyOf('blueprint-route-on-update', { Company: 'Holdfast', Email: 'ben@holdfast.ca' });
    // Someone parks it in the holding queue as unqualified: an update, but not one that routes it away.
    await org.updateLeadsAsUser([{ id: lead.Id, fields: { Status: 'Unqualified', OwnerId: holding } }]);
    await router.idle();
    expect((await org.getLead(lead.Id))?.OwnerId).toBe(holding);

    await org.updateLeadsAsUser([{ id: lead.Id, fields: { Status: 'MQL' } }]);
    await router.idle();

    const [latest] = await historyOf(lead.Id);
    expect(latest?.decision.trigger).toBe('updated');
    expect(latest?.decision.outcome).toBe('assigned');
    expect((await org.getLead(lead.Id))?.OwnerId).toBe(latest?.decision.owner?.id);
    expect(latest?.decision.owner?.id).not.toBe(holding);
  });

  it('re-routes a lead when someone ticks Re-run Routing, and unticks the box', async () => {
    const lead = await copyOf('reroute-eligible', {
      Company: 'Tickbox Ltd',
      Email: 'olga@tickbox-ltd.co.uk',
    });
    await org.updateLeadsAsUser([{ id: lead.Id, fields: { OwnerId: demoUserId(5) } }]);
    await router.idle();
    const before = (await historyOf(lead.Id)).length;

    await org.updateLeadsAsUser([{ id: lead.Id, fields: { Rerun_Routing__c: true } }]);
    await router.idle();

    const history = await historyOf(lead.Id);
    expect(history).toHaveLength(before + 1);
    expect(history[0]?.decision.finalFlow.name).toBe('reroute');
    const now = await org.getLead(lead.Id);
    expect(now?.Rerun_Routing__c).toBe(false);
    expect(now?.OwnerId).not.toBe(demoUserId(5));
  });

  it('leaves a lead alone when a field no flow watches changes', async () => {
    const lead = await copyOf('blueprint-region', { Company: 'Quietfield', Email: 'aiko@quietfield.jp' });
    const before = await historyOf(lead.Id);
    await org.updateLeadsAsUser([{ id: lead.Id, fields: { Title: 'Head of Design' } }]);
    await router.idle();
    expect(await historyOf(lead.Id)).toHaveLength(before.length);
  });
});

describe('inactive owner', () => {
  it('routes the open leads of a user who was deactivated, once', async () => {
    const giulia = demoUserId(7);
    const leads = [
      await copyOf('reroute-eligible', { Company: 'Inactive One', Email: 'a@inactive-one.co.uk' }),
      await copyOf('reroute-eligible', { Company: 'Inactive Two', Email: 'b@inactive-two.co.uk' }),
    ];
    await org.updateLeadsAsUser(leads.map((l) => ({ id: l.Id, fields: { OwnerId: giulia } })));
    await router.idle();

    const sweep = new InactiveOwnerSweep({
      crm: org,
      service,
      clock: () => new Date(MONDAY),
    });
    expect(await sweep.runOnce()).toEqual([]);
    await upsertRecords(store.db, 'User', [{ ...DEMO_USERS.find((u) => u.Id === giulia)!, IsActive: false }]);
    const results = await sweep.runOnce();

    const byLead = new Map(results.map((r) => [isRouteFailure(r) ? r.leadId : r.decision.leadId, r]));
    for (const lead of leads) {
      const result = byLead.get(lead.Id)!;
      if (isRouteFailure(result)) throw new Error(result.error.message);
      expect(result.decision.trigger).toBe('inactive-owner');
      expect(result.decision.owner?.id).not.toBe(giulia);
      expect((await org.getLead(lead.Id))?.OwnerId).toBe(result.decision.owner?.id);
    }
    expect(service.org.directory.user(giulia)?.IsActive).toBe(false);
    expect(await sweep.runOnce()).toEqual([]);
  });
});
