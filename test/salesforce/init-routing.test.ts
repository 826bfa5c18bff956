import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initRouting } from '../../companion/src/cli/init-routing.js';
import { readRoutingSet } from '../../companion/src/routing/flow-files.js';
import { RoutingService } from '../../companion/src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import type { Store } from '../../companion/src/store/store.js';
import { seedAcmeOrg } from './acme-org.fixture.js';
import { startHarness, type Harness } from './salesforce.fixture.js';

// `npm run cli -- init-routing --out <folder>` against Salesforce (the stand-in), seeded with an org
// that is not the demo org: the folder it writes names Acme's people and queues, loads, and routes.

let store: Store;
let h: Harness | undefined;
let dir: string;
beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
}, 120_000);
afterAll(() => store.close());
afterEach(async () => {
  await h?.standIn.close();
  h = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function salesforceEnv(harness: Harness): Record<string, string> {
  return {
    SWITCHYARD_MODE: 'salesforce',
    SF_LOGIN_URL: harness.standIn.url,
    SF_CLIENT_ID: harness.standIn.clientId,
    SF_USERNAME: harness.standIn.username,
    SF_PRIVATE_KEY: harness.standIn.privateKeyPem,
  };
}

describe('npm run cli -- init-routing against a Salesforce org', () => {
  it('writes a folder naming the org’s people and queues, lists what it leaves out, and routes with it', async () => {
    h = await startHarness();
    const acme = seedAcmeOrg(h.standIn);
    dir = mkdtempSync(path.join(tmpdir(), 'switchyard-init-'));
    const out = path.join(dir, 'acme-routing');
    const lines: string[] = [];

    expect(await initRouting(['--out', out], salesforceEnv(h), (line) => lines.push(line))).toBe(0);

    expect(lines).toContain('  pools.yaml: pool inside-sales (Inside Sales), 3 people by username');
    expect(lines).toContain('  pools.yaml: pool field-sales (Field Sales), 1 person by username');
    expect(lines.slice(lines.indexOf('Left out (2):'))).toEqual([
      'Left out (2):',
      '  - user paula.stein@acme.example (Paula Stein): inactive; reactivate them to route to them',
      '  - queue Support_Cases: does not take Leads; add Lead to its Supported Objects (Setup → Queues) to route to it',
      expect.stringMatching(/^It loads against the org: 5 names of people and queues resolve\./),
    ]);
    const pools = readFileSync(path.join(out, 'pools.yaml'), 'utf8');
    expect(pools).toContain('- { user: "ines.weber@acme.example" } # Ines Weber');
    expect(pools).not.toMatch(/005SY|integration/i);
    expect(readFileSync(path.join(out, 'territories.yaml'), 'utf8')).toContain(
      '- { country: [DE], assign: { pool: inside-sales } } # EMEA, 2 leads',
    );
    expect(readFileSync(path.join(out, 'inbound.flow.yaml'), 'utf8')).toContain(
      '#   Closed - Converted (converted)',
    );

    // Loaded as the companion loads SWITCHYARD_ROUTING_DIR, and routing new leads.
    const routingSet = await readRoutingSet(out, {
      users: await h.crm.listUsers(),
      queues: await h.crm.listQueues(),
    });
    // A Sunday: the folder's pools route whatever the time (respectWorkingHours: false).
    const clock = () => new Date('2026-12-06T03:00:00Z');
    const service = await RoutingService.create({ crm: h.crm, store, routingSet, clock });
    const newLead = (country: string) =>
      h!.standIn.org.insert(
        'Lead',
        {
          LastName: country,
          Company: `${country} AG`,
          Country: country,
          Status: 'Open - Not Contacted',
          OwnerId: acme.omar,
          IsConverted: false,
        },
        true,
      ).Id;
    const german = [newLead('Germany'), newLead('DE'), newLead('Deutschland')];
    const brazilian = newLead('Brazil');
    for (const id of [...german, brazilian])
      await service.route({ leadId: id, trigger: { kind: 'created' } });

    const ownerOf = (id: string) => h!.standIn.org.get('Lead', id)?.['OwnerId'];
    const inside = [acme.inside.ines, acme.inside.lars, acme.inside.maya];
    // Round robin: three German leads, three different Inside Sales people; never the inactive one.
    expect(new Set(german.map(ownerOf))).toEqual(new Set(inside));
    // No row for Brazil: the lead queue.
    expect(ownerOf(brazilian)).toBe(acme.inboundQueue);

    // A rep who fixes the country and presses Re-route gets the lead routed again by the same table.
    h.standIn.org.update('Lead', brazilian, { Country: 'Germany' });
    const rerouted = await service.route({
      leadId: brazilian,
      trigger: { kind: 'reroute', reason: 'Country fixed', actorId: acme.omar },
    });
    expect(rerouted.decision.outcome).toBe('assigned');
    expect(inside).toContain(ownerOf(brazilian));

    // The handbook's other way: the rep fixes the country and ticks Re-run Routing. The change
    // comes in as an update naming the box; routing places the lead and clears the box.
    const ticked = newLead('Brasil');
    await service.route({ leadId: ticked, trigger: { kind: 'created' } });
    expect(ownerOf(ticked)).toBe(acme.inboundQueue);
    h.standIn.org.update('Lead', ticked, { Country: 'Germany', Rerun_Routing__c: true });
    const rerun = await service.route({
      leadId: ticked,
      trigger: {
        kind: 'updated',
        changedFields: ['Country', 'Rerun_Routing__c'],
        previous: { Country: 'Brasil', Rerun_Routing__c: false },
      },
    });
    expect(rerun.decision.flow.name).toBe('inbound');
    expect(rerun.decision.outcome).toBe('assigned');
    expect(inside).toContain(ownerOf(ticked));
    expect(h.standIn.org.get('Lead', ticked)?.['Rerun_Routing__c']).toBe(false);

    // Routing's own write clearing the box is an update of it too: it routes nothing, writes nothing.
    const owner = ownerOf(ticked);
    const [cleared] = await service.routeMany([
      {
        leadId: ticked,
        trigger: {
          kind: 'updated',
          changedFields: ['Rerun_Routing__c'],
          previous: { Rerun_Routing__c: true },
        },
      },
    ]);
    expect(cleared).toMatchObject({ error: { code: 'NOTHING_TO_CHANGE' } });
    expect(ownerOf(ticked)).toBe(owner);
  });

  it('refuses a folder that already holds files, and writes nothing into it', async () => {
    h = await startHarness();
    seedAcmeOrg(h.standIn);
    dir = mkdtempSync(path.join(tmpdir(), 'switchyard-init-'));
    const lines: string[] = [];
    await expect(initRouting(['--out', dir], salesforceEnv(h), (line) => lines.push(line))).resolves.toBe(0);
    const before = readFileSync(path.join(dir, 'pools.yaml'), 'utf8');
    await expect(initRouting(['--out', dir], salesforceEnv(h), () => {})).rejects.toMatchObject({
      code: 'ROUTING_FOLDER_REFUSED',
      message: expect.stringContaining(
        'already holds files (inbound.flow.yaml, pools.yaml, territories.yaml)',
      ),
    });
    expect(readFileSync(path.join(dir, 'pools.yaml'), 'utf8')).toBe(before);
  });
});
