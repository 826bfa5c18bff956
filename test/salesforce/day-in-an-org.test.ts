import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalesforceChangeFeed } from '../../companion/src/crm/salesforce/salesforce-changes.js';
import { SalesforceOrgRead } from '../../companion/src/crm/salesforce/salesforce-org-read.js';
import { startBackgroundJobs, type BackgroundJobs } from '../../companion/src/jobs/background-jobs.js';
import { readOrgRoutingSet } from '../../companion/src/routing/flow-files.js';
import { writeRoutingFolder } from '../../companion/src/routing/routing-folder.js';
import { RoutingService } from '../../companion/src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import type { Store } from '../../companion/src/store/store.js';
import { seedAcmeOrg, type AcmeOrg } from './acme-org.fixture.js';
import { startHarness, type Harness } from './salesforce.fixture.js';
import { PubSubStandIn } from './stand-in/pubsub.server.js';

// A day in an org that is not the demo org: the companion wired as `npm start` wires it in salesforce
// mode (routing service, background jobs, change feed) against the stand-in's REST and Pub/Sub APIs,
// routing with the folder `init-routing` wrote from Acme's own people, queues and countries. The day's
// events arrive as Salesforce sends them; at the end every lead has the owner the folder's flow says,
// with one decision per trigger the flow takes and none for routing's own writes.

let store: Store;
let h: Harness;
let pubsub: PubSubStandIn;
let jobs: BackgroundJobs;
let feed: SalesforceChangeFeed | undefined;
let dir: string;
beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  dir = mkdtempSync(path.join(tmpdir(), 'switchyard-day-'));
}, 120_000);
afterAll(async () => {
  await feed?.stop();
  await jobs?.stop();
  await pubsub?.close();
  await h?.standIn.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits (on a loaded machine, up to a minute) for what the day's events set off. */
async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited a minute for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Countries people type; the folder's territory rows cover Acme's countries (DE, US, JP), not Brazil. */
const COUNTRIES = ['Germany', 'United States', 'Japan', 'DE', 'USA', 'Brazil'] as const;
const covered = (country: string) => country !== 'Brazil';

describe('a day in an org', () => {
  it('routes every lead of the day to the owner its flows say, once per trigger, whatever path its events take', async () => {
    h = await startHarness();
    h.clock.now = Date.now();
    pubsub = await PubSubStandIn.start(h.standIn);
    const acme: AcmeOrg = seedAcmeOrg(h.standIn);
    const org = h.standIn.org;

    // The admin's first step: a routing folder from the org, loaded as the companion loads SWITCHYARD_ROUTING_DIR.
    const folder = path.join(dir, 'acme-routing');
    await writeRoutingFolder(h.crm, folder, { leaveOut: [h.auth.userId] });
    const routingSet = await readOrgRoutingSet(folder, {
      users: await h.crm.listUsers(),
      queues: await h.crm.listQueues(),
    });
    const service = await RoutingService.create({ crm: h.crm, store, routingSet, meter: h.api.meter });
    jobs = await startBackgroundJobs({
      store,
      service,
      crm: h.crm,
      org: new SalesforceOrgRead(h.api),
      retention: { decisionDays: null, outboxDays: 7, requestKeyDays: 7 },
      meter: h.api.meter,
      onError: (error, where) => console.warn(`background job ${where}:`, error),
    });
    await jobs.changeEvents.start();
    const connect = (pubSub: boolean) => {
      feed = new SalesforceChangeFeed({
        api: h.api,
        auth: h.auth,
        store: store.replayIds,
        pubSub: pubSub ? { address: pubsub.address, insecure: true } : null,
        pollIntervalMs: 3_600_000,
        onChange: (event) => jobs.changeEvents.onChange(event),
      });
      return feed;
    };
    expect(await connect(true).start()).toBe('pubsub');
    await until('the feed subscribes', () => pubsub.activeSubscriptions() > 0);
    h.standIn.resetCounts();

    const today: string[] = [];
    let n = 0;
    const lead = (country: string) => ({
      LastName: `Lead ${++n}`,
      Company: `Company ${n}`,
      Email: `lead${n}@company${n}.example`,
      Country: country,
      Status: 'Open - Not Contacted',
      OwnerId: acme.omar,
      IsConverted: false,
    });
    /** Leads a person (or a form) creates in the org, one transaction each, as the admin. */
    const create = (countries: readonly string[]) =>
      countries.map((country) => {
        const id = org.insert('Lead', lead(country)).Id;
        today.push(id);
        return id;
      });
    const decisionsOf = async (id: string) => (await service.history(id, 10)).map((d) => d.decision.trigger);
    const routed = (ids: string[]) => async () => {
      for (const id of ids) if ((await decisionsOf(id)).length === 0) return false;
      return true;
    };
    /** Routed, and the decision's writes done (a decision is stored before its writes are sent). */
    const written = (ids: string[]) => async () => {
      for (const id of ids) {
        const [newest] = await service.history(id, 1);
        if (!newest || newest.status === 'pending') return false;
      }
      return true;
    };

    // Morning: new leads one by one.
    const singles = create(COUNTRIES);
    await until('the single leads are routed and written', written(singles));

    // A list upload: 200 leads in one insert, one transaction.
    const writesBefore = h.standIn.calls()['composite'] ?? 0;
    const bulk = org.transaction(() => create(Array.from({ length: 200 }, (_, i) => COUNTRIES[i % 6]!)));
    await until('the 200 uploaded leads are routed and written', written(bulk));
    // 200 change events (each lead its own values), at most 100 a FetchResponse: the feed waits for
    // the rest of a delivery that used up what it asked for, so they are routed together, with one
    // sObject Collections write of 200 records.
    expect((h.standIn.calls()['composite'] ?? 0) - writesBefore).toBe(1);

    // A partner event: campaign members added; the folder's flow takes no campaign-member trigger.
    const campaign = org.insert('Campaign', { Name: 'Partner summit', Type: 'Partner', IsActive: true }).Id;
    for (const id of singles.slice(0, 3))
      org.insert('CampaignMember', { CampaignId: campaign, LeadId: id, Status: 'Sent' });

    // Reps change statuses; an account is marked Actively Working: no flow of the folder takes these.
    for (const id of bulk.slice(0, 10)) org.update('Lead', id, { Status: 'Working - Contacted' });
    const account = org.insert('Account', { Name: 'Company 1', Website: 'company1.example' }).Id;
    org.update('Account', account, { BDR_Prospecting_Status__c: 'Actively Working' });

    // Lars leaves: his open leads go through the territory again, to someone at work.
    const larsLeads = today.filter((id) => org.get('Lead', id)?.['OwnerId'] === acme.inside.lars);
    expect(larsLeads.length).toBeGreaterThan(0);
    org.update('User', acme.inside.lars, { IsActive: false });
    await until('Lars’s leads are routed again', async () => {
      for (const id of larsLeads) if (org.get('Lead', id)?.['OwnerId'] === acme.inside.lars) return false;
      return true;
    });

    // The stream is cut (a maintenance window) and resumes; leads created meanwhile are not lost.
    pubsub.dropStreams();
    const duringCut = create(['Germany', 'Brazil']);
    await until('leads created during the cut are routed', routed(duringCut));

    // The companion is down past the event retention: the replay id has expired when it comes back.
    await feed!.stop();
    const whileDown = create(['Japan', 'USA', 'Brazil']);
    pubsub.expireEvents();
    expect(await connect(true).start()).toBe('pubsub');
    await until('leads created while down are routed', routed(whileDown));

    // An hour without the Pub/Sub API: polling, once an interval.
    await feed!.stop();
    const polled = create(['United States', 'DE']);
    expect(await connect(false).start()).toBe('polling');
    await feed!.pollOnce();
    await until('polled leads are routed', routed(polled));
    await feed!.pollOnce();

    // Let anything still on its way arrive before counting.
    await new Promise((r) => setTimeout(r, 500));

    // Every lead has the owner the flow says: its country's pool, never the leaver or the inactive
    // Paula; a lead no row covers waits in Acme's lead queue.
    const atWork = new Set([acme.inside.ines, acme.inside.maya]);
    const wrong: string[] = [];
    for (const id of today) {
      const record = org.get('Lead', id)!;
      const owner = record['OwnerId'] as string;
      const ok = covered(record['Country'] as string) ? atWork.has(owner) : owner === acme.inboundQueue;
      if (!ok) wrong.push(`${id} (${String(record['Country'])}) owned by ${owner}`);
    }
    expect(wrong, 'leads whose owner is not the one the flow says').toEqual([]);

    // One decision per real trigger: created once; Lars's leads once more, as a leaver's. None for
    // routing's own writes, the reps' status changes, campaign members or the account.
    const unexpected: string[] = [];
    for (const id of today) {
      const expected = larsLeads.includes(id) ? ['inactive-owner', 'created'] : ['created'];
      const actual = await decisionsOf(id);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) unexpected.push(`${id}: ${actual.join(', ')}`);
    }
    expect(unexpected, 'leads with other decisions than their triggers').toEqual([]);

    const calls = h.standIn.apiCalls();
    console.log(
      `A day in an org: ${today.length} leads routed (${larsLeads.length} again after their owner left), ` +
        `${calls} API calls (${(calls / today.length).toFixed(2)} per lead): ${JSON.stringify(h.standIn.calls())}`,
    );
  }, 600_000);
});
