import { describe, expect, it } from 'vitest';
import {
  describeSkips,
  nextInLine,
  pickFromPool,
  reconcilePoolState,
  validatePool,
} from '../../../src/engine/distribution/pool.js';
import { DistributionError } from '../../../src/engine/distribution/distribution.errors.js';
import type { MemberStats, PoolState } from '../../../src/engine/distribution/distribution.types.js';
import {
  MONDAY_NOON_UTC,
  directory,
  everyoneAvailable,
  roundRobin,
  runPicks,
  spread,
  user,
} from './pool-fixtures.js';

const minutesAfter = (iso: string, minutes: number): string =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString();

describe('pickFromPool: round robin fairness', () => {
  it('gives equal weights equal shares at every point of 300 picks', () => {
    const pool = roundRobin(['a', 'b', 'c']);
    const { order } = runPicks(pool, 300);
    const counts: Record<string, number> = {};
    for (const id of order) {
      counts[id!] = (counts[id!] ?? 0) + 1;
      expect(spread(counts, ['a', 'b', 'c'])).toBeLessThanOrEqual(1);
    }
    expect(counts).toEqual({ a: 100, b: 100, c: 100 });
  });

  it('takes turns in member list order', () => {
    expect(runPicks(roundRobin(['a', 'b', 'c']), 6).order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('gives a member with weight 2 twice the leads, spread evenly', () => {
    const pool = roundRobin([{ userId: 'a' }, { userId: 'b', weight: 2 }]);
    const { counts, order } = runPicks(pool, 300);
    expect(counts).toEqual({ a: 100, b: 200 });
    // Never more than two leads in a row to b, never two in a row to a.
    expect(order.join('')).not.toMatch(/bbb|aa/);
  });

  it('keeps fractional weights in proportion', () => {
    const pool = roundRobin([
      { userId: 'a', weight: 1.5 },
      { userId: 'b', weight: 0.5 },
    ]);
    const { counts } = runPicks(pool, 400);
    expect(counts.a).toBeGreaterThanOrEqual(299);
    expect(counts.a).toBeLessThanOrEqual(301);
  });

  it('lets a joiner in at the current turn: neither starved nor flooded', () => {
    const before = roundRobin(['a', 'b', 'c']);
    const warm = runPicks(before, 301);
    const after = roundRobin(['a', 'b', 'c', 'd']);
    const next = runPicks(after, 400, { state: warm.state });
    // d joins at the back of the queue: after b and c finish the current round, and a full round.
    expect(next.order.slice(0, 6)).toEqual(['b', 'c', 'a', 'b', 'c', 'd']);
    const firstForty = next.order.slice(0, 40);
    expect(firstForty.filter((id) => id === 'd').length).toBeGreaterThanOrEqual(9);
    expect(firstForty.filter((id) => id === 'd').length).toBeLessThanOrEqual(10);
    expect(next.counts.d).toBe(99);
    const since = (id: string): number => (warm.counts[id] ?? 0) + (next.counts[id] ?? 0);
    expect(spread({ a: since('a'), b: since('b'), c: since('c') }, ['a', 'b', 'c'])).toBeLessThanOrEqual(1);
  });

  it('drops a leaver from the state and shares their leads among the rest', () => {
    const warm = runPicks(roundRobin(['a', 'b', 'c']), 10);
    const next = runPicks(roundRobin(['a', 'c']), 20, { state: warm.state });
    expect(Object.keys(next.state!.members).sort()).toEqual(['a', 'c']);
    expect(next.counts).toEqual({ a: 10, c: 10 });
  });

  it('does not let leaving and re-joining jump the queue', () => {
    const all = roundRobin(['a', 'b', 'c']);
    const stayed = runPicks(all, 4).order;

    const first = pickFromPool(all, undefined, everyoneAvailable(all), MONDAY_NOON_UTC);
    const withoutA = roundRobin(['b', 'c']);
    const second = pickFromPool(withoutA, first.state, everyoneAvailable(all), MONDAY_NOON_UTC);
    const rejoined = runPicks(all, 2, { state: second.state });
    expect([first.userId, second.userId, ...rejoined.order]).toEqual(stayed);
    expect(first.userId).toBe('a');
    expect(rejoined.order[0]).toBe('c');
  });

  it('does not hand a member the turns they missed while out of office', () => {
    const pool = roundRobin(['a', 'b', 'c']);
    const away = directory(
      user('a', { Out_Of_Office_Until__c: '2026-11-17T00:00:00Z' }),
      user('b'),
      user('c'),
    );
    const during = runPicks(pool, 30, { users: away });
    expect(during.counts.a).toBeUndefined();
    const back = runPicks(pool, 30, { state: during.state });
    expect(back.counts.a).toBe(10);
    expect(spread(back.counts, ['a', 'b', 'c'])).toBeLessThanOrEqual(1);
  });

  it('gives nothing back for a pause: a paused member resumes at the current turn', () => {
    const pool = roundRobin(['a', 'b', 'c']);
    const paused = roundRobin(['a', { userId: 'b', paused: true }, 'c']);
    const during = runPicks(paused, 20, { users: everyoneAvailable(pool) });
    expect(during.counts.b).toBeUndefined();
    const back = runPicks(pool, 30, { state: during.state });
    expect(back.counts).toEqual({ a: 10, b: 10, c: 10 });
  });

  it('follows a weight change from the next lead on', () => {
    const even = runPicks(roundRobin(['a', 'b']), 100);
    const next = runPicks(roundRobin(['a', { userId: 'b', weight: 3 }]), 400, { state: even.state });
    expect(next.counts.b).toBeGreaterThanOrEqual(299);
    expect(next.counts.b).toBeLessThanOrEqual(301);
  });

  it('counts a user listed twice once', () => {
    const { counts } = runPicks(roundRobin(['a', 'b', 'a']), 10);
    expect(counts).toEqual({ a: 5, b: 5 });
  });
});

describe('pickFromPool: catch-up for a member who comes back', () => {
  const daysAfter = (iso: string, days: number): string => minutesAfter(iso, days * 24 * 60);
  const aAway = directory(
    user('a', { Out_Of_Office_Until__c: '2026-12-31T00:00:00Z' }),
    user('b'),
    user('c'),
  );
  const pool = (catchUp?: { leads: number; withinDays: number }) =>
    roundRobin(['a', 'b', 'c'], { respectWorkingHours: false, ...(catchUp ? { catchUp } : {}) });

  /** One lead each, then b and c take 4 leads a day (2 of them a's turns) for `days` days while a is away. */
  function awayFor(p: ReturnType<typeof pool>, days: number) {
    let state: PoolState | undefined = runPicks(p, 3).state;
    for (let d = 1; d <= days; d += 1)
      state = runPicks(p, 4, { state, users: aAway, now: daysAfter(MONDAY_NOON_UTC, d) }).state;
    return state;
  }
  const backOn = (days: number) => daysAfter(MONDAY_NOON_UTC, days + 1);

  it('without catch-up, a member back from time off rejoins level with the others: no extra leads', () => {
    const back = runPicks(pool(), 6, { state: awayFor(pool(), 3), now: backOn(3) });
    expect(back.order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('gives back up to `leads` missed turns, in a row, then takes turns as before', () => {
    const p = pool({ leads: 3, withinDays: 7 });
    // a missed 6 turns over three days: 3 of them come back before the usual rotation.
    const back = runPicks(p, 9, { state: awayFor(p, 3), now: backOn(3) });
    expect(back.order).toEqual(['a', 'a', 'a', 'a', 'b', 'c', 'a', 'b', 'c']);
    const pick = pickFromPool(p, awayFor(p, 3), everyoneAvailable(p), backOn(3));
    expect(pick.reason).toBe(
      'next in turn in the round robin, making up turns missed while unavailable (catch-up)',
    );
  });

  it('counts only the turns missed within the window', () => {
    const p = pool({ leads: 10, withinDays: 2 });
    // Five days away, 2 of a's turns a day: the window's two days give back 4 turns.
    const back = runPicks(p, 7, { state: awayFor(p, 5), now: backOn(5) });
    expect(back.order).toEqual(['a', 'a', 'a', 'a', 'a', 'b', 'c']);
  });

  it('counts missed turns from before catch-up was turned on', () => {
    const back = runPicks(pool({ leads: 2, withinDays: 7 }), 5, {
      state: awayFor(pool(), 3),
      now: backOn(3),
    });
    expect(back.order).toEqual(['a', 'a', 'a', 'b', 'c']);
  });

  it('gives a joiner no run of leads: they missed no turns', () => {
    const warm = runPicks(pool({ leads: 5, withinDays: 7 }), 30).state;
    const joined = roundRobin(['a', 'b', 'c', 'd'], {
      respectWorkingHours: false,
      catchUp: { leads: 5, withinDays: 7 },
    });
    const next = runPicks(joined, 8, { state: warm });
    expect(next.counts).toEqual({ a: 2, b: 2, c: 2, d: 2 });
  });

  it('keeps one checkpoint a day, for the longest window only', () => {
    let state: PoolState | undefined;
    for (let d = 0; d < 20; d += 1)
      state = runPicks(pool(), 3, { state, now: daysAfter(MONDAY_NOON_UTC, d) }).state;
    expect(state!.checkpoints!.map((c) => c.day)).toEqual(
      Array.from({ length: 15 }, (_, i) => daysAfter(MONDAY_NOON_UTC, 5 + i).slice(0, 10)),
    );
  });

  it('refuses a catch-up that is not a number of leads and days within bounds', () => {
    expect(validatePool(roundRobin(['a'], { catchUp: { leads: 0, withinDays: 7 } }))).toEqual([
      { path: 'catchUp.leads', message: expect.stringMatching(/from 1 to 50/) },
    ]);
    expect(validatePool(roundRobin(['a'], { catchUp: { leads: 2, withinDays: 30 } }))).toEqual([
      { path: 'catchUp.withinDays', message: expect.stringMatching(/from 1 to 14/) },
    ]);
  });
});

describe('pickFromPool: skips, with reasons', () => {
  const pool = roundRobin(['a', 'b']);

  it('skips inactive and unknown users', () => {
    const pick = pickFromPool(
      roundRobin(['a', 'ghost', 'b']),
      undefined,
      directory(user('a', { IsActive: false }), user('b')),
      MONDAY_NOON_UTC,
    );
    expect(pick.userId).toBe('b');
    expect(pick.skipped).toEqual([
      { userId: 'a', reason: 'inactive user', code: 'inactive' },
      { userId: 'ghost', reason: 'not a known user', code: 'unknown-user' },
    ]);
    expect(pick.reason).toBe('next in turn in the round robin');
    expect(describeSkips(pick.skipped)).toBe('1 not a known user, 1 inactive');
  });

  it('skips a paused member', () => {
    const pick = pickFromPool(
      roundRobin([{ userId: 'a', paused: true }, 'b']),
      undefined,
      everyoneAvailable(pool),
      MONDAY_NOON_UTC,
    );
    expect(pick.userId).toBe('b');
    expect(pick.skipped[0]).toMatchObject({ userId: 'a', code: 'paused' });
  });

  it('skips a member out of office until later, not one who is back', () => {
    const users = directory(
      user('a', { Out_Of_Office_Until__c: '2026-11-16T12:00:01Z' }),
      user('b', { Out_Of_Office_Until__c: '2026-11-16T11:59:59Z' }),
    );
    const pick = pickFromPool(pool, undefined, users, MONDAY_NOON_UTC);
    expect(pick.userId).toBe('b');
    expect(pick.skipped).toEqual([
      { userId: 'a', reason: 'out of office until 2026-11-16 12:00 UTC', code: 'out-of-office' },
    ]);
  });

  it('picks a Tokyo member at 10:00 JST and skips them at 03:00 JST', () => {
    const tokyo = roundRobin(['tk']);
    const users = directory(user('tk', { TimeZoneSidKey: 'Asia/Tokyo' }));
    // 01:00 UTC Monday is 10:00 Monday in Tokyo.
    expect(pickFromPool(tokyo, undefined, users, '2026-11-16T01:00:00Z').userId).toBe('tk');
    // 18:00 UTC Sunday is 03:00 Monday in Tokyo.
    const night = pickFromPool(tokyo, undefined, users, '2026-11-15T18:00:00Z');
    expect(night.userId).toBeNull();
    expect(night.skipped[0]).toEqual({
      userId: 'tk',
      code: 'outside-hours',
      reason: 'outside working hours: it is Mon 03:00 in Asia/Tokyo (works Mon–Fri 09:00–17:00)',
    });
  });

  it('follows daylight saving time in the member’s zone', () => {
    const ny = roundRobin(['ny']);
    const users = directory(user('ny', { TimeZoneSidKey: 'America/New_York' }));
    // 13:30 UTC is 08:30 EST in November but 09:30 EDT in July.
    expect(pickFromPool(ny, undefined, users, '2026-11-16T13:30:00Z').userId).toBeNull();
    expect(pickFromPool(ny, undefined, users, '2026-07-13T13:30:00Z').userId).toBe('ny');
  });

  it('skips everyone on a Saturday with default hours', () => {
    const pick = pickFromPool(pool, undefined, everyoneAvailable(pool), '2026-11-14T12:00:00Z');
    expect(pick.userId).toBeNull();
    expect(pick.skipped.map((s) => s.code)).toEqual(['outside-hours', 'outside-hours']);
  });

  it('uses a member’s own working hours, including a shift past midnight', () => {
    const nights = directory(
      user('a', { WorkingHours: { days: [1], start: '22:00', end: '06:00' } }),
      user('b', { WorkingHours: { days: [6, 7], start: '10:00', end: '14:00' } }),
    );
    // Tuesday 03:00 belongs to Monday's night shift.
    expect(pickFromPool(pool, undefined, nights, '2026-11-17T03:00:00Z').userId).toBe('a');
    // Monday 03:00 belongs to Sunday's night, which a does not work.
    expect(pickFromPool(pool, undefined, nights, '2026-11-16T03:00:00Z').userId).toBeNull();
    expect(pickFromPool(pool, undefined, nights, '2026-11-14T13:59:00Z').userId).toBe('b');
    expect(pickFromPool(pool, undefined, nights, '2026-11-14T14:00:00Z').userId).toBeNull();
  });

  it('ignores working hours when the pool says so', () => {
    const anytime = roundRobin(['a'], { respectWorkingHours: false });
    const users = directory(user('a', { TimeZoneSidKey: 'Asia/Tokyo' }));
    expect(pickFromPool(anytime, undefined, users, '2026-11-15T18:00:00Z').userId).toBe('a');
  });

  it('skips a member whose time zone or hours cannot be read, and says so', () => {
    const users = directory(
      user('a', { TimeZoneSidKey: 'Mars/Olympus_Mons' }),
      user('b', { WorkingHours: { days: [1], start: '9am', end: '5pm' } }),
    );
    const pick = pickFromPool(pool, undefined, users, MONDAY_NOON_UTC);
    expect(pick.userId).toBeNull();
    expect(pick.skipped[0]!.reason).toContain("'Mars/Olympus_Mons' is not a time zone");
    expect(pick.skipped[1]!.reason).toContain("'9am'–'5pm' are not times");
  });

  it('stops at the hourly cap and starts again an hour later', () => {
    const capped = roundRobin([{ userId: 'a', capPerHour: 2 }, 'b'], { respectWorkingHours: false });
    const users = everyoneAvailable(capped);
    let state: PoolState | undefined;
    const toA: string[] = [];
    for (let minute = 0; minute < 8; minute += 1) {
      const pick = pickFromPool(capped, state, users, minutesAfter(MONDAY_NOON_UTC, minute));
      if (pick.userId === 'a') toA.push(String(minute));
      state = pick.state;
    }
    expect(toA).toEqual(['0', '2']);
    const capReason = pickFromPool(capped, state, users, minutesAfter(MONDAY_NOON_UTC, 59)).skipped[0];
    expect(capReason).toEqual({
      userId: 'a',
      code: 'hour-cap',
      reason: 'reached the hourly cap: 2 leads in the last hour (cap 2)',
    });
    expect(pickFromPool(capped, state, users, minutesAfter(MONDAY_NOON_UTC, 60)).skipped).toEqual([]);
  });

  it('stops at the daily cap and forgets assignments older than 24 hours', () => {
    const capped = roundRobin([{ userId: 'a', capPerDay: 3 }], { respectWorkingHours: false });
    const users = everyoneAvailable(capped);
    let state: PoolState | undefined;
    for (let hour = 0; hour < 3; hour += 1) {
      state = pickFromPool(capped, state, users, minutesAfter(MONDAY_NOON_UTC, hour * 60)).state;
    }
    const full = pickFromPool(capped, state, users, minutesAfter(MONDAY_NOON_UTC, 23 * 60));
    expect(full.userId).toBeNull();
    expect(full.reason).toBe(
      'the only member was skipped: reached the daily cap: 3 leads in the last 24 hours (cap 3)',
    );
    const nextDay = pickFromPool(capped, state, users, minutesAfter(MONDAY_NOON_UTC, 24 * 60));
    expect(nextDay.userId).toBe('a');
    expect(nextDay.state.members.a!.recent).toEqual([
      '2026-11-16T13:00:00.000Z',
      '2026-11-16T14:00:00.000Z',
      '2026-11-17T12:00:00.000Z',
    ]);
    expect(nextDay.state.members.a!.assignedTotal).toBe(4);
  });

  it('counts stamps written without milliseconds or out of order by another worker', () => {
    const capped = roundRobin([{ userId: 'a', capPerHour: 3 }], { respectWorkingHours: false });
    const state = reconcilePoolState(capped, undefined);
    state.members.a!.recent = ['2026-11-15T11:00:00Z', '2026-11-16T11:10:00Z', '2026-11-16T11:50:00.000Z'];
    // 11:30 lies between two stamps of the last hour: it goes in between, and the old one drops out.
    const late = pickFromPool(capped, state, everyoneAvailable(capped), '2026-11-16T11:30:00Z');
    expect(late.state.members.a!.recent).toEqual([
      '2026-11-16T11:10:00Z',
      '2026-11-16T11:30:00.000Z',
      '2026-11-16T11:50:00.000Z',
    ]);
    const full = pickFromPool(capped, late.state, everyoneAvailable(capped), '2026-11-16T12:00:00Z');
    expect(full.skipped[0]!.reason).toBe('reached the hourly cap: 3 leads in the last hour (cap 3)');
  });

  it('keeps only the stamps its caps need: none without caps, the newest cap-worth with them', () => {
    const pool = roundRobin(
      ['a', { userId: 'b', capPerDay: 600 }, { userId: 'c', capPerHour: 5, capPerDay: 8 }],
      { respectWorkingHours: false },
    );
    const busy = reconcilePoolState(pool, undefined);
    const stamps = Array.from({ length: 700 }, (_, i) => minutesAfter('2026-11-16T00:00:00Z', i / 60));
    busy.members.a!.recent = stamps;
    busy.members.b!.recent = stamps;
    busy.members.c!.recent = stamps;
    const pick = pickFromPool(pool, busy, everyoneAvailable(pool), MONDAY_NOON_UTC);
    expect(pick.userId).toBe('a');
    expect(pick.state.members.a!.recent).toEqual([]);
    expect(pick.state.members.a!.assignedTotal).toBe(1);
    expect(pick.state.members.b!.recent).toEqual(stamps.slice(-600));
    expect(pick.state.members.c!.recent).toEqual(stamps.slice(-8));
    expect(pick.skipped.map((s) => s.reason)).toEqual([
      'reached the daily cap: 700 leads in the last 24 hours (cap 600)',
      'reached the daily cap: 700 leads in the last 24 hours (cap 8)',
    ]);
    // What is kept still decides the caps: b and c stay full, the oldest kept stamps fall out later.
    const again = pickFromPool(pool, pick.state, everyoneAvailable(pool), minutesAfter(MONDAY_NOON_UTC, 1));
    expect(again.skipped.map((s) => s.code)).toEqual(['day-cap', 'day-cap']);
  });

  it('skips a member at their maximum open load', () => {
    const loaded = roundRobin([{ userId: 'a', maxOpenLoad: 10 }, 'b']);
    const stats = (id: string): MemberStats => ({
      openLeads: id === 'a' ? 10 : 50,
      openOpportunities: 0,
      performance: 0,
    });
    const pick = pickFromPool(loaded, undefined, everyoneAvailable(loaded), MONDAY_NOON_UTC, stats);
    expect(pick.userId).toBe('b');
    expect(pick.skipped[0]).toEqual({ userId: 'a', code: 'max-load', reason: 'owns 10 open leads (max 10)' });
    const lighter = (id: string): MemberStats => ({
      openLeads: id === 'a' ? 9 : 50,
      openOpportunities: 0,
      performance: 0,
    });
    expect(pickFromPool(loaded, undefined, everyoneAvailable(loaded), MONDAY_NOON_UTC, lighter).userId).toBe(
      'a',
    );
  });

  it('skips members the caller excludes, such as the current owner on a re-route', () => {
    const owner = new Map([['a', 'already owns the lead']]);
    const pick = pickFromPool(pool, undefined, everyoneAvailable(pool), MONDAY_NOON_UTC, undefined, owner);
    expect(pick.userId).toBe('b');
    expect(pick.skipped).toEqual([{ userId: 'a', reason: 'already owns the lead', code: 'excluded' }]);
    const alone = pickFromPool(
      roundRobin(['a']),
      undefined,
      directory(user('a')),
      MONDAY_NOON_UTC,
      undefined,
      owner,
    );
    expect(alone.reason).toBe('the only member was skipped: already owns the lead');
  });

  it('keeps an excluded member’s place in the queue for the next lead', () => {
    const pool = roundRobin(['a', 'b', 'c']);
    const users = everyoneAvailable(pool);
    const warm = runPicks(pool, 2);
    const skipC = pickFromPool(
      pool,
      warm.state,
      users,
      MONDAY_NOON_UTC,
      undefined,
      new Map([['c', 'owns it']]),
    );
    expect(skipC.userId).toBe('a');
    // c was due before a's borrowed turn: c goes next, and after six leads everyone has two.
    const after = runPicks(pool, 3, { state: skipC.state });
    expect(after.order).toEqual(['c', 'b', 'c']);
    expect(runPicks(pool, 1, { state: after.state }).order).toEqual(['a']);
  });

  it('gives a member their turn once a weight of 0 becomes 1', () => {
    const off = runPicks(roundRobin([{ userId: 'a', weight: 0 }, 'b']), 4);
    expect(off.counts).toEqual({ b: 4 });
    const on = runPicks(roundRobin(['a', 'b']), 4, { state: off.state });
    expect(on.counts).toEqual({ a: 2, b: 2 });
    expect(JSON.parse(JSON.stringify(on.state))).toEqual(on.state);
  });

  it('skips a member with weight 0', () => {
    const pick = pickFromPool(
      roundRobin([{ userId: 'a', weight: 0 }, 'b']),
      undefined,
      everyoneAvailable(pool),
      MONDAY_NOON_UTC,
    );
    expect(pick.userId).toBe('b');
    expect(pick.skipped[0]!.code).toBe('no-weight');
  });
});

describe('pickFromPool: nobody eligible', () => {
  it('says why everyone was skipped and leaves the state as it was', () => {
    const pool = roundRobin(['a', 'b', 'c', { userId: 'd', capPerDay: 1 }]);
    const users = directory(
      user('a', { Out_Of_Office_Until__c: '2026-12-01T00:00:00Z' }),
      user('b', { IsActive: false }),
      user('c', { Out_Of_Office_Until__c: '2026-12-01T00:00:00Z' }),
      user('d'),
    );
    const state = reconcilePoolState(pool, undefined);
    state.members.d!.recent = ['2026-11-16T08:00:00.000Z'];
    const pick = pickFromPool(pool, state, users, MONDAY_NOON_UTC);
    expect(pick.userId).toBeNull();
    expect(pick.reason).toBe('all 4 members skipped: 2 out of office, 1 inactive, 1 over daily cap');
    expect(pick.state).toBe(state);
    expect(pick.state.version).toBe(0);
  });

  it('says so when the pool has no members', () => {
    const pick = pickFromPool(roundRobin([]), undefined, directory(), MONDAY_NOON_UTC);
    expect(pick).toMatchObject({ userId: null, reason: 'the pool has no members', skipped: [] });
  });
});

describe('pickFromPool: load and performance strategies', () => {
  const figures: Record<string, MemberStats> = {
    a: { openLeads: 5, openOpportunities: 0, performance: 0.3 },
    b: { openLeads: 2, openOpportunities: 4, performance: 0.2 },
    c: { openLeads: 2, openOpportunities: 1, performance: 0.1 },
  };
  const stats = (id: string): MemberStats | undefined => figures[id];

  it('load: gives the lead to the fewest open leads, ties in round-robin order', () => {
    const pool = roundRobin(['a', 'b', 'c'], { strategy: 'load' });
    const first = pickFromPool(pool, undefined, everyoneAvailable(pool), MONDAY_NOON_UTC, stats);
    expect(first.userId).toBe('b');
    expect(first.reason).toBe('fewest open leads (2) among 3 available members');
    expect(first.state.version).toBe(1);
    expect(first.state.members.b!.assignedTotal).toBe(1);
    // Same figures again: b and c still tie, and it is c's turn now.
    const second = pickFromPool(pool, first.state, everyoneAvailable(pool), MONDAY_NOON_UTC, stats);
    expect(second.userId).toBe('c');
  });

  it('load by open opportunities: the member managing fewest open opportunities takes the lead', () => {
    const pool = roundRobin(['a', 'b', 'c'], { strategy: 'load', load: 'opportunities' });
    const pick = pickFromPool(pool, undefined, everyoneAvailable(pool), MONDAY_NOON_UTC, stats);
    expect(pick.userId).toBe('a');
    expect(pick.reason).toBe('fewest open opportunities (0) among 3 available members');
  });

  it('load by both: open leads and open opportunities added together', () => {
    const pool = roundRobin(['a', 'b', 'c'], { strategy: 'load', load: 'both' });
    const pick = pickFromPool(pool, undefined, everyoneAvailable(pool), MONDAY_NOON_UTC, stats);
    expect(pick.userId).toBe('c');
    expect(pick.reason).toBe('fewest open leads and opportunities (3) among 3 available members');
  });

  it('the maximum load counts what the pool counts', () => {
    const capped = (load: 'leads' | 'opportunities') =>
      roundRobin([{ userId: 'b', maxOpenLoad: 3 }, 'a'], { load });
    const byOpportunities = pickFromPool(
      capped('opportunities'),
      undefined,
      everyoneAvailable(capped('opportunities')),
      MONDAY_NOON_UTC,
      stats,
    );
    expect(byOpportunities.userId).toBe('a');
    expect(byOpportunities.skipped[0]).toMatchObject({
      userId: 'b',
      reason: 'owns 4 open opportunities (max 3)',
    });
    const byLeads = pickFromPool(
      capped('leads'),
      undefined,
      everyoneAvailable(capped('leads')),
      MONDAY_NOON_UTC,
      stats,
    );
    expect(byLeads.userId).toBe('b');
  });

  it('refuses a load that is not leads, opportunities or both', () => {
    const pool = roundRobin(['a'], { load: 'deals' as 'leads' });
    expect(validatePool(pool)).toContainEqual({
      path: 'load',
      message: "'deals' is not a load: use leads, opportunities or both",
    });
  });

  it('load: ranks a member without figures after those with figures', () => {
    const pool = roundRobin(['x', 'a'], { strategy: 'load' });
    expect(pickFromPool(pool, undefined, everyoneAvailable(pool), MONDAY_NOON_UTC, stats).userId).toBe('a');
  });

  it('performance: highest performance times weight wins', () => {
    const pool = roundRobin(['a', { userId: 'b', weight: 2 }, 'c'], { strategy: 'performance' });
    const pick = pickFromPool(pool, undefined, everyoneAvailable(pool), MONDAY_NOON_UTC, stats);
    expect(pick.userId).toBe('b');
    expect(pick.reason).toBe('best performance (20%, weight 2) among 3 available members');
    const unweighted = roundRobin(['c', 'b', 'a'], { strategy: 'performance' });
    expect(pickFromPool(unweighted, undefined, everyoneAvailable(pool), MONDAY_NOON_UTC, stats).userId).toBe(
      'a',
    );
  });

  it('performance: ties go round robin', () => {
    const pool = roundRobin(['a', 'b'], { strategy: 'performance' });
    const same = (): MemberStats => ({ openLeads: 0, openOpportunities: 0, performance: 0.5 });
    expect(runPicks(pool, 4, { stats: same }).order).toEqual(['a', 'b', 'a', 'b']);
  });
});

describe('pickFromPool: determinism and inputs', () => {
  it('gives the same pick and state for the same inputs, and changes none of them', () => {
    const pool = roundRobin(['a', { userId: 'b', weight: 3 }, 'c']);
    const warm = runPicks(pool, 7).state!;
    const frozen = structuredClone({ pool, warm });
    const one = pickFromPool(pool, warm, everyoneAvailable(pool), MONDAY_NOON_UTC);
    const two = pickFromPool(pool, warm, everyoneAvailable(pool), MONDAY_NOON_UTC);
    expect(two).toEqual(one);
    expect({ pool, warm }).toEqual(frozen);
  });

  it('refuses a state stored for another pool', () => {
    const other: PoolState = { pool: 'other', version: 3, virtualTime: 0, members: {} };
    expect(() => pickFromPool(roundRobin(['a']), other, directory(user('a')), MONDAY_NOON_UTC)).toThrow(
      expect.objectContaining({ code: 'POOL_STATE_MISMATCH' }),
    );
  });

  it('refuses a time that is not a time', () => {
    const call = (): unknown => pickFromPool(roundRobin(['a']), undefined, directory(user('a')), 'soon');
    expect(call).toThrow(DistributionError);
    expect(call).toThrow(expect.objectContaining({ code: 'INVALID_TIME' }));
  });

  it('accepts epoch milliseconds for the time', () => {
    const pick = pickFromPool(
      roundRobin(['a']),
      undefined,
      directory(user('a')),
      Date.parse(MONDAY_NOON_UTC),
    );
    expect(pick.state.members.a!.assignedTotal).toBe(1);
  });
});

describe('nextInLine', () => {
  it('lists who gets the next leads, stopping when caps run out', () => {
    const pool = roundRobin([{ userId: 'a', weight: 2, capPerHour: 2 }, 'b'], { respectWorkingHours: false });
    const users = everyoneAvailable(pool);
    expect(nextInLine(pool, undefined, users, MONDAY_NOON_UTC, 6)).toEqual(['a', 'a', 'b', 'b', 'b', 'b']);
    const capped = roundRobin([{ userId: 'a', capPerHour: 1 }], { respectWorkingHours: false });
    expect(nextInLine(capped, undefined, users, MONDAY_NOON_UTC, 5)).toEqual(['a']);
  });

  it('matches the picks that follow', () => {
    const pool = roundRobin(['a', { userId: 'b', weight: 3 }, 'c']);
    const warm = runPicks(pool, 5).state;
    expect(nextInLine(pool, warm, everyoneAvailable(pool), MONDAY_NOON_UTC, 7)).toEqual(
      runPicks(pool, 7, { state: warm }).order,
    );
  });
});

describe('validatePool', () => {
  it('accepts a sound pool', () => {
    expect(validatePool(roundRobin(['a', { userId: 'b', weight: 2, capPerHour: 3, capPerDay: 20 }]))).toEqual(
      [],
    );
  });

  it('names each problem and its place', () => {
    const problems = validatePool({
      name: '',
      strategy: 'random' as 'load',
      members: [
        { userId: 'a', weight: -1 },
        { userId: 'a' },
        { userId: 'b', capPerHour: 5, capPerDay: 2, maxOpenLoad: 1.5 },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      'name',
      'strategy',
      'members[0].weight',
      'members[1].userId',
      'members[2].maxOpenLoad',
      'members[2].capPerHour',
    ]);
    expect(problems[3]!.message).toContain('already listed as members[0]');
  });

  it('wants at least one member', () => {
    expect(validatePool(roundRobin([]))).toEqual([
      { path: 'members', message: 'the pool has no members: add at least one user' },
    ]);
  });
});
