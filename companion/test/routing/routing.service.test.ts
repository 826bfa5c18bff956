import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadConversion, LeadUpdate, WriteResult } from '../../src/crm/crm.port.js';
import { demoUserId } from '../../src/crm/local/demo-people.js';
import { DEMO_SCENARIO, scenario } from '../../src/crm/local/demo-scenarios.js';
import { LocalOrg } from '../../src/crm/local/local-org.js';
import { demoId, KEY_PREFIX } from '../../src/engine/salesforce-id.js';
import { upsertRecords } from '../../src/crm/local/local-records.js';
import type { LeadRecord, Trigger } from '../../src/engine/model.js';
import { isRouteFailure, type RoutingService } from '../../src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import { readPools } from '../../src/store/pool.repository.js';
import type { Store } from '../../src/store/store.js';
import { demoRoutingService, MONDAY, seedSmallDemoOrg } from './routing-fixture.js';

let store: Store;
let crm: LocalOrg;
let service: RoutingService;

beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  crm = await seedSmallDemoOrg(store);
  service = await demoRoutingService(store, crm);
});
afterAll(async () => {
  await store.close();
});

/** A fresh copy of a demo scenario lead (with its campaign response), so no two tests share a lead. */
async function poolState(name: string) {
  return (await readPools(store.db, [name])).get(name);
}

async function copyOf(key: string, fields: Partial<LeadRecord> = {}): Promise<LeadRecord> {
  const s = scenario(key);
  const { Id: _id, ...rest } = s.lead;
  const member = DEMO_SCENARIO.campaignMembers.find((m) => m.LeadId === s.lead.Id);
  return crm.insertLead({
    fields: { ...rest, ...fields },
    campaignId: member?.CampaignId ?? null,
    memberStatus: member?.Status ?? null,
  });
}

const WORDS = `marigold quasar tundra obelisk saffron nimbus lantern juniper pebble cobalt falcon velvet
  orchid granite meadow rocket walnut zenith ember glacier hazel indigo jasper kestrel lagoon mosaic
  nectar opal prairie quartz raven sequoia thistle umber vortex willow yonder zephyr`.split(/\s+/);
let unique = 0;
/** A company nobody else in the org works for: its leads are unmatched, with no colleagues. */
function newCompany(): Partial<LeadRecord> {
  const word = WORDS[unique++]!;
  return {
    Company: `${word[0]!.toUpperCase()}${word.slice(1)} Ventures`,
    Email: `pat@${word}ventures.com`,
  };
}

const created: Trigger = { kind: 'created' };
const reroute: Trigger = { kind: 'reroute', reason: 'Country corrected', actorId: demoUserId(1) };

describe('routing a lead', () => {
  it('assigns it from its region pool, writes the owner and reasons to the org, and keeps the decision', async () => {
    const lead = await copyOf('blueprint-region', newCompany());
    const result = await service.route({ leadId: lead.Id, trigger: created });

    expect(result.status).toBe('applied');
    expect(result.errors).toEqual([]);
    expect(result.decision.outcome).toBe('assigned');
    expect(result.decision.owner?.via).toBe('APJ SDR round robin');
    const after = await crm.getLead(lead.Id);
    expect(after?.OwnerId).toBe(result.decision.owner?.id);
    expect(after?.Last_Routing_Flow__c).toBe('Lead routing blueprint');
    expect(after?.Routing_Reason__c).toBe(result.decision.summary);

    const [latest] = await service.history(lead.Id, 5);
    expect(latest?.decisionId).toBe(result.decisionId);
    expect(latest?.status).toBe('applied');
    expect(latest?.decision.path.length).toBeGreaterThan(0);
  });

  it('converts a lead matched to a customer account into a contact owned by customer success', async () => {
    const lead = await copyOf('blueprint-customer');
    const result = await service.route({ leadId: lead.Id, trigger: created });

    expect(result.decision.outcome).toBe('converted');
    expect(result.status).toBe('applied');
    const after = await crm.getLead(lead.Id);
    expect(after?.IsConverted).toBe(true);
    expect(after?.ConvertedAccountId).toBe(
      scenario('blueprint-customer').lead.Matched_Account__c ?? after?.ConvertedAccountId,
    );
    expect(after?.OwnerId).toBe(result.decision.conversion?.ownerId);
    expect(service.org.leads.get(lead.Id)).toBeUndefined();
  });

  it('stores a refused re-route with its reason and next step, and leaves the owner alone', async () => {
    const lead = await copyOf('reroute-high-priority');
    const result = await service.route({ leadId: lead.Id, trigger: reroute });

    expect(result.decision.outcome).toBe('refused');
    expect(result.decision.refusal?.code).toBe('LEAD_NOT_ELIGIBLE');
    expect(result.decision.refusal?.action).toBeTruthy();
    expect((await crm.getLead(lead.Id))?.OwnerId).toBe(lead.OwnerId);
    const history = await service.history(lead.Id, 5);
    expect(history.map((h) => h.decision.outcome)).toEqual(['refused']);
  });

  it('answers a dry run without using a pool turn or writing to the lead', async () => {
    const lead = await copyOf('reroute-eligible', newCompany());
    const before = await poolState('emea-sdr');
    const dry = await service.route({ leadId: lead.Id, trigger: reroute, dryRun: true });
    const dryAgain = await service.route({ leadId: lead.Id, trigger: reroute, dryRun: true });

    expect(dry.status).toBe('dry-run');
    expect(dry.decision.outcome).toBe('assigned');
    expect(dryAgain.decision.owner?.id).toBe(dry.decision.owner?.id);
    expect(await poolState('emea-sdr')).toEqual(before);
    const after = await crm.getLead(lead.Id);
    expect(after?.OwnerId).toBe(lead.OwnerId);
    expect(after?.Last_Routed_At__c ?? null).toBeNull();

    const real = await service.route({ leadId: lead.Id, trigger: reroute });
    expect(real.decision.owner?.id).toBe(dry.decision.owner?.id);
    expect((await crm.getLead(lead.Id))?.OwnerId).toBe(dry.decision.owner?.id);
  });

  it('returns the stored decision for a repeated request key and never picks twice', async () => {
    const lead = await copyOf('blueprint-region', newCompany());
    const key = `test-${lead.Id}`;
    const first = await service.route({ leadId: lead.Id, trigger: created, requestKey: key });
    const version = (await poolState('apj-sdr'))?.version;
    const [again, third] = await service.routeMany([
      { leadId: lead.Id, trigger: created, requestKey: key },
      { leadId: lead.Id, trigger: created, requestKey: key },
    ]);

    expect(again).toEqual(first);
    expect(third).toEqual(first);
    expect((await poolState('apj-sdr'))?.version).toBe(version);
    expect(await service.history(lead.Id, 10)).toHaveLength(1);
  });

  it('refuses a request key already used for another lead', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => copyOf('blueprint-region', newCompany())));
    const key = `test-${a!.Id}`;
    await service.route({ leadId: a!.Id, trigger: created, requestKey: key });

    await expect(service.route({ leadId: b!.Id, trigger: created, requestKey: key })).rejects.toMatchObject({
      code: 'REQUEST_KEY_REUSED',
      message: expect.stringContaining(a!.Id),
    });
    expect(await service.history(b!.Id, 5)).toEqual([]);
  });

  it('gives each lead of a batch its own turn of the pool', async () => {
    const leads = await Promise.all([1, 2, 3].map(() => copyOf('blueprint-region', newCompany())));
    const results = await service.routeMany(leads.map((l) => ({ leadId: l.Id, trigger: created })));

    const owners = results.map((r) => (isRouteFailure(r) ? null : r.decision.owner?.id));
    expect(new Set(owners).size).toBe(3);
    for (const [i, lead] of leads.entries()) {
      expect((await crm.getLead(lead.Id))?.OwnerId).toBe(owners[i]);
    }
  });

  it('gives two leads of one company arriving in one batch to one person', async () => {
    const company = newCompany();
    const leads = await Promise.all(
      ['pat', 'sam'].map((name) =>
        copyOf('blueprint-region', { ...company, Email: company.Email!.replace('pat@', `${name}@`) }),
      ),
    );
    const results = await service.routeMany(leads.map((l) => ({ leadId: l.Id, trigger: created })));

    const [first, second] = results.map((r) => (isRouteFailure(r) ? null : r.decision));
    expect(first?.outcome).toBe('assigned');
    expect(second?.owner?.id).toBe(first?.owner?.id);
    expect(second?.summary).toMatch(/owner of other leads from the same company/);
    for (const lead of leads) expect((await crm.getLead(lead.Id))?.OwnerId).toBe(first?.owner?.id);
  });

  it('reports a lead that does not exist per lead in a batch, and as NOT_FOUND alone', async () => {
    const lead = await copyOf('blueprint-region', newCompany());
    const missing = '00QSY0000099999999';
    const results = await service.routeMany([
      { leadId: missing, trigger: created },
      { leadId: lead.Id, trigger: created },
    ]);

    expect(results[0]).toMatchObject({ leadId: missing, error: { code: 'NOT_FOUND' } });
    expect(isRouteFailure(results[1]!)).toBe(false);
    await expect(service.route({ leadId: missing, trigger: created })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('decides on accounts told to it after the start: a new customer account converts its leads', async () => {
    const account = {
      Id: demoId(KEY_PREFIX.account, 9_099_001),
      Name: 'Brandnew Robotics',
      Website: 'brandnew-robotics.com',
      Type: 'Customer',
      OwnerId: demoUserId(14),
      Customer_Success_Manager__c: demoUserId(20),
      BillingCountry: 'US',
    };
    await upsertRecords(store.db, 'Account', [account]);
    const lead = await copyOf('blueprint-customer', {
      Company: 'Brandnew Robotics',
      Email: 'grace@brandnew-robotics.com',
    });
    const before = await service.route({ leadId: lead.Id, trigger: created, dryRun: true });
    expect(before.decision.outcome).not.toBe('converted');

    service.applyChanges({ accounts: [account] });
    const after = await service.route({ leadId: lead.Id, trigger: created });
    expect(after.decision.outcome).toBe('converted');
    expect(after.decision.matched.account?.id).toBe(account.Id);
    expect((await crm.getLead(lead.Id))?.ConvertedAccountId).toBe(account.Id);
  });

  it('keeps the lead index fresh: the new owner is known to same-company routing at once', async () => {
    const lead = await copyOf('blueprint-region', newCompany());
    const result = await service.route({ leadId: lead.Id, trigger: created });
    expect(service.org.leads.get(lead.Id)?.OwnerId).toBe(result.decision.owner?.id);
  });
});

describe('warming up before the first request', () => {
  it('decides a made-up lead and keeps nothing: no decision stored, no pool turn taken', async () => {
    const pools = [...service.routingSet.pools.keys()];
    const before = await readPools(store.db, pools);
    const decisions = await store.db.selectFrom('decisions').select('id').execute();

    await service.warmUp();

    expect(await readPools(store.db, pools)).toEqual(before);
    expect(await store.db.selectFrom('decisions').select('id').execute()).toHaveLength(decisions.length);
  });
});

describe('when the owner changes between deciding and applying', () => {
  it('decides again on fresh context and marks the first decision stale, visibly', async () => {
    const lead = await copyOf('blueprint-region', newCompany());
    let meddled = false;
    const meddling = await demoRoutingService(store, crm, {
      afterCommit: async () => {
        if (meddled) return;
        meddled = true;
        await crm.updateLeadsAsUser([{ id: lead.Id, fields: { OwnerId: demoUserId(2) } }]);
      },
    });
    const result = await meddling.route({ leadId: lead.Id, trigger: created });

    expect(result.status).toBe('applied');
    const history = await meddling.history(lead.Id, 5);
    expect(history.map((h) => h.status)).toEqual(['applied', 'stale']);
    expect(history[0]!.decisionId).toBe(result.decisionId);
    expect(history[0]!.decision.previousOwner?.id).toBe(demoUserId(2));
    expect(history[1]!.errors[0]?.code).toBe('OWNER_CHANGED');
    expect((await crm.getLead(lead.Id))?.OwnerId).toBe(result.decision.owner?.id);
  });

  it('marks the decision stale when the owner changes again, without overwriting the person', async () => {
    const lead = await copyOf('blueprint-region', newCompany());
    let n = 0;
    const meddling = await demoRoutingService(store, crm, {
      afterCommit: async () => {
        n += 1;
        await crm.updateLeadsAsUser([{ id: lead.Id, fields: { OwnerId: demoUserId(n % 2 === 1 ? 2 : 5) } }]);
      },
    });
    const result = await meddling.route({ leadId: lead.Id, trigger: created });

    expect(result.status).toBe('stale');
    expect(result.errors[0]?.code).toBe('OWNER_CHANGED');
    expect(result.errors[0]?.message).toContain('someone changed it meanwhile');
    expect((await crm.getLead(lead.Id))?.OwnerId).toBe(demoUserId(5));
    expect((await meddling.history(lead.Id, 5)).map((h) => h.status)).toEqual(['stale', 'stale']);
  });
});

/** The local org, failing the next lead writes the way Salesforce does. */
class FlakyCrm extends LocalOrg {
  failNext: Array<Omit<Extract<WriteResult, { ok: false }>, 'id'>> = [];
  down = false;
  override async updateLeads(updates: LeadUpdate[]): Promise<WriteResult[]> {
    if (this.down) throw new Error('connect ECONNREFUSED 10.0.0.1:443');
    const failure = this.failNext.shift();
    if (failure) return updates.map((u) => ({ ...failure, id: u.id }));
    return super.updateLeads(updates);
  }
  override convertLeads(conversions: LeadConversion[]): Promise<WriteResult[]> {
    return super.convertLeads(conversions);
  }
}

describe('when the org refuses a write', () => {
  let flaky: FlakyCrm;
  let flakyService: RoutingService;
  beforeAll(async () => {
    flaky = new FlakyCrm(store.db, { now: () => new Date(MONDAY) });
    flakyService = await demoRoutingService(store, flaky, { org: service.org });
  });

  it('keeps a retryable failure pending with the org’s words, and the worker applies it later', async () => {
    const lead = await copyOf('blueprint-region', newCompany());
    flaky.failNext.push({
      ok: false,
      code: 'UNABLE_TO_LOCK_ROW',
      message: 'unable to obtain exclusive access to this record',
      retryable: true,
    });
    const result = await flakyService.route({ leadId: lead.Id, trigger: created });

    expect(result.status).toBe('pending');
    expect(result.errors).toEqual([
      { code: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record' },
    ]);
    expect((await crm.getLead(lead.Id))?.OwnerId).toBe(lead.OwnerId);

    // The back-off has passed.
    await store.db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(0) })
      .where('status', '=', 'pending')
      .execute();
    while ((await flakyService.applyPending()) > 0);
    expect((await crm.getLead(lead.Id))?.OwnerId).toBe(result.decision.owner?.id);
    const [latest] = await flakyService.history(lead.Id, 1);
    expect(latest).toMatchObject({ decisionId: result.decisionId, status: 'applied', errors: [] });
  });

  it('keeps the decision pending when the org cannot be reached at all, and applies it later', async () => {
    const lead = await copyOf('blueprint-region', newCompany());
    flaky.down = true;
    const result = await flakyService.route({ leadId: lead.Id, trigger: created });
    flaky.down = false;

    expect(result.status).toBe('pending');
    expect(result.errors[0]?.code).toBe('CRM_UNAVAILABLE');
    expect(result.errors[0]?.message).toContain('ECONNREFUSED');
    await store.db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(0) })
      .where('status', '=', 'pending')
      .execute();
    while ((await flakyService.applyPending()) > 0);
    expect((await crm.getLead(lead.Id))?.OwnerId).toBe(result.decision.owner?.id);
  });

  it('fails a decision the org rejects for good, and says why in its words', async () => {
    const lead = await copyOf('blueprint-customer');
    flaky.failNext.push({
      ok: false,
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Routing reason may not be changed on customer leads',
      retryable: false,
    });
    const result = await flakyService.route({ leadId: lead.Id, trigger: created });

    expect(result.status).toBe('failed');
    expect(result.errors.map((e) => e.code)).toEqual([
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    ]);
    expect(result.errors[0]?.message).toBe('Routing reason may not be changed on customer leads');
    expect((await crm.getLead(lead.Id))?.IsConverted).toBe(false);
    const [latest] = await flakyService.history(lead.Id, 1);
    expect(latest?.status).toBe('failed');
  });
});
