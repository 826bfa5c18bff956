import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS, demoUserId } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import type { Decision } from '../../src/engine/decision.js';
import { isRouteFailure } from '../../src/routing/routing.service.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

/** A German alliance-partner lead: sales development takes it through the sdr-regions table (EMEA row). */
const german = scenario('partner-alliance').lead;
/** An EMEA rep outside the EMEA SDR pool. */
const rosa = DEMO_USERS.find((u) => u.Id === demoUserId(18))!;
const inactive = DEMO_USERS.find((u) => !u.IsActive)!;
const rows = '/v1/territories/sdr-regions/rows';

describe('territory rows as data: changes a manager makes, live on the next decision', () => {
  let api: TestApi;
  const next = async (): Promise<Decision> => {
    const [result] = await api.routing.routeMany([
      { leadId: german.Id, trigger: { kind: 'created' }, dryRun: true },
    ]);
    if (!result || isRouteFailure(result)) throw new Error(`no decision: ${JSON.stringify(result)}`);
    return result.decision;
  };
  const table = async () =>
    (await api.call('GET', '/v1/territories')).body.items.find((t: Json) => t.name === 'sdr-regions');

  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 120_000);
  afterAll(() => api.close());

  it('lists the rows numbered from 1, with each target as written and the name it stands for', async () => {
    const res = await api.call('GET', '/v1/territories');
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: Json) => t.name)).toEqual(['sdr-regions']);
    expect(res.body.items[0].rows[1]).toEqual({
      row: 2,
      region: ['EMEA'],
      assign: { pool: 'emea-sdr' },
      words: 'region EMEA → pool emea-sdr',
      target: { kind: 'pool', written: 'emea-sdr', name: expect.any(String) },
    });
    const rep = await api.call('GET', '/v1/territories', { user: demoUserId(1) });
    expect(rep.status).toBe(403);
  });

  it('adds a row for Germany to one person: the next German lead goes to her; edited and removed, audited with the diff', async () => {
    const before = await next();
    expect(JSON.stringify(before.path)).toContain('sdr-regions');
    expect(before.owner?.id).not.toBe(rosa.Id);

    const added = await api.call('POST', rows, {
      body: {
        row: { country: ['DE'], assign: { user: rosa.Username } },
        reason: 'Rosa covers Germany',
        baseVersion: (await api.call('GET', '/v1/territories')).body.version,
      },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.summary).toBe(`sdr-regions: row added: country DE → user ${rosa.Username}`);
    // Only the new row's line: every other line stays as written.
    expect(added.body.changes[0]).toMatchObject({ file: 'territories.yaml', added: 1, removed: 0 });
    expect(added.body.changes[0].diff).toContain(
      `+      - { country: [ DE ], assign: { user: ${rosa.Username} } }`,
    );
    expect((await next()).owner?.id).toBe(rosa.Id);
    expect((await table()).rows[3]).toMatchObject({
      row: 4,
      target: { kind: 'user', written: rosa.Username, name: 'Rosa Jansen', active: true },
    });

    const history = await api.call('GET', '/v1/flows/versions?limit=1');
    expect(history.body.items[0]).toMatchObject({
      action: 'territory-change',
      author: { id: DEMO.admin },
      reason: `sdr-regions: row added: country DE → user ${rosa.Username}: Rosa covers Germany`,
    });

    // Germany and Austria to the EMEA pool again, in place of the row for Rosa.
    const edited = await api.call('PUT', `${rows}/4`, {
      body: { row: { country: ['DE', 'AT'], assign: { pool: 'emea-sdr' } }, reason: 'Rosa is full' },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(201);
    expect(edited.body.changes[0].diff).toContain(
      '+      - { country: [ DE, AT ], assign: { pool: emea-sdr } }',
    );
    expect(edited.body.changes[0]).toMatchObject({ added: 1, removed: 1 });
    expect((await next()).owner?.id).not.toBe(rosa.Id);

    const removed = await api.call('DELETE', `${rows}/4?reason=back%20to%20regions`);
    expect(removed.status).toBe(201);
    expect(removed.body.summary).toBe('sdr-regions row 4 removed');
    expect((await table()).rows).toHaveLength(3);
    const territoryHistory = await api.call('GET', '/v1/flows/versions?file=territories.yaml&limit=10');
    expect(territoryHistory.body.items.map((v: Json) => v.action)).toEqual([
      'territory-change',
      'territory-change',
      'territory-change',
      'first-start',
    ]);
  });

  it('refuses an unknown country or region, an overlapping row, and a person missing or inactive, storing nothing', async () => {
    const live = (await api.call('GET', '/v1/territories')).body.version;
    const add = (row: Json) => api.call('POST', rows, { body: { row, reason: 'x' } });

    const country = await add({ country: ['Atlantis'], assign: { pool: 'emea-sdr' } });
    expect(country.status).toBe(400);
    expect(country.body.error.details[0].message).toMatch(
      /^territories\.yaml:\d+:\d+ territories\[0\]\.rows\[3\]\.country\[0\]: 'Atlantis' is not a country we know/,
    );
    // Said in the message too, for a page that shows only the message.
    expect(country.body.error.message).toBe(
      "The change was refused: 'Atlantis' is not a country we know: use an ISO code such as 'DE' or 'US'.",
    );
    const region = await add({ region: ['LATAM'], assign: { pool: 'amer-sdr' } });
    expect(region.status).toBe(400);
    expect(region.body.error.details[0].message).toContain(
      "'LATAM' is not a sales region: use one of AMER, EMEA, APJ",
    );

    // A second row for Germany that a German lead also matches with as many criteria.
    expect((await add({ country: ['DE'], assign: { pool: 'emea-sdr' } })).status).toBe(201);
    const overlap = await add({ country: ['FR', 'de'], assign: { user: rosa.Username } });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.message).toBe(
      `Row 5 (country FR, de → user ${rosa.Username}) overlaps row 4 (country DE → pool emea-sdr): a lead could match both with as many criteria, and only the earlier row would get it.`,
    );
    // A narrower row (Germany and banking) is more specific, so it does not overlap.
    const narrower = await add({ country: ['DE'], industry: ['Banking'], assign: { user: rosa.Username } });
    expect(narrower.status).toBe(201);
    expect((await api.call('DELETE', `${rows}/5?reason=x`)).status).toBe(201);
    expect((await api.call('DELETE', `${rows}/4?reason=x`)).status).toBe(201);

    const nobody = await add({ country: ['FR'], assign: { user: 'nobody@switchyard-demo.example' } });
    expect(nobody.status).toBe(400);
    expect(nobody.body.error.message).toContain(
      "no user with username or email 'nobody@switchyard-demo.example'",
    );
    const gone = await add({ country: ['FR'], assign: { user: inactive.Username } });
    expect(gone.status).toBe(400);
    expect(gone.body.error.message).toBe(
      `The row gives leads to ${inactive.Username}, who is inactive in the org, so routing would pass them over.`,
    );
    const queue = await add({ country: ['FR'], assign: { queue: 'No_Such_Queue' } });
    expect(queue.status).toBe(400);
    expect(queue.body.error.details[0].message).toContain("no queue with DeveloperName 'No_Such_Queue'");
    const pool = await add({ country: ['FR'], assign: { pool: 'no-such-pool' } });
    expect(pool.status).toBe(400);
    expect(pool.body.error.details[0].message).toContain("no pool named 'no-such-pool'");
    const two = await add({ country: ['FR'], assign: { pool: 'emea-sdr', user: rosa.Username } });
    expect(two.status).toBe(400);
    expect(two.body.error.details[0].message).toBe('give exactly one of pool, queue or user');

    const missing = await api.call('PUT', `${rows}/9`, {
      body: { row: { country: ['FR'], assign: { pool: 'emea-sdr' } }, reason: 'x' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('sdr-regions has no row 9: it has 3 rows.');
    const table404 = await api.call('DELETE', '/v1/territories/nope/rows/1?reason=x');
    expect(table404.status).toBe(404);
    expect(table404.body.error.message).toBe('There is no territory table named nope.');

    // The refused changes stored nothing: the two rows added and removed above are the only versions since.
    expect((await api.call('GET', '/v1/territories')).body.version).toBe(live + 4);
  });

  it('refuses a change made against rows another admin has changed since (409 naming their version)', async () => {
    const seen = (await api.call('GET', '/v1/territories')).body.version;
    const first = await api.call('POST', rows, {
      body: { row: { country: ['JP'], assign: { pool: 'apj-sdr' } }, reason: 'Japan', baseVersion: seen },
    });
    expect(first.status).toBe(201);
    const second = await api.call('DELETE', `${rows}/3?reason=APJ%20gone&baseVersion=${seen}`);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('VERSION_CONFLICT');
    expect(second.body.error.message).toContain(
      `Version ${seen + 1} of the routing set (territory-change by`,
    );
    expect((await table()).rows).toHaveLength(4);
  });
});
