import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_CATALOG, DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import { localParts } from '../../src/crm/local/local-parts.js';
import { SHIPPED_FLOWS_DIR } from '../../src/routing/flow-files.js';
import { isRouteFailure, type RoutingService } from '../../src/routing/routing.service.js';
import { startVersionedRouting } from '../../src/routing/routing-versions.js';
import { startLocalCompanion } from '../../../test/support/local-companion.js';
import { API_KEY, MONDAY, startApi, type Json, type TestApi } from './api-fixture.js';

const customer = scenario('blueprint-customer').lead;
const salesRep = DEMO_USERS.find((u) => u.ProfileName !== 'System Administrator' && u.IsActive)!;

/** Every flow file with `version: 1` written as `version: n`: a change each decision shows. */
function withFlowVersion(files: Array<{ name: string; text: string }>, n: number) {
  return files.map((f) =>
    f.name.endsWith('.flow.yaml') ? { ...f, text: f.text.replace(/^version: \d+$/m, `version: ${n}`) } : f,
  );
}

/** The version of the flow that decides the customer lead when routing (dry run) decides it now. */
async function decidingFlowVersion(routing: RoutingService): Promise<number> {
  const [result] = await routing.routeMany([
    { leadId: customer.Id, trigger: { kind: 'created' }, dryRun: true },
  ]);
  if (!result || isRouteFailure(result)) throw new Error(`no decision: ${JSON.stringify(result)}`);
  return result.decision.finalFlow.version;
}

describe('versions of the routing set: publish, conflict, rollback, export and import', () => {
  let api: TestApi;
  let shipped: Array<{ name: string; text: string }>;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
    const exported = await api.call('GET', '/v1/flows/export');
    expect(exported.status).toBe(200);
    shipped = exported.body.files;
  }, 120_000);
  afterAll(() => api.close());

  it('starts at version 1, the routing folder, stored by Switchyard with every file added', async () => {
    const res = await api.call('GET', '/v1/flows/versions');
    expect(res.status).toBe(200);
    expect(res.body.live).toBe(1);
    const [first] = res.body.items;
    expect(first).toMatchObject({ version: 1, action: 'first-start', author: { name: 'Switchyard' } });
    expect(first.reason).toContain(SHIPPED_FLOWS_DIR);
    expect(first.changes.map((c: Json) => [c.file, c.change])).toContainEqual(['reroute.flow.yaml', 'added']);
    expect(shipped.map((f) => f.name)).toEqual(
      expect.arrayContaining(['pools.yaml', 'territories.yaml', 'sla.yaml', 'aliases.yaml']),
    );
  });

  it('refuses a set that does not validate, with file:line: reason, and stores nothing', async () => {
    const broken = shipped.map((f) =>
      f.name === 'reroute.flow.yaml'
        ? { ...f, text: f.text.replace('field: lead.Status', 'field: lead.Stauts') }
        : f,
    );
    expect(broken).not.toEqual(shipped);
    const res = await api.call('POST', '/v1/flows/publish', {
      body: { files: broken, reason: 'typo', baseVersion: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details[0].message).toMatch(
      /^reroute\.flow\.yaml:\d+:\d+ .*unknown field 'lead\.Stauts'; did you mean 'lead\.Status'\?/,
    );
    expect((await api.call('GET', '/v1/flows/versions')).body.live).toBe(1);
  });

  it('is for admins only', async () => {
    const res = await api.call('POST', '/v1/flows/publish', {
      user: salesRep.Id,
      body: { files: shipped, reason: 'mine', baseVersion: 1 },
    });
    expect(res.status).toBe(403);
  });

  it('publishes over the version it started from: the next decision uses it; another instance on the same database too', async () => {
    const parts = localParts(api.store.db, { now: () => new Date(MONDAY) });
    const other = await startVersionedRouting({
      routingDir: SHIPPED_FLOWS_DIR,
      catalog: DEMO_CATALOG,
      crm: parts.crm,
      store: api.store,
      clock: () => new Date(MONDAY),
    });
    expect(await decidingFlowVersion(api.routing)).toBe(1);
    expect(await decidingFlowVersion(other.routing)).toBe(1);

    const dry = await api.call('POST', '/v1/flows/publish', {
      body: { files: withFlowVersion(shipped, 2), reason: 'look first', baseVersion: 1, dryRun: true },
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ version: 1, published: false, previous: 1 });
    expect(await decidingFlowVersion(api.routing)).toBe(1);

    const res = await api.call('POST', '/v1/flows/publish', {
      body: { files: withFlowVersion(shipped, 2), reason: 'flows say version 2', baseVersion: 1 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 2, published: true, previous: 1 });
    const reroute = res.body.changes.find((c: Json) => c.file === 'reroute.flow.yaml');
    expect(reroute).toMatchObject({ change: 'changed', added: 1, removed: 1 });
    expect(reroute.diff).toContain('-version: 1\n+version: 2');
    expect(res.body.changes.map((c: Json) => c.file)).not.toContain('pools.yaml');

    expect(await decidingFlowVersion(api.routing)).toBe(2);
    expect(await decidingFlowVersion(other.routing)).toBe(2);
    expect(other.versions.versionInUse).toBe(2);
  });

  it('refuses to publish over a newer version than the one the change started from, naming it', async () => {
    const res = await api.call('POST', '/v1/flows/publish', {
      body: { files: withFlowVersion(shipped, 3), reason: 'my own edit', baseVersion: 1 },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('VERSION_CONFLICT');
    expect(res.body.error.message).toContain('Version 2 of the routing set (publish by ');
    expect(res.body.error.message).toContain('"flows say version 2"');
    expect(res.body.error.message).toContain('after version 1, which your change started from');
    expect(res.body.error.action).toContain('--base 2');
    expect((await api.call('GET', '/v1/flows/versions')).body.live).toBe(2);
  });

  it('rolls back to an earlier version as a new version, in one step', async () => {
    const res = await api.call('POST', '/v1/flows/versions/1/rollback', {
      body: { reason: 'version 2 was wrong' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 3, published: true, previous: 2 });
    expect(await decidingFlowVersion(api.routing)).toBe(1);
    const three = await api.call('GET', '/v1/flows/versions/3');
    expect(three.body).toMatchObject({ version: 3, action: 'rollback', rolledBackTo: 1, baseVersion: 2 });
    expect(three.body.files).toEqual(shipped);
    const history = await api.call('GET', '/v1/flows/versions?limit=2');
    expect(history.body.items.map((v: Json) => [v.version, v.action, v.reason])).toEqual([
      [3, 'rollback', 'version 2 was wrong'],
      [2, 'publish', 'flows say version 2'],
    ]);
    expect(history.body.items[1].author).toEqual({ id: DEMO.admin, name: expect.any(String) });
  });

  it('imports a set from another environment, naming what changed against the live one', async () => {
    const dry = await api.call('POST', '/v1/flows/import', {
      body: { files: withFlowVersion(shipped, 7), reason: 'from staging', dryRun: true },
    });
    expect(dry.status).toBe(200);
    expect(dry.body.published).toBe(false);
    expect(dry.body.changes.map((c: Json) => c.file).sort()).toEqual(
      shipped
        .filter((f) => f.name.endsWith('.flow.yaml'))
        .map((f) => f.name)
        .sort(),
    );
    const same = await api.call('POST', '/v1/flows/import', { body: { files: shipped, reason: 'again' } });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: 3, published: false, changes: [] });
    const stale = await api.call('POST', '/v1/flows/import', {
      body: { files: withFlowVersion(shipped, 7), reason: 'from staging', baseVersion: 2 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
  });

  it('answers 404 for a version that does not exist', async () => {
    const res = await api.call('GET', '/v1/flows/versions/99');
    expect(res.status).toBe(404);
    const rollback = await api.call('POST', '/v1/flows/versions/99/rollback', { body: { reason: 'x' } });
    expect(rollback.status).toBe(404);
  });
});

const cold = scenario('blueprint-cold').lead;
/** The demo account the new alias names: nothing in the cold lead's name or email points at it. */
const CYBERDYNE = 'Cyberdyne Robotics';
const NEW_GROUP = `  - [${cold.Company}, ${CYBERDYNE}]`;

describe('company aliases are versioned with the routing set', () => {
  let api: TestApi;
  let shipped: Array<{ name: string; text: string }>;
  let cyberdyne: string;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
    shipped = (await api.call('GET', '/v1/flows/export')).body.files;
    const found = await api.call('GET', `/v1/accounts?q=${encodeURIComponent(CYBERDYNE)}`);
    cyberdyne = found.body.items.find((a: Json) => a.name === CYBERDYNE).id;
  }, 120_000);
  afterAll(() => api.close());

  const withAliases = (edit: (text: string) => string) =>
    shipped.map((f) => (f.name === 'aliases.yaml' ? { ...f, text: edit(f.text) } : f));
  /** The account the live set's simulation of the cold lead matches, with the path's words. */
  async function coldMatch(): Promise<{ account: string | null; path: string }> {
    const res = await api.call('POST', `/v1/leads/${cold.Id}/simulate`, { body: {} });
    expect(res.status, res.text).toBe(200);
    return { account: res.body.fieldUpdates.Matched_Account__c ?? null, path: JSON.stringify(res.body.path) };
  }

  it('simulates and backtests a candidate with its own aliases, the live set with the live ones', async () => {
    const candidate = withAliases((text) => `${text.trimEnd()}\n${NEW_GROUP}\n`);
    const simulated = await api.call('POST', `/v1/leads/${cold.Id}/simulate`, { body: { candidate } });
    expect(simulated.status, simulated.text).toBe(200);
    expect(simulated.body.fieldUpdates.Matched_Account__c).toBe(cyberdyne);
    expect((await coldMatch()).account).not.toBe(cyberdyne);

    // A customer's other name: the candidate converts the lead into the customer account, live does not.
    const customer = withAliases((text) => `${text.trimEnd()}\n  - [${cold.Company}, Acme Corporation]\n`);
    const backtest = await api.call('POST', '/v1/backtests', {
      body: { candidate: customer, leadIds: [cold.Id] },
    });
    expect(backtest.status, backtest.text).toBe(200);
    const [row] = backtest.body.rows;
    expect(row).toMatchObject({ leadId: cold.Id, live: { converts: false }, candidate: { converts: true } });
  });

  it('publishes an alias: the next decision matches with it; a rollback takes it back; the history shows its diff', async () => {
    expect((await coldMatch()).account).not.toBe(cyberdyne);

    const res = await api.call('POST', '/v1/flows/publish', {
      body: {
        files: withAliases((text) => `${text.trimEnd()}\n${NEW_GROUP}\n`),
        reason: 'Hartwell was bought by Cyberdyne',
        baseVersion: 1,
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.changes).toEqual([
      expect.objectContaining({ file: 'aliases.yaml', change: 'changed', added: 1, removed: 0 }),
    ]);
    const matched = await coldMatch();
    expect(matched.account).toBe(cyberdyne);
    expect(matched.path).toContain(`is also known as \\"${CYBERDYNE}\\" (company aliases)`);

    const history = await api.call('GET', '/v1/flows/versions?file=aliases.yaml');
    expect(history.body.items.map((v: Json) => v.version)).toEqual([2, 1]);
    const two = await api.call('GET', '/v1/flows/versions/2');
    expect(two.body.changes[0].diff).toContain(`+${NEW_GROUP}`);

    const back = await api.call('POST', '/v1/flows/versions/1/rollback', { body: { reason: 'not yet' } });
    expect(back.status, back.text).toBe(201);
    expect((await coldMatch()).account).not.toBe(cyberdyne);
  });

  it('refuses an alias file with a bad group, naming its line, and stores nothing', async () => {
    const live = (await api.call('GET', '/v1/flows/versions')).body.live;
    const res = await api.call('POST', '/v1/flows/publish', {
      body: {
        files: withAliases((text) => `${text.trimEnd()}\n  - [${CYBERDYNE}]\n`),
        reason: 'half a group',
        baseVersion: live,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: Json) => d.message)).toEqual([
      expect.stringMatching(
        /^aliases\.yaml:\d+:\d+ aliases\[\d+\]: give each group as a list of two or more company names/,
      ),
    ]);
    expect((await api.call('GET', '/v1/flows/versions')).body.live).toBe(live);
  });
});

describe('a store from before aliases were versioned', () => {
  it("takes the routing folder's aliases.yaml once, as a version of its own, and after that only the versions decide", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'switchyard-aliases-'));
    cpSync(SHIPPED_FLOWS_DIR, folder, { recursive: true });
    rmSync(path.join(folder, 'aliases.yaml'));
    const companion = await startLocalCompanion({
      now: MONDAY,
      apiKey: API_KEY,
      routingDir: folder,
      size: { accounts: 20, leads: 20 },
    });
    try {
      // Version 1 as an older Switchyard stored it: without the aliases, which it read from the folder.
      expect(companion.versions.versionInUse).toBe(1);
      expect(companion.routing.routingSet.aliases).toEqual([]);
      const restart = () =>
        startVersionedRouting({
          routingDir: folder,
          catalog: DEMO_CATALOG,
          crm: localParts(companion.store.db, { now: () => new Date(MONDAY) }).crm,
          store: companion.store,
          clock: () => new Date(MONDAY),
        });

      // A malformed file is refused, naming it, and nothing is stored: the folder's is read again next start.
      writeFileSync(path.join(folder, 'aliases.yaml'), `aliases:\n  - [${cold.Company}]\n`);
      await expect(restart()).rejects.toThrow(
        /aliases\.yaml:\d+:\d+ aliases\[0\]: give each group as a list of two or more company names[\s\S]*Correct aliases\.yaml in the routing folder/,
      );
      expect((await companion.versions.live()).version).toBe(1);
      writeFileSync(path.join(folder, 'aliases.yaml'), `aliases:\n${NEW_GROUP}\n`);

      const upgraded = await restart();
      expect(upgraded.versions.versionInUse).toBe(2);
      expect(upgraded.routing.routingSet.aliases).toEqual([[cold.Company, CYBERDYNE]]);
      const two = await upgraded.versions.get(2);
      expect(two).toMatchObject({ action: 'import', author: { name: 'Switchyard' } });
      expect(two.reason).toContain('company aliases are versioned');
      expect(two.changes.map((c) => [c.file, c.change])).toEqual([['aliases.yaml', 'added']]);

      expect((await restart()).versions.versionInUse).toBe(2);
      const { 'aliases.yaml': _dropped, ...without } = two.files;
      const removed = await upgraded.versions.publish({
        files: without,
        author: { id: DEMO.admin, name: 'Admin' },
        reason: 'no aliases',
        action: 'publish',
        baseVersion: 2,
      });
      expect(removed).toMatchObject({ version: 3, published: true });
      const after = await restart();
      expect(after.versions.versionInUse).toBe(3);
      expect(after.routing.routingSet.aliases).toEqual([]);
    } finally {
      await companion.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 180_000);
});
