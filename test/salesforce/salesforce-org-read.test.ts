import { afterEach, describe, expect, it } from 'vitest';
import { SalesforceOrgRead } from '../../companion/src/crm/salesforce/salesforce-org-read.js';
import { seedQueue, seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.standIn.close();
});

describe('Salesforce org reads for the HTTP API', () => {
  it('reads single records by 15- or 18-character Id, and nothing for an unknown one', async () => {
    h = await startHarness();
    const org = new SalesforceOrgRead(h.api);
    const lead = h.standIn.org.insert(
      'Lead',
      { LastName: 'Lovelace', Company: 'Analytical', IsConverted: false },
      true,
    ).Id;
    expect((await org.getLead(lead.slice(0, 15)))?.Id).toBe(lead);
    expect((await org.getLead(lead))?.Company).toBe('Analytical');
    expect(await org.getLead('00QSY0000009999')).toBeNull();
    expect(await org.getLead('not an id')).toBeNull();
  });

  it('tells whether a user holds the re-route custom permission through a permission set', async () => {
    h = await startHarness();
    const o = h.standIn.org;
    const rep = seedUser(h.standIn, 'Rep');
    const admin = seedUser(h.standIn, 'Admin');
    const permission = o.insert('CustomPermission', { DeveloperName: 'Switchyard_Reroute' }, true).Id;
    const set = o.insert('PermissionSet', { Name: 'Switchyard_User' }, true).Id;
    const other = o.insert('PermissionSet', { Name: 'Sales' }, true).Id;
    o.insert(
      'SetupEntityAccess',
      { ParentId: set, SetupEntityId: permission, SetupEntityType: 'CustomPermission' },
      true,
    );
    o.insert('PermissionSetAssignment', { AssigneeId: admin, PermissionSetId: set }, true);
    o.insert('PermissionSetAssignment', { AssigneeId: rep, PermissionSetId: other }, true);
    const org = new SalesforceOrgRead(h.api);
    expect(await org.getUser(admin)).toMatchObject({
      Name: 'Admin',
      HasReroutePermission: true,
      HasAdminPermission: false,
    });
    expect(await org.getUser(rep)).toMatchObject({ Name: 'Rep', HasReroutePermission: false });
  });

  it('makes a user a Switchyard admin by the Switchyard_Admin custom permission, never by profile name', async () => {
    h = await startHarness();
    const o = h.standIn.org;
    const admin = seedUser(h.standIn, 'RevOps');
    const permission = o.insert('CustomPermission', { DeveloperName: 'Switchyard_Admin' }, true).Id;
    const set = o.insert('PermissionSet', { Name: 'Switchyard_Admin' }, true).Id;
    o.insert(
      'SetupEntityAccess',
      { ParentId: set, SetupEntityId: permission, SetupEntityType: 'CustomPermission' },
      true,
    );
    o.insert('PermissionSetAssignment', { AssigneeId: admin, PermissionSetId: set }, true);
    expect(await new SalesforceOrgRead(h.api).getUser(admin)).toMatchObject({
      HasAdminPermission: true,
      HasReroutePermission: false,
    });
  });

  it('reads a queue with its user members', async () => {
    h = await startHarness();
    const ann = seedUser(h.standIn, 'Ann');
    const queue = seedQueue(h.standIn, 'Partner_Queue');
    h.standIn.org.insert('GroupMember', { GroupId: queue, UserOrGroupId: ann }, true);
    expect(await new SalesforceOrgRead(h.api).getQueue(queue)).toEqual({
      Id: queue,
      Name: 'Partner Queue',
      MemberIds: [ann],
    });
  });

  it('pages an account’s matched leads, sorted as asked, converted ones left out', async () => {
    h = await startHarness();
    const o = h.standIn.org;
    const account = o.insert('Account', { Name: 'Acme' }, true).Id;
    const names = ['Cole', 'Abbott', 'Evans', 'Baker', 'Dunn'];
    names.forEach((LastName, i) =>
      o.insert(
        'Lead',
        {
          LastName,
          Matched_Account__c: account,
          IsConverted: false,
          LastActivityDate: i === 2 ? null : `2026-11-0${i + 1}`,
        },
        true,
      ),
    );
    o.insert('Lead', { LastName: 'Converted', Matched_Account__c: account, IsConverted: true }, true);
    o.insert('Lead', { LastName: 'Elsewhere', IsConverted: false }, true);
    const org = new SalesforceOrgRead(h.api);

    const byName = await org.matchedLeads(account, { sort: 'name', limit: 2, offset: 2 });
    expect(byName.records.map((l) => l.LastName)).toEqual(['Cole', 'Dunn']);
    expect(byName).toMatchObject({ total: 5, limit: 2, offset: 2 });

    const recent = await org.matchedLeads(account, {});
    // Newest activity first; a lead with no activity last.
    expect(recent.records.map((l) => l.LastName)).toEqual(['Dunn', 'Baker', 'Abbott', 'Cole', 'Evans']);
  });

  it('searches leads, accounts and users by the text people type', async () => {
    h = await startHarness();
    const o = h.standIn.org;
    o.insert(
      'Lead',
      { LastName: 'Lovelace', Company: 'Analytical Engines', Email: 'ada@engines.example' },
      true,
    );
    o.insert('Lead', { LastName: 'Hopper', Company: 'Navy', Email: 'grace@navy.example' }, true);
    o.insert('Lead', { LastName: '100% Sure', Company: 'Percent' }, true);
    o.insert('Account', { Name: 'Engines Ltd', Website: 'engines.example' }, true);
    o.insert('Account', { Name: 'Navy', Website: 'navy.example' }, true);
    seedUser(h.standIn, 'Ann Smith');
    seedUser(h.standIn, 'Bob Jones', { IsActive: false });
    const org = new SalesforceOrgRead(h.api);

    expect((await org.searchLeads('engines', 10)).map((l) => l.LastName)).toEqual(['Lovelace']);
    expect((await org.searchLeads('GRACE@', 10)).map((l) => l.LastName)).toEqual(['Hopper']);
    expect((await org.searchLeads('100%', 10)).map((l) => l.LastName)).toEqual(['100% Sure']);
    expect(await org.searchLeads('', 2)).toHaveLength(2);
    expect((await org.searchAccounts('engines.ex', 10)).map((a) => a.Name)).toEqual(['Engines Ltd']);
    expect((await org.searchUsers('jones', 10)).map((u) => [u.Name, u.IsActive])).toEqual([
      ['Bob Jones', false],
    ]);
  });
});
