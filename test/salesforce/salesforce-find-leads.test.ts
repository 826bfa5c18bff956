import { afterEach, describe, expect, it } from 'vitest';
import { scheduledJob } from '../../companion/src/jobs/scheduled-jobs.js';
import type { RoutingSet } from '../../companion/src/engine/flow/routing-set.js';
import { chooseLeads } from '../../companion/src/routing/lead-choice.js';
import { seedLeads, seedQueue, seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.standIn.close();
});

// The background jobs ask the org for leads through the CRM port's findLeads; the adapter turns the
// filter into SOQL (and compares here what SOQL cannot).
const TODAY = '2026-11-23';
const candidatesOf = (job: string) => h.crm.findLeads(scheduledJob(job).candidates(TODAY));

describe('clean-up job candidates in a Salesforce org', () => {
  it('finds open, person-owned leads in the statuses a status-queue job moves', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const queue = seedQueue(h.standIn, 'Inquiry_Queue');
    const [inquiry, disqualified] = seedLeads(h.standIn, 2, rep, { Status: 'Inquiry' });
    h.standIn.org.update('Lead', disqualified!, { Status: 'Disqualified' });
    const [queued] = seedLeads(h.standIn, 1, queue, { Status: 'Inquiry' });
    const [converted] = seedLeads(h.standIn, 1, rep, { Status: 'Inquiry', IsConverted: true });
    const [working] = seedLeads(h.standIn, 1, rep, { Status: 'Working' });

    const found = await candidatesOf('daily-status-queues');
    expect(found.sort()).toEqual([inquiry, disqualified].sort());
    expect(found).not.toContain(queued);
    expect(found).not.toContain(converted);
    expect(found).not.toContain(working);
    expect(await candidatesOf('daily-mql-recycle')).toEqual([]);
  });

  it('finds leads of accounts a BDR started actively working the previous day that the BDR does not own yet', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const bdr = seedUser(h.standIn, 'BDR');
    const account = (status: string, bdrId: string | null, changed = '2026-11-22') =>
      h.standIn.org.insert(
        'Account',
        {
          Name: `Account ${status} ${changed}`,
          BDR_Prospecting_Status__c: status,
          BDR_Assigned__c: bdrId,
          BDR_Prospecting_Status_Changed__c: changed,
        },
        true,
      ).Id;
    const worked = account('Actively Working', bdr);
    const workedLastMonth = account('Actively Working', bdr, '2026-10-23');
    const workedToday = account('Actively Working', bdr, TODAY);
    const idle = account('Not Working', bdr);
    const noBdr = account('Actively Working', null);
    const [toMove] = seedLeads(h.standIn, 1, rep, { Status: 'Raw', Matched_Account__c: worked });
    seedLeads(h.standIn, 1, bdr, { Status: 'Raw', Matched_Account__c: worked });
    seedLeads(h.standIn, 1, rep, { Status: 'Raw', Matched_Account__c: workedLastMonth });
    seedLeads(h.standIn, 1, rep, { Status: 'Raw', Matched_Account__c: workedToday });
    seedLeads(h.standIn, 1, rep, { Status: 'Raw', Matched_Account__c: idle });
    seedLeads(h.standIn, 1, rep, { Status: 'Recycle', Matched_Account__c: noBdr });
    seedLeads(h.standIn, 1, rep, { Status: 'MQL', Matched_Account__c: worked });

    expect(await candidatesOf('bdr-actively-working')).toEqual([toMove]);
  });

  it('finds such leads in the Hopper in either form: named to someone, held by the Hopper queue, or named to the BDR', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const bdr = seedUser(h.standIn, 'BDR');
    const hopper = seedQueue(h.standIn, 'Hopper');
    const worked = h.standIn.org.insert(
      'Account',
      {
        Name: 'Worked',
        BDR_Prospecting_Status__c: 'Actively Working',
        BDR_Assigned__c: bdr,
        BDR_Prospecting_Status_Changed__c: '2026-11-22',
      },
      true,
    ).Id;
    const inHopper = { Status: 'Raw', Matched_Account__c: worked, In_Hopper__c: true };
    const found = [rep, hopper, bdr].map((owner) => seedLeads(h.standIn, 1, owner, inHopper)[0]!);
    seedLeads(h.standIn, 1, bdr, { Status: 'Raw', Matched_Account__c: worked, In_Hopper__c: false });

    expect((await candidatesOf('bdr-actively-working')).sort()).toEqual(found.sort());
  });

  it("lists a user's open leads, for routing them when the user is deactivated", async () => {
    h = await startHarness();
    const leaver = seedUser(h.standIn, 'Leaver');
    const other = seedUser(h.standIn, 'Other');
    const open = seedLeads(h.standIn, 3, leaver);
    seedLeads(h.standIn, 1, leaver, { IsConverted: true });
    seedLeads(h.standIn, 2, other);
    expect((await h.crm.findLeads({ ownerId: leaver })).sort()).toEqual(open.sort());
  });

  it('lists the open leads created since an instant, for the catch-up after a crash', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    seedLeads(h.standIn, 2, rep, { CreatedDate: '2026-11-22T09:59:59.000Z' });
    const recent = seedLeads(h.standIn, 2, rep, { CreatedDate: '2026-11-22T10:00:00.000Z' });
    seedLeads(h.standIn, 1, rep, { CreatedDate: '2026-11-22T10:30:00.000Z', IsConverted: true });
    const later = seedLeads(h.standIn, 1, rep, { CreatedDate: '2026-11-22T11:00:00.000Z' });
    expect((await h.crm.findLeads({ createdSince: '2026-11-22T10:00:00.000Z' })).sort()).toEqual(
      [...recent, ...later].sort(),
    );
  });
});

// Bulk reassignment chooses leads by a pool's members, a territory's countries or a filter: sets become
// IN lists, values are quoted as SOQL's escape sequences say, and a long set is asked in parts.
describe('choosing leads for a reassignment in a Salesforce org', () => {
  it('finds the open leads every criterion lets through: owners, statuses, countries, states, lead sources, created range', async () => {
    h = await startHarness();
    const [ava, ben, cleo] = ['Ava', 'Ben', 'Cleo'].map((n) => seedUser(h.standIn, n));
    const lead = (owner: string, extra: Record<string, unknown>) =>
      seedLeads(h.standIn, 1, owner, {
        Status: 'MQL',
        Country: 'Germany',
        State: 'Bavaria',
        LeadSource: 'Web',
        CreatedDate: '2026-06-15T12:00:00.000Z',
        ...extra,
      })[0]!;
    const match = [lead(ava!, {}), lead(ben!, { Country: 'France', State: null, LeadSource: 'Event' })];
    lead(cleo!, {});
    lead(ava!, { Status: 'Raw' });
    lead(ava!, { Country: 'Spain' });
    lead(ava!, { LeadSource: 'Partner' });
    lead(ava!, { CreatedDate: '2026-05-31T23:59:59.000Z' });
    lead(ava!, { CreatedDate: '2026-07-01T00:00:00.000Z' });
    lead(ava!, { IsConverted: true });
    const filter = {
      ownerIds: [ava!, ben!],
      statuses: ['MQL', 'Working'],
      countries: ['Germany', 'France'],
      leadSources: ['Web', 'Event'],
      createdSince: '2026-06-01T00:00:00.000Z',
      createdBefore: '2026-07-01T00:00:00.000Z',
    };
    expect((await h.crm.findLeads(filter)).sort()).toEqual(match.sort());
    expect(await h.crm.findLeads({ ...filter, states: ['Bavaria'] })).toEqual([match[0]]);
    // Text compares without regard to case, as SOQL does.
    expect(await h.crm.findLeads({ ...filter, statuses: ['mql'], states: ['BAVARIA'] })).toEqual([match[0]]);
    // An empty set lets no lead through, without asking the org (SOQL has no empty IN list).
    h.standIn.resetCounts();
    expect(await h.crm.findLeads({ ...filter, countries: [] })).toEqual([]);
    expect(h.standIn.apiCalls()).toBe(0);
  });

  it('a value with quotes, a backslash or a line break is matched as the value, never read as SOQL', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const odd = `O'Brien "VIP" list \\ 2026\nsecond line\tend`;
    const [oddLead] = seedLeads(h.standIn, 1, rep, { LeadSource: odd });
    const [other] = seedLeads(h.standIn, 1, rep, { LeadSource: 'Web' });
    expect(await h.crm.findLeads({ leadSources: [odd] })).toEqual([oddLead]);
    expect(await h.crm.findLeads({ leadSources: ["x') OR LeadSource != ('y"] })).toEqual([]);
    expect(await h.crm.findLeads({ leadSources: ["Web' OR Id != '"] })).toEqual([]);
    expect(await h.crm.findLeads({ statuses: ['Open'], leadSources: ['Web\\'] })).toEqual([]);
    expect(await h.crm.findLeads({ leadSources: ['Web'] })).toEqual([other]);
  });

  it('asks for a set of owners too long for one request in parts, each within the 16 KB a request may have', async () => {
    h = await startHarness();
    const owners = Array.from({ length: 1200 }, (_, i) => seedUser(h.standIn, `Member ${i}`));
    const leads = owners.flatMap((owner) => seedLeads(h.standIn, 1, owner));
    seedLeads(h.standIn, 3, seedUser(h.standIn, 'Not a member'));
    h.standIn.resetCounts();
    expect(await h.crm.findLeads({ ownerIds: owners, statuses: ['Open'] })).toEqual([...leads].sort());
    // 1,200 quoted Ids are ~36,000 characters encoded: more than one request, and not one per owner.
    const queries = h.standIn.calls()['query'] ?? 0;
    expect(queries).toBeGreaterThan(2);
    expect(queries).toBeLessThan(10);
  });

  it('a state in the filter takes every spelling the org uses for it, code or name, and no other state', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const at = (State: string, Country: string) => seedLeads(h.standIn, 1, rep, { State, Country })[0]!;
    const california = [at('CA', 'US'), at('California', 'USA'), at('california', 'United States')];
    const ontario = [at('ON', 'CA'), at('Ontario', 'Canada')];
    const washington = at('Washington', 'US');
    const westernAustralia = at('Western Australia', 'AU');
    at('Oregon', 'US');
    at('Bavaria', 'DE');
    seedLeads(h.standIn, 1, rep, { State: 'California', IsConverted: true });
    const set: RoutingSet = {
      flows: new Map(),
      pools: new Map(),
      territories: new Map(),
      slas: new Map(),
      aliases: [],
      people: { refs: [], warnings: [] },
    };
    const chosen = async (states: string[]) => (await chooseLeads(h.crm, set, { filter: { states } })).ids;

    expect(await chosen(['CA'])).toEqual([...california].sort());
    expect(await chosen(['California', 'on'])).toEqual([...california, ...ontario].sort());
    expect(await chosen(['Quebec'])).toEqual([]);
    // 'WA' is Washington or Western Australia; each name is only its own state.
    expect(await chosen(['WA'])).toEqual([washington, westernAustralia].sort());
    expect(await chosen(['Washington'])).toEqual([washington]);
    // Other states compare as SOQL does, without regard to case.
    expect(await chosen(['BAVARIA'])).toHaveLength(1);
    // One aggregate query for the org's spellings, one for the leads: State IN each spelling.
    h.standIn.resetCounts();
    await chosen(['CA']);
    expect(h.standIn.calls()).toEqual({ query: 2 });
  });

  it('a territory row without country or region asks the org for the leads its state and employee band can take, not every open lead', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const at = (State: string, NumberOfEmployees: number | null) =>
      seedLeads(h.standIn, 1, rep, { State, Country: 'US', NumberOfEmployees })[0]!;
    const taken = [at('CA', 50), at('California', 500), at('ca', 120)];
    at('CA', 49);
    at('California', 501);
    at('CA', null);
    seedLeads(h.standIn, 450, rep, { State: 'NY', Country: 'US', NumberOfEmployees: 100 });
    const set: RoutingSet = {
      flows: new Map(),
      pools: new Map(),
      territories: new Map([
        [
          'mid-market',
          {
            name: 'mid-market',
            rows: [
              { state: ['California'], employees: { min: 50, max: 500 }, assign: { user: rep } },
              { assign: { user: rep } },
            ],
          },
        ],
      ]),
      slas: new Map(),
      aliases: [],
      people: { refs: [], warnings: [] },
    };
    h.standIn.resetCounts();
    const chosen = await chooseLeads(h.crm, set, { territory: { table: 'mid-market', row: 1 } });
    expect(chosen.ids).toEqual([...taken].sort());
    // One aggregate query for the State spellings, one for the leads (State IN …, NumberOfEmployees
    // between), and one read of those leads: not the 456 open leads read 200 at a time.
    const queries = h.standIn.soqlLog.filter((q) => /FROM Lead\b/.test(q));
    expect(queries.filter((q) => /GROUP BY State/.test(q))).toHaveLength(1);
    expect(
      queries.filter((q) => /NumberOfEmployees >= 50 AND NumberOfEmployees <= 500/.test(q)),
    ).toHaveLength(1);
    expect(queries.filter((q) => /WHERE Id IN/.test(q))).toHaveLength(1);
  });

  it('a territory row of industries asks the org for the leads in the spellings of those industries', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const [first, second] = [
      seedLeads(h.standIn, 1, rep, { Industry: 'Banking & Finance' })[0]!,
      seedLeads(h.standIn, 1, rep, { Industry: 'banking and finance' })[0]!,
    ];
    seedLeads(h.standIn, 250, rep, { Industry: 'Technology' });
    seedLeads(h.standIn, 1, rep, { Industry: null });
    const set: RoutingSet = {
      flows: new Map(),
      pools: new Map(),
      territories: new Map([
        [
          'verticals',
          {
            name: 'verticals',
            rows: [{ industry: ['Banking and Finance'], assign: { user: rep } }, { assign: { user: rep } }],
          },
        ],
      ]),
      slas: new Map(),
      aliases: [],
      people: { refs: [], warnings: [] },
    };
    h.standIn.resetCounts();
    const chosen = await chooseLeads(h.crm, set, { territory: { table: 'verticals', row: 1 } });
    expect(chosen.ids).toEqual([first, second].sort());
    const queries = h.standIn.soqlLog.filter((q) => /FROM Lead\b/.test(q));
    expect(queries.filter((q) => /GROUP BY Industry/.test(q))).toHaveLength(1);
    expect(
      queries.filter((q) => /Industry IN \('Banking & Finance', 'banking and finance'\)/.test(q)),
    ).toHaveLength(1);
    expect(queries.filter((q) => /WHERE Id IN/.test(q))).toHaveLength(1);
  });

  it('a filter by lead source takes the values the open leads have, and refuses one they do not', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const web = seedLeads(h.standIn, 2, rep, { LeadSource: 'Web' });
    seedLeads(h.standIn, 1, rep, { LeadSource: 'Partner Referral' });
    seedLeads(h.standIn, 1, rep, { LeadSource: 'Trade Show', IsConverted: true });
    const set: RoutingSet = {
      flows: new Map(),
      pools: new Map(),
      territories: new Map(),
      slas: new Map(),
      aliases: [],
      people: { refs: [], warnings: [] },
    };
    const chosen = (leadSources: string[]) => chooseLeads(h.crm, set, { filter: { leadSources } });
    h.standIn.resetCounts();
    expect((await chosen(['web'])).ids).toEqual([...web].sort());
    const queries = h.standIn.soqlLog.filter((q) => /FROM Lead\b/.test(q));
    expect(queries.filter((q) => /GROUP BY LeadSource/.test(q))).toHaveLength(1);
    expect(queries.filter((q) => /LeadSource IN \('Web'\)/.test(q))).toHaveLength(1);
    // Trade Show is only on a converted lead: no open lead has it.
    await expect(chosen(['Webb', 'Trade Show'])).rejects.toThrow(
      "No open lead has lead source 'Webb', 'Trade Show': the open leads have Web, Partner Referral.",
    );
  });
});
