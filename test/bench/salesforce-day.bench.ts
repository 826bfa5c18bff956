/**
 * API calls per routed lead over a day in an org (Acme, not the demo org), counted by the Salesforce
 * stand-in: the companion wired as salesforce mode wires it (routing service, background jobs, the
 * Pub/Sub change feed) routes leads created one by one, then a 200-lead insert in one transaction.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SalesforceChangeFeed } from '../../companion/src/crm/salesforce/salesforce-changes.js';
import { SalesforceOrgRead } from '../../companion/src/crm/salesforce/salesforce-org-read.js';
import { startBackgroundJobs } from '../../companion/src/jobs/background-jobs.js';
import { readOrgRoutingSet } from '../../companion/src/routing/flow-files.js';
import { writeRoutingFolder } from '../../companion/src/routing/routing-folder.js';
import { RoutingService } from '../../companion/src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import { seedAcmeOrg } from '../salesforce/acme-org.fixture.js';
import { startHarness } from '../salesforce/salesforce.fixture.js';
import { PubSubStandIn } from '../salesforce/stand-in/pubsub.server.js';
import type { Report } from './run.js';

const SINGLES = 20;
const UPLOAD = 200;

export default async function (report: Report): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-day-bench-'));
  const store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  const h = await startHarness();
  h.clock.now = Date.now();
  const pubsub = await PubSubStandIn.start(h.standIn);
  const acme = seedAcmeOrg(h.standIn);
  const org = h.standIn.org;
  const folder = path.join(dir, 'acme-routing');
  await writeRoutingFolder(h.crm, folder, { leaveOut: [h.auth.userId] });
  const routingSet = await readOrgRoutingSet(folder, {
    users: await h.crm.listUsers(),
    queues: await h.crm.listQueues(),
  });
  const service = await RoutingService.create({ crm: h.crm, store, routingSet, meter: h.api.meter });
  const jobs = await startBackgroundJobs({
    store,
    service,
    crm: h.crm,
    org: new SalesforceOrgRead(h.api),
    retention: { decisionDays: null, outboxDays: 7, requestKeyDays: 7 },
    meter: h.api.meter,
    onError: (error, where) => console.warn(`background job ${where}:`, error),
  });
  await jobs.changeEvents.start();
  const feed = new SalesforceChangeFeed({
    api: h.api,
    auth: h.auth,
    store: store.replayIds,
    pubSub: { address: pubsub.address, insecure: true },
    pollIntervalMs: 3_600_000,
    onChange: (event) => jobs.changeEvents.onChange(event),
  });
  try {
    await feed.start();
    while (pubsub.activeSubscriptions() === 0) await new Promise((r) => setTimeout(r, 10));
    let n = 0;
    const lead = () => ({
      LastName: `Lead ${++n}`,
      Company: `Company ${n}`,
      Email: `lead${n}@company${n}.example`,
      Country: n % 2 === 0 ? 'Germany' : 'Japan',
      Status: 'Open - Not Contacted',
      OwnerId: acme.omar,
      IsConverted: false,
    });
    const routed = async (ids: string[]) => {
      const deadline = Date.now() + 120_000;
      for (const id of ids) {
        while ((await service.history(id, 1)).length === 0) {
          if (Date.now() > deadline) throw new Error(`lead ${id} was not routed within two minutes`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    /** Calls until routing's own writes have come back and been handled as echoes. */
    const settle = () => new Promise((r) => setTimeout(r, 500));

    h.standIn.resetCounts();
    for (let i = 0; i < SINGLES; i++) await routed([org.insert('Lead', lead()).Id]);
    await settle();
    report({
      name: 'salesforce day: API calls per lead routed in real time (created one by one, Pub/Sub)',
      value: h.standIn.apiCalls() / SINGLES,
      unit: 'calls',
      target: '<= 3',
    });

    h.standIn.resetCounts();
    const upload = org.transaction(() => Array.from({ length: UPLOAD }, () => org.insert('Lead', lead()).Id));
    await routed(upload);
    await settle();
    report({
      name: 'salesforce day: API calls per 200 leads of a 200-lead insert (200 change events, 100 a delivery)',
      value: h.standIn.apiCalls(),
      unit: 'calls',
    });
    report({
      name: 'salesforce day: write calls for a 200-lead insert',
      value: h.standIn.calls()['composite'] ?? 0,
      unit: 'calls',
      target: '<= 1 per 200 leads',
    });
  } finally {
    await feed.stop();
    await jobs.stop();
    await pubsub.close();
    await h.standIn.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
