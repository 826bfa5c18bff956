import { generateKeyPairSync, sign } from 'node:crypto';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalesforceOrgRead } from '../../companion/src/crm/salesforce/salesforce-org-read.js';
import { createApp } from '../../companion/src/http/app.js';
import { createLogger } from '../../companion/src/http/logger.js';
import { createMetrics } from '../../companion/src/http/metrics.js';
import { readOrgRoutingSet } from '../../companion/src/routing/flow-files.js';
import { writeRoutingFolder } from '../../companion/src/routing/routing-folder.js';
import { RoutingService } from '../../companion/src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import type { Store } from '../../companion/src/store/store.js';
import { listen, stop, urlOf } from '../support/local-companion.js';
import { seedAcmeOrg } from './acme-org.fixture.js';
import { seedUser, startHarness, type Harness } from './salesforce.fixture.js';

// Beside a real org, what a person gets through the companion is bounded by their own access in
// Salesforce, as the org reports it: UserRecordAccess for the leads they may read, edit and transfer,
// FieldPermissions for the fields they may read. The stand-in works both out from its sharing (lead
// organization-wide default Private here, owners, shares, View All, Transfer Leads) and answers them
// under the query rules Salesforce documents; the companion runs in salesforce mode, each call signed
// for its user as the Apex controller signs it.

const API_KEY = 'sharing-test-key-5e1c9a7d3b';
const orgKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const certificate = orgKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let h: Harness;
let store: Store;
let server: Server;
let url: string;
let dir: string;
/** The seller: owns 3 of the account's 10 matched leads; his profile reads Title but not Email. */
let sam: string;
/** Sales development: View All on Lead, reads every field. */
let ava: string;
/** Holds the re-route permission; owns no lead. */
let rex: string;
let account: string;
let samsLeads: string[];
let othersLeads: string[];
/** Shared with Rex for reading only, with Edit, and with Edit to a group he is in. */
let readShared: string;
let editShared: string;

function assertion(user: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'RS256' })}.${b64({
    iss: h.standIn.orgId,
    sub: user,
    aud: 'switchyard-companion',
    iat: now,
    exp: now + 120,
  })}`;
  return `${body}.${sign('RSA-SHA256', Buffer.from(body), orgKeys.privateKey).toString('base64url')}`;
}

async function call(method: string, route: string, user: string, body?: unknown) {
  const res = await fetch(url + route, {
    method,
    headers: {
      authorization: `Bearer ${API_KEY}`,
      'x-switchyard-user': user,
      'x-switchyard-assertion': assertion(user),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  h = await startHarness();
  h.clock.now = Date.now();
  const s = h.standIn;
  const o = s.org;
  const acme = seedAcmeOrg(s);
  o.orgWideDefaults['Lead'] = 'Private';

  const reroute = o.insert('CustomPermission', { DeveloperName: 'Switchyard_Reroute' }, true).Id;
  sam = seedUser(s, 'Sam Seller');
  ava = seedUser(s, 'Ava Sdr');
  rex = seedUser(s, 'Rex Rep');
  const team = o.insert('Group', { Name: 'Rex team', DeveloperName: 'Rex_Team', Type: 'Regular' }, true).Id;
  o.insert('GroupMember', { GroupId: team, UserOrGroupId: rex }, true);
  s.seedPermissionSet(
    'Seller',
    {
      profile: true,
      objects: { Lead: { read: true, edit: true }, Account: { read: true } },
      fields: { 'Lead.Title': 'edit' },
    },
    [sam, rex],
  );
  s.seedPermissionSet(
    'Sales development',
    {
      profile: true,
      objects: { Lead: { read: true, edit: true, viewAll: true }, Account: { read: true } },
      permissions: { PermissionsTransferAnyLead: true },
      fields: { 'Lead.Title': 'edit', 'Lead.Email': 'edit' },
    },
    [ava],
  );
  const switchyardUser = s.seedPermissionSet('Switchyard_User', {}, [sam, ava, rex]);
  o.insert(
    'SetupEntityAccess',
    { ParentId: switchyardUser, SetupEntityId: reroute, SetupEntityType: 'CustomPermission' },
    true,
  );

  account = o.insert('Account', { Name: 'Initech', OwnerId: acme.omar }, true).Id;
  const lead = (i: number, owner: string, extra: Record<string, unknown> = {}) =>
    o.insert(
      'Lead',
      {
        FirstName: 'Lead',
        LastName: `Matched ${i}`,
        Company: 'Initech',
        Title: `Title ${i}`,
        Email: `lead${i}@initech.example`,
        Status: 'Working - Contacted',
        Country: 'Germany',
        OwnerId: owner,
        IsConverted: false,
        Matched_Account__c: account,
        ...extra,
      },
      true,
    ).Id;
  samsLeads = [0, 1, 2].map((i) => lead(i, sam));
  othersLeads = [3, 4, 5, 6, 7, 8, 9].map((i) => lead(i, acme.omar));
  readShared = lead(10, acme.omar, { Matched_Account__c: null });
  editShared = lead(11, acme.omar, { Matched_Account__c: null });
  o.insert(
    'LeadShare',
    { LeadId: readShared, UserOrGroupId: rex, LeadAccessLevel: 'Read', RowCause: 'Manual' },
    true,
  );
  o.insert(
    'LeadShare',
    { LeadId: editShared, UserOrGroupId: team, LeadAccessLevel: 'Edit', RowCause: 'Rule' },
    true,
  );

  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  dir = mkdtempSync(path.join(tmpdir(), 'switchyard-sharing-'));
  const folder = path.join(dir, 'routing');
  await writeRoutingFolder(h.crm, folder, { leaveOut: [h.auth.userId] });
  const routingSet = await readOrgRoutingSet(folder, {
    users: await h.crm.listUsers(),
    queues: await h.crm.listQueues(),
  });
  const routing = await RoutingService.create({ crm: h.crm, store, routingSet, meter: h.api.meter });
  server = await listen(
    createApp({
      config: {
        apiKey: API_KEY,
        mode: 'salesforce',
        userAssertion: { orgId: h.standIn.orgId, certificates: [certificate] },
      },
      routing,
      org: new SalesforceOrgRead(h.api),
      store,
      logger: createLogger('silent'),
      metrics: createMetrics(),
      clock: () => new Date(),
      status: {
        indexLoaded: () => true,
        crm: () => ({ limited: false }),
        apiCalls: () => h.api.meter.counts(),
      },
      rateLimit: { perSecond: 1000, burst: 1000 },
      // Generous, so that what bounds a flood of made-up users below is the cache of unknown Ids alone.
      lookupBudget: { perSecond: 1000, burst: 1000 },
      maxInFlight: 1000,
    }),
  );
  url = urlOf(server);
}, 120_000);

afterAll(async () => {
  if (server) await stop(server);
  await store?.close();
  await h?.standIn.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sorted = (ids: string[]) => [...ids].sort();

describe('the stand-in answers UserRecordAccess and FieldPermissions as Salesforce does', () => {
  it('reports what each user may do with each lead, 200 Ids a query, from ownership, shares and permissions', async () => {
    const org = new SalesforceOrgRead(h.api);
    const all = [...samsLeads, ...othersLeads, readShared, editShared];
    const forSam = await org.leadAccess(sam, all);
    expect(sorted([...forSam].filter(([, a]) => a.read).map(([id]) => id))).toEqual(sorted(samsLeads));
    expect(forSam.get(samsLeads[0]!)).toEqual({ read: true, edit: true, transfer: true });
    expect(forSam.get(othersLeads[0]!)).toEqual({ read: false, edit: false, transfer: false });

    const forRex = await org.leadAccess(rex, all);
    expect(forRex.get(readShared)).toEqual({ read: true, edit: false, transfer: false });
    // Edit through a group share, but no Transfer Leads permission and a Private default: no transfer.
    expect(forRex.get(editShared)).toEqual({ read: true, edit: true, transfer: false });

    const forAva = await org.leadAccess(ava, all);
    // View All reads every lead but edits none it is not shared.
    expect([...forAva.values()].every((a) => a.read && !a.edit)).toBe(true);

    // More Ids than one query may name: the adapter asks in two, and every lead is answered.
    const many = Array.from({ length: 250 }, (_, i) => all[i % all.length]!);
    h.standIn.resetCounts();
    expect((await org.leadAccess(ava, [...all, ...many])).size).toBe(all.length);
    const extra = Array.from(
      { length: 190 },
      (_, i) =>
        h.standIn.org.insert('Lead', { LastName: `Bulk ${i}`, Company: 'Bulk', OwnerId: ava }, true).Id,
    );
    h.standIn.resetCounts();
    expect((await org.leadAccess(ava, [...all, ...extra])).size).toBe(all.length + extra.length);
    expect(h.standIn.calls().query).toBe(2);
  });

  it('refuses the UserRecordAccess queries Salesforce refuses', async () => {
    const ids = (n: number) => `(${Array.from({ length: n }, () => `'${samsLeads[0]}'`).join(', ')})`;
    const bad = {
      'no user': `SELECT RecordId FROM UserRecordAccess WHERE RecordId = '${samsLeads[0]}'`,
      'several users': `SELECT RecordId FROM UserRecordAccess WHERE UserId IN ('${sam}', '${rex}') AND RecordId = '${samsLeads[0]}'`,
      'no record': `SELECT RecordId FROM UserRecordAccess WHERE UserId = '${sam}'`,
      'UserId selected': `SELECT RecordId, UserId FROM UserRecordAccess WHERE UserId = '${sam}' AND RecordId = '${samsLeads[0]}'`,
      'RecordId not selected': `SELECT HasReadAccess FROM UserRecordAccess WHERE UserId = '${sam}' AND RecordId = '${samsLeads[0]}'`,
      'access filter beside access fields': `SELECT RecordId, HasEditAccess FROM UserRecordAccess WHERE UserId = '${sam}' AND RecordId = '${samsLeads[0]}' AND HasReadAccess = true`,
      'sorted by a field not selected': `SELECT RecordId FROM UserRecordAccess WHERE UserId = '${sam}' AND RecordId = '${samsLeads[0]}' ORDER BY HasEditAccess`,
      'a user, not a shared record': `SELECT RecordId FROM UserRecordAccess WHERE UserId = '${sam}' AND RecordId = '${rex}'`,
    };
    for (const [what, soql] of Object.entries(bad)) {
      await expect(h.api.queryAll(soql), what).rejects.toThrow(/MALFORMED_QUERY|UserRecordAccess/);
    }
    // 200 Ids are answered; 201 are refused.
    const base = `SELECT RecordId FROM UserRecordAccess WHERE UserId = '${sam}' AND RecordId IN `;
    await expect(h.api.queryAll(base + ids(200))).resolves.toHaveLength(1);
    await expect(h.api.queryAll(base + ids(200).replace(')', `, '${samsLeads[1]}')`))).rejects.toThrow(/200/);
    // RecordId alone, filtered on an access field, is allowed.
    await expect(
      h.api.queryAll(`${base}('${samsLeads[0]}', '${othersLeads[0]}') AND HasReadAccess = true`),
    ).resolves.toEqual([expect.objectContaining({ RecordId: samsLeads[0] })]);
  });

  it('reads the Lead fields a user may read from the field permissions of their permission sets', async () => {
    const org = new SalesforceOrgRead(h.api);
    const samReads = await org.readableLeadFields(sam);
    expect(samReads.has('Title')).toBe(true);
    expect(samReads.has('Email')).toBe(false);
    expect((await org.readableLeadFields(ava)).has('Email')).toBe(true);

    // Only a user with View Setup and Configuration may read FieldPermissions: the integration user needs it.
    const profile = [...h.standIn.org.table('PermissionSet').values()].find(
      (p) => p['Name'] === 'X00eIntegrationProfile',
    )!;
    h.standIn.org.update('PermissionSet', profile.Id, { PermissionsViewSetup: false });
    try {
      await expect(org.readableLeadFields(sam)).rejects.toThrow(/FieldPermissions' is not supported/);
    } finally {
      h.standIn.org.update('PermissionSet', profile.Id, { PermissionsViewSetup: true });
    }
  });
});

describe('the companion in salesforce mode, through the stand-in', () => {
  it('gives a seller who may see 3 of the 10 matched leads exactly those 3, without the field he may not read', async () => {
    const everyone = await call('GET', `/v1/accounts/${account}/matched-leads?limit=50`, ava);
    expect(everyone.status).toBe(200);
    expect(everyone.body.total).toBe(10);
    expect(everyone.body.hiddenFields).toEqual([]);
    expect(everyone.body.items.every((i: { email: string | null }) => i.email !== null)).toBe(true);

    const seen = await call('GET', `/v1/accounts/${account}/matched-leads?limit=50`, sam);
    expect(seen.status).toBe(200);
    expect(seen.body.total).toBe(3);
    expect(sorted(seen.body.items.map((i: { id: string }) => i.id))).toEqual(sorted(samsLeads));
    expect(seen.body.hiddenFields).toEqual(['email']);
    for (const item of seen.body.items) {
      expect(item.email).toBeNull();
      expect(item.title).toMatch(/^Title \d$/);
    }
    // Searching by a hidden field finds nothing, even for his own leads.
    const search = await call('GET', `/v1/accounts/${account}/matched-leads?q=initech.example`, sam);
    expect(search.body.total).toBe(0);
    // Pages of two: 2, then 1.
    const second = await call('GET', `/v1/accounts/${account}/matched-leads?limit=2&offset=2&sort=name`, sam);
    expect(second.body.items).toHaveLength(1);
  });

  it('refuses a re-route to a user who may read the lead but not edit and transfer it, and leaves the lead alone', async () => {
    const owner = (id: string) => h.standIn.org.get('Lead', id)!['OwnerId'];
    for (const lead of [readShared, editShared]) {
      const before = owner(lead);
      const res = await call('POST', `/v1/leads/${lead}/route`, rex, { reason: 'mine now', dryRun: false });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(res.body.error.message).toMatch(/edit it and change its owner/);
      expect(owner(lead)).toBe(before);
    }
    // A lead he cannot even read is refused the same way, and so is a dry run.
    const hidden = await call('POST', `/v1/leads/${othersLeads[0]}/route`, rex, { dryRun: true });
    expect(hidden.status).toBe(403);

    // The owner, who may edit and transfer, gets past the check to routing: the folder init-routing
    // wrote re-routes too, and a dry run decides without writing.
    const ownersBefore = owner(samsLeads[0]!);
    const own = await call('POST', `/v1/leads/${samsLeads[0]}/route`, sam, { dryRun: true });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ dryRun: true, previousOwner: { id: sam } });
    expect(owner(samsLeads[0]!)).toBe(ownersBefore);
  });
});

describe('unknown callers, beside a real org', () => {
  it('costs the org at most one API call per distinct made-up user in a minute, however many requests name them', async () => {
    // Well-formed user Ids that name no one, each signed for as the org would sign for any Id it is given.
    const ghosts = Array.from({ length: 100 }, () => h.standIn.org.newId('User'));
    h.standIn.resetCounts();
    const statuses = new Map<number, number>();
    for (let round = 0; round < 2; round++) {
      // 300 requests a round: each made-up Id three times, all at once.
      const answers = await Promise.all(
        [...ghosts, ...ghosts, ...ghosts].map((ghost) => call('GET', '/v1/me', ghost)),
      );
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    }
    // Every one served and refused as unknown: neither the lookup budget nor the in-flight limit (both
    // generous here) is what keeps the count down.
    expect([...statuses]).toEqual([[401, 600]]);
    console.log(
      `600 requests naming 100 made-up users: ${h.standIn.apiCalls()} API calls, answers ${JSON.stringify([...statuses])}`,
    );
    expect(h.standIn.apiCalls()).toBeLessThanOrEqual(ghosts.length);
  });
});
