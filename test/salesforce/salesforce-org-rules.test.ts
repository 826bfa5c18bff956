/**
 * What Salesforce refuses and how it answers, as the stand-in reproduces it (each rule names its
 * documentation page beside its code in stand-in/), and the adapter keeping to it: owners a lead can
 * have, one record once per collection request, the org's assignment rule, the polymorphic Lead.Owner
 * and compound Address fields.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SalesforceOrgRead } from '../../companion/src/crm/salesforce/salesforce-org-read.js';
import { seedLeads, seedQueue, seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.standIn.close();
});

interface SaveResult {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
}

/** An sObject Collections update sent as is, without the adapter (and, unless given, without headers). */
function patch(records: Array<Record<string, unknown>>, headers: Record<string, string> = {}) {
  return h.api.conn.request<SaveResult[]>({
    method: 'PATCH',
    url: '/composite/sobjects',
    body: JSON.stringify({ allOrNone: false, records }),
    headers: { 'content-type': 'application/json', 'Sforce-Auto-Assign': 'FALSE', ...headers },
  });
}

const query = <T extends Record<string, unknown>>(soql: string): Promise<T[]> =>
  h.api.conn.query<T>(soql).then((r) => r.records);

describe('owners Salesforce accepts', () => {
  it("refuses an inactive user, an unknown user and a queue that takes no leads as a lead's owner, and keeps the owner", async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const leaver = seedUser(h.standIn, 'Leaver', { IsActive: false });
    const cases = seedQueue(h.standIn, 'Support_Cases', { objects: ['Case'] });
    const inbox = seedQueue(h.standIn, 'Inbound_Leads');
    const unknownUser = '005SY9999999999AAA';
    const ids = seedLeads(h.standIn, 4, owner);
    const targets = [leaver, unknownUser, cases, inbox];
    const results = await h.crm.updateLeads(
      ids.map((id, i) => ({ id, fields: { OwnerId: targets[i] }, expectedOwnerId: owner })),
    );
    expect(results).toEqual([
      {
        id: ids[0],
        ok: false,
        code: 'INACTIVE_OWNER_OR_USER',
        message: `operation performed with inactive user [${leaver}] as owner of lead`,
        retryable: false,
      },
      {
        id: ids[1],
        ok: false,
        code: 'INVALID_CROSS_REFERENCE_KEY',
        message: 'invalid cross reference id',
        retryable: false,
      },
      {
        id: ids[2],
        ok: false,
        code: 'INVALID_CROSS_REFERENCE_KEY',
        message: 'invalid cross reference id',
        retryable: false,
      },
      { id: ids[3], ok: true },
    ]);
    expect(ids.map((id) => h.standIn.org.get('Lead', id)?.['OwnerId'])).toEqual([owner, owner, owner, inbox]);
  });

  it('refuses an owner that is not an Id, or the Id of something that cannot own', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [a, b] = seedLeads(h.standIn, 2, owner) as [string, string];
    const answer = await patch([
      { attributes: { type: 'Lead' }, id: a, OwnerId: 'Jane Doe' },
      { attributes: { type: 'Lead' }, id: b, OwnerId: account },
    ]);
    expect(answer.map((r) => r.errors[0]?.statusCode)).toEqual(['MALFORMED_ID', 'FIELD_INTEGRITY_EXCEPTION']);
    expect(answer.every((r) => r.errors[0]?.fields[0] === 'OwnerId')).toBe(true);
  });

  it('writes other fields of a lead an inactive user still owns: only a new owner is checked', async () => {
    h = await startHarness();
    const leaver = seedUser(h.standIn, 'Leaver');
    const [id] = seedLeads(h.standIn, 1, leaver) as [string];
    h.standIn.org.update('User', leaver, { IsActive: false });
    const [result] = await h.crm.updateLeads([
      { id, fields: { OwnerId: leaver, Routing_Reason__c: 'Owner left' } },
    ]);
    expect(result).toEqual({ id, ok: true });
    expect(h.standIn.org.get('Lead', id)?.['Routing_Reason__c']).toBe('Owner left');
  });

  it('refuses a conversion whose new contact would belong to an inactive user or a queue', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const leaver = seedUser(h.standIn, 'Leaver', { IsActive: false });
    const inbox = seedQueue(h.standIn, 'Inbound_Leads');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [toLeaver, toQueue] = seedLeads(h.standIn, 2, owner) as [string, string];
    const results = await h.crm.convertLeads(
      [
        [toLeaver, leaver],
        [toQueue, inbox],
      ].map(([leadId, ownerId]) => ({
        leadId: leadId!,
        accountId: account,
        ownerId: ownerId!,
        createOpportunity: false,
      })),
    );
    expect(results.map((r) => !r.ok && r.code)).toEqual([
      'INACTIVE_OWNER_OR_USER',
      'INVALID_CROSS_REFERENCE_KEY',
    ]);
    expect(h.standIn.org.table('Contact').size).toBe(0);
    expect(h.standIn.org.get('Lead', toLeaver)?.['IsConverted']).toBe(false);
  });
});

describe('one record once per sObject Collections request', () => {
  it('is what Salesforce requires: a repeated Id is refused, the first one applied', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const [id] = seedLeads(h.standIn, 1, owner) as [string];
    const answer = await patch([
      { attributes: { type: 'Lead' }, id, Status: 'Working - Contacted' },
      { attributes: { type: 'Lead' }, id: id.slice(0, 15), Status: 'Closed - Not Converted' },
    ]);
    expect(answer[0]).toMatchObject({ id, success: true });
    expect(answer[1]).toMatchObject({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE' }] });
    expect(h.standIn.org.get('Lead', id)?.['Status']).toBe('Working - Contacted');
  });

  it('the adapter writes two updates of one lead in two requests, in the order given', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const [a, b] = seedLeads(h.standIn, 2, owner) as [string, string];
    const results = await h.crm.updateLeads([
      { id: a, fields: { Status: 'Working - Contacted' } },
      { id: b, fields: { Status: 'Working - Contacted' } },
      { id: a, fields: { Status: 'Closed - Not Converted', Routing_Reason__c: 'Closed by rule' } },
    ]);
    expect(results).toEqual([
      { id: a, ok: true },
      { id: b, ok: true },
      { id: a, ok: true },
    ]);
    expect(h.standIn.org.get('Lead', a)).toMatchObject({
      Status: 'Closed - Not Converted',
      Routing_Reason__c: 'Closed by rule',
    });
    expect(h.standIn.calls()).toEqual({ composite: 2 });
  });
});

describe("the org's active lead assignment rule", () => {
  it('takes a lead updated through REST without Sforce-Auto-Assign: FALSE to the default lead owner', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const [id] = seedLeads(h.standIn, 1, owner) as [string];
    const [answer] = await patch([{ attributes: { type: 'Lead' }, id, Status: 'Working - Contacted' }], {
      'Sforce-Auto-Assign': 'TRUE',
    });
    expect(answer).toMatchObject({ success: true });
    expect(h.standIn.org.get('Lead', id)?.['OwnerId']).toBe(h.standIn.defaultLeadQueueId);
  });

  it('leaves the owner the adapter writes, because every adapter write says FALSE', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const routed = seedUser(h.standIn, 'Routed');
    const [moved, kept] = seedLeads(h.standIn, 2, owner) as [string, string];
    await h.crm.updateLeads([
      { id: moved, fields: { OwnerId: routed }, expectedOwnerId: owner },
      { id: kept, fields: { Routing_Reason__c: 'Stays with Owner' } },
    ]);
    expect(h.standIn.org.get('Lead', moved)?.['OwnerId']).toBe(routed);
    expect(h.standIn.org.get('Lead', kept)?.['OwnerId']).toBe(owner);
  });
});

describe('Lead.Owner is a user or a queue', () => {
  it('answers Owner fields as the Name object, with Owner.Type, for both, and refuses fields Name lacks', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rita Rep');
    const inbox = seedQueue(h.standIn, 'Inbound_Leads');
    const [byRep] = seedLeads(h.standIn, 1, rep) as [string];
    const [byQueue] = seedLeads(h.standIn, 1, inbox) as [string];
    const rows = await query<{
      Id: string;
      Owner: { attributes: { type: string }; Name: string; Type: string };
    }>(
      `SELECT Id, Owner.Name, Owner.Type FROM Lead WHERE Id IN ('${byRep}', '${byQueue}') ORDER BY Owner.Name`,
    );
    expect(rows.map((r) => [r.Id, r.Owner.attributes.type, r.Owner.Name, r.Owner.Type])).toEqual([
      [byQueue, 'Name', 'Inbound Leads', 'Queue'],
      [byRep, 'Name', 'Rita Rep', 'User'],
    ]);
    const err = await query('SELECT Id, Owner.Region__c FROM Lead').catch((e: unknown) => e);
    expect(err).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect((err as Error).message).toContain("No such column 'Region__c' on entity 'Name'");
  });

  it("the adapter sorts an account's matched leads by owner name, queues among people", async () => {
    h = await startHarness();
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const zoe = seedUser(h.standIn, 'Zoe');
    const adam = seedUser(h.standIn, 'Adam');
    const queue = seedQueue(h.standIn, 'Marketing_Queue');
    for (const [owner, LastName] of [
      [zoe, 'Zoe lead'],
      [queue, 'Queue lead'],
      [adam, 'Adam lead'],
    ] as const)
      seedLeads(h.standIn, 1, owner, { LastName, Matched_Account__c: account });
    const page = await new SalesforceOrgRead(h.api).matchedLeads(account, { sort: 'owner' });
    expect(page.records.map((l) => l.LastName)).toEqual(['Adam lead', 'Queue lead', 'Zoe lead']);
  });

  it('the adapter finds person-owned leads by Owner.Type, leaving queue-owned ones out', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const inbox = seedQueue(h.standIn, 'Inbound_Leads');
    const [personal] = seedLeads(h.standIn, 1, rep, { Status: 'Open' });
    seedLeads(h.standIn, 1, inbox, { Status: 'Open' });
    expect(await h.crm.findLeads({ statuses: ['Open'], personOwned: true })).toEqual([personal]);
  });
});

describe('compound Address fields', () => {
  it('reads Lead.Address and Account.BillingAddress as one value, from their component fields', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const [lead] = seedLeads(h.standIn, 1, owner, { Street: '1 Main St', City: 'Lyon', Country: 'France' });
    const [bare] = seedLeads(h.standIn, 1, owner);
    const account = h.standIn.org.insert('Account', { Name: 'Acme', BillingCity: 'Utrecht' }, true).Id;
    const leads = await query<{ Id: string; Address: unknown }>(
      `SELECT Id, Address FROM Lead WHERE Id IN ('${lead}', '${bare}') ORDER BY LastName`,
    );
    expect(leads.find((l) => l.Id === lead)?.Address).toEqual({
      street: '1 Main St',
      city: 'Lyon',
      state: null,
      postalCode: null,
      country: 'France',
      geocodeAccuracy: null,
      latitude: null,
      longitude: null,
    });
    expect(leads.find((l) => l.Id === bare)?.Address).toBeNull();
    const [acme] = await query<{ BillingAddress: { city: string } }>(
      `SELECT BillingAddress FROM Account WHERE Id = '${account}'`,
    );
    expect(acme?.BillingAddress.city).toBe('Utrecht');
  });

  it('refuses a write to the compound field and takes one to its components', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const [id] = seedLeads(h.standIn, 1, owner, { City: 'Lyon' }) as [string];
    const [compound, component] = await Promise.all([
      patch([{ attributes: { type: 'Lead' }, id, Address: { city: 'Paris' } }]),
      h.crm.updateLeads([{ id, fields: { City: 'Nantes' } }]),
    ]);
    expect(compound[0]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Address'] }],
    });
    expect(component).toEqual([{ id, ok: true }]);
    const [row] = await query<{ Address: { city: string } }>(`SELECT Address FROM Lead WHERE Id = '${id}'`);
    expect(row?.Address.city).toBe('Nantes');
  });

  it('refuses a filter or a sort on the compound field', async () => {
    h = await startHarness();
    for (const soql of [
      "SELECT Id FROM Lead WHERE Address = 'Lyon'",
      'SELECT Id FROM Account ORDER BY BillingAddress',
    ]) {
      const err = await query(soql).catch((e: unknown) => e);
      expect(err).toMatchObject({ errorCode: 'INVALID_FIELD' });
    }
  });

  it('describes the compound as an address field that cannot be written, and its components as writable parts of it', async () => {
    h = await startHarness();
    const describe = await h.api.conn.sobject('Lead').describe();
    const field = (name: string) => describe.fields.find((f) => f.name === name);
    expect(field('Address')).toMatchObject({ type: 'address', updateable: false, createable: false });
    expect(field('City')).toMatchObject({ updateable: true, compoundFieldName: 'Address' });
  });
});

describe('SOQL text and request size', () => {
  it('reads the escape sequences of a quoted value, and refuses a backslash before anything else', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const [lead] = seedLeads(h.standIn, 1, rep, { Company: `O'Hara "Co" \\ Line\nTwo\tTab é` });
    const found = await query<{ Id: string }>(
      `SELECT Id FROM Lead WHERE Company = 'O\\'Hara \\"Co\\" \\\\ Line\\NTwo\\tTab \\u00e9'`,
    );
    expect(found.map((r) => r.Id)).toEqual([lead]);
    const err = await query("SELECT Id FROM Lead WHERE Company = 'A\\qB'").catch((e: unknown) => e);
    expect(err).toMatchObject({ errorCode: 'MALFORMED_QUERY' });
  });

  it('compares text without regard to case (=, !=, IN, NOT IN), and Ids exactly', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const [web] = seedLeads(h.standIn, 1, rep, { LeadSource: 'Web' });
    const [event] = seedLeads(h.standIn, 1, rep, { LeadSource: 'Event' });
    const ids = async (soql: string) => (await query<{ Id: string }>(soql)).map((r) => r.Id).sort();
    expect(await ids("SELECT Id FROM Lead WHERE LeadSource = 'WEB'")).toEqual([web]);
    expect(await ids("SELECT Id FROM Lead WHERE LeadSource IN ('web', 'EVENT')")).toEqual(
      [web, event].sort(),
    );
    expect(await ids("SELECT Id FROM Lead WHERE LeadSource NOT IN ('wEb')")).toEqual([event]);
    expect(await ids("SELECT Id FROM Lead WHERE LeadSource != 'event'")).toEqual([web]);
    expect(await ids(`SELECT Id FROM Lead WHERE OwnerId = '${rep.toLowerCase()}'`)).toEqual([]);
  });

  it('refuses a request whose URI is over 16,384 bytes (414), as Salesforce does', async () => {
    h = await startHarness();
    const soql = `SELECT Id FROM Lead WHERE Company IN (${Array.from({ length: 800 }, (_, i) => `'Company ${i}'`).join(', ')})`;
    const res = await fetch(`${h.standIn.url}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`);
    expect(res.status).toBe(414);
    const short = await fetch(
      `${h.standIn.url}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Lead')}`,
    );
    expect(short.status).toBe(401);
  });
});
