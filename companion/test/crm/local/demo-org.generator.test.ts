import { describe, expect, it } from 'vitest';
import { isSalesforceId } from '../../../src/engine/salesforce-id.js';
import {
  ACCOUNT_TYPES,
  COMPANY_NAME_COUNT,
  CompanyNames,
  createInboundLeadFactory,
  generateDemoOrg,
  LEAD_SOURCES,
  LEAD_STATUSES,
  nameAt,
  OPPORTUNITY_STAGES,
  Rng,
} from '../../../src/crm/local/demo-org.generator.js';
import { DEMO_QUEUES, DEMO_USERS } from '../../../src/crm/local/demo-people.js';

const FREE_MAIL =
  /@(gmail\.com|yahoo\.com|outlook\.com|hotmail\.com|icloud\.com|proton\.me|gmx\.de|yahoo\.co\.jp|qq\.com)$/;
const full = generateDemoOrg();

describe('the demo org generator', () => {
  it('makes the same org from the same seed, and another from another seed', () => {
    const a = generateDemoOrg({ seed: 7, accounts: 300, leads: 1000 });
    const b = generateDemoOrg({ seed: 7, accounts: 300, leads: 1000 });
    const c = generateDemoOrg({ seed: 8, accounts: 300, leads: 1000 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(c.accounts.map((x) => x.Name)).not.toEqual(a.accounts.map((x) => x.Name));
    expect(c.leads.map((x) => x.Email)).not.toEqual(a.leads.map((x) => x.Email));
  });

  it('has the size asked for by default: thousands of accounts, tens of thousands of leads', () => {
    expect(full.accounts).toHaveLength(5000);
    expect(full.leads).toHaveLength(20000);
    expect(full.users).toBe(DEMO_USERS);
    expect(full.queues).toBe(DEMO_QUEUES);
  });

  it.each([
    ['the default org', full],
    ['a small org', generateDemoOrg({ seed: 3, accounts: 40, leads: 60 })],
  ])('covers every case a rule looks for in %s', (_name, org) => {
    const values = <T>(items: T[], pick: (item: T) => unknown) => new Set(items.map(pick));
    expect(values(org.leads, (l) => l.Status)).toEqual(new Set(LEAD_STATUSES));
    expect([...values(org.leads, (l) => l.LeadSource)].sort()).toEqual([...LEAD_SOURCES].sort());
    expect(values(org.accounts, (a) => a.Type)).toEqual(new Set(ACCOUNT_TYPES));
    expect(values(org.opportunities, (o) => o.StageName)).toEqual(
      new Set(OPPORTUNITY_STAGES.map((s) => s.stage)),
    );
    expect(values(org.accounts, (a) => a.Region__c)).toEqual(new Set(['AMER', 'EMEA', 'APJ']));

    const nonTargetCaCities = values(
      org.accounts.filter((a) => a.Type === 'Non-Target' && a.BillingState === 'CA'),
      (a) => a.BillingCity,
    );
    for (const city of ['San Francisco', 'Palo Alto', 'Mountain View', 'San Jose']) {
      expect(nonTargetCaCities, `no Non-Target account in ${city}`).toContain(city);
    }
    expect(
      org.accounts.some((a) => a.BDR_Prospecting_Status__c === 'Actively Working' && a.BDR_Assigned__c),
    ).toBe(true);

    const campaigns = org.campaigns;
    expect(campaigns.some((c) => c.MDF_Funding__c === 'Yes')).toBe(true);
    expect(campaigns.some((c) => c.Name.startsWith('Partner - Trial'))).toBe(true);
    expect(campaigns.some((c) => c.Channel_Partner_Involved__c === 'Yes')).toBe(true);
    expect(campaigns.some((c) => c.Type === 'Partner Sponsored Event')).toBe(true);
    expect(campaigns.some((c) => c.Type === 'Webinar' && c.Channel_Partner_Involved__c === 'No')).toBe(true);
    expect(campaigns.some((c) => /^(White Paper|eBook)/.test(c.Name))).toBe(true);
    expect(org.campaignMembers.length).toBeGreaterThan(0);
  });

  it('gives the default org what every partner rule needs', () => {
    const partnerIds = new Set(full.accounts.filter((a) => a.Type === 'Partner').map((a) => a.Id));
    const partnerLeads = full.leads.filter((l) => l.Impartner_Partner_Account__c);
    expect(partnerLeads.every((l) => partnerIds.has(l.Impartner_Partner_Account__c!))).toBe(true);
    expect(
      partnerLeads.some(
        (l) => l.Lead_Acquisition_Source__c === 'Partner Sponsored Event' && !l.Partner_Recalled__c,
      ),
    ).toBe(true);
    expect(partnerLeads.some((l) => l.Partner_Recalled__c && l.Partner_Recalled_Date__c)).toBe(true);
    expect(partnerLeads.some((l) => l.Partner_Share_Status__c === 'Pending')).toBe(true);
    expect(partnerLeads.some((l) => l.Prospect_Share_Status__c === 'Sending to Partner')).toBe(true);
    expect(full.leads.some((l) => l.Actively_Being_Sequenced__c)).toBe(true);
    expect(full.leads.some((l) => l.IsConverted)).toBe(true);
    // Same-company leads not in the org share an owner.
    const unmatched = full.leads.filter((l) => !l.Matched_Account__c && !FREE_MAIL.test(l.Email ?? ''));
    const byCompany = new Map<string, Set<unknown>>();
    for (const l of unmatched)
      byCompany.set(l.Company!, (byCompany.get(l.Company!) ?? new Set()).add(l.OwnerId));
    expect([...byCompany.values()].filter((owners) => owners.size === 1).length).toBeGreaterThan(100);
  });

  it('gives the scheduled clean-up jobs leads on both sides of each of their thresholds', () => {
    const anchor = Date.parse('2026-11-01T00:00:00.000Z');
    const mqls = full.leads.filter((l) => l.Status === 'MQL');
    expect(mqls.every((l) => typeof l.MQL_Date__c === 'string')).toBe(true);
    const ageDays = (date: unknown) => (anchor - Date.parse(String(date))) / 86_400_000;
    expect(mqls.some((l) => ageDays(l.MQL_Date__c) > 30)).toBe(true);
    expect(mqls.some((l) => ageDays(l.MQL_Date__c) <= 30)).toBe(true);
    const lim = full.leads.map((l) => l.Last_Interesting_Moment_Date__c).filter((d): d is string => !!d);
    expect(lim.some((d) => d < '2025-05-01')).toBe(true);
    expect(lim.some((d) => d > '2025-05-01')).toBe(true);
    const yesterday = '2026-10-31';
    expect(
      full.accounts.some(
        (a) =>
          a.BDR_Prospecting_Status__c === 'Actively Working' &&
          a.BDR_Prospecting_Status_Changed__c === yesterday,
      ),
    ).toBe(true);
  });

  it('mixes company mail that matches accounts with free mail and unknown companies', () => {
    const accounts = new Map(full.accounts.map((a) => [a.Id, a]));
    const matched = full.leads.filter((l) => l.Matched_Account__c);
    const freeMail = full.leads.filter((l) => FREE_MAIL.test(l.Email ?? ''));
    expect(matched.length / full.leads.length).toBeGreaterThan(0.4);
    expect(freeMail.length / full.leads.length).toBeGreaterThan(0.08);
    for (const lead of matched.slice(0, 500)) {
      const account = accounts.get(lead.Matched_Account__c!);
      expect(account, `lead ${lead.Id} names a missing account`).toBeDefined();
      if (!FREE_MAIL.test(lead.Email!)) {
        const domain = lead.Email!.split('@')[1]!;
        expect(account!.Website).toContain(domain);
      }
    }
  });

  it('only refers to records and people that exist, with valid, unique Ids', () => {
    const all = [
      ...full.accounts,
      ...full.leads,
      ...full.opportunities,
      ...full.campaigns,
      ...full.campaignMembers,
    ];
    expect(new Set(all.map((r) => r.Id)).size).toBe(all.length);
    expect(all.every((r) => isSalesforceId(r.Id))).toBe(true);
    const owners = new Set([...full.users.map((u) => u.Id), ...full.queues.map((q) => q.Id)]);
    expect(full.leads.every((l) => owners.has(l.OwnerId!))).toBe(true);
    expect(full.accounts.every((a) => owners.has(a.OwnerId!))).toBe(true);
    const leadIds = new Set(full.leads.map((l) => l.Id));
    const campaignIds = new Set(full.campaigns.map((c) => c.Id));
    expect(full.campaignMembers.every((m) => leadIds.has(m.LeadId!) && campaignIds.has(m.CampaignId))).toBe(
      true,
    );
    const accountIds = new Set(full.accounts.map((a) => a.Id));
    expect(full.opportunities.every((o) => accountIds.has(o.AccountId))).toBe(true);
  });

  it("makes inbound leads from the org's own accounts and campaigns, deterministically", () => {
    const make = () => createInboundLeadFactory(full.accounts, full.campaigns, 11);
    const now = new Date('2026-11-22T10:00:00.000Z');
    const a = make();
    const b = make();
    const first = Array.from({ length: 200 }, () => a(now));
    expect(Array.from({ length: 200 }, () => b(now))).toEqual(first);
    const domains = new Set(
      full.accounts.map((x) => String(x.Website).replace(/^(https?:\/\/)?(www\.)?/, '')),
    );
    expect(first.some((x) => domains.has(x.lead.Email!.split('@')[1]!))).toBe(true);
    expect(first.some((x) => x.campaignId !== null)).toBe(true);
    expect(first.every((x) => x.lead.CreatedDate === now.toISOString() && !x.lead.Matched_Account__c)).toBe(
      true,
    );
  });
});

describe('company names for an org of any size', () => {
  it('gives a million different names, each made of words (no numbers)', { timeout: 120_000 }, () => {
    const names = new CompanyNames(new Rng(1));
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) seen.add(names.next());
    expect(seen.size).toBe(1_000_000);
    expect([...seen].filter((name) => /\d/.test(name))).toEqual([]);
    expect(seen).toContain('Acme Analytics');
  });

  it('after every name the lists make, gives the same names with a number', () => {
    expect(COMPANY_NAME_COUNT).toBeGreaterThan(1_500_000);
    expect(nameAt(COMPANY_NAME_COUNT)).toBe(`${nameAt(0)} 2`);
  });

  it('makes an org bigger than the short names alone allow', { timeout: 120_000 }, () => {
    const org = generateDemoOrg({ seed: 5, accounts: 60_000, leads: 100 });
    expect(org.accounts).toHaveLength(60_000);
    // A name recurs only as the same company in another country (a subsidiary).
    const places = new Set(org.accounts.map((a) => `${a.Name} / ${a.BillingCountry}`));
    expect(places.size).toBe(60_000);
  });
});
