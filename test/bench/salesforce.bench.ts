/**
 * API calls per routed lead, counted by the Salesforce stand-in: one real-time route (read the
 * lead's context, guard the owner, write) and a bulk re-route of 10,000 leads; and what polling
 * spends a day on a Developer Edition org when the Pub/Sub API is unavailable.
 */
import { SalesforceChangeFeed } from '../../companion/src/crm/salesforce/salesforce-changes.js';
import { createSalesforceCrm } from '../../companion/src/crm/salesforce/salesforce.factory.js';
import { SalesforceStandIn } from '../salesforce/stand-in/stand-in.server.js';
import type { Report } from './run.js';

export default async function (report: Report): Promise<void> {
  const standIn = await SalesforceStandIn.start();
  try {
    const org = standIn.org;
    const user = (name: string) =>
      org.insert('User', { Name: name, IsActive: true, UserType: 'Standard' }, true).Id;
    const from = user('Queue holder');
    const to = user('Picked rep');
    const { crm } = await createSalesforceCrm({
      loginUrl: standIn.url,
      clientId: standIn.clientId,
      username: standIn.username,
      privateKey: standIn.privateKeyPem,
    });

    // One real-time route.
    const campaign = org.insert('Campaign', { Name: 'Partner webinar', Type: 'Webinar' }, true).Id;
    const lead = org.insert(
      'Lead',
      { LastName: 'Lovelace', Company: 'Analytical', OwnerId: from, IsConverted: false },
      true,
    ).Id;
    org.insert('CampaignMember', { CampaignId: campaign, LeadId: lead, Status: 'Attended' }, true);
    standIn.resetCounts();
    await crm.getLeadContexts([lead]);
    const [written] = await crm.updateLeads([
      { id: lead, fields: { OwnerId: to, Routing_Reason__c: 'Partner pool' }, expectedOwnerId: from },
    ]);
    if (!written?.ok) throw new Error(`the real-time route did not write: ${JSON.stringify(written)}`);
    report({
      name: 'salesforce: API calls for one real-time route',
      value: standIn.apiCalls(),
      unit: 'calls',
      target: '<= 3',
    });

    // A bulk re-route of 10,000 leads.
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      org.insert(
        'Lead',
        { LastName: `Lead ${i}`, Company: `Company ${i}`, OwnerId: from, IsConverted: false },
        true,
      );
    }
    standIn.resetCounts();
    const started = performance.now();
    const ids: string[] = [];
    for await (const page of crm.streamLeads()) for (const l of page) if (l.OwnerId === from) ids.push(l.Id);
    const results = await crm.updateLeads(
      ids.map((id) => ({ id, fields: { OwnerId: to }, expectedOwnerId: from })),
    );
    const elapsed = performance.now() - started;
    if (results.length !== n || results.some((r) => !r.ok))
      throw new Error('the bulk re-route did not write every lead');
    const calls = standIn.calls();
    report({
      name: 'salesforce: write calls per 200 leads, bulk re-route of 10,000',
      value: (calls['composite'] ?? 0) / (n / 200),
      unit: 'calls',
      target: '<= 1',
    });
    report({
      name: 'salesforce: API calls per lead, bulk re-route of 10,000 (reads, owner guard, writes)',
      value: standIn.apiCalls() / n,
      unit: 'calls',
    });
    report({
      name: 'salesforce: bulk re-route of 10,000 leads against the local stand-in',
      value: elapsed,
      unit: 'ms',
    });
  } finally {
    await standIn.close();
  }
  await pollingPerDay(report);
}

/** A Developer Edition org (15,000 calls a day, the companion's share half of it), polled. */
async function pollingPerDay(report: Report): Promise<void> {
  const standIn = await SalesforceStandIn.start({ dailyApiMax: 15_000 });
  try {
    const { api, auth } = await createSalesforceCrm({
      loginUrl: standIn.url,
      clientId: standIn.clientId,
      username: standIn.username,
      privateKey: standIn.privateKeyPem,
      verifySchema: false,
    });
    const budget = api.health().budget!;
    const feed = new SalesforceChangeFeed({
      api,
      auth,
      store: { get: async () => null, set: async () => undefined },
      pubSub: null,
      onChange: () => undefined,
    });
    standIn.resetCounts();
    await feed.pollOnce();
    report({
      name: 'polling: API calls per day, Developer Edition org (budget share 7,500 a day)',
      value: (standIn.apiCalls() * 86_400_000) / feed.pollEveryMs(),
      unit: 'calls',
      target: `<= ${budget * 0.1} (10 % of the budget share)`,
    });
  } finally {
    await standIn.close();
  }
}
