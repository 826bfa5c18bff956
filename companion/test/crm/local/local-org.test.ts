import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoOrg } from '../../../src/crm/local/demo-org.seed.js';
import { generateDemoOrg, type DemoOrgOptions } from '../../../src/crm/local/demo-org.generator.js';
import { DEMO, DEMO_QUEUES, demoUserId } from '../../../src/crm/local/demo-people.js';
import type { LeadChange } from '../../../src/crm/crm.port.js';
import { LocalOrg } from '../../../src/crm/local/local-org.js';
import type { LeadRecord } from '../../../src/engine/model.js';
import type { Store } from '../../../src/store/store.js';
import { testBackends } from '../../store/backends.js';

const ORG: DemoOrgOptions = { seed: 99, accounts: 150, leads: 600, anchor: '2026-11-01T00:00:00.000Z' };
const NOW = new Date('2026-11-22T12:00:00.000Z');
const demo = generateDemoOrg(ORG);
const ava = demoUserId(1);
const ben = demoUserId(2);
const noah = demoUserId(14);
const diego = demoUserId(4); // inactive
const partnerQueue = DEMO_QUEUES.find((q) => q.Name === 'Partner Queue')!.Id;

const backends = testBackends();
afterAll(async () => {
  for (const b of backends) await b.cleanup();
});

describe.each(backends)('the local demo org on $name', (backend) => {
  let store: Store;
  let org: LocalOrg;
  /** Each test takes leads of its own, so tests never share records they change. */
  let nextLead = 0;
  const takeLead = (where: (l: LeadRecord) => boolean = () => true): LeadRecord => {
    for (; nextLead < demo.leads.length; nextLead++) {
      const lead = demo.leads[nextLead]!;
      if (!lead.IsConverted && where(lead)) {
        nextLead++;
        return lead;
      }
    }
    throw new Error('the test org has run out of leads');
  };

  beforeAll(async () => {
    store = await backend.open();
    await ensureDemoOrg(store.db, ORG);
    org = new LocalOrg(store.db, { pageSize: 100, now: () => NOW });
  });
  afterAll(async () => {
    await store.close();
  });

  describe('reading', () => {
    it('gives a lead with its campaign memberships, newest first, each with its campaign', async () => {
      const member = demo.campaignMembers.find(
        (m) => demo.campaignMembers.filter((x) => x.LeadId === m.LeadId).length > 1,
      )!;
      const leadId = member.LeadId!;
      const contexts = await org.getLeadContexts([leadId, leadId.slice(0, 15), '00QSY9999999999', 'junk']);
      expect([...contexts.keys()]).toEqual([leadId, leadId.slice(0, 15)]);
      const context = contexts.get(leadId)!;
      expect(context.lead.Email).toBe(demo.leads.find((l) => l.Id === leadId)!.Email);
      const expected = demo.campaignMembers.filter((m) => m.LeadId === leadId);
      expect(context.memberships).toHaveLength(expected.length);
      const dates = context.memberships.map((m) => m.member.CreatedDate!);
      expect([...dates].sort().reverse()).toEqual(dates);
      for (const { member: m, campaign } of context.memberships) expect(campaign.Id).toBe(m.CampaignId);
    });

    it('streams every unconverted lead, every account and the open opportunities, in pages', async () => {
      const pages: LeadRecord[][] = [];
      for await (const page of org.streamLeads()) pages.push(page);
      expect(pages.length).toBeGreaterThan(1);
      expect(pages.slice(0, -1).every((p) => p.length === 100)).toBe(true);
      const ids = pages.flat().map((l) => l.Id);
      expect(new Set(ids).size).toBe(ids.length);
      // Other tests may convert or add leads meanwhile; every seeded unconverted lead is there.
      const streamed = new Set(ids);
      const unconverted = demo.leads.filter((l) => !l.IsConverted);
      expect(unconverted.filter((l) => !streamed.has(l.Id)).length).toBeLessThan(10);
      expect(pages.flat().every((l) => !l.IsConverted && typeof l.SystemModstamp === 'string')).toBe(true);

      let accounts = 0;
      for await (const page of org.streamAccounts()) accounts += page.length;
      expect(accounts).toBeGreaterThanOrEqual(demo.accounts.length);

      const open: string[] = [];
      for await (const page of org.streamOpenOpportunities()) open.push(...page.map((o) => o.StageName));
      expect(open.length).toBeGreaterThan(0);
      expect(open).not.toContain('Closed Won');
      expect(open).not.toContain('Closed Lost');
    });

    it('lists users (inactive ones too) and queues with their members', async () => {
      const users = await org.listUsers();
      expect(users.find((u) => u.Id === diego)).toMatchObject({ IsActive: false, Name: 'Diego Ramos' });
      const queues = await org.listQueues();
      expect(queues.find((q) => q.Id === partnerQueue)?.MemberIds).toHaveLength(3);
    });

    it("counts each user's open leads, open opportunities and conversion rate", async () => {
      const stats = await org.userStats([ava, noah, DEMO.admin]);
      const avaLeads = demo.leads.filter((l) => l.OwnerId === ava);
      expect(stats.get(ava)!.openLeads).toBeGreaterThan(0);
      expect(stats.get(ava)!.openLeads).toBeLessThanOrEqual(avaLeads.length + 50);
      expect(stats.get(ava)!.performance).toBeGreaterThanOrEqual(0);
      expect(stats.get(ava)!.performance).toBeLessThan(1);
      const noahsOpen = demo.opportunities.filter((o) => o.OwnerId === noah && !o.IsClosed);
      expect(noahsOpen.length).toBeGreaterThan(0);
      expect(stats.get(noah)!.openOpportunities).toBeGreaterThanOrEqual(noahsOpen.length);
      expect(stats.get(DEMO.admin)).toEqual({ openLeads: 0, openOpportunities: 0, performance: 0 });
    });

    it('a lead recycled by the 30-day job ("Recycle - No Action") no longer counts as open load', async () => {
      const lead = takeLead((l) => l.OwnerId === ava && l.Status === 'MQL' && !l.IsConverted);
      const before = (await org.userStats([ava])).get(ava)!.openLeads;
      const [result] = await org.updateLeads([{ id: lead.Id, fields: { Status: 'Recycle - No Action' } }]);
      expect(result).toMatchObject({ ok: true });
      expect((await org.userStats([ava])).get(ava)!.openLeads).toBe(before - 1);
    });
  });

  describe('updating leads', () => {
    it('applies an update only while the lead still has the owner routing saw', async () => {
      const lead = takeLead((l) => l.OwnerId !== ben);
      const changes: LeadChange[] = [];
      const unsubscribe = org.feed.subscribe((c) => changes.push(c));
      const [refused, applied] = await org.updateLeads([
        { id: lead.Id, fields: { OwnerId: ben }, expectedOwnerId: 'someone-else' },
        {
          id: lead.Id,
          fields: { OwnerId: ben, Routing_Reason__c: 'round robin' },
          expectedOwnerId: lead.OwnerId,
        },
      ]);
      unsubscribe();
      expect(refused).toMatchObject({ id: lead.Id, ok: false, code: 'OWNER_CHANGED', retryable: false });
      expect(applied).toEqual({ id: lead.Id, ok: true });
      const stored = await org.getLead(lead.Id);
      expect(stored).toMatchObject({ OwnerId: ben, Routing_Reason__c: 'round robin', Email: lead.Email });
      expect(changes).toEqual([
        expect.objectContaining({
          leadId: lead.Id,
          kind: 'updated',
          origin: 'routing',
          changedFields: ['OwnerId', 'Routing_Reason__c'],
          previous: { OwnerId: lead.OwnerId, Routing_Reason__c: null },
        }),
      ]);

      // Now that Ben owns it, the same guarded write from a stale read is refused and changes nothing.
      const [stale] = await org.updateLeads([
        { id: lead.Id, fields: { OwnerId: ava }, expectedOwnerId: lead.OwnerId },
      ]);
      expect(stale).toMatchObject({ ok: false, code: 'OWNER_CHANGED' });
      expect((await org.getLead(lead.Id))?.OwnerId).toBe(ben);
    });

    it('answers per record, in order, with the codes Salesforce uses', async () => {
      const a = takeLead();
      const b = takeLead();
      const converted = demo.leads.find((l) => l.IsConverted)!;
      const results = await org.updateLeads([
        { id: a.Id, fields: { OwnerId: partnerQueue } },
        { id: '00QSY9999999999', fields: { Status: 'MQL' } },
        { id: 'not-an-id', fields: {} },
        { id: converted.Id, fields: { Status: 'MQL' } },
        { id: b.Id, fields: { OwnerId: diego } },
        { id: b.Id, fields: { OwnerId: '005SY0000009999' } },
        { id: b.Id, fields: { IsConverted: true } },
        { id: b.Id.slice(0, 15), fields: { Status: 'Accepted' } },
      ]);
      expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
        'ok',
        'ENTITY_IS_DELETED',
        'MALFORMED_ID',
        'CANNOT_UPDATE_CONVERTED_LEAD',
        'INACTIVE_OWNER_OR_USER',
        'INVALID_CROSS_REFERENCE_KEY',
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        'ok',
      ]);
      expect(results[7]!.id).toBe(b.Id.slice(0, 15));
      expect((await org.getLead(a.Id))?.OwnerId).toBe(partnerQueue);
      expect(await org.getLead(b.Id)).toMatchObject({
        OwnerId: b.OwnerId,
        Status: 'Accepted',
        IsConverted: false,
      });
    });

    it('of two writes racing on one lead from the same read, applies one; the other sees the owner changed', async () => {
      const lead = takeLead((l) => l.OwnerId !== ben && l.OwnerId !== ava);
      const [first, second] = await Promise.all([
        org.updateLeads([{ id: lead.Id, fields: { OwnerId: ben }, expectedOwnerId: lead.OwnerId }]),
        org.updateLeads([{ id: lead.Id, fields: { OwnerId: ava }, expectedOwnerId: lead.OwnerId }]),
      ]);
      const outcomes = [first[0]!, second[0]!];
      expect(outcomes.filter((r) => r.ok)).toHaveLength(1);
      expect(outcomes.find((r) => !r.ok)).toMatchObject({ code: 'OWNER_CHANGED' });
      const winner = outcomes[0]!.ok ? ben : ava;
      expect((await org.getLead(lead.Id))?.OwnerId).toBe(winner);
    });

    it('writes the fields it is given over the stored lead and keeps every other field', async () => {
      const lead = takeLead((l) => !!l.Email && !!l.Industry);
      // A field set to undefined is gone, as when the whole record is written as JSON.
      const [result] = await org.updateLeads([
        { id: lead.Id, fields: { Title: 'Head of Data', Routing_Reason__c: null, Industry: undefined } },
      ]);
      expect(result).toEqual({ id: lead.Id, ok: true });
      const stored = (await org.getLead(lead.Id))!;
      const { Industry: _gone, ...expected } = {
        ...lead,
        Title: 'Head of Data',
        Routing_Reason__c: null,
      };
      const { SystemModstamp: _after, ...actual } = stored;
      expect(actual).toEqual(expected);
      expect('Industry' in stored).toBe(false);
    });

    it('moves the modstamp forward on a write', async () => {
      const lead = takeLead();
      const before = (await org.getLead(lead.Id))!.SystemModstamp as string;
      await org.updateLeads([{ id: lead.Id, fields: { Title: 'Head of Platform' } }]);
      const after = (await org.getLead(lead.Id))!.SystemModstamp as string;
      expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    });
  });

  describe('converting leads', () => {
    it('creates a contact and an opportunity on the account and marks the lead converted', async () => {
      const lead = takeLead((l) => !!l.Matched_Account__c);
      const changes: LeadChange[] = [];
      const unsubscribe = org.feed.subscribe((c) => changes.push(c));
      const [result] = await org.convertLeads([
        {
          leadId: lead.Id,
          accountId: lead.Matched_Account__c!,
          ownerId: demoUserId(14),
          createOpportunity: true,
          opportunityName: 'Expansion from inbound',
          convertedStatus: 'Qualified',
          expectedOwnerId: lead.OwnerId,
        },
      ]);
      unsubscribe();
      expect(result).toMatchObject({ id: lead.Id, ok: true });
      if (!result?.ok) throw new Error('conversion failed');
      const converted = (await org.getLead(lead.Id))!;
      expect(converted).toMatchObject({
        IsConverted: true,
        Status: 'Qualified',
        OwnerId: demoUserId(14),
        ConvertedAccountId: lead.Matched_Account__c,
        ConvertedContactId: result.contactId,
        ConvertedOpportunityId: result.opportunityId,
        ConvertedDate: '2026-11-22',
      });
      const contact = (await org.getMany('Contact', [result.contactId!])).get(result.contactId!);
      expect(contact).toMatchObject({
        AccountId: lead.Matched_Account__c,
        Email: lead.Email,
        OwnerId: demoUserId(14),
      });
      const opportunity = (await org.getMany('Opportunity', [result.opportunityId!])).get(
        result.opportunityId!,
      );
      expect(opportunity).toMatchObject({
        Name: 'Expansion from inbound',
        StageName: 'Prospecting',
        IsClosed: false,
      });
      expect(changes.map((c) => [c.kind, c.leadId])).toEqual([['converted', lead.Id]]);

      // A converted lead is done: neither a second conversion nor an update touches it.
      const [again] = await org.convertLeads([
        {
          leadId: lead.Id,
          accountId: lead.Matched_Account__c!,
          ownerId: ava,
          createOpportunity: false,
          convertedStatus: 'Qualified',
        },
      ]);
      expect(again).toMatchObject({ ok: false, code: 'CANNOT_UPDATE_CONVERTED_LEAD' });
      const ids: string[] = [];
      for await (const page of org.streamLeads()) ids.push(...page.map((l) => l.Id));
      expect(ids).not.toContain(lead.Id);
    });

    it('converts a batch, each lead on its own: distinct contacts, and a lead named twice converted once', async () => {
      const a = takeLead((l) => !!l.Matched_Account__c);
      const b = takeLead((l) => !!l.Matched_Account__c);
      const conversion = (lead: LeadRecord, createOpportunity: boolean) => ({
        leadId: lead.Id,
        accountId: lead.Matched_Account__c!,
        ownerId: ava,
        createOpportunity,
        convertedStatus: 'Converted',
      });
      const results = await org.convertLeads([
        conversion(a, true),
        { ...conversion(b, false), accountId: 'missing' },
        conversion(b, false),
        conversion(a, false),
      ]);
      expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
        'ok',
        'INVALID_CROSS_REFERENCE_KEY',
        'ok',
        'CANNOT_UPDATE_CONVERTED_LEAD',
      ]);
      const [first, , third] = results;
      if (!first?.ok || !third?.ok) throw new Error('conversions failed');
      expect(first.contactId).not.toBe(third.contactId);
      expect(first.opportunityId).toMatch(/^006/);
      expect(third.opportunityId).toBeUndefined();
      expect((await org.getLead(a.Id))?.ConvertedContactId).toBe(first.contactId);
      expect((await org.getLead(b.Id))?.ConvertedContactId).toBe(third.contactId);
    });

    it('refuses a conversion when the owner changed, the status or owner is wrong, or the account is missing', async () => {
      const lead = takeLead((l) => !!l.Matched_Account__c);
      const base = {
        leadId: lead.Id,
        accountId: lead.Matched_Account__c!,
        ownerId: ava,
        createOpportunity: false,
        convertedStatus: 'Qualified',
      };
      const results = await org.convertLeads([
        { ...base, expectedOwnerId: 'someone-else' },
        { ...base, convertedStatus: 'MQL' },
        { ...base, ownerId: partnerQueue },
        { ...base, ownerId: diego },
        { ...base, accountId: '001SY9999999999' },
      ]);
      expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
        'OWNER_CHANGED',
        'INVALID_STATUS',
        'INVALID_CROSS_REFERENCE_KEY',
        'INACTIVE_OWNER_OR_USER',
        'INVALID_CROSS_REFERENCE_KEY',
      ]);
      expect((await org.getLead(lead.Id))?.IsConverted).toBe(false);
    });
  });

  describe('what the API needs', () => {
    it("pages an account's matched leads, sorted as asked, with the total", async () => {
      const counts = new Map<string, number>();
      for (const l of demo.leads) {
        if (l.Matched_Account__c && !l.IsConverted)
          counts.set(l.Matched_Account__c, (counts.get(l.Matched_Account__c) ?? 0) + 1);
      }
      const [accountId, total] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
      expect(total).toBeGreaterThan(4);

      const first = await org.matchedLeads(accountId, { limit: 3, sort: 'name', direction: 'asc' });
      const second = await org.matchedLeads(accountId, {
        limit: 3,
        offset: 3,
        sort: 'name',
        direction: 'asc',
      });
      expect(first.total).toBeGreaterThanOrEqual(total - 5);
      expect(first.records).toHaveLength(3);
      const names = [...first.records, ...second.records].map((l) => `${l.LastName}`.toLowerCase());
      expect([...names].sort()).toEqual(names);
      expect(new Set([...first.records, ...second.records].map((l) => l.Id)).size).toBe(names.length);
      expect(first.records.every((l) => l.Matched_Account__c === accountId)).toBe(true);

      const byActivity = await org.matchedLeads(accountId, { limit: 200 });
      const dates = byActivity.records.map((l) => l.LastActivityDate).filter((d): d is string => !!d);
      expect([...dates].sort().reverse()).toEqual(dates);
      // Leads without activity come last.
      const firstMissing = byActivity.records.findIndex((l) => !l.LastActivityDate);
      if (firstMissing >= 0)
        expect(byActivity.records.slice(firstMissing).every((l) => !l.LastActivityDate)).toBe(true);

      const past = await org.matchedLeads(accountId, { offset: 10_000 });
      expect(past).toMatchObject({ records: [], total: first.total });
      expect((await org.matchedLeads('001SY9999999999')).total).toBe(0);
      const odd = await org.matchedLeads(accountId, { limit: Number.NaN, offset: -5 });
      expect(odd).toMatchObject({ limit: 25, offset: 0, total: first.total });
      expect((await org.matchedLeads(accountId, { limit: 10_000 })).limit).toBe(200);
    });

    it('finds leads, accounts and users by text or Id, with a limit', async () => {
      const account = demo.accounts[10]!;
      const word = account.Name.split(' ')[0]!;
      const accounts = await org.searchAccounts(word.toLowerCase(), 5);
      expect(accounts.length).toBeGreaterThan(0);
      expect(accounts.length).toBeLessThanOrEqual(5);
      expect(accounts.every((a) => `${a.Name} ${a.Website}`.toLowerCase().includes(word.toLowerCase()))).toBe(
        true,
      );
      expect((await org.searchAccounts(account.Id.slice(0, 15), 5)).map((a) => a.Id)).toEqual([account.Id]);

      const lead = demo.leads[20]!;
      const leads = await org.searchLeads(lead.Email!, 10);
      expect(leads.map((l) => l.Id)).toContain(lead.Id);
      // Wildcards the person types are taken literally: 'a_a' would otherwise match "Ava".
      expect(await org.searchUsers('a_a', 10)).toEqual([]);
      expect(await org.searchUsers('a%a', 10)).toEqual([]);

      const users = await org.searchUsers('ava', 10);
      expect(users.map((u) => u.Name)).toContain('Ava Patel');
      expect(users.every((u) => u.Name.toLowerCase().includes('ava'))).toBe(true);
      expect(await org.searchUsers('', 3)).toHaveLength(3);
    });

    it('adds an inbound lead with its campaign membership and tells the feed', async () => {
      const campaign = demo.campaigns.find((c) => c.Name === 'Website - Demo Request')!;
      const changes: LeadChange[] = [];
      const unsubscribe = org.feed.subscribe((c) => changes.push(c));
      const lead = await org.insertLead({
        fields: {
          FirstName: 'Nia',
          LastName: 'Okoro',
          Email: 'nia@example.org',
          Company: 'Example',
          LeadSource: 'Demo Request',
          OwnerId: DEMO.marketoIntegration,
        },
        campaignId: campaign.Id,
        memberStatus: 'Responded',
      });
      unsubscribe();
      expect(lead).toMatchObject({ Status: 'Raw', IsConverted: false, CreatedDate: NOW.toISOString() });
      expect(lead.Id).toMatch(/^00Q/);
      expect(changes).toEqual([
        expect.objectContaining({ leadId: lead.Id, kind: 'created', origin: 'inbound' }),
      ]);
      const context = (await org.getLeadContexts([lead.Id])).get(lead.Id)!;
      expect(context.memberships.map((m) => [m.campaign.Name, m.member.Status])).toEqual([
        ['Website - Demo Request', 'Responded'],
      ]);
      const second = await org.insertLead({ fields: { LastName: 'Two', Company: 'Example' } });
      expect(second.Id).not.toBe(lead.Id);
    });

    it("records a person's edit as theirs in the feed", async () => {
      const lead = takeLead((l) => l.Status === 'Unqualified' || l.Status === 'Raw');
      const changes: LeadChange[] = [];
      const unsubscribe = org.feed.subscribe((c) => changes.push(c));
      await org.updateLeadsAsUser([{ id: lead.Id, fields: { Status: 'MQL' } }]);
      unsubscribe();
      expect(changes).toEqual([
        expect.objectContaining({
          origin: 'user',
          changedFields: ['Status'],
          previous: { Status: lead.Status },
        }),
      ]);
    });
  });
});
