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
        convertedStatus: 'Qualified',
      })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.standIn.calls()).toEqual({ query: 2, soap: 2 });
    const first = results[0]!;
    expect(first.ok && first.contactId?.startsWith('003')).toBe(true);
    expect(first.ok && first.opportunityId?.startsWith('006')).toBe(true);
    expect(results[1]!.ok && results[1]!.opportunityId).toBeUndefined();
    expect(h.standIn.org.get('Lead', ids[0]!)).toMatchObject({
      IsConverted: true,
      Status: 'Qualified',
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
        convertedStatus: 'Qualified',
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
        convertedStatus: 'Qualified',
      },
    ]);
    expect(result).toMatchObject({ id, ok: true });
    expect(result!.ok && result!.contactId).toBe(h.standIn.org.get('Lead', id)?.['ConvertedContactId']);
    expect(h.standIn.calls()).toEqual({ query: 2, soap: 1 });
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
        convertedStatus: 'Qualified',
      },
    ]);
    expect(result).toMatchObject({ id, ok: true });
    expect(h.standIn.calls()).toEqual({ query: 2, soap: 2 });
    expect(h.standIn.org.table('Contact').size).toBe(1);
  });
});
