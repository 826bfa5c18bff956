import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { CallMeter, meteredPort } from '../../src/crm/call-meter.js';
import type { KeptObject, RecordChanges } from '../../src/crm/crm.port.js';
import { LocalOrg } from '../../src/crm/local/local-org.js';
import { replaceRecords, upsertRecords } from '../../src/crm/local/local-records.js';
import type { AccountRecord, LeadRecord, OpportunityRecord } from '../../src/engine/model.js';
import { demoId, KEY_PREFIX } from '../../src/engine/salesforce-id.js';
import { openDatabase } from '../../src/store/open-database.js';
import { demoRoutingService, MONDAY, seedSmallDemoOrg } from './routing-fixture.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-kept-snapshot-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

type Answer = { object: KeptObject; changes: RecordChanges<{ Id: string }> };

/** The local org, counted by the meter, with what each catch-up answered. */
function watched(crm: LocalOrg, meter: CallMeter, answers: Answer[]): LocalOrg {
  const metered = meteredPort(crm, meter);
  return new Proxy(metered, {
    get(target, prop, receiver) {
      if (prop !== 'changedSince') return Reflect.get(target, prop, receiver) as unknown;
      return async (object: KeptObject, since: string) => {
        const changes = await metered.changedSince(object, since);
        answers.push({ object, changes });
        return changes;
      };
    },
  });
}

/** The first page of an object's records as the local org streams them. */
async function firstPage<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  return (await pages[Symbol.asyncIterator]().next()).value as T[];
}

const idsOf = (answers: Answer[], object: KeptObject): string[] =>
  answers
    .filter((a) => a.object === object)
    .flatMap((a) => a.changes.records.map((r) => r.Id))
    .sort();

describe('the org snapshot kept in the store', () => {
  it('after a restart, loads the kept accounts, opportunities and leads and asks the CRM only for what changed while down', async () => {
    const first = await openDatabase({ databaseUrl: null, dataDir });
    const org = await seedSmallDemoOrg(first);
    // The seeded records were last changed long before this start.
    await sql`update crm_records set modstamp = now() - interval '1 hour'`.execute(first.db);
    const firstMeter = new CallMeter();
    const up = await demoRoutingService(first, watched(org, firstMeter, []), { keepOrgSnapshot: true });
    expect(firstMeter.counts().byKind).toMatchObject({
      streamAccounts: 1,
      streamOpenOpportunities: 1,
      streamLeads: 1,
    });
    expect(firstMeter.counts().byKind.changedSince).toBeUndefined();

    const accounts = await firstPage<AccountRecord>(org.streamAccounts());
    const opportunities = await firstPage<OpportunityRecord>(org.streamOpenOpportunities());
    const leads = await firstPage<LeadRecord>(org.streamLeads());
    const [seenUp, changedDown] = [accounts[0]!, accounts[1]!];
    const [stagedUp, wonDown] = [opportunities[0]!, opportunities[1]!];
    const [ownedUp, convertedDown, convertedUp] = [leads[0]!, leads[1]!, leads[2]!];
    // Change events while up: written through to the store.
    up.applyChanges({
      accounts: [{ ...seenUp, Name: 'Renamed While Up' }],
      opportunities: [{ ...stagedUp, StageName: 'Negotiation' }],
      leads: [
        { ...ownedUp, Status: 'Working While Up' },
        { ...convertedUp, IsConverted: true },
      ],
    });
    await up.org.kept();
    const totals = { accounts: up.org.accounts.size, leads: up.org.leads.size };
    await first.close();

    // While down, the org changes: an account renamed and one created, an opportunity won, a lead
    // converted and one created.
    const down = await openDatabase({ databaseUrl: null, dataDir });
    await replaceRecords(down.db, [
      { id: changedDown.Id, data: { ...changedDown, Name: 'Renamed While Down' } },
      { id: wonDown.Id, data: { ...wonDown, StageName: 'Closed Won', IsClosed: true } },
      { id: convertedDown.Id, data: { ...convertedDown, IsConverted: true } },
    ]);
    const created = { ...changedDown, Id: demoId(KEY_PREFIX.account, 99_999), Name: 'Founded While Down' };
    await upsertRecords(down.db, 'Account', [created]);
    const newLead = { ...convertedDown, Id: demoId(KEY_PREFIX.lead, 99_999), IsConverted: false };
    await upsertRecords(down.db, 'Lead', [newLead]);

    const meter = new CallMeter();
    const answers: Answer[] = [];
    const crm = new LocalOrg(down.db, { now: () => new Date(MONDAY) });
    const again = await demoRoutingService(down, watched(crm, meter, answers), { keepOrgSnapshot: true });
    try {
      for (const whole of ['streamAccounts', 'streamOpenOpportunities', 'streamLeads'])
        expect(meter.counts().byKind[whole], whole).toBeUndefined();
      expect(meter.counts().byKind).toMatchObject({ changedSince: 3 });
      expect(idsOf(answers, 'Account')).toEqual([changedDown.Id, created.Id].sort());
      expect(idsOf(answers, 'Opportunity')).toEqual([wonDown.Id]);
      expect(idsOf(answers, 'Lead')).toEqual([convertedDown.Id, newLead.Id].sort());

      expect(again.org.accounts.get(seenUp.Id)?.Name).toBe('Renamed While Up');
      expect(again.org.accounts.get(changedDown.Id)?.Name).toBe('Renamed While Down');
      expect(again.org.accounts.get(created.Id)?.Name).toBe('Founded While Down');
      expect(again.org.accounts.size).toBe(totals.accounts + 1);
      const open = (opportunity: OpportunityRecord) =>
        again.org.accounts.openOpportunities(opportunity.AccountId).find((o) => o.Id === opportunity.Id);
      expect(open(stagedUp)?.StageName).toBe('Negotiation');
      expect(open(wonDown)).toBeUndefined();
      expect(again.org.leads.get(ownedUp.Id)?.Status).toBe('Working While Up');
      expect(again.org.leads.get(convertedUp.Id)).toBeUndefined();
      expect(again.org.leads.get(convertedDown.Id)).toBeUndefined();
      expect(again.org.leads.get(newLead.Id)).toBeDefined();
      // One converted while down, one created.
      expect(again.org.leads.size).toBe(totals.leads);

      // Kept longer than deleted records stay findable: read whole again.
      await sql`update index_snapshots set last_modstamp = now() - interval '20 days'`.execute(down.db);
      const later = new CallMeter();
      const fresh = await demoRoutingService(down, watched(crm, later, []), { keepOrgSnapshot: true });
      expect(later.counts().byKind).toMatchObject({
        streamAccounts: 1,
        streamOpenOpportunities: 1,
        streamLeads: 1,
      });
      expect(later.counts().byKind.changedSince).toBeUndefined();
      // As the org holds them now (the conversion told while up was routing's alone).
      let unconverted = 0;
      for await (const page of crm.streamLeads()) unconverted += page.length;
      expect(fresh.org.accounts.size).toBe(totals.accounts + 1);
      expect(fresh.org.leads.size).toBe(unconverted);
      expect(fresh.org.leads.get(convertedUp.Id)).toBeDefined();
    } finally {
      await down.close();
    }
  }, 120_000);
});
