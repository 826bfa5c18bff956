/**
 * Bulk reassignment of 10,000 leads against the Salesforce stand-in: a rep who left (inactive) owns
 * them, and `RoutingService.reassign` moves them through the flows `init-routing` wrote for the org
 * (Acme, not the demo org), in batches of 200, as `npm run cli -- reassign` does through the API.
 * Figures: the time end to end and the write calls per 200 leads the stand-in counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readOrgRoutingSet } from '../../companion/src/routing/flow-files.js';
import { writeRoutingFolder } from '../../companion/src/routing/routing-folder.js';
import { RoutingService } from '../../companion/src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import { ACME_COUNTRIES, seedAcmeOrg } from '../salesforce/acme-org.fixture.js';
import { startHarness } from '../salesforce/salesforce.fixture.js';
import type { Report } from './run.js';

const LEADS = 10_000;

export default async function (report: Report): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-reassign-bench-'));
  const store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  const h = await startHarness();
  try {
    h.clock.now = Date.now();
    const acme = seedAcmeOrg(h.standIn);
    const folder = path.join(dir, 'acme-routing');
    await writeRoutingFolder(h.crm, folder, { leaveOut: [h.auth.userId] });
    const routingSet = await readOrgRoutingSet(folder, {
      users: await h.crm.listUsers(),
      queues: await h.crm.listQueues(),
    });
    const service = await RoutingService.create({ crm: h.crm, store, routingSet, meter: h.api.meter });
    const leaver = acme.inside.paula;
    for (let i = 0; i < LEADS; i++) {
      h.standIn.org.insert(
        'Lead',
        {
          LastName: `Left ${i}`,
          Company: `Leftover ${i} AG`,
          Email: `left${i}@leftover${i}.example`,
          Country: ACME_COUNTRIES[i % ACME_COUNTRIES.length],
          Status: 'Open - Not Contacted',
          OwnerId: leaver,
          IsConverted: false,
        },
        true,
      );
    }
    h.standIn.resetCounts();
    const started = performance.now();
    const run = await service.reassign({
      runId: 'bench-rep-left',
      ownerId: leaver,
      reason: 'Paula left the company',
      actorId: null,
    });
    const seconds = (performance.now() - started) / 1000;
    if (run.leads !== LEADS || run.failed.length > 0 || run.moved + run.pending !== LEADS)
      throw new Error(
        `the reassignment did not move every lead: ${JSON.stringify({ ...run, moves: undefined })}`,
      );
    const calls = h.standIn.calls();
    report({
      name: `reassignment: bulk reassignment of ${LEADS.toLocaleString('en')} leads against the stand-in (a rep who left)`,
      value: seconds,
      unit: 's',
      target: '<= 60',
    });
    report({
      name: `reassignment: write calls per 200 leads, bulk reassignment of ${LEADS.toLocaleString('en')}`,
      value: (calls['composite'] ?? 0) / (LEADS / 200),
      unit: 'calls',
      target: '<= 1',
    });
    report({
      name: `reassignment: API calls per lead, bulk reassignment of ${LEADS.toLocaleString('en')} (find, read, write)`,
      value: h.standIn.apiCalls() / LEADS,
      unit: 'calls',
    });
  } finally {
    await h.standIn.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
