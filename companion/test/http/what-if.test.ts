import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import { readRoutingFiles, SHIPPED_FLOWS_DIR } from '../../src/routing/flow-files.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

/** The shipped routing set as the API takes it: each file by its bare name. */
async function shippedFiles(): Promise<Array<{ name: string; text: string }>> {
  return Object.entries(await readRoutingFiles(SHIPPED_FLOWS_DIR)).map(([name, text]) => ({ name, text }));
}

/**
 * The shipped set with the blueprint's "everything else" node no longer using the SDR territory table:
 * the leads it placed fall to the node's fallback, the Hopper queue.
 */
async function noTerritoriesCandidate() {
  return (await shippedFiles()).map((f) => {
    if (f.name !== 'leandata-blueprint.flow.yaml') return f;
    const text = f.text.replace(
      /(\n {2}region-pool:\n(?: {4}.*\n)*? {4}to:\n) {6}- territory: sdr-regions\n/,
      '$1',
    );
    expect(text, 'the region-pool node names the territory table').not.toBe(f.text);
    return { ...f, text };
  });
}

async function storedCounts(api: TestApi) {
  const { rows } = await sql<{ decisions: number; outbox: number; pools: string }>`
    select (select count(*)::int from decisions) as decisions,
           (select count(*)::int from outbox) as outbox,
           (select coalesce(string_agg(state::text, '|' order by name), '') from pool_state) as pools`.execute(
    api.store.db,
  );
  return rows[0]!;
}

const tom = scenario('partner-event-recalled').lead;
const customer = scenario('blueprint-customer').lead;
const salesRep = DEMO_USERS.find((u) => u.ProfileName !== 'System Administrator' && u.IsActive)!;

describe('simulate and backtest (admins see where leads would go before a change goes live)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  });
  afterAll(() => api.close());

  it('a backtest of the live set against itself changes no owner', async () => {
    const res = await api.call('POST', '/v1/backtests', {
      body: { candidate: await shippedFiles(), days: 60 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.summary.leads).toBeGreaterThan(20);
    expect(res.body.rows).toHaveLength(res.body.summary.leads);
    expect(res.body.summary.ownerChanged).toBe(0);
    expect(res.body.summary.moves).toEqual([]);
    expect(res.body.summary.conversions.gained + res.body.summary.conversions.lost).toBe(0);
  });

  it('a changed territory table moves exactly the leads it placed, and says from whom to whom', async () => {
    const before = await storedCounts(api);
    const owners = await Promise.all([tom.Id, customer.Id].map((id) => api.org.getLead(id)));
    const res = await api.call('POST', '/v1/backtests', {
      body: {
        candidate: await noTerritoriesCandidate(),
        leadIds: [tom.Id, customer.Id],
        trigger: 'campaign-member',
      },
    });
    expect(res.status, res.text).toBe(200);
    const rows: Json[] = res.body.rows;
    const row = (id: string) => rows.find((r) => r.leadId === id);
    // Tom Becker: a recalled partner-event lead from Germany goes to the EMEA SDRs by the territory
    // table; without it, to the region node's fallback, the Hopper queue.
    expect(row(tom.Id).live.owner.name).toBe('Emma Schulz');
    expect(row(tom.Id).live.pool).toBe('emea-sdr');
    expect(row(tom.Id).candidate.owner).toMatchObject({ kind: 'queue', name: 'Hopper' });
    expect(row(tom.Id).ownerChanged).toBe(true);
    // The customer's lead goes to the account owner under both: no territory involved.
    expect(row(customer.Id).ownerChanged).toBe(false);
    expect(res.body.summary).toMatchObject({
      leads: 2,
      ownerChanged: 1,
      moves: [{ key: { from: 'Emma Schulz', to: 'Hopper' }, count: 1 }],
      paths: [{ key: { live: row(tom.Id).live.path, candidate: row(tom.Id).candidate.path }, count: 1 }],
      noOwner: { live: 0, candidate: 0 },
    });
    expect(res.body.summary.owners).toEqual(
      expect.arrayContaining([
        { owner: 'Emma Schulz', live: 1, candidate: 0 },
        { owner: 'Hopper', live: 0, candidate: 1 },
      ]),
    );
    expect(res.body.summary.pools).toEqual([{ pool: 'emea-sdr', live: 1, candidate: 0 }]);
    // Nothing was written: no decision, no outbox row, no pool turn, no owner changed in the org.
    expect(await storedCounts(api)).toEqual(before);
    expect(await Promise.all([tom.Id, customer.Id].map((id) => api.org.getLead(id)))).toEqual(owners);
  });

  it('keeps the last backtest (who, when, against which version, its summary) for the admin page, after a reload too', async () => {
    const candidate = await noTerritoriesCandidate();
    const ran = await api.call('POST', '/v1/backtests', {
      body: { candidate, leadIds: [tom.Id, customer.Id], trigger: 'campaign-member' },
    });
    expect(ran.status).toBe(200);
    const kept = await api.call('GET', '/v1/backtests/latest');
    expect(kept.status).toBe(200);
    expect(kept.body.backtest).toMatchObject({
      ranAt: ran.body.ranAt,
      author: { id: DEMO.admin },
      liveVersion: kept.body.live.version,
      scope: ran.body.scope,
      summary: ran.body.summary,
      missing: 0,
    });
    expect(kept.body.backtest.summary.moves).toEqual([
      { key: { from: 'Emma Schulz', to: 'Hopper' }, count: 1 },
    ]);
    expect(kept.body.live.sameAsCandidate).toBe(false);
    // The live version's own files (as exported): the candidate is what is live.
    const live = (await api.call('GET', '/v1/flows/export')).body.files;
    await api.call('POST', '/v1/backtests', { body: { candidate: live, leadIds: [tom.Id] } });
    const same = await api.call('GET', '/v1/backtests/latest');
    expect(same.body.live.sameAsCandidate).toBe(true);
    expect(same.body.backtest.summary.leads).toBe(1);
    const rep = await api.call('GET', '/v1/backtests/latest', { user: salesRep.Id });
    expect(rep.status).toBe(403);
  });

  it('answers the diff as CSV for a spreadsheet', async () => {
    const res = await api.call('POST', '/v1/backtests', {
      headers: { accept: 'text/csv' },
      body: { candidate: await noTerritoriesCandidate(), leadIds: [tom.Id], trigger: 'campaign-member' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^Lead Id,Lead,Company,Trigger,Live owner,Candidate owner,Owner changed,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${tom.Id},Tom Becker,Quantum Leaf,campaign-member,Emma Schulz,Hopper,true,`);
  });

  it('streams progress and then the result when asked for NDJSON', async () => {
    const res = await api.call('POST', '/v1/backtests', {
      headers: { accept: 'application/x-ndjson' },
      body: { candidate: await shippedFiles(), days: 60 },
    });
    expect(res.status).toBe(200);
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const last = lines.at(-1);
    expect(last.result.summary.leads).toBeGreaterThan(0);
    expect(lines.slice(0, -1).every((l) => l.progress.done <= l.progress.total)).toBe(true);
    expect(lines.at(-2).progress).toEqual({
      done: last.result.summary.leads,
      total: last.result.summary.leads,
    });
  });

  it('refuses a candidate that does not validate, naming each problem with its file and line', async () => {
    const files = (await shippedFiles()).map((f) =>
      f.name === 'pools.yaml'
        ? { ...f, text: 'pools:\n  - name: sdr\n    strategy: fastest\n    members: []\n' }
        : f,
    );
    const res = await api.call('POST', '/v1/backtests', { body: { candidate: files, days: 7 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toContainEqual({
      field: 'candidate/pools.yaml',
      message: expect.stringMatching(/^pools\.yaml:\d+:\d+ .*strategy/),
    });
  });

  it('refuses a backtest with both days and lead Ids, and one with neither', async () => {
    const candidate = await shippedFiles();
    for (const body of [{ candidate, days: 7, leadIds: [tom.Id] }, { candidate }]) {
      const res = await api.call('POST', '/v1/backtests', { body });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].message).toMatch(/either days .* or leadIds/);
    }
  });

  it('is for admins only', async () => {
    for (const [path, body] of [
      ['/v1/backtests', { candidate: await shippedFiles(), days: 7 }],
      [`/v1/leads/${tom.Id}/simulate`, {}],
    ] as const) {
      const res = await api.call('POST', path, { user: salesRep.Id, body });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/for Switchyard admins/);
    }
  });

  it('simulates one lead with the live set or a candidate, with the whole path, and stores nothing', async () => {
    const before = await storedCounts(api);
    const live = await api.call('POST', `/v1/leads/${tom.Id}/simulate`, {
      body: { trigger: { kind: 'campaign-member' } },
    });
    expect(live.status, live.text).toBe(200);
    expect(live.body).toMatchObject({
      set: 'live',
      trigger: 'campaign-member',
      owner: { name: 'Emma Schulz' },
    });
    expect(live.body.path.some((s: Json) => s.conditions?.length > 0)).toBe(true);
    const candidate = await api.call('POST', `/v1/leads/${tom.Id}/simulate`, {
      body: { trigger: { kind: 'campaign-member' }, candidate: await noTerritoriesCandidate() },
    });
    expect(candidate.body).toMatchObject({ set: 'candidate', owner: { kind: 'queue', name: 'Hopper' } });
    expect(await storedCounts(api)).toEqual(before);
  });
});
