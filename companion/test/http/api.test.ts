import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUserId } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import type { AccountRecord, LeadRecord } from '../../src/engine/model.js';
import { toId18 } from '../../src/engine/salesforce-id.js';
import { upsertRecords } from '../../src/crm/local/local-records.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

let api: TestApi;
const ava = demoUserId(1); // SDR, holds the re-route permission
const noah = demoUserId(14); // AE, no re-route permission

/** Unconverted MQL leads of the generated bulk, each test taking its own. */
let mqlLeads: LeadRecord[] = [];
const takeMql = (): LeadRecord => {
  const lead = mqlLeads.shift();
  if (!lead) throw new Error('the demo org has run out of MQL leads for this file');
  return lead;
};

beforeAll(async () => {
  api = await startApi();
  const { rows } = await sql<{ data: LeadRecord }>`
    select data from crm_records
    where object = 'Lead' and data->>'Status' = 'MQL' and coalesce((data->>'IsConverted')::boolean, false) = false
      and data->>'Country' in ('US', 'GB', 'DE', 'CA', 'FR') and data->>'Matched_Account__c' is null
      and coalesce((data->>'High_Priority__c')::boolean, false) = false
      and data->>'OwnerId' like '005%'
    order by id limit 20
  `.execute(api.store.db);
  mqlLeads = rows.map((r) => r.data);
});

afterAll(async () => {
  await api?.close();
});

describe('POST /v1/leads/{leadId}/route', () => {
  it('re-routes an eligible MQL to its region and says where and why', async () => {
    const lead = scenario('reroute-eligible').lead;
    const res = await api.call('POST', `/v1/leads/${lead.Id}/route`, {
      user: ava,
      body: { reason: 'Country corrected to GB' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      leadId: lead.Id,
      dryRun: false,
      outcome: 'assigned',
      owner: { kind: 'user' },
      previousOwner: { id: ava, name: 'Ava Patel', kind: 'user' },
      flow: { name: expect.any(String), version: expect.any(Number) },
      status: 'applied',
    });
    expect(res.body.owner.id).not.toBe(ava);
    expect(res.body.summary).toContain(res.body.owner.name);
    expect(res.body.path.length).toBeGreaterThan(0);
    for (const step of res.body.path)
      expect(step).toEqual({ node: expect.any(String), text: expect.any(String) });
    expect(Number.isNaN(Date.parse(res.body.decidedAt))).toBe(false);

    const after = await api.org.getLead(lead.Id);
    expect(after?.OwnerId).toBe(res.body.owner.id);
    const shown = await api.call('GET', `/v1/leads/${lead.Id}`);
    expect(shown.body.owner).toEqual(res.body.owner);
  });

  it('accepts the 15-character form of the Id and answers with the 18-character one', async () => {
    const lead = takeMql();
    const res = await api.call('POST', `/v1/leads/${lead.Id.slice(0, 15)}/route`, { body: { dryRun: true } });
    expect(res.status).toBe(200);
    expect(res.body.leadId).toBe(lead.Id);
  });

  it('refuses a lead whose account BDR is actively working it, with the reason and what to do (409)', async () => {
    const lead = scenario('reroute-bdr-actively-working').lead;
    const res = await api.call('POST', `/v1/leads/${lead.Id}/route`, { user: ava, body: {} });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LEAD_NOT_ELIGIBLE');
    expect(res.body.error.message).toMatch(/Kara Lopez/);
    expect(res.body.error.action.length).toBeGreaterThan(10);
    expect((await api.org.getLead(lead.Id))?.OwnerId).toBe(ava);

    // The history shows the refusal as a refusal: who asked, the words they were given, the owner kept.
    const history = await api.call('GET', `/v1/leads/${lead.Id}/routing-history?limit=1`);
    expect(history.body.items[0]).toMatchObject({
      trigger: 'reroute',
      outcome: 'refused',
      actor: { id: ava, name: 'Ava Patel' },
      previousOwner: { id: ava, name: 'Ava Patel', kind: 'user' },
      refusal: { code: 'LEAD_NOT_ELIGIBLE', message: res.body.error.message, action: res.body.error.action },
    });
  });

  it('refuses a lead that is not an MQL', async () => {
    const lead = scenario('reroute-not-mql').lead;
    const res = await api.call('POST', `/v1/leads/${lead.Id}/route`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LEAD_NOT_ELIGIBLE');
  });

  it('a dry run says where the lead would go and changes nothing', async () => {
    const lead = takeMql();
    const historyBefore = await api.call('GET', `/v1/leads/${lead.Id}/routing-history`);
    const res = await api.call('POST', `/v1/leads/${lead.Id}/route`, { body: { dryRun: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, status: 'dry-run', outcome: 'assigned' });
    expect((await api.org.getLead(lead.Id))?.OwnerId).toBe(lead.OwnerId);
    const historyAfter = await api.call('GET', `/v1/leads/${lead.Id}/routing-history`);
    expect(historyAfter.body.items.filter((i: Json) => i.status !== 'dry-run')).toEqual(
      historyBefore.body.items.filter((i: Json) => i.status !== 'dry-run'),
    );
  });

  it('with the same Idempotency-Key, a retried request gets the same decision and routes once', async () => {
    const lead = takeMql();
    const headers = { 'idempotency-key': 'retry-7d1c2b' };
    const first = await api.call('POST', `/v1/leads/${lead.Id}/route`, { headers, body: {} });
    const second = await api.call('POST', `/v1/leads/${lead.Id}/route`, { headers, body: {} });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.decisionId).toBe(first.body.decisionId);
    expect(second.body.owner).toEqual(first.body.owner);
    const history = await api.call('GET', `/v1/leads/${lead.Id}/routing-history`);
    expect(history.body.items.filter((i: Json) => i.trigger === 'reroute')).toHaveLength(1);
  });

  it('grows the routing history, newest first, with the path in words', async () => {
    const lead = takeMql();
    const before = await api.call('GET', `/v1/leads/${lead.Id}/routing-history`);
    const routed = await api.call('POST', `/v1/leads/${lead.Id}/route`, {
      user: ava,
      body: { reason: 'Wrong region' },
    });
    expect(routed.status).toBe(200);
    const after = await api.call('GET', `/v1/leads/${lead.Id}/routing-history?limit=5`);
    expect(after.status).toBe(200);
    expect(after.body.leadId).toBe(lead.Id);
    expect(after.body.items).toHaveLength(before.body.items.length + 1);
    expect(after.body.items[0]).toMatchObject({
      id: routed.body.decisionId,
      trigger: 'reroute',
      outcome: 'assigned',
      status: 'applied',
      owner: routed.body.owner,
      summary: routed.body.summary,
      errors: [],
    });
    expect(after.body.items[0].path[0]).toEqual({ node: expect.any(String), text: expect.any(String) });
    // Who re-routed it, why, and who had it before.
    expect(after.body.items[0]).toMatchObject({
      actor: { id: ava, name: 'Ava Patel' },
      reason: 'Wrong region',
      previousOwner: routed.body.previousOwner,
      refusal: null,
    });
  });

  it('re-routes only for people with the permission AND edit and transfer access to the lead', async () => {
    const lead = takeMql();
    const kara = demoUserId(11); // BDR: holds the permission, reaches only her own and the Partner Queue's leads
    await api.org.updateLeadsAsUser([{ id: lead.Id, fields: { OwnerId: noah } }]);
    // The owner edits the lead, but without the permission may not re-route it (as Apex refuses him).
    const owner = await api.call('POST', `/v1/leads/${lead.Id}/route`, { user: noah, body: {} });
    expect(owner.status).toBe(403);
    expect(owner.body.error.message).toMatch(/re-route permission/);
    expect(owner.body.error.action).toMatch(/Switchyard User permission set/);
    // The permission without edit access to this lead is refused too, and the refusal says so.
    const noAccess = await api.call('POST', `/v1/leads/${lead.Id}/route`, { user: kara, body: {} });
    expect(noAccess.status).toBe(403);
    expect(noAccess.body.error.message).toMatch(/does not let you edit it and change its owner/);
    const unchanged = await api.call('GET', `/v1/leads/${lead.Id}`);
    expect(unchanged.body.owner.id).toBe(noah);
    // Once the lead is hers, the same person may.
    await api.org.updateLeadsAsUser([{ id: lead.Id, fields: { OwnerId: kara } }]);
    const allowed = await api.call('POST', `/v1/leads/${lead.Id}/route`, {
      user: kara,
      body: { dryRun: true },
    });
    expect(allowed.status).toBe(200);
  });

  it('lets a permission holder who works the owning queue re-route its leads, and no one outside it', async () => {
    const lead = takeMql();
    const queue = (await api.org.listQueues()).find((q) => q.Name === 'Partner Queue')!;
    const member = demoUserId(11); // Kara Lopez, BDR: works the Partner Queue
    const outsider = demoUserId(20); // Tara Brooks, CSM: not a member, no permission
    await api.org.updateLeadsAsUser([{ id: lead.Id, fields: { OwnerId: queue.Id } }]);
    const refused = await api.call('POST', `/v1/leads/${lead.Id}/route`, { user: outsider, body: {} });
    expect(refused.status).toBe(403);
    const allowed = await api.call('POST', `/v1/leads/${lead.Id}/route`, {
      user: member,
      body: { dryRun: true },
    });
    expect(allowed.status).toBe(200);
  });
});

describe('POST /v1/route', () => {
  it('routes a batch and answers per lead, a missing lead failing alone', async () => {
    const a = takeMql();
    const b = takeMql();
    const missing = '00QSY0009999999XYZ'.slice(0, 15);
    const res = await api.call('POST', '/v1/route', {
      body: { leadIds: [a.Id, missing, b.Id], dryRun: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, total: 3, routed: 2, failed: 1 });
    expect(res.body.results.map((r: Json) => r.ok)).toEqual([true, false, true]);
    expect(res.body.results[0]).toMatchObject({ leadId: a.Id, outcome: 'assigned', status: 'dry-run' });
    expect(res.body.results[1].error.code).toBe('NOT_FOUND');
    expect(res.body.results[2].leadId).toBe(b.Id);
  });

  it('lists refused leads with their reason', async () => {
    const res = await api.call('POST', '/v1/route', {
      body: { leadIds: [scenario('reroute-high-priority').lead.Id], dryRun: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ ok: false, error: { code: 'LEAD_NOT_ELIGIBLE' } });
  });

  it('needs the re-route permission', async () => {
    const res = await api.call('POST', '/v1/route', { user: noah, body: { leadIds: [takeMql().Id] } });
    expect(res.status).toBe(403);
    expect(res.body.error.action).toMatch(/permission/);
  });
});

describe('reads', () => {
  it('GET /v1/accounts/{id}/matched-leads pages and sorts with every column the panel shows', async () => {
    const { rows } = await sql<{ account: string; n: string }>`
      select data->>'Matched_Account__c' as account, count(*) as n from crm_records
      where object = 'Lead' and data->>'Matched_Account__c' is not null
        and coalesce((data->>'IsConverted')::boolean, false) = false
      group by 1 order by 2 desc, 1 limit 1
    `.execute(api.store.db);
    const accountId = rows[0]!.account;
    const total = Number(rows[0]!.n);
    expect(total).toBeGreaterThan(2);
    const page1 = await api.call(
      'GET',
      `/v1/accounts/${accountId}/matched-leads?limit=2&sort=name&direction=asc`,
    );
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ accountId, total, limit: 2, offset: 0 });
    expect(page1.body.accountName).toEqual(expect.any(String));
    expect(page1.body.items).toHaveLength(2);
    const item = page1.body.items[0];
    expect(Object.keys(item).sort()).toEqual(
      [
        'activeFlowsCount',
        'company',
        'email',
        'id',
        'lastActivity',
        'lastFlowName',
        'matchMethod',
        'matchReason',
        'matchScore',
        'name',
        'owner',
        'status',
        'title',
      ].sort(),
    );
    expect(item.owner).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      kind: expect.any(String),
    });
    const page2 = await api.call(
      'GET',
      `/v1/accounts/${accountId}/matched-leads?limit=2&offset=2&sort=name&direction=asc`,
    );
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    const names = [...page1.body.items, ...page2.body.items].map((i: Json) => i.name.toLowerCase());
    const lastNames = [...page1.body.items, ...page2.body.items].map((i: Json) =>
      i.name.split(' ').pop().toLowerCase(),
    );
    expect(names.length).toBeGreaterThan(2);
    expect([...lastNames].sort()).toEqual(lastNames);

    for (const sort of ['activeFlowsCount', 'matchScore', 'lastFlowName']) {
      const res = await api.call('GET', `/v1/accounts/${accountId}/matched-leads?sort=${sort}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(total);
    }
  });

  it('GET /v1/accounts/{id}/matched-leads: a lead whose company carries another number is not matched to the account by name', async () => {
    // A new account in the org, as its change event tells the companion.
    const account: AccountRecord = {
      Id: toId18('001NUMBERS00054')!,
      Name: 'Blue Harbor Studio 54',
      BillingCountry: 'US',
      Type: 'Prospect',
    };
    await upsertRecords(api.store.db, 'Account', [account]);
    api.routing.applyChanges({ accounts: [account] });
    // Two leads set on it (by hand, or by an earlier match), from free-mail addresses: only the name can match.
    const [same, other] = await Promise.all(
      ['Blue Harbor Studio 54', 'Blue Harbor Studio 55'].map((company, i) =>
        api.org.insertLead({
          fields: {
            FirstName: 'Kim',
            LastName: `Numbers${i}`,
            Company: company,
            Email: `kim.numbers${i}@gmail.com`,
            Country: 'US',
            Matched_Account__c: account.Id,
          },
        }),
      ),
    );
    const res = await api.call('GET', `/v1/accounts/${account.Id}/matched-leads?sort=name`);
    expect(res.status).toBe(200);
    const shown = Object.fromEntries(
      res.body.items.map((i: Json) => [i.id, { method: i.matchMethod, reason: i.matchReason }]),
    );
    expect(shown[same!.Id]).toEqual({
      method: 'company-name',
      reason: expect.stringContaining(
        'company name "Blue Harbor Studio 54" matches account Blue Harbor Studio 54',
      ),
    });
    // "Studio 55" is another company than "Studio 54", however alike the names.
    expect(shown[other!.Id]).toEqual({
      method: 'set-on-lead',
      reason: 'Set on the lead; no automatic match points to this account now.',
    });
  });

  it('searches an account’s matched leads with q and answers past the last page with none', async () => {
    const { rows } = await sql<{ account: string; email: string }>`
      select data->>'Matched_Account__c' as account, data->>'Email' as email from crm_records
      where object = 'Lead' and data->>'Matched_Account__c' is not null and data->>'Email' is not null
        and coalesce((data->>'IsConverted')::boolean, false) = false
      order by id limit 1
    `.execute(api.store.db);
    const { account, email } = rows[0]!;
    const found = await api.call(
      'GET',
      `/v1/accounts/${account}/matched-leads?q=${encodeURIComponent(email.toUpperCase())}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: Json) => i.email)).toContain(email);
    expect(found.body.total).toBe(found.body.items.length);
    const all = await api.call('GET', `/v1/accounts/${account}/matched-leads`);
    const past = await api.call('GET', `/v1/accounts/${account}/matched-leads?offset=${all.body.total + 10}`);
    expect(past.body).toMatchObject({ total: all.body.total, items: [] });
    const none = await api.call('GET', `/v1/accounts/${account}/matched-leads?q=zzzz-no-such-lead`);
    expect(none.body).toMatchObject({ total: 0, items: [] });
  });

  it('searches matched leads by company, the words the search box offers', async () => {
    // Two words of a company name with the space between them: no email or domain holds that text.
    const { rows } = await sql<{ account: string; id: string; company: string }>`
      select data->>'Matched_Account__c' as account, id, data->>'Company' as company from crm_records
      where object = 'Lead' and data->>'Matched_Account__c' is not null and data->>'Company' like '% %'
        and coalesce((data->>'IsConverted')::boolean, false) = false
      order by id limit 1
    `.execute(api.store.db);
    const { account, id, company } = rows[0]!;
    const words = company.split(' ').slice(0, 2).join(' ');
    const found = await api.call(
      'GET',
      `/v1/accounts/${account}/matched-leads?limit=200&q=${encodeURIComponent(words.toUpperCase())}`,
    );
    expect(found.status).toBe(200);
    const item = found.body.items.find((i: Json) => i.id === id);
    expect(item?.company).toBe(company);
    expect([item.name, item.title, item.email, item.status].join(' ').toLowerCase()).not.toContain(
      words.toLowerCase(),
    );
  });

  it('counts active flows of a matched lead from its decisions in the last 30 days', async () => {
    const lead = scenario('blueprint-customer').lead;
    const account = (await api.org.getLead(lead.Id))!.Matched_Account__c;
    const routed = await api.routing.route({ leadId: lead.Id, trigger: { kind: 'created' } });
    const accountId = account ?? routed.decision.matched.account?.id;
    expect(accountId).toBeTruthy();
    const res = await api.call(
      'GET',
      `/v1/accounts/${accountId}/matched-leads?limit=200&q=${encodeURIComponent(lead.Email!)}`,
    );
    expect(res.status).toBe(200);
    const row = res.body.items.find((i: Json) => i.id === lead.Id);
    if (routed.decision.outcome === 'converted') {
      // A converted lead is a contact now and leaves the list.
      expect(row).toBeUndefined();
      return;
    }
    expect(row.activeFlowsCount).toBe(1);
    expect(row.matchScore).toBeGreaterThan(0.5);
    expect(row.matchReason).toMatch(/domain|website|name/);
  });

  it('GET /v1/leads/{id} answers with owner and matched account', async () => {
    const lead = scenario('reroute-bdr-actively-working').lead;
    const res = await api.call('GET', `/v1/leads/${lead.Id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: lead.Id,
      name: 'Sam Fisher',
      email: 'sam.fisher@cyberdyne.com',
      company: 'Cyberdyne',
      status: 'MQL',
      country: 'US',
      owner: { id: ava, name: 'Ava Patel', kind: 'user' },
    });
    expect(res.body).toHaveProperty('matchedAccount');
    expect(res.body).toHaveProperty('lastRoutedAt');
    expect(res.body).toHaveProperty('routingReason');
  });

  it('GET /v1/leads/{id}/partner-status derives the state in words', async () => {
    const recalled = await api.call(
      'GET',
      `/v1/leads/${scenario('partner-event-recalled').lead.Id}/partner-status`,
    );
    expect(recalled.status).toBe(200);
    expect(recalled.body).toMatchObject({
      state: 'recalled',
      label: 'Recalled',
      recalled: true,
      recalledDate: '2026-10-20',
      partnerAccount: 'Northwind Partners',
      acquisitionSource: 'Partner Sponsored Event',
    });
    expect(recalled.body.description).toMatch(/taken back/);
    const plain = await api.call('GET', `/v1/leads/${scenario('reroute-eligible').lead.Id}/partner-status`);
    expect(plain.body).toMatchObject({
      state: 'not-shared',
      label: 'Not shared',
      recalled: false,
      partnerAccount: null,
    });
  });

  it('GET /v1/me says who is acting and what they may do', async () => {
    const rep = await api.call('GET', '/v1/me', { user: noah });
    expect(rep.body).toEqual({
      id: noah,
      name: 'Noah Fischer',
      role: 'AE',
      permissions: { reroute: false, admin: false },
    });
    const admin = await api.call('GET', '/v1/me', { user: demoUserId(27) });
    expect(admin.body.permissions).toEqual({ reroute: true, admin: true });
  });

  it('GET /v1/leads, /v1/accounts and /v1/users search with q and limit', async () => {
    const leads = await api.call('GET', '/v1/leads?q=cyberdyne&limit=5');
    expect(leads.status).toBe(200);
    expect(leads.body.items.length).toBeGreaterThan(0);
    expect(leads.body.items.length).toBeLessThanOrEqual(5);
    for (const l of leads.body.items)
      expect(`${l.name} ${l.email} ${l.company}`.toLowerCase()).toContain('cyberdyne');

    const accounts = await api.call('GET', '/v1/accounts?q=Cyberdyne');
    expect(accounts.body.items[0]).toMatchObject({
      name: 'Cyberdyne Robotics',
      bdr: { name: 'Kara Lopez' },
      bdrProspectingStatus: 'Actively Working',
    });

    const users = await api.call('GET', '/v1/users?q=ava&limit=3');
    expect(users.body.items).toContainEqual(
      expect.objectContaining({ id: ava, name: 'Ava Patel', active: true, permissions: { reroute: true } }),
    );
    const two = await api.call('GET', '/v1/users?limit=2');
    expect(two.body.items).toHaveLength(2);
  });
});
