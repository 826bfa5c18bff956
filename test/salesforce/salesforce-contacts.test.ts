import { afterEach, describe, expect, it } from 'vitest';
import { seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.standIn.close();
});

describe('contacts in a Salesforce org, for contact ownership', () => {
  it('reads the contacts of accounts and moves their owners, not overwriting one someone else moved', async () => {
    h = await startHarness();
    const [smb, ae, other] = ['SMB', 'AE', 'Other'].map((n) => seedUser(h.standIn, n)) as [
      string,
      string,
      string,
    ];
    const account = h.standIn.org.insert('Account', { Name: 'Small Mills', OwnerId: smb }, true).Id;
    const elsewhere = h.standIn.org.insert('Account', { Name: 'Elsewhere' }, true).Id;
    const contact = (owner: string, accountId = account) =>
      h.standIn.org.insert('Contact', { AccountId: accountId, OwnerId: owner, LastName: 'Contact' }, true).Id;
    const [a, b] = [contact(ae), contact(ae)];
    contact(ae, elsewhere);

    const found = await h.crm.contactsOfAccounts([account]);
    expect(found.map((c) => c.Id).sort()).toEqual([a, b].sort());
    expect(found[0]).not.toHaveProperty('attributes');

    h.standIn.org.update('Contact', b, { OwnerId: other });
    const results = await h.crm.updateContactOwners([
      { contactId: a, from: ae, to: smb },
      { contactId: b, from: ae, to: smb },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'OWNER_CHANGED']);
    expect(h.standIn.org.get('Contact', a)?.['OwnerId']).toBe(smb);
    expect(h.standIn.org.get('Contact', b)?.['OwnerId']).toBe(other);
  });
});
