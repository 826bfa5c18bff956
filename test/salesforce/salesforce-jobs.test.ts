import { afterEach, describe, expect, it } from 'vitest';
import { salesforceCandidates, salesforceOpenLeadsOf } from '../../companion/src/jobs/salesforce-jobs.js';
import { seedLeads, seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.standIn.close();
});

describe('clean-up job candidates in a Salesforce org', () => {
  it('finds open, person-owned leads in the statuses a status-queue job moves', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const queue = h.standIn.org.insert('Group', { Name: 'Inquiry Queue', Type: 'Queue' }, true).Id;
    const [inquiry, disqualified] = seedLeads(h.standIn, 2, rep, { Status: 'Inquiry' });
    h.standIn.org.update('Lead', disqualified!, { Status: 'Disqualified' });
    const [queued] = seedLeads(h.standIn, 1, queue, { Status: 'Inquiry' });
    const [converted] = seedLeads(h.standIn, 1, rep, { Status: 'Inquiry', IsConverted: true });
    const [working] = seedLeads(h.standIn, 1, rep, { Status: 'Working' });

    const found = await salesforceCandidates(h.api)('daily-status-queues');
    expect(found.sort()).toEqual([inquiry, disqualified].sort());
    expect(found).not.toContain(queued);
    expect(found).not.toContain(converted);
    expect(found).not.toContain(working);
    expect(await salesforceCandidates(h.api)('daily-mql-recycle')).toEqual([]);
  });

  it('finds leads of accounts a BDR is actively working that the BDR does not own yet', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const bdr = seedUser(h.standIn, 'BDR');
    const account = (status: string, bdrId: string | null) =>
      h.standIn.org.insert(
        'Account',
        { Name: `Account ${status}`, BDR_Prospecting_Status__c: status, BDR_Assigned__c: bdrId },
        true,
      ).Id;
    const worked = account('Actively Working', bdr);
    const idle = account('Not Working', bdr);
    const noBdr = account('Actively Working', null);
    const [toMove] = seedLeads(h.standIn, 1, rep, { Status: 'Raw', Matched_Account__c: worked });
    seedLeads(h.standIn, 1, bdr, { Status: 'Raw', Matched_Account__c: worked });
    seedLeads(h.standIn, 1, rep, { Status: 'Raw', Matched_Account__c: idle });
    seedLeads(h.standIn, 1, rep, { Status: 'Recycle', Matched_Account__c: noBdr });
    seedLeads(h.standIn, 1, rep, { Status: 'MQL', Matched_Account__c: worked });

    expect(await salesforceCandidates(h.api)('bdr-actively-working')).toEqual([toMove]);
  });

  it('refuses a job that does not exist before asking the org anything', async () => {
    h = await startHarness();
    await expect(salesforceCandidates(h.api)('hourly-nap')).rejects.toMatchObject({
      code: 'JOB_UNKNOWN',
    });
    expect(h.standIn.apiCalls()).toBe(0);
  });

  it("lists a user's open leads, for routing them when the user is deactivated", async () => {
    h = await startHarness();
    const leaver = seedUser(h.standIn, 'Leaver');
    const other = seedUser(h.standIn, 'Other');
    const open = seedLeads(h.standIn, 3, leaver);
    seedLeads(h.standIn, 1, leaver, { IsConverted: true });
    seedLeads(h.standIn, 2, other);
    expect((await salesforceOpenLeadsOf(h.api)(leaver)).sort()).toEqual(open.sort());
  });
});
