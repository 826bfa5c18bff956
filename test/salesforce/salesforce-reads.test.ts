import { afterEach, describe, expect, it } from 'vitest';
import { seedLeads, seedQueue, seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.standIn.close();
});

async function collect<T>(it: AsyncIterable<T[]>): Promise<{ pages: number; rows: T[] }> {
  let pages = 0;
  const rows: T[] = [];
  for await (const page of it) {
    pages++;
    rows.push(...page);
  }
  return { pages, rows };
}

describe('Salesforce adapter: reads', () => {
  it('pages through accounts with nextRecordsUrl until done', async () => {
    h = await startHarness({ pageSize: 40 });
    for (let i = 0; i < 100; i++)
      h.standIn.org.insert('Account', { Name: `Acme ${i}`, Type: 'Customer' }, true);
    const { pages, rows } = await collect(h.crm.streamAccounts());
    expect(pages).toBe(3);
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.Id)).size).toBe(100);
    expect(rows[0]).not.toHaveProperty('attributes');
    expect(h.standIn.calls()).toMatchObject({ query: 1, queryMore: 2 });
  });

  it('asks for the accounts changed since an instant in one queryAll, deleted ones by Id', async () => {
    h = await startHarness();
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const [kept, renamed, deleted] = ['Kept', 'Renamed', 'Deleted'].map((Name) => {
      const rec = h.standIn.org.insert('Account', { Name }, true);
      rec['SystemModstamp'] = hourAgo;
      return rec.Id;
    });
    h.standIn.org.update('Account', renamed!, { Name: 'Renamed Since' });
    h.standIn.org.delete('Account', deleted!);
    h.standIn.org.insert('Account', { Name: 'Founded Since' }, true);
    const before = h.standIn.calls();
    const changes = await h.crm.changedSince('Account', new Date(Date.now() - 60_000).toISOString());
    expect(changes.records.map((a) => a.Name).sort()).toEqual(['Founded Since', 'Renamed Since']);
    expect(changes.records.map((a) => a.Id)).not.toContain(kept);
    expect(changes.records[0]).not.toHaveProperty('IsDeleted');
    expect(changes.removedIds).toEqual([deleted]);
    const after = h.standIn.calls();
    const spent = Object.keys(after).filter((k) => after[k] !== before[k]);
    // The stand-in counts /query and /queryAll alike; the deleted account shows it was /queryAll.
    expect(spent.map((k) => [k, after[k]! - (before[k] ?? 0)])).toEqual([['query', 1]]);
  });

  it('asks for the opportunities and leads changed since, closed and converted ones as they are now', async () => {
    h = await startHarness();
    const org = h.standIn.org;
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const acct = org.insert('Account', { Name: 'Acme' }, true).Id;
    const stage = (Name: string) =>
      org.insert('Opportunity', { AccountId: acct, Name, StageName: 'Proposal', IsClosed: false }, true);
    const [quiet, won] = [stage('Quiet'), stage('Won')];
    quiet['SystemModstamp'] = won['SystemModstamp'] = hourAgo;
    org.update('Opportunity', won.Id, { StageName: 'Closed Won', IsClosed: true });
    const [untouched, converted, removed] = seedLeads(h.standIn, 3, h.standIn.integrationUserId);
    for (const id of [untouched!, converted!, removed!]) org.get('Lead', id)!['SystemModstamp'] = hourAgo;
    org.update('Lead', converted!, { IsConverted: true, Status: 'Closed - Converted' });
    org.delete('Lead', removed!);
    const since = new Date(Date.now() - 60_000).toISOString();
    h.standIn.resetCounts();

    const opportunities = await h.crm.changedSince('Opportunity', since);
    expect(opportunities.records.map((o) => [o.Name, o.IsClosed])).toEqual([['Won', true]]);
    expect(opportunities.removedIds).toEqual([]);
    const leads = await h.crm.changedSince('Lead', since);
    expect(leads.records.map((l) => [l.Id, l.IsConverted])).toEqual([[converted, true]]);
    expect(leads.removedIds).toEqual([removed]);
    expect(h.standIn.apiCalls()).toBe(2);
  });

  it('streams only open opportunities and unconverted leads', async () => {
    h = await startHarness();
    const acct = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    h.standIn.org.insert(
      'Opportunity',
      { AccountId: acct, Name: 'open', StageName: 'Proposal', IsClosed: false },
      true,
    );
    h.standIn.org.insert(
      'Opportunity',
      { AccountId: acct, Name: 'won', StageName: 'Closed Won', IsClosed: true },
      true,
    );
    seedLeads(h.standIn, 3, h.standIn.integrationUserId);
    seedLeads(h.standIn, 2, h.standIn.integrationUserId, { IsConverted: true });
    const opps = await collect(h.crm.streamOpenOpportunities());
    expect(opps.rows.map((o) => o.Name)).toEqual(['open']);
    const leads = await collect(h.crm.streamLeads());
    expect(leads.rows).toHaveLength(3);
  });

  it('reads each lead with its campaign members and campaigns in one query per 200 leads', async () => {
    h = await startHarness();
    const ids = seedLeads(h.standIn, 250, h.standIn.integrationUserId);
    const org = h.standIn.org;
    const webinar = org.insert(
      'Campaign',
      { Name: 'Partner webinar', Type: 'Webinar', MDF_Funding__c: 'Yes', IsActive: true },
      true,
    ).Id;
    const trial = org.insert(
      'Campaign',
      { Name: 'Free trial', Type: 'Trial', MDF_Funding__c: 'No', IsActive: true },
      true,
    ).Id;
    // The webinar yesterday, the trial now: records made in one millisecond share their CreatedDate.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    org.insert(
      'CampaignMember',
      { CampaignId: webinar, LeadId: ids[0], Status: 'Attended', CreatedDate: yesterday },
      true,
    );
    org.insert('CampaignMember', { CampaignId: trial, LeadId: ids[0], Status: 'Signed up' }, true);

    const contexts = await h.crm.getLeadContexts(ids);
    expect(contexts.size).toBe(250);
    expect(h.standIn.apiCalls()).toBe(2);
    const first = contexts.get(ids[0]!)!;
    expect(first.lead.Company).toBe('Company 0');
    // Newest membership first.
    expect(first.memberships.map((m) => m.campaign.Name)).toEqual(['Free trial', 'Partner webinar']);
    expect(first.memberships[1]).toMatchObject({
      member: { CampaignId: webinar, Status: 'Attended' },
      campaign: { Id: webinar, MDF_Funding__c: 'Yes', Type: 'Webinar' },
    });
    expect(contexts.get(ids[1]!)!.memberships).toEqual([]);
  });

  it('follows a big child relationship’s own nextRecordsUrl', async () => {
    h = await startHarness({ childPageSize: 10 });
    const [lead] = seedLeads(h.standIn, 1, h.standIn.integrationUserId) as [string];
    for (let i = 0; i < 25; i++) {
      const campaign = h.standIn.org.insert('Campaign', { Name: `Campaign ${i}` }, true).Id;
      h.standIn.org.insert('CampaignMember', { CampaignId: campaign, LeadId: lead, Status: 'Sent' }, true);
    }
    const contexts = await h.crm.getLeadContexts([lead]);
    expect(contexts.get(lead)!.memberships).toHaveLength(25);
    expect(h.standIn.calls()).toEqual({ query: 1, queryMore: 2 });
  });

  it('lists active standard users with profile and custom fields, and queues with their user members', async () => {
    h = await startHarness();
    const org = h.standIn.org;
    const profile = org.insert('Profile', { Name: 'Sales Rep' }, true).Id;
    const ann = seedUser(h.standIn, 'Ann', {
      Username: 'ann@acme.example',
      Email: 'ann@acme.com',
      TimeZoneSidKey: 'Europe/Paris',
      Region__c: 'EMEA',
      Role__c: 'SDR',
      ProfileId: profile,
    });
    const bob = seedUser(h.standIn, 'Bob', { IsActive: false });
    org.insert('User', { Name: 'Partner portal', IsActive: true, UserType: 'PowerPartner' }, true);
    const queue = seedQueue(h.standIn, 'Partner_Queue');
    const cases = seedQueue(h.standIn, 'Support_Cases', { objects: ['Case'] });
    org.insert('Group', { Name: 'All sales', Type: 'Regular' }, true);
    const nested = org.insert('Group', { Name: 'Nested', Type: 'Regular' }, true).Id;
    org.insert('GroupMember', { GroupId: queue, UserOrGroupId: ann }, true);
    org.insert('GroupMember', { GroupId: queue, UserOrGroupId: nested }, true);

    const users = await h.crm.listUsers();
    expect(users.map((u) => u.Name).sort()).toEqual(['Ann', 'Bob', 'Integration User']);
    expect(users.find((u) => u.Id === ann)).toMatchObject({
      Username: 'ann@acme.example',
      Email: 'ann@acme.com',
      IsActive: true,
      TimeZoneSidKey: 'Europe/Paris',
      Region__c: 'EMEA',
      Role__c: 'SDR',
      ProfileName: 'Sales Rep',
    });
    expect(users.find((u) => u.Id === bob)?.IsActive).toBe(false);

    const queues = await h.crm.listQueues();
    expect(queues).toEqual([
      // The org's default lead owner, where its assignment rule sends leads.
      {
        Id: h.standIn.defaultLeadQueueId,
        Name: 'Lead Inbox',
        DeveloperName: 'Lead_Inbox',
        TakesLeads: true,
        MemberIds: [],
      },
      {
        Id: queue,
        Name: 'Partner Queue',
        DeveloperName: 'Partner_Queue',
        TakesLeads: true,
        MemberIds: [ann],
      },
      { Id: cases, Name: 'Support Cases', DeveloperName: 'Support_Cases', TakesLeads: false, MemberIds: [] },
    ]);
  });

  it('passes on the org’s error for a query naming a field the org lacks', async () => {
    h = await startHarness();
    h.standIn.org.missingFields.add('Account.Segment__c');
    const err = await collect(h.crm.streamAccounts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_API_ERROR', sfCode: 'INVALID_FIELD' });
    expect((err as Error).message).toContain("No such column 'Segment__c' on entity 'Account'");
  });

  it('refuses a query answer cut off mid-way with SF_MALFORMED_ANSWER, not a TypeError', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const [id] = seedLeads(h.standIn, 1, owner) as [string];
    h.standIn.faults.malformed.push({ endpoint: 'query', damage: 'truncated' });
    const err = await h.crm.getLeadContexts([id]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_MALFORMED_ANSWER' });
    expect((err as Error).message).toContain('GET /query');
    // The next read is answered whole and goes through.
    expect((await h.crm.getLeadContexts([id])).get(id)?.lead.Id).toBe(id);
  });

  it('computes open leads, open opportunities and conversion rate per user with aggregate queries', async () => {
    h = await startHarness();
    const ann = seedUser(h.standIn, 'Ann');
    const bob = seedUser(h.standIn, 'Bob');
    const idle = seedUser(h.standIn, 'Idle');
    seedLeads(h.standIn, 3, ann);
    seedLeads(h.standIn, 1, ann, { IsConverted: true });
    // Leads nobody works (recycled, by hand or by the 30-day job; ruled out) are not open load.
    seedLeads(h.standIn, 1, ann, { Status: 'Recycle - No Action' });
    seedLeads(h.standIn, 1, ann, { Status: 'Disqualified' });
    seedLeads(h.standIn, 1, bob);
    const account = h.standIn.org.insert('Account', { Name: 'Bob Co' }, true).Id;
    for (const IsClosed of [false, false, true]) {
      h.standIn.org.insert(
        'Opportunity',
        {
          Name: 'Deal',
          AccountId: account,
          OwnerId: bob,
          StageName: IsClosed ? 'Closed Won' : 'Scoping',
          IsClosed,
          CloseDate: '2026-12-31',
        },
        true,
      );
    }
    const stats = await h.crm.userStats([ann, bob, idle]);
    expect(stats.get(ann)).toEqual({ openLeads: 3, openOpportunities: 0, performance: 1 / 6 });
    expect(stats.get(bob)).toEqual({ openLeads: 1, openOpportunities: 2, performance: 0 });
    expect(stats.get(idle)).toEqual({ openLeads: 0, openOpportunities: 0, performance: 0 });
    expect(h.standIn.apiCalls()).toBe(3);
  });
});
