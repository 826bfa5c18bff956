import { afterEach, describe, expect, it } from 'vitest';
import { SHORT_TIMEOUT, seedLeads, seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.standIn.close();
});

describe('Salesforce adapter: updates', () => {
  it('writes 450 updates in three sObject Collections requests', async () => {
    h = await startHarness();
    const from = seedUser(h.standIn, 'From');
    const to = seedUser(h.standIn, 'To');
    const ids = seedLeads(h.standIn, 450, from);
    const results = await h.crm.updateLeads(
      ids.map((id) => ({ id, fields: { OwnerId: to, Routing_Reason__c: 'EMEA pool' } })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.id)).toEqual(ids);
    expect(h.standIn.calls()).toEqual({ composite: 3 });
    expect(h.standIn.org.get('Lead', ids[449]!)).toMatchObject({
      OwnerId: to,
      Routing_Reason__c: 'EMEA pool',
    });
  });

  it('keeps per-record failures with the org’s own words and writes the rest', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const [ok, invalid, deleted] = seedLeads(h.standIn, 3, owner) as [string, string, string];
    h.standIn.faults.validation.push({
      id: invalid,
      message: 'Country is required before a lead can be routed.',
      fields: ['Country'],
    });
    h.standIn.org.delete('Lead', deleted);
    const results = await h.crm.updateLeads(
      [ok, invalid, deleted].map((id) => ({ id, fields: { Status: 'Working' } })),
    );
    expect(results).toEqual([
      { id: ok, ok: true },
      {
        id: invalid,
        ok: false,
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: 'Country is required before a lead can be routed.',
        retryable: false,
      },
      { id: deleted, ok: false, code: 'ENTITY_IS_DELETED', message: 'entity is deleted', retryable: false },
    ]);
    // The deleted lead is skipped, not retried.
    expect(h.standIn.calls()).toEqual({ composite: 1 });
  });

  it('retries records Salesforce could not lock, with jittered backoff, and only those', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const ids = seedLeads(h.standIn, 5, owner);
    h.standIn.faults.lockRows.set(ids[1]!, 2);
    const results = await h.crm.updateLeads(ids.map((id) => ({ id, fields: { Status: 'Working' } })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.standIn.calls()).toEqual({ composite: 3 });
    // base 100 ms · 2ⁿ⁻¹ · (0.5 + random 0.5)
    expect(h.sleeps).toEqual([100, 200]);
  });

  it('gives up on a row that stays locked and says it can be retried later', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const [id] = seedLeads(h.standIn, 1, owner) as [string];
    h.standIn.faults.lockRows.set(id, 99);
    const [result] = await h.crm.updateLeads([{ id, fields: { Status: 'Working' } }]);
    expect(result).toMatchObject({ id, ok: false, code: 'UNABLE_TO_LOCK_ROW', retryable: true });
    expect(h.standIn.calls()).toEqual({ composite: 4 });
  });

  it('refuses to overwrite an owner changed in Salesforce after the decision', async () => {
    h = await startHarness();
    const original = seedUser(h.standIn, 'Original');
    const someoneElse = seedUser(h.standIn, 'Someone else');
    const target = seedUser(h.standIn, 'Target');
    const [kept, moved] = seedLeads(h.standIn, 2, original) as [string, string];
    h.standIn.org.update('Lead', moved, { OwnerId: someoneElse });
    const results = await h.crm.updateLeads([
      { id: kept, fields: { OwnerId: target }, expectedOwnerId: original },
      { id: moved, fields: { OwnerId: target }, expectedOwnerId: original },
    ]);
    expect(results[0]).toEqual({ id: kept, ok: true });
    expect(results[1]).toMatchObject({ id: moved, ok: false, code: 'OWNER_CHANGED', retryable: false });
    expect(h.standIn.org.get('Lead', moved)?.['OwnerId']).toBe(someoneElse);
    expect(h.standIn.org.get('Lead', kept)?.['OwnerId']).toBe(target);
    expect(h.standIn.calls()).toEqual({ query: 1, composite: 1 });
  });

  it('treats a retry of an already-applied owner change as success, not as OWNER_CHANGED', async () => {
    h = await startHarness();
    const original = seedUser(h.standIn, 'Original');
    const target = seedUser(h.standIn, 'Target');
    const [id] = seedLeads(h.standIn, 1, original) as [string];
    const update = { id, fields: { OwnerId: target }, expectedOwnerId: original };
    expect((await h.crm.updateLeads([update]))[0]?.ok).toBe(true);
    expect((await h.crm.updateLeads([update]))[0]?.ok).toBe(true);
  });

  it('retries an update whose answer timed out, with the same effect as one write', async () => {
    h = await startHarness(SHORT_TIMEOUT);
    const owner = seedUser(h.standIn, 'Owner');
    const target = seedUser(h.standIn, 'Target');
    const [id] = seedLeads(h.standIn, 1, owner) as [string];
    h.standIn.faults.timeouts.push({ endpoint: 'composite', afterApply: true });
    const [result] = await h.crm.updateLeads([{ id, fields: { OwnerId: target } }]);
    expect(result).toEqual({ id, ok: true });
    expect(h.standIn.calls()).toEqual({ composite: 2 });
    expect(h.standIn.org.get('Lead', id)?.['OwnerId']).toBe(target);
  });
});

describe('Salesforce adapter: conversion', () => {
  it('converts leads through SOAP convertLead in batches of 100', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const ae = seedUser(h.standIn, 'AE');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const ids = seedLeads(h.standIn, 150, owner);
    const results = await h.crm.convertLeads(
      ids.map((leadId, i) => ({
        leadId,
        accountId: account,
        ownerId: ae,
        createOpportunity: i === 0,
        opportunityName: 'Acme - new business',
      })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    // The org's converted statuses are read once; each batch reads its leads before converting.
    expect(h.standIn.calls()).toEqual({ query: 3, soap: 2 });
    const first = results[0]!;
    expect(first.ok && first.contactId?.startsWith('003')).toBe(true);
    expect(first.ok && first.opportunityId?.startsWith('006')).toBe(true);
    expect(results[1]!.ok && results[1]!.opportunityId).toBeUndefined();
    expect(h.standIn.org.get('Lead', ids[0]!)).toMatchObject({
      IsConverted: true,
      Status: 'Closed - Converted',
      OwnerId: ae,
    });
    expect(h.standIn.org.get('Opportunity', first.ok ? first.opportunityId! : '')?.['Name']).toBe(
      'Acme - new business',
    );
  });

  it('keeps per-record conversion errors and refuses leads whose owner changed', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const other = seedUser(h.standIn, 'Other');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [good, invalid, moved] = seedLeads(h.standIn, 3, owner) as [string, string, string];
    h.standIn.faults.validation.push({ id: invalid, message: 'Converted leads need an industry.' });
    h.standIn.org.update('Lead', moved, { OwnerId: other });
    const results = await h.crm.convertLeads(
      [good, invalid, moved].map((leadId) => ({
        leadId,
        accountId: account,
        ownerId: owner,
        createOpportunity: false,
        expectedOwnerId: owner,
      })),
    );
    expect(results[0]).toMatchObject({ id: good, ok: true });
    expect(results[1]).toEqual({
      id: invalid,
      ok: false,
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Converted leads need an industry.',
      retryable: false,
    });
    expect(results[2]).toMatchObject({ id: moved, ok: false, code: 'OWNER_CHANGED' });
    expect(h.standIn.org.get('Lead', moved)?.['IsConverted']).toBe(false);
  });

  it('after a timed-out conversion, checks IsConverted and does not convert twice', async () => {
    h = await startHarness(SHORT_TIMEOUT);
    const owner = seedUser(h.standIn, 'Owner');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [id] = seedLeads(h.standIn, 1, owner) as [string];
    h.standIn.faults.timeouts.push({ endpoint: 'soap', afterApply: true });
    const [result] = await h.crm.convertLeads([
      {
        leadId: id,
        accountId: account,
        ownerId: owner,
        createOpportunity: true,
      },
    ]);
    expect(result).toMatchObject({ id, ok: true });
    expect(result!.ok && result!.contactId).toBe(h.standIn.org.get('Lead', id)?.['ConvertedContactId']);
    expect(h.standIn.calls()).toEqual({ query: 3, soap: 1 });
    expect(h.standIn.org.table('Contact').size).toBe(1);
    expect(h.standIn.org.table('Opportunity').size).toBe(1);
  });

  it('retries a conversion whose request timed out before Salesforce acted', async () => {
    h = await startHarness(SHORT_TIMEOUT);
    const owner = seedUser(h.standIn, 'Owner');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [id] = seedLeads(h.standIn, 1, owner) as [string];
    h.standIn.faults.timeouts.push({ endpoint: 'soap', afterApply: false });
    const [result] = await h.crm.convertLeads([
      {
        leadId: id,
        accountId: account,
        ownerId: owner,
        createOpportunity: false,
      },
    ]);
    expect(result).toMatchObject({ id, ok: true });
    expect(h.standIn.calls()).toEqual({ query: 3, soap: 2 });
    expect(h.standIn.org.table('Contact').size).toBe(1);
  });
});

describe("Salesforce adapter: writes the org's own automation keeps", () => {
  it("keeps the owner it writes although the org's lead assignment rules would give the lead to someone else", async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const routed = seedUser(h.standIn, 'Routed');
    const ruleOwner = seedUser(h.standIn, 'Assignment rule queue');
    h.standIn.org.leadAssignmentRule = () => ruleOwner;
    const [id] = seedLeads(h.standIn, 1, owner) as [string];
    const [result] = await h.crm.updateLeads([{ id, fields: { OwnerId: routed }, expectedOwnerId: owner }]);
    expect(result).toEqual({ id, ok: true });
    expect(h.standIn.org.get('Lead', id)?.['OwnerId']).toBe(routed);
  });

  it('is what the stand-in needs to keep an owner: a REST update without the header runs the rules', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const ruleOwner = seedUser(h.standIn, 'Assignment rule queue');
    h.standIn.org.leadAssignmentRule = () => ruleOwner;
    const [id] = seedLeads(h.standIn, 1, owner) as [string];
    // The same collection request the adapter sends, but without Sforce-Auto-Assign: FALSE.
    await h.api.conn.request({
      method: 'PATCH',
      url: '/composite/sobjects',
      body: JSON.stringify({
        allOrNone: false,
        records: [{ attributes: { type: 'Lead' }, Id: id, Status: 'Working' }],
      }),
      headers: { 'content-type': 'application/json' },
    });
    expect(h.standIn.org.get('Lead', id)?.['OwnerId']).toBe(ruleOwner);
  });

  it.each(['truncated', 'short', 'object'] as const)(
    'reads the records back when the update answer is %s, and reports what the org holds',
    async (damage) => {
      h = await startHarness();
      const owner = seedUser(h.standIn, 'Owner');
      const to = seedUser(h.standIn, 'To');
      const [refused, applied] = seedLeads(h.standIn, 2, owner) as [string, string];
      h.standIn.faults.validation.push({ id: refused, message: 'Country is required.' });
      h.standIn.faults.malformed.push({ endpoint: 'composite', damage });
      const results = await h.crm.updateLeads(
        [refused, applied].map((id) => ({ id, fields: { OwnerId: to, Routing_Reason__c: 'EMEA pool' } })),
      );
      expect(results[0]).toMatchObject({
        id: refused,
        ok: false,
        code: 'SF_MALFORMED_ANSWER',
        retryable: true,
      });
      expect(results[1]).toEqual({ id: applied, ok: true });
      expect(h.standIn.org.get('Lead', refused)?.['OwnerId']).toBe(owner);
      expect(h.standIn.calls()).toEqual({ composite: 1, query: 1 });
    },
  );
});

describe('Salesforce adapter: conversion status and request shape', () => {
  async function convertOne(h: Harness, convertedStatus?: string) {
    const owner = seedUser(h.standIn, 'Owner');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [leadId] = seedLeads(h.standIn, 1, owner) as [string];
    const [result] = await h.crm.convertLeads([
      {
        leadId,
        accountId: account,
        ownerId: owner,
        createOpportunity: false,
        ...(convertedStatus ? { convertedStatus } : {}),
      },
    ]);
    return { leadId, result };
  }

  it("uses the org's converted status when the flow names none or one the org does not have", async () => {
    h = await startHarness();
    for (const named of [undefined, 'Qualified']) {
      const { leadId, result } = await convertOne(h, named);
      expect(result).toMatchObject({ id: leadId, ok: true });
      expect(h.standIn.org.get('Lead', leadId)?.['Status']).toBe('Closed - Converted');
    }
  });

  it('uses the converted status a flow names when the org has it', async () => {
    h = await startHarness();
    h.standIn.org.insert(
      'LeadStatus',
      { ApiName: 'Qualified', MasterLabel: 'Qualified', IsConverted: true, SortOrder: 9 },
      true,
    );
    const { leadId, result } = await convertOne(h, 'Qualified');
    expect(result).toMatchObject({ id: leadId, ok: true });
    expect(h.standIn.org.get('Lead', leadId)?.['Status']).toBe('Qualified');
  });

  it('is refused by the stand-in, as by Salesforce, with a status not marked converted', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [leadId] = seedLeads(h.standIn, 1, owner) as [string];
    const [result] = (await h.api.conn.soap.convertLead([
      {
        accountId: account,
        convertedStatus: 'Working - Contacted',
        doNotCreateOpportunity: true,
        leadId,
        overwriteLeadSource: false,
        sendNotificationEmail: false,
      },
    ])) as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
    expect(result).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_STATUS' }] });
    expect(h.standIn.org.get('Lead', leadId)?.['IsConverted']).toBe(false);
  });

  it('is refused by the stand-in, as by Salesforce, with elements out of the WSDL order', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [leadId] = seedLeads(h.standIn, 1, owner) as [string];
    const err = await h.api.conn.soap
      .convertLead([
        {
          leadId,
          accountId: account,
          convertedStatus: 'Closed - Converted',
          doNotCreateOpportunity: true,
          overwriteLeadSource: false,
          sendNotificationEmail: false,
        },
      ])
      .catch((e: unknown) => e);
    expect((err as Error).message).toContain(
      'Element {urn:partner.soap.sforce.com}accountId invalid at this location',
    );
    expect(h.standIn.org.get('Lead', leadId)?.['IsConverted']).toBe(false);
  });

  it('reads back the leads a convertLead answer leaves out, instead of matching results by position', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [converted, refused] = seedLeads(h.standIn, 2, owner) as [string, string];
    h.standIn.faults.validation.push({ id: refused, message: 'Converted leads need an industry.' });
    // The answer loses its first result: the converted lead's.
    h.standIn.faults.malformed.push({ endpoint: 'soap', damage: 'short' });
    const results = await h.crm.convertLeads(
      [converted, refused].map((leadId) => ({
        leadId,
        accountId: account,
        ownerId: owner,
        createOpportunity: false,
      })),
    );
    expect(results[0]).toMatchObject({ id: converted, ok: true });
    expect(results[0]!.ok && results[0]!.contactId).toBe(
      h.standIn.org.get('Lead', converted)?.['ConvertedContactId'],
    );
    expect(results[1]).toEqual({
      id: refused,
      ok: false,
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Converted leads need an industry.',
      retryable: false,
    });
    expect(h.standIn.org.table('Contact').size).toBe(1);
  });
});
