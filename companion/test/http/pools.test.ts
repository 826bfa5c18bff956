import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS, demoUserId } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import type { Decision } from '../../src/engine/decision.js';
import { STRIDE_UNIT } from '../../src/engine/distribution/pool.js';
import { isRouteFailure } from '../../src/routing/routing.service.js';
import { poolJson, readPools, updatePoolRows } from '../../src/store/pool.repository.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

/** The AMER SDR pool's members who can take leads (Chloe is out of office, Diego inactive). */
const [ava, ben, yara] = [1, 2, 26].map(demoUserId) as [string, string, string];
const held = scenario('blueprint-route-on-update').lead;
const inactive = DEMO_USERS.find((u) => !u.IsActive)!;

describe('pools as data: changes a manager makes, live on the next decision', () => {
  let api: TestApi;
  /** Where routing (dry run) sends the activated lead of the unqualified holding queue now: the AMER pool. */
  const next = async (): Promise<Decision> => {
    const [result] = await api.routing.routeMany([
      {
        leadId: held.Id,
        trigger: { kind: 'updated', changedFields: ['Status'], previous: { Status: 'Unqualified' } },
        dryRun: true,
      },
    ]);
    if (!result || isRouteFailure(result)) throw new Error(`no decision: ${JSON.stringify(result)}`);
    return result.decision;
  };
  const away = (userId: string, from: string, to: string) =>
    api.call('PATCH', `/v1/pools/amer-sdr/members/${userId}`, {
      body: { away: { from, to }, reason: 'vacation' },
    });

  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 120_000);
  afterAll(() => api.close());

  it('marks reps out of office from a day to a day: the next decision passes them over, saying why', async () => {
    expect([ava, ben, yara]).toContain((await next()).owner?.id);
    for (const id of [ava, ben]) expect((await away(id, '2026-11-20', '2026-11-30')).status).toBe(201);
    // Out of office after the decision's day (MONDAY is 2026-11-23): still picked.
    expect((await away(yara, '2026-11-24', '2026-11-30')).status).toBe(201);
    const decision = await next();
    expect(decision.owner?.id).toBe(yara);
    const view = (await api.call('GET', '/v1/pools')).body.items.find((p: Json) => p.name === 'amer-sdr');
    expect(view.next).toBe(yara);
    expect(view.members.find((m: Json) => m.userId === ava)).toMatchObject({
      away: [{ from: '2026-11-20', to: '2026-11-30' }],
      skipped: 'out of office from 2026-11-20 to 2026-11-30',
    });
    expect(view.members.find((m: Json) => m.userId === yara).skipped).toBeNull();
    // Open leads as the next decision reads them; no turns yet today (the decisions above were dry runs).
    expect(view.members.find((m: Json) => m.userId === yara)).toMatchObject({
      openLeads: expect.any(Number),
      turnsToday: 0,
    });

    const res = await away(yara, '2026-11-23', '2026-11-23');
    expect(res.status).toBe(201);
    expect(res.body.summary).toMatch(/out of office from 2026-11-23 to 2026-11-23 in amer-sdr$/);
    const pools = res.body.changes.map((c: Json) => c.file);
    expect(pools).toEqual(['pools.yaml']);
    expect(res.body.changes[0].diff).toMatch(
      /\+ {6}- \{ user: yara\.haddad@switchyard-demo\.example, away: \[ \{ from: 2026-11-24, to: 2026-11-30 \}, \{ from: 2026-11-23, to: 2026-11-23 \} \] \}/,
    );
    const nobody = await next();
    expect([ava, ben, yara]).not.toContain(nobody.owner?.id);
    expect(JSON.stringify(nobody.path)).toContain('all 5 members skipped: 4 out of office, 1 inactive');

    for (const id of [ava, ben, yara]) {
      const back = await api.call('PATCH', `/v1/pools/amer-sdr/members/${id}`, {
        body: { away: null, reason: 'back' },
      });
      expect(back.status).toBe(201);
    }
    expect([ava, ben, yara]).toContain((await next()).owner?.id);
  });

  it("counts each member's turns today: leads the pool gave them since midnight UTC, dry runs left out", async () => {
    const amer = async () => {
      const res = await api.call('GET', '/v1/pools');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.find((p: Json) => p.name === 'amer-sdr');
    };
    const before = await amer();
    // A new lead from the United States: inbound routing gives it to the AMER SDR pool.
    const created = await api.org.insertLead({
      fields: {
        LastName: 'Turner',
        Company: 'Turner Quolls',
        Email: 'x@turner-quolls.example',
        Country: 'United States',
      },
    });
    const routed = await api.routing.route({ leadId: created.Id, trigger: { kind: 'created' } });
    expect(routed.decision.poolChanges.map((c) => c.pool)).toEqual(['amer-sdr']);
    const owner = routed.decision.owner!.id;
    const after = await amer();
    const turns = (view: Json) => view.members.find((m: Json) => m.userId === owner).turnsToday;
    expect(turns(after)).toBe(turns(before) + 1);
    const others = (view: Json) =>
      view.members.filter((m: Json) => m.userId !== owner).map((m: Json) => m.turnsToday);
    expect(others(after)).toEqual(others(before));
  });

  it('pauses and resumes the pool, and changes weights, each audited with who, when, why and the diff', async () => {
    const paused = await api.call('PATCH', '/v1/pools/amer-sdr', { body: { paused: true, reason: 'reorg' } });
    expect(paused.status).toBe(201);
    expect(paused.body.nextAssignments.before.length).toBeGreaterThan(0);
    expect(paused.body.nextAssignments.after).toEqual([]);
    expect([ava, ben, yara]).not.toContain((await next()).owner?.id);
    const resumed = await api.call('PATCH', '/v1/pools/amer-sdr', {
      body: { paused: false, reason: 'done' },
    });
    expect(resumed.status).toBe(201);
    const after = await next();
    expect([ava, ben, yara], JSON.stringify(after.path.at(-2))).toContain(after.owner?.id);

    const weight = await api.call('PATCH', `/v1/pools/amer-sdr/members/${ava}`, {
      body: { weight: 3, capPerDay: 40, reason: 'senior rep' },
    });
    expect(weight.status).toBe(201);
    const pools = await api.call('GET', '/v1/pools');
    const amer = pools.body.items.find((p: Json) => p.name === 'amer-sdr');
    expect(amer.members.find((m: Json) => m.userId === ava)).toMatchObject({ weight: 3, capPerDay: 40 });

    const history = await api.call('GET', '/v1/flows/versions?limit=3');
    expect(history.body.items[0]).toMatchObject({
      action: 'pool-change',
      author: { id: DEMO.admin },
      reason: expect.stringMatching(/in amer-sdr: weight 3, capPerDay 40: senior rep$/),
    });
    expect(history.body.items[0].changes[0].diff).toContain(
      '+      - { user: ava.patel@switchyard-demo.example, weight: 3, capPerDay: 40 }',
    );
    expect(history.body.items[1].reason).toBe('amer-sdr resumed: done');

    // A file's own history: every pool change, and the first start that added the file.
    const poolHistory = await api.call('GET', '/v1/flows/versions?file=pools.yaml&limit=200');
    const actions = new Set(poolHistory.body.items.map((v: Json) => v.action));
    expect([...actions].sort()).toEqual(['first-start', 'pool-change']);
    expect(poolHistory.body.items.length).toBeGreaterThan(5);
    const reroute = await api.call('GET', '/v1/flows/versions?file=reroute.flow.yaml');
    expect(reroute.body.items.map((v: Json) => v.version)).toEqual([1]);
  });

  it('adds and removes a rep; refuses an inactive person, a cap below one and an unknown pool', async () => {
    const emma = demoUserId(5);
    const added = await api.call('POST', '/v1/pools/amer-sdr/members', {
      body: { userId: emma, weight: 2, reason: 'covering AMER' },
    });
    expect(added.status).toBe(201);
    expect(api.routing.routingSet.pools.get('amer-sdr')!.members.map((m) => m.userId)).toContain(emma);
    const again = await api.call('POST', '/v1/pools/amer-sdr/members', {
      body: { userId: emma, reason: 'x' },
    });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toContain('is already a member of amer-sdr');

    const removed = await api.call('DELETE', `/v1/pools/amer-sdr/members/${emma}?reason=back%20to%20EMEA`);
    expect(removed.status).toBe(201);
    expect(api.routing.routingSet.pools.get('amer-sdr')!.members.map((m) => m.userId)).not.toContain(emma);

    // By username, as the admin page names people.
    const byName = await api.call('POST', '/v1/pools/amer-sdr/members', {
      body: { user: 'emma.schulz@switchyard-demo.example', reason: 'covering again', dryRun: true },
    });
    expect(byName.status, JSON.stringify(byName.body)).toBe(200);
    expect(byName.body.summary).toBe('Emma Schulz added to amer-sdr');
    const nobody = await api.call('POST', '/v1/pools/amer-sdr/members', {
      body: { user: 'nobody@switchyard-demo.example', reason: 'x' },
    });
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.message).toContain(
      "No such person: no user with username or email 'nobody@switchyard-demo.example'",
    );

    const gone = await api.call('POST', '/v1/pools/amer-sdr/members', {
      body: { userId: inactive.Id, reason: 'x' },
    });
    expect(gone.status).toBe(400);
    expect(gone.body.error.message).toContain('is inactive');

    const negative = await api.call('PATCH', `/v1/pools/amer-sdr/members/${ben}`, {
      body: { capPerDay: -1, reason: 'x' },
    });
    expect(negative.status).toBe(400);
    expect(negative.body.error.details[0].message).toMatch(
      /^pools\.yaml:\d+:\d+ pools\[0\]\.members\[1\]\.capPerDay: capPerDay -1 must be a whole number above 0/,
    );
    const backwards = await away(ben, '2026-12-10', '2026-12-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toContain('before it starts');

    const unknown = await api.call('PATCH', '/v1/pools/nope', { body: { paused: true, reason: 'x' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('There is no pool named nope.');
  });

  it('gives a rep back from time off the turns they missed when the pool asks for catch-up, showing the next leads before and after', async () => {
    // Everyone at weight 1 again, and the pool's state as after a week in which Ben was away: Ava and
    // Yara took 10 turns, Ben 1.
    const even = await api.call('PATCH', `/v1/pools/amer-sdr/members/${ava}`, {
      body: { weight: null, capPerDay: null, reason: 'back to even' },
    });
    expect(even.status).toBe(201);
    const stride = STRIDE_UNIT;
    const { version } = (await readPools(api.store.db, ['amer-sdr'])).get('amer-sdr')!;
    const member = (pass: number) => ({ pass, assignedTotal: pass / stride - 1, recent: [] });
    const state = {
      pool: 'amer-sdr',
      version,
      virtualTime: 10 * stride,
      members: { [ava]: member(11 * stride), [ben]: member(2 * stride), [yara]: member(11 * stride) },
      checkpoints: [{ day: '2026-11-16', virtualTime: stride }],
    };
    await updatePoolRows(poolJson(new Map([['amer-sdr', { state, version, rowVersion: '' }]]))).execute(
      api.store.db,
    );
    const catchUp = (body: Json) =>
      api.call('PATCH', '/v1/pools/amer-sdr', { body: { ...body, reason: 'fair after PTO' } });

    const preview = await catchUp({ catchUp: { leads: 2, withinDays: 7 }, dryRun: true });
    expect(preview.status).toBe(200);
    const names = (line: Json[]) => line.map((n: Json) => n.name);
    expect(names(preview.body.nextAssignments.before).slice(0, 6)).toEqual([
      'Ava Patel',
      'Ben Carter',
      'Yara Haddad',
      'Ava Patel',
      'Ben Carter',
      'Yara Haddad',
    ]);
    expect(names(preview.body.nextAssignments.after).slice(0, 5)).toEqual([
      'Ben Carter',
      'Ben Carter',
      'Ava Patel',
      'Ben Carter',
      'Yara Haddad',
    ]);
    expect(api.routing.routingSet.pools.get('amer-sdr')!.catchUp).toBeUndefined();

    const stored = await catchUp({ catchUp: { leads: 2, withinDays: 7 } });
    expect(stored.status).toBe(201);
    expect(stored.body.summary).toBe('amer-sdr gives back up to 2 missed turns of the last 7 days');
    expect(stored.body.changes[0].diff).toMatch(/\+ {4}catchUp: \{ leads: 2, withinDays: 7 \}\n {5}members:/);
    const pools = (await api.call('GET', '/v1/pools')).body.items as Json[];
    expect(pools.find((p) => p.name === 'amer-sdr')!.catchUp).toEqual({ leads: 2, withinDays: 7 });
    const decision = await next();
    expect(decision.owner?.id).toBe(ben);
    expect(JSON.stringify(decision.path)).toContain('making up turns missed while unavailable (catch-up)');

    const tooMany = await catchUp({ catchUp: { leads: 2, withinDays: 30 } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain(
      'a window of 30 days: give a whole number of days from 1 to 14',
    );
    const both = await catchUp({ paused: true, catchUp: null });
    expect(both.status).toBe(400);
    expect(both.body.error.details).toEqual([
      { field: 'body', message: 'give either paused or catchUp, one change at a time' },
    ]);

    const off = await catchUp({ catchUp: null });
    expect(off.status).toBe(201);
    expect(off.body.summary).toBe('amer-sdr gives back no missed turns');
    expect((await next()).owner?.id).toBe(ava);
  });

  it('a pool change confirmed after its preview is refused when someone else stored a version in between', async () => {
    const pause = (body: Json) =>
      api.call('PATCH', '/v1/pools/amer-sdr', { body: { paused: true, reason: 'team offsite', ...body } });
    const preview = await pause({ dryRun: true });
    expect(preview.status).toBe(200);
    const shown = preview.body.previous as number;
    expect(preview.body.version).toBe(shown);

    // Another admin changes the pool between the preview and the confirmation.
    const other = await api.call('PATCH', `/v1/pools/amer-sdr/members/${ben}`, {
      body: { weight: 3, reason: 'Ben covers more' },
    });
    expect(other.status).toBe(201);
    expect(other.body.version).toBe(shown + 1);

    const confirm = await pause({ baseVersion: shown });
    expect(confirm.status).toBe(409);
    expect(confirm.body.error.code).toBe('VERSION_CONFLICT');
    expect(confirm.body.error.message).toContain(`Version ${shown + 1} of the routing set (pool-change by`);
    expect(confirm.body.error.message).toContain(
      `was stored after version ${shown}, which your change started from; saving would undo it`,
    );
    expect(confirm.body.error.action).toBe(
      `Look at your change again against version ${shown + 1} (preview it again, or send --base ${shown + 1}), then confirm it.`,
    );
    expect(api.routing.routingSet.pools.get('amer-sdr')!.paused).toBeFalsy();

    // Previewed again on the version now live, the confirmation is stored.
    const again = await pause({ dryRun: true });
    expect(again.body.previous).toBe(shown + 1);
    const stored = await pause({ baseVersion: shown + 1 });
    expect(stored.status).toBe(201);
    expect(stored.body.version).toBe(shown + 2);
    expect(api.routing.routingSet.pools.get('amer-sdr')!.paused).toBe(true);
    expect((await pause({ paused: false, reason: 'back' })).status).toBe(201);
  });

  it('answers who gets the next leads now and with every member change: an added rep, a weight, a removed rep, one away and back', async () => {
    // Everyone at weight 1 (Ben's 3 from the test above taken away), and all three available reps on
    // the same turn: pass 11 strides, the pool's virtual time 10. Chloe (out of office) and Diego
    // (inactive) are passed over throughout.
    const even = await api.call('PATCH', `/v1/pools/amer-sdr/members/${ben}`, {
      body: { weight: null, reason: 'back to even' },
    });
    expect(even.status, JSON.stringify(even.body)).toBe(201);
    const stride = STRIDE_UNIT;
    const { version } = (await readPools(api.store.db, ['amer-sdr'])).get('amer-sdr')!;
    const level = { pass: 11 * stride, assignedTotal: 10, recent: [] };
    const state = {
      pool: 'amer-sdr',
      version,
      virtualTime: 10 * stride,
      members: { [ava]: level, [ben]: level, [yara]: level },
    };
    await updatePoolRows(poolJson(new Map([['amer-sdr', { state, version, rowVersion: '' }]]))).execute(
      api.store.db,
    );
    const names = (res: Json, line: 'before' | 'after') =>
      (res.body.nextAssignments[line] as Json[]).map((n) => n.name as string);
    const times = (n: number, ...people: string[]) => Array.from({ length: n }, () => people).flat();
    const [A, B, Y] = ['Ava Patel', 'Ben Carter', 'Yara Haddad'];
    const member = (id: string, body: Json) =>
      api.call('PATCH', `/v1/pools/amer-sdr/members/${id}`, { body: { reason: 'plan', ...body } });
    const remove = (id: string, query: string) =>
      api.call('DELETE', `/v1/pools/amer-sdr/members/${id}?reason=left%20the%20team${query}`);

    // A joiner waits one turn like someone just given a lead: pass 10 + 1, after the others in list order.
    const add = await api.call('POST', '/v1/pools/amer-sdr/members', {
      body: { user: 'emma.schulz@switchyard-demo.example', reason: 'covering', dryRun: true },
    });
    expect(add.status, JSON.stringify(add.body)).toBe(200);
    expect(names(add, 'before')).toEqual(times(4, A, B, Y));
    expect(names(add, 'after')).toEqual(times(3, A, B, Y, 'Emma Schulz'));

    // Weight 2 halves Ben's stride: two turns to everyone else's one, from the same start.
    const weight = await member(ben, { weight: 2, dryRun: true });
    expect(weight.status).toBe(200);
    expect(names(weight, 'after')).toEqual(times(3, A, B, Y, B));

    const removed = await remove(ben, '&dryRun=true');
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body.summary).toBe('Ben Carter removed from amer-sdr');
    expect(names(removed, 'before')).toEqual(times(4, A, B, Y));
    expect(names(removed, 'after')).toEqual(times(6, A, Y));
    expect(api.routing.routingSet.pools.get('amer-sdr')!.members.map((m) => m.userId)).toContain(ben);

    // Out of office today (MONDAY, 2026-11-23): passed over like a removed rep, keeping his turn.
    const away = await member(ben, { away: { from: '2026-11-23', to: '2026-11-23' }, dryRun: true });
    expect(names(away, 'after')).toEqual(times(6, A, Y));
    const storedAway = await member(ben, {
      away: { from: '2026-11-23', to: '2026-11-23' },
      baseVersion: away.body.previous,
    });
    expect(storedAway.status).toBe(201);
    expect(names(storedAway, 'after')).toEqual(times(6, A, Y));

    // Back: he takes his turn again where he left it.
    const back = await member(ben, { away: null, dryRun: true });
    expect(names(back, 'before')).toEqual(times(6, A, Y));
    expect(names(back, 'after')).toEqual(times(4, A, B, Y));

    // A change that changes nothing says so: no diff, the same line.
    const same = await member(ava, { paused: false, dryRun: true });
    expect(same.status).toBe(200);
    expect(same.body.changes).toEqual([]);
    expect(names(same, 'after')).toEqual(names(same, 'before'));

    // The DELETE takes dryRun and baseVersion in its query, checked as the other changes check them.
    const bad = await remove(ben, '&dryRun=yes&baseVersion=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { field: 'baseVersion', message: 'must be a whole number from 1 to 2000000000' },
      { field: 'dryRun', message: 'must be true or false' },
    ]);
    const stale = await remove(ben, `&baseVersion=${away.body.previous}`);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(api.routing.routingSet.pools.get('amer-sdr')!.members.map((m) => m.userId)).toContain(ben);
    const gone = await remove(ben, `&baseVersion=${storedAway.body.version}`);
    expect(gone.status, JSON.stringify(gone.body)).toBe(201);
    expect(names(gone, 'after')).toEqual(times(6, A, Y));
    expect(api.routing.routingSet.pools.get('amer-sdr')!.members.map((m) => m.userId)).not.toContain(ben);
  });
});
