import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leadStatusesUsed } from '../../companion/src/engine/lead-statuses-used.js';
import {
  assertOrgReady,
  checkOrg,
  checkOrgSetup,
} from '../../companion/src/crm/salesforce/salesforce-doctor.js';
import { runDoctor } from '../../companion/src/crm/salesforce/salesforce-doctor.command.js';
import { seedAcmeOrg } from './acme-org.fixture.js';
import { openDatabase } from '../../companion/src/store/open-database.js';
import { MIGRATIONS } from '../../companion/src/store/migrations.js';
import { insertVersion } from '../../companion/src/store/routing-version.repository.js';
import { REQUIRED_SCHEMA } from '../../companion/src/crm/salesforce/salesforce-fields.js';
import { createSalesforceCrm } from '../../companion/src/crm/salesforce/salesforce.factory.js';
import { seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness | undefined;
let flowsDir: string | undefined;
/** The companion's data folder for one test: none there until a test stores versions in it. */
let dataDir = '';
beforeEach(() => {
  dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'switchyard-doctor-data-')), 'store');
});
afterEach(async () => {
  await h?.standIn.close();
  h = undefined;
  if (flowsDir) rmSync(flowsDir, { recursive: true, force: true });
  flowsDir = undefined;
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

/**
 * A routing folder for the stand-in org: one flow that reads one lead status and writes another, and
 * assigns to a user of that org.
 */
function routingFolder(h: Harness, statuses: { reads: string; writes: string }): string {
  const rep = seedUser(h.standIn, 'Rep');
  flowsDir = mkdtempSync(path.join(tmpdir(), 'switchyard-doctor-flows-'));
  writeFileSync(
    path.join(flowsDir, 'working.flow.yaml'),
    `flow: working
version: 1
label: Working
trigger: { on: [updated] }
start: check
nodes:
  check:
    type: decision
    branches:
      - when: { field: lead.Status, op: equals, value: ${statuses.reads} }
        next: work
    default: done
  work: { type: update, set: { Status: ${statuses.writes} }, next: give }
  give: { type: assign, to: { user: ${rep} }, next: done }
  done: { type: end }
`,
  );
  writeFileSync(path.join(flowsDir, 'pools.yaml'), 'pools: []\n');
  writeFileSync(path.join(flowsDir, 'territories.yaml'), 'territories: []\n');
  return flowsDir;
}

function env(h: Harness): Record<string, string> {
  return {
    SF_LOGIN_URL: h.standIn.url,
    SF_CLIENT_ID: h.standIn.clientId,
    SF_USERNAME: h.standIn.username,
    SF_PRIVATE_KEY: h.standIn.privateKeyPem.replace(/\n/g, '\\n'),
    SWITCHYARD_DATA_DIR: dataDir,
  };
}

describe('Salesforce startup check', () => {
  it('finds everything routing reads and writes in an org with the package deployed', async () => {
    h = await startHarness();
    const report = await checkOrg(h.api, REQUIRED_SCHEMA);
    expect(report.problems).toEqual([]);
    expect(report.objects).toBe(7);
    expect(h.standIn.calls()).toEqual({ describe: 7 });
  });

  it('lists every missing field, read-only written field and extra flow field in one error', async () => {
    h = await startHarness();
    h.standIn.org.missingFields.add('Lead.Partner_Share_Status__c');
    h.standIn.org.missingFields.add('Account.BDR_Assigned__c');
    h.standIn.org.readOnlyFields.add('Lead.Routing_Reason__c');
    const err = await createSalesforceCrm({
      loginUrl: h.standIn.url,
      clientId: h.standIn.clientId,
      username: h.standIn.username,
      privateKey: h.standIn.privateKeyPem,
      extraSchema: [
        { object: 'Lead', read: ['Lead_Score__c'], write: [] },
        { object: 'Territory__c', read: ['Name'], write: [] },
      ],
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_SETUP_INCOMPLETE' });
    const problems = (err as { problems: string[] }).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toContain('Lead.Partner_Share_Status__c: field missing');
    expect(problems.join('\n')).toContain(
      'Lead.Routing_Reason__c: routing writes this field but it is read-only',
    );
    expect(problems.join('\n')).toContain('Account.BDR_Assigned__c: field missing');
    expect(problems.join('\n')).toContain('Lead.Lead_Score__c: field missing');
    expect(problems.join('\n')).toContain('Territory__c: the object is missing');
    expect((err as Error).message).toContain('npm run doctor');
  });
});

describe('npm run doctor', () => {
  it('says the org is ready when it is', async () => {
    h = await startHarness();
    const dir = routingFolder(h, { reads: 'Open - Not Contacted', writes: 'Working - Contacted' });
    const lines: string[] = [];
    expect(
      await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: dir }, (l) => lines.push(l)),
      lines.join('\n'),
    ).toBe(0);
    expect(lines.join('\n')).toContain('The org is ready');
    expect(lines.join('\n')).toMatch(
      /API limit: \d+ of 100000 daily calls left; Switchyard's budget is 50000/,
    );
  });

  it('lists every problem of a misconfigured org in one run', async () => {
    h = await startHarness();
    const dir = routingFolder(h, { reads: 'MQL', writes: 'Working - Contacted' });
    const org = h.standIn.org;
    org.missingFields.add('Account.BDR_Assigned__c');
    org.delete(
      'PlatformEventChannelMember',
      [...org.table('PlatformEventChannelMember').values()].find(
        (m) => m['SelectedEntity'] === 'UserChangeEvent',
      )!.Id,
    );
    const profile = [...org.table('PermissionSet').values()].find((p) => p['IsOwnedByProfile'])!;
    org.update('PermissionSet', profile.Id, {
      PermissionsConvertLeads: false,
      PermissionsViewAllUsers: false,
      PermissionsViewSetup: false,
      PermissionsSendCustomNotifications: false,
    });
    const leadViewAll = [...org.table('ObjectPermissions').values()].find(
      (o) => o['SobjectType'] === 'Lead',
    )!;
    org.update('ObjectPermissions', leadViewAll.Id, { PermissionsViewAllRecords: false });
    const apex = [...org.table('ApexClass').values()][0]!;
    org.update('ApexClass', apex.Id, { ApiVersion: 58 });
    const lines: string[] = [];
    expect(await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: dir }, (l) => lines.push(l))).toBe(1);
    const out = lines.join('\n');
    expect(out).toContain('✗ 9 problem(s)');
    expect(out).toContain('Account.BDR_Assigned__c: field missing');
    expect(out).toContain(
      `Lead Status "MQL" (working.flow.yaml › check) is not a value of the org's Lead Status picklist`,
    );
    expect(out).toContain('Change Data Capture is not selected for User');
    expect(out).toContain('lacks Convert Leads');
    expect(out).toContain('lacks View All Users');
    expect(out).toContain('lacks View Setup and Configuration');
    expect(out).toContain(
      "lacks Send Custom Notifications: the pickup clock's bell and mobile notifications",
    );
    expect(out).toContain('lacks View All on Lead');
    expect(out).toContain('deployed at API version 58.0 but the companion calls version 63.0');
  });

  it('lists each person and queue the routing folder names that the org lacks, and the inactive ones', async () => {
    h = await startHarness();
    const acme = seedAcmeOrg(h.standIn);
    flowsDir = mkdtempSync(path.join(tmpdir(), 'switchyard-doctor-flows-'));
    writeFileSync(
      path.join(flowsDir, 'pools.yaml'),
      `pools:
  - name: inside
    strategy: round-robin
    members:
      - { user: ines.weber@acme.example }
      - { user: lars@acme.com }
      - { user: ${acme.inside.maya} }
      - { user: paula.stein@acme.example }
      - { user: nina.roth@acme.example }
`,
    );
    writeFileSync(path.join(flowsDir, 'territories.yaml'), 'territories: []\n');
    writeFileSync(
      path.join(flowsDir, 'inbound.flow.yaml'),
      `flow: inbound
version: 1
label: Inbound
trigger: { on: [created] }
start: give
nodes:
  give: { type: assign, to: [{ pool: inside }, { queue: Inbound Leads }, { queue: Support_Cases }], next: done }
  done: { type: end }
`,
    );
    const lines: string[] = [];
    // The folder comes from SWITCHYARD_ROUTING_DIR, as the companion's start reads it.
    expect(await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: flowsDir }, (l) => lines.push(l))).toBe(1);
    const problems = lines.filter((l) => l.includes('routing set:'));
    expect(problems).toEqual([
      `    - routing set: ${flowsDir}/inbound.flow.yaml:7:57 nodes.give.to[1].queue: 'Inbound Leads' is the label of queue Inbound_Leads: name queues by DeveloperName (write Inbound_Leads)`,
      `    - routing set: ${flowsDir}/inbound.flow.yaml:7:83 nodes.give.to[2].queue: queue Support_Cases does not take Leads: add Lead to its Supported Objects (Setup → Queues → Edit), or name another queue`,
      `    - routing set: ${flowsDir}/pools.yaml:9:17 pools[0].members[4].user: no user with username or email 'nina.roth@acme.example' in this org: correct it, or create the user (Setup → Users); did you mean 'maya.cruz@acme.example'?`,
      `    - routing set: 3 problem(s) above in the routing folder ${flowsDir} (the store holds no version yet: the first start stores it as version 1): fix them in ${flowsDir}, or write a folder from this org with npm run cli -- init-routing --out <folder> and set SWITCHYARD_ROUTING_DIR to it`,
    ]);
    expect(lines).toContain('  ✗ 4 problem(s):');
  });

  it('tells the inactive people a routing folder that loads names, and passes', async () => {
    h = await startHarness();
    seedAcmeOrg(h.standIn);
    flowsDir = mkdtempSync(path.join(tmpdir(), 'switchyard-doctor-flows-'));
    writeFileSync(
      path.join(flowsDir, 'pools.yaml'),
      'pools:\n  - name: inside\n    strategy: round-robin\n    members: [{ user: ines@acme.com }, { user: paula.stein@acme.example }]\n',
    );
    writeFileSync(path.join(flowsDir, 'territories.yaml'), 'territories: []\n');
    const lines: string[] = [];
    expect(
      await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: flowsDir }, (l) => lines.push(l)),
      lines.join('\n'),
    ).toBe(0);
    expect(lines).toContain(
      `  ✓ the routing folder ${flowsDir} (the store holds no version yet: the first start stores it as version 1) names 2 people and queues, all in the org`,
    );
    expect(lines).toContain(
      `  ! ${flowsDir}/pools.yaml:4:48 pools[0].members[1].user: Paula Stein (paula.stein@acme.example) is inactive: routing passes over them; reactivate the user (Setup → Users) or take them out of the routing set`,
    );
  });

  it('checks the live routing version in the store, not the folder, and says which version it checked', async () => {
    h = await startHarness();
    const dir = routingFolder(h, { reads: 'Open - Not Contacted', writes: 'Working - Contacted' });
    const files = Object.fromEntries(
      ['working.flow.yaml', 'pools.yaml', 'territories.yaml'].map((f) => [
        f,
        readFileSync(path.join(dir, f), 'utf8'),
      ]),
    );
    /** Stores a version as the companion would; the store is closed again for the doctor to open. */
    const store = async (version: number, text: Record<string, string>, reason: string) => {
      const opened = await openDatabase({ databaseUrl: null, dataDir });
      try {
        await insertVersion(opened.db, {
          version,
          files: text,
          action: version === 1 ? 'first-start' : 'publish',
          author: { id: 'switchyard', name: 'Switchyard' },
          reason,
          baseVersion: version === 1 ? null : version - 1,
          changes: [],
        });
      } finally {
        await opened.close();
      }
    };
    await store(1, files, 'first start');
    const ready: string[] = [];
    expect(await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: dir }, (l) => ready.push(l))).toBe(0);
    expect(ready).toContainEqual(
      expect.stringMatching(
        /^ {2}✓ the live routing version 1 \(first-start by Switchyard at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: "first start"\) names 1 people and queues, all in the org$/,
      ),
    );

    // Version 2, published since, names a user the org does not have; the folder still loads.
    await store(
      2,
      {
        ...files,
        'pools.yaml':
          'pools:\n  - name: inside\n    strategy: round-robin\n    members: [{ user: nobody@acme.example }]\n',
      },
      'a new rep',
    );
    const lines: string[] = [];
    expect(await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: dir }, (l) => lines.push(l))).toBe(1);
    const out = lines.join('\n');
    expect(out).toMatch(
      /- routing set: version 2: pools\.yaml:4:\d+ pools\[0\]\.members\[0\]\.user: no user with username or email 'nobody@acme\.example' in this org/,
    );
    expect(out).toMatch(
      /- routing set: 1 problem\(s\) above in the live routing version 2 \(publish by Switchyard at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: "a new rep"\): fix the org, or export the live set .* --base 2/,
    );
    expect(out).not.toContain(dir);
  }, 180_000);

  it('leaves an empty database empty: no tables created, the routing folder checked instead', async () => {
    h = await startHarness();
    const dir = routingFolder(h, { reads: 'Open - Not Contacted', writes: 'Working - Contacted' });
    // An embedded database with no tables, as a fresh PostgreSQL database is.
    mkdirSync(dataDir, { recursive: true });
    const empty = new PGlite(path.join(dataDir, 'pgdata'));
    await empty.waitReady;
    await empty.close();
    const lines: string[] = [];
    expect(
      await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: dir }, (l) => lines.push(l)),
      lines.join('\n'),
    ).toBe(0);
    expect(lines).toContain(
      `  ✓ the routing folder ${dir} (the store has no tables yet: the first start creates them and stores the folder as version 1) names 1 people and queues, all in the org`,
    );
    const after = new PGlite(path.join(dataDir, 'pgdata'));
    try {
      const { rows } = await after.query<{ n: number }>(
        `select count(*)::int as n from pg_tables where schemaname = 'public'`,
      );
      expect(rows[0]!.n).toBe(0);
    } finally {
      await after.close();
    }
  }, 180_000);

  it('leaves a data folder that holds no database as it is: nothing created in it', async () => {
    h = await startHarness();
    const dir = routingFolder(h, { reads: 'Open - Not Contacted', writes: 'Working - Contacted' });
    // The folder the companion is told to use, made before its first start.
    mkdirSync(dataDir, { recursive: true });
    const lines: string[] = [];
    expect(
      await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: dir }, (l) => lines.push(l)),
      lines.join('\n'),
    ).toBe(0);
    expect(lines).toContain(
      `  ✓ the routing folder ${dir} (the store holds no version yet: the first start stores it as version 1) names 1 people and queues, all in the org`,
    );
    expect(readdirSync(dataDir)).toEqual([]);
  }, 180_000);

  it('refuses a store migrated by a newer Switchyard, says what to do, and leaves it as it is', async () => {
    h = await startHarness();
    const dir = routingFolder(h, { reads: 'Open - Not Contacted', writes: 'Working - Contacted' });
    const opened = await openDatabase({ databaseUrl: null, dataDir });
    await opened.executeSql(
      `insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01')`,
    );
    await opened.close();
    const lines: string[] = [];
    expect(await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: dir }, (l) => lines.push(l))).toBe(1);
    const last = Object.keys(MIGRATIONS).sort().at(-1)!;
    expect(lines).toContain(
      `    - The live routing version was not read, so the routing set was not checked, and the store was left as it is: The database's tables are newer than this checkout's (its last migration is 9999_from_the_future, this checkout knows up to ${last}): run this from the checkout the companion runs, or update this checkout.`,
    );
    const reopened = await openDatabase({ databaseUrl: null, dataDir }, { migrate: false }).catch(
      (e: unknown) => e,
    );
    expect(reopened).toMatchObject({ code: 'STORE_NOT_MIGRATED', state: 'newer' });
  }, 180_000);

  it('refuses a store older than this checkout without upgrading it', async () => {
    h = await startHarness();
    const dir = routingFolder(h, { reads: 'Open - Not Contacted', writes: 'Working - Contacted' });
    const last = Object.keys(MIGRATIONS).sort().at(-1)!;
    const opened = await openDatabase({ databaseUrl: null, dataDir });
    // As if the last migration had not shipped yet when the companion last started.
    await opened.executeSql(`delete from kysely_migration where name = $1`, [last]);
    await opened.close();
    const lines: string[] = [];
    expect(await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: dir }, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain(
      `The database's tables are older than this checkout's (its last migration is ${Object.keys(MIGRATIONS).sort().at(-2)!}, this checkout's ${last}): start the companion from this checkout`,
    );
    const reopened = await openDatabase({ databaseUrl: null, dataDir }, { migrate: false }).catch(
      (e: unknown) => e,
    );
    expect(reopened).toMatchObject({ code: 'STORE_NOT_MIGRATED', state: 'older' });
  }, 180_000);

  it('prints what to fix in the org', async () => {
    h = await startHarness();
    const dir = routingFolder(h, { reads: 'Open - Not Contacted', writes: 'Working - Contacted' });
    h.standIn.org.missingFields.add('User.Region__c');
    const lines: string[] = [];
    expect(await runDoctor({ ...env(h), SWITCHYARD_ROUTING_DIR: dir }, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('User.Region__c: field missing');
    expect(lines.join('\n')).toContain('permission set');
  });

  it('prints which settings are missing before trying to log in', async () => {
    const lines: string[] = [];
    expect(await runDoctor({ SF_LOGIN_URL: 'https://login.salesforce.com' }, (l) => lines.push(l))).toBe(1);
    const out = lines.join('\n');
    expect(out).toContain('SF_CLIENT_ID');
    expect(out).toContain('SF_USERNAME');
    expect(out).toContain('SF_PRIVATE_KEY_FILE');
    expect(out).not.toContain('SWITCHYARD_API_KEY');
  });

  it('explains a refused login', async () => {
    h = await startHarness();
    h.standIn.faults.refuseLogins = "user hasn't approved this consumer";
    const lines: string[] = [];
    expect(await runDoctor(env(h), (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('pre-authorised');
  });
});

describe('org set-up check', () => {
  it('is part of the startup check: one error lists the set-up problems with the missing fields', async () => {
    h = await startHarness();
    h.standIn.org.missingFields.add('Account.BDR_Assigned__c');
    const lead = [...h.standIn.org.table('PlatformEventChannelMember').values()].find(
      (m) => m['SelectedEntity'] === 'LeadChangeEvent',
    )!;
    h.standIn.org.delete('PlatformEventChannelMember', lead.Id);
    const err = await assertOrgReady(h.api, REQUIRED_SCHEMA, {
      userId: h.standIn.integrationUserId,
      leadStatuses: [],
      changeObjects: ['Lead', 'Account', 'User'],
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_SETUP_INCOMPLETE' });
    expect((err as { problems: string[] }).problems).toEqual([
      'Account.BDR_Assigned__c: field missing, or hidden from the integration user by field-level security',
      'Change Data Capture is not selected for Lead: routing hears nothing of its changes (npm run deploy selects it; or Setup → Change Data Capture)',
    ]);
  });

  it('wants a converted status that the org marks Converted, and one at all', async () => {
    h = await startHarness();
    const uses = [{ status: 'Working - Contacted', where: 'sales.flow.yaml › convert', converted: true }];
    const needs = { userId: h.standIn.integrationUserId, leadStatuses: uses, changeObjects: ['Lead'] };
    expect(await checkOrgSetup(h.api, needs)).toEqual([
      'Lead Status "Working - Contacted" (sales.flow.yaml › convert) converts leads but the org does not mark it Converted: mark it, or name a converted status',
    ]);
    for (const status of h.standIn.org.table('LeadStatus').values()) {
      h.standIn.org.update('LeadStatus', status.Id, { IsConverted: false });
    }
    expect((await checkOrgSetup(h.api, { ...needs, leadStatuses: [] }))[0]).toContain(
      'no value is marked Converted',
    );
  });

  it('finds the statuses flows compare, set and convert with', () => {
    const flow = {
      file: 'f.flow.yaml',
      nodes: {
        d: {
          type: 'decision',
          branches: [
            {
              when: {
                any: [
                  { field: 'lead.Status', op: 'in', value: ['A', 'B'] },
                  { field: 'lead.Status', op: 'changed' },
                ],
              },
              next: 'u',
            },
          ],
        },
        u: { type: 'update', set: { Status: 'C' }, next: 'c' },
        c: {
          type: 'convert',
          owner: { user: 'x' },
          createOpportunity: false,
          convertedStatus: 'D',
          next: 'e',
        },
      },
    } as unknown as Parameters<typeof leadStatusesUsed>[0] extends Iterable<infer F> ? F : never;
    expect(leadStatusesUsed([flow]).map((u) => [u.status, u.converted])).toEqual([
      ['A', false],
      ['B', false],
      ['C', false],
      ['D', true],
    ]);
  });
});
