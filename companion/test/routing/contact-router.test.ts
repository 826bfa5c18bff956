import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUserId } from '../../src/crm/local/demo-people.js';
import { DEMO_SCENARIO, scenario } from '../../src/crm/local/demo-scenarios.js';
import { LocalContacts } from '../../src/crm/local/local-contacts.js';
import { upsertRecords } from '../../src/crm/local/local-records.js';
import type { LocalOrg } from '../../src/crm/local/local-org.js';
import type { AccountRecord, ContactRecord } from '../../src/engine/model.js';
import { toId18 } from '../../src/engine/salesforce-id.js';
import { ContactRouter, type ContactRouting } from '../../src/routing/contact-router.js';
import type { RoutingService } from '../../src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';
import { demoRoutingService, seedSmallDemoOrg } from './routing-fixture.js';

// Handbook job 6: when an account's owner or BDR changes, its contacts follow contact ownership.
let store: Store;
let org: LocalOrg;
let service: RoutingService;
let contacts: LocalContacts;
const rosa = demoUserId(18); // EMEA SMB Sales
const olivia = demoUserId(15); // account executive
const kara = demoUserId(11);

beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  org = await seedSmallDemoOrg(store);
  service = await demoRoutingService(store, org);
  contacts = new LocalContacts(store.db);
});
afterAll(() => store.close());

async function accountWithContacts(
  id: string,
  ownerId: string,
  contactOwners: string[],
): Promise<AccountRecord> {
  const account: AccountRecord = { Id: id, Name: `Account ${id}`, Type: 'Customer', OwnerId: ownerId };
  await upsertRecords(store.db, 'Account', [account]);
  service.applyChanges({ accounts: [account] });
  const records: ContactRecord[] = contactOwners.map((owner, i) => ({
    Id: `${id.replace('001', '003')}${i}`,
    AccountId: id,
    OwnerId: owner,
    LastName: `Contact ${i}`,
  }));
  await upsertRecords(store.db, 'Contact', records);
  return account;
}

const ownersOf = async (accountId: string) =>
  (await contacts.contactsOfAccounts([accountId])).map((c) => c.OwnerId);

describe('contact ownership when an account changes hands', () => {
  it('gives every contact of an account SMB Sales now owns to that owner, once', async () => {
    await accountWithContacts('001CONTACTS0001', rosa, [kara, olivia, rosa]);
    const routed: ContactRouting[] = [];
    const router = new ContactRouter({ contacts, org: service.org, onRouted: (r) => routed.push(r) });

    const [first] = await router.routeAccounts(['001CONTACTS0001']);
    expect(first?.changes).toHaveLength(2);
    expect(first?.results.every((r) => r.ok)).toBe(true);
    expect(first?.summary).toContain('Rosa Jansen of EMEA SMB Sales');
    expect(await ownersOf('001CONTACTS0001')).toEqual([rosa, rosa, rosa]);
    expect(routed).toHaveLength(1);

    const [again] = await router.routeAccounts(['001CONTACTS0001']);
    expect(again?.changes).toEqual([]);
  });

  it('leaves the contacts of an account outside SMB Sales with their owners', async () => {
    await accountWithContacts('001CONTACTS0002', olivia, [kara, rosa]);
    const router = new ContactRouter({ contacts, org: service.org });
    const [result] = await router.routeAccounts(['001CONTACTS0002', '001UNKNOWN00000']);
    expect(result?.changes).toEqual([]);
    expect(await ownersOf('001CONTACTS0002')).toEqual([kara, rosa]);
  });

  it('never overwrites a contact whose owner someone changed after the decision', async () => {
    await accountWithContacts('001CONTACTS0003', rosa, [kara]);
    const results = await contacts.updateContactOwners([
      { contactId: '003CONTACTS00030', from: olivia, to: rosa },
      { contactId: '003GONE000000000', from: kara, to: rosa },
    ]);
    expect(results.map((r) => !r.ok && r.code)).toEqual(['OWNER_CHANGED', 'ENTITY_IS_DELETED']);
    expect(await ownersOf('001CONTACTS0003')).toEqual([kara]);
  });

  it('a lead converting into an account SMB Sales owns brings all its contacts to the owner, not the opportunity owner', async () => {
    const stark = DEMO_SCENARIO.accounts.find((a) => a.Name === 'Stark Logistics')!;
    const withContacts = await demoRoutingService(store, org, { contacts });
    const smbOwned = { ...stark, OwnerId: rosa };
    await upsertRecords(store.db, 'Account', [smbOwned]);
    withContacts.applyChanges({ accounts: [smbOwned] });
    await upsertRecords(store.db, 'Contact', [
      { Id: toId18('003STARKEARLIER')!, AccountId: stark.Id, OwnerId: kara, LastName: 'Earlier' },
    ]);
    const { Id: _id, ...fields } = scenario('blueprint-late-stage-opportunity').lead;
    const lead = await org.insertLead({ fields: { ...fields, Email: 'new.buyer@starklogistics.com' } });

    const result = await withContacts.route({ leadId: lead.Id, trigger: { kind: 'created' } });
    expect(result.decision.outcome).toBe('converted');
    expect(result.status).toBe('applied');
    expect(result.decision.owner?.id).toBe(rosa);
    const owners = await ownersOf(stark.Id);
    expect(owners.length).toBeGreaterThanOrEqual(2);
    expect(owners.every((o) => o === rosa)).toBe(true);
  });
});
