import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import type { LocalOrg } from '../../src/crm/local/local-org.js';
import type { ChangeEvent } from '../../src/crm/crm.port.js';
import { upsertRecords } from '../../src/crm/local/local-records.js';
import type { LeadRecord } from '../../src/engine/model.js';
import { SalesforceChangeTrigger } from '../../src/jobs/salesforce-change.trigger.js';
import type { RoutingService } from '../../src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';
import { DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { LocalContacts } from '../../src/crm/local/local-contacts.js';
import { InactiveOwnerSweep } from '../../src/jobs/inactive-owner.sweep.js';
import { ContactRouter } from '../../src/routing/contact-router.js';
import { toId18 } from '../../src/engine/salesforce-id.js';
import { demoRoutingService, MONDAY, seedSmallDemoOrg } from '../routing/routing-fixture.js';

// The org's change events, as the Salesforce change feed hands them over, drive routing. The local
// demo org stands in for the org's records here; the feed itself is tested against the stand-in.
let store: Store;
let org: LocalOrg;
let service: RoutingService;
let router: SalesforceChangeTrigger;

beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  org = await seedSmallDemoOrg(store);
  service = await demoRoutingService(store, org);
  const inactiveOwners = new InactiveOwnerSweep({
    crm: org,
    service,
    clock: () => new Date(MONDAY),
  });
  router = new SalesforceChangeTrigger({
    crm: org,
    org,
    service,
    inactiveOwners,
    contacts: new ContactRouter({ contacts: new LocalContacts(store.db), org: service.org }),
  });
});
afterAll(() => store.close());

async function newLead(key: string, fields: Partial<LeadRecord> = {}): Promise<LeadRecord> {
  const { Id: _id, ...rest } = scenario(key).lead;
  return org.insertLead({ fields: { ...rest, ...fields } });
}

const history = (id: string) => service.history(id, 10);

describe('Salesforce change events', () => {
  it('a lead created in the org is routed', async () => {
    const lead = await newLead('blueprint-target', { Email: 'new.person@globex.de' });
    await router.onChange({ kind: 'created', object: 'Lead', ids: [lead.Id], changedFields: null });
    const [latest] = await history(lead.Id);
    expect(latest?.decision.trigger).toBe('created');
    expect(latest?.decision.outcome).toBe('converted');
    expect(latest?.status).toBe('applied');
  });

  it('a created event delivered again does not route the lead twice', async () => {
    const lead = await newLead('blueprint-hot', { Email: 'twice@gmail.com' });
    const event: ChangeEvent = { kind: 'created', object: 'Lead', ids: [lead.Id], changedFields: null };
    await router.onChange(event);
    await router.onChange(event);
    expect(await history(lead.Id)).toHaveLength(1);
  });

  it('ticking Re-run Routing in the org re-routes the lead', async () => {
    const lead = await newLead('reroute-eligible');
    await org.updateLeadsAsUser([{ id: lead.Id, fields: { Rerun_Routing__c: true } }]);
    await router.onChange({
      kind: 'updated',
      object: 'Lead',
      ids: [lead.Id],
      changedFields: ['Rerun_Routing__c'],
      byIntegrationUser: false,
    });
    const [latest] = await history(lead.Id);
    expect(latest?.decision.flow.name).toBe('reroute');
    expect(latest?.decision.outcome).toBe('assigned');
  });

  it('an update event delivered again does not re-route the lead twice; a later update does', async () => {
    const lead = await newLead('reroute-eligible');
    await org.updateLeadsAsUser([{ id: lead.Id, fields: { Rerun_Routing__c: true } }]);
    const event = (replay: string): ChangeEvent => ({
      kind: 'updated',
      object: 'Lead',
      ids: [lead.Id],
      changedFields: ['Rerun_Routing__c'],
      byIntegrationUser: false,
      keys: [`/data/LeadChangeEvent@${replay}`],
    });
    await router.onChange(event('AAAAAAAAAAE='));
    await router.onChange(event('AAAAAAAAAAE='));
    expect(await history(lead.Id)).toHaveLength(1);
    await org.updateLeadsAsUser([{ id: lead.Id, fields: { Rerun_Routing__c: true } }]);
    await router.onChange(event('AAAAAAAAAAI='));
    expect(await history(lead.Id)).toHaveLength(2);
  });

  it("routing's own writes coming back as events route nothing, Status included", async () => {
    const lead = await newLead('reroute-eligible');
    const echo = (byIntegrationUser?: boolean): ChangeEvent => ({
      kind: 'updated',
      object: 'Lead',
      ids: [lead.Id],
      changedFields: ['OwnerId', 'Status', 'Routing_Reason__c', 'Last_Routed_At__c', 'LastModifiedDate'],
      ...(byIntegrationUser === undefined ? {} : { byIntegrationUser }),
    });
    expect(router.triggerFor(echo(true))).toBeNull();
    // Without a committer to go by, the fields routing writes are not news either.
    expect(router.triggerFor(echo())).toBeNull();
    await router.onChange(echo(true));
    expect(await history(lead.Id)).toEqual([]);
    // The same change made by a person is news for the flows watching Status.
    expect(router.triggerFor(echo(false))).toEqual({
      kind: 'updated',
      changedFields: ['OwnerId', 'Status', 'Routing_Reason__c', 'Last_Routed_At__c'],
    });
  });

  it('an update whose fields are unknown (polling) does not start a route-on-update', async () => {
    const lead = await newLead('reroute-eligible');
    await router.onChange({ kind: 'updated', object: 'Lead', ids: [lead.Id], changedFields: null });
    expect(await history(lead.Id)).toEqual([]);
  });

  it('the open leads of a user deactivated in the org are routed to someone at work at once', async () => {
    const leaver = DEMO_USERS.find((u) => u.IsActive && u.Name === 'Giulia Rossi')!;
    const lead = await newLead('reroute-eligible', { Company: 'Leaver Ltd', Email: 'x@leaver-ltd.co.uk' });
    await org.updateLeadsAsUser([{ id: lead.Id, fields: { OwnerId: leaver.Id } }]);
    await upsertRecords(store.db, 'User', [{ ...leaver, IsActive: false }]);

    await router.onChange({ kind: 'updated', object: 'User', ids: [leaver.Id], changedFields: ['IsActive'] });
    const [latest] = await history(lead.Id);
    expect(latest?.decision.trigger).toBe('inactive-owner');
    const owner = (await org.getLead(lead.Id))?.OwnerId;
    expect(owner).not.toBe(leaver.Id);
    expect(owner).toBe(latest?.decision.owner?.id);
    // The same event again (a replay) routes nothing twice.
    await router.onChange({ kind: 'updated', object: 'User', ids: [leaver.Id], changedFields: ['IsActive'] });
    expect(await history(lead.Id)).toHaveLength(1);
  });

  it('a deactivation replayed after a restart still routes the leads, though the people read at start know it', async () => {
    const leaver = DEMO_USERS.find((u) => u.IsActive && u.Name === 'Emma Schulz')!;
    const lead = await newLead('reroute-eligible', { Company: 'Replay Ltd', Email: 'x@replay-ltd.co.uk' });
    await org.updateLeadsAsUser([{ id: lead.Id, fields: { OwnerId: leaver.Id } }]);
    await upsertRecords(store.db, 'User', [{ ...leaver, IsActive: false }]);
    // As after a restart: the people were read from the org, already inactive, before the event replays.
    service.applyChanges({ users: [{ ...leaver, IsActive: false }] });

    await router.onChange({ kind: 'updated', object: 'User', ids: [leaver.Id], changedFields: ['IsActive'] });
    const [latest] = await history(lead.Id);
    expect(latest?.decision.trigger).toBe('inactive-owner');
    expect((await org.getLead(lead.Id))?.OwnerId).not.toBe(leaver.Id);
  });

  it('an account changed in the org is matched by the next decision', async () => {
    const soylent = scenario('reroute-eligible').lead;
    const accountId = (
      await service.route({ leadId: soylent.Id, trigger: { kind: 'created' }, dryRun: true })
    ).decision.matched.account!.id;
    const account = await org.getAccount(accountId);
    await upsertRecords(store.db, 'Account', [{ ...account!, Type: 'Customer' }]);
    await router.onChange({ kind: 'updated', object: 'Account', ids: [accountId], changedFields: ['Type'] });
    const lead = await newLead('reroute-eligible', { Email: 'another@soylentfoods.co.uk' });
    const result = await service.route({ leadId: lead.Id, trigger: { kind: 'created' }, dryRun: true });
    expect(result.decision.outcome).toBe('converted');
  });

  it("an account's new owner in SMB Sales takes its contacts; other account changes leave them", async () => {
    const smb = DEMO_USERS.find((u) => u.IsActive && u.Role__c === 'SMB')!;
    const other = DEMO_USERS.find((u) => u.IsActive && u.Role__c === 'AE')!;
    const account = { Id: toId18('001CHANGED00001')!, Name: 'Changed Hands Ltd', OwnerId: other.Id };
    await upsertRecords(store.db, 'Account', [account]);
    await upsertRecords(store.db, 'Contact', [
      { Id: toId18('003CHANGED00001')!, AccountId: account.Id, OwnerId: other.Id, LastName: 'One' },
    ]);
    const owner = async () =>
      (await new LocalContacts(store.db).contactsOfAccounts([account.Id]))[0]?.OwnerId;

    await upsertRecords(store.db, 'Account', [{ ...account, OwnerId: smb.Id }]);
    await router.onChange({ kind: 'updated', object: 'Account', ids: [account.Id], changedFields: ['Type'] });
    expect(await owner()).toBe(other.Id);
    await router.onChange({
      kind: 'updated',
      object: 'Account',
      ids: [account.Id],
      changedFields: ['OwnerId'],
    });
    expect(await owner()).toBe(smb.Id);
  });
});
