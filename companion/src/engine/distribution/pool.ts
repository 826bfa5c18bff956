import { toEpochMs, unavailability } from './availability.js';
import { PoolStateMismatchError } from './distribution.errors.js';
import type {
  AwaySpell,
  CatchUp,
  DistributionProblem,
  LoadMeasure,
  MemberState,
  MemberStats,
  PoolDefinition,
  PoolMember,
  PoolPick,
  PoolSkip,
  PoolState,
  SkipCode,
  UserLookup,
} from './distribution.types.js';

/**
 * Stride scheduling: a member's pass advances by STRIDE_UNIT / weight per lead, and the lowest pass
 * goes next. 720720 is divisible by every integer weight up to 16, so common weights keep exact
 * integer passes and ties stay ties.
 */
export const STRIDE_UNIT = 720_720;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Catch-up credits are counted over at most this many days (every pool keeps this many days of
 * checkpoints, so turning catch-up on counts the turns missed before), and given for at most this
 * many leads.
 */
export const CATCH_UP_MAX_DAYS = 14;
export const CATCH_UP_MAX_LEADS = 50;

export type MemberStatsLookup = (userId: string) => MemberStats | undefined;

/** How each skip is counted in the "all N members skipped: …" summary, in check order. */
const SKIP_SUMMARY: Record<SkipCode, string> = {
  'unknown-user': 'not a known user',
  inactive: 'inactive',
  paused: 'paused',
  'no-weight': 'with weight 0',
  'out-of-office': 'out of office',
  'outside-hours': 'outside working hours',
  'day-cap': 'over daily cap',
  'hour-cap': 'over hourly cap',
  'max-load': 'at max open load',
  excluded: 'excluded from this lead',
};
const SKIP_ORDER = Object.keys(SKIP_SUMMARY) as SkipCode[];

function weightOf(member: PoolMember): number {
  return member.weight ?? 1;
}

function hasShare(member: PoolMember): boolean {
  const weight = weightOf(member);
  return Number.isFinite(weight) && weight > 0;
}

/** A member without a share (weight 0) is never picked; they wait like weight 1 if given one. */
function strideOf(member: PoolMember): number {
  return hasShare(member) ? STRIDE_UNIT / weightOf(member) : STRIDE_UNIT;
}

/** The members in list order, a user listed twice counted once (the first listing wins). */
function distinctMembers(pool: PoolDefinition): PoolMember[] {
  const seen = new Set<string>();
  return pool.members.filter((m) => !seen.has(m.userId) && seen.add(m.userId));
}

/**
 * The state for the pool's current members: leavers dropped, joiners added at the pool's virtual
 * time plus one stride, so a joiner waits one turn like someone who has just been given a lead
 * (no catch-up flood, whatever the pool's catch-up: a joiner missed no turns), and leaving and
 * re-joining never moves anyone up the queue. Pure: returns a new state with the same version,
 * sharing member entries with `state`; change neither in place.
 */
export function reconcilePoolState(pool: PoolDefinition, state: PoolState | undefined): PoolState {
  if (state && state.pool !== pool.name) throw new PoolStateMismatchError(pool.name, state.pool);
  const virtualTime = state?.virtualTime ?? 0;
  const members: Record<string, MemberState> = {};
  for (const member of distinctMembers(pool)) {
    const known = state?.members[member.userId];
    // Shared, not copied: nothing here changes a state in place. A pass that is not a number
    // (a damaged row) is treated as a joiner's.
    members[member.userId] =
      known && Number.isFinite(known.pass)
        ? known
        : {
            pass: virtualTime + strideOf(member),
            assignedTotal: known?.assignedTotal ?? 0,
            recent: known?.recent ?? [],
          };
  }
  const reconciled: PoolState = { pool: pool.name, version: state?.version ?? 0, virtualTime, members };
  if (state?.checkpoints) reconciled.checkpoints = state.checkpoints;
  return reconciled;
}

/** 'YYYY-MM-DDTHH:mm:ss.sssZ', as toISOString writes: such strings sort as their times do. */
function isCanonical(stamp: string): boolean {
  return stamp.length === 24 && stamp.charCodeAt(23) === 90 && stamp.charCodeAt(10) === 84;
}

/** A moment as epoch ms and as the canonical string, to compare stamps either way. */
interface Moment {
  ms: number;
  iso: string;
}

function moment(ms: number): Moment {
  return { ms, iso: new Date(ms).toISOString() };
}

/** The last clock made: a run of picks at one moment (a batch, a backtest's lead) shares it. */
let lastClock: Clock | null = null;

/** The moments a pick at `nowMs` compares stamps with; never changed by its users. */
function clockAt(nowMs: number): Clock {
  if (lastClock?.now.ms !== nowMs) {
    lastClock = { now: moment(nowMs), hourAgo: moment(nowMs - HOUR_MS), dayAgo: moment(nowMs - DAY_MS) };
  }
  return lastClock;
}

/** The index of the first timestamp after `moment` in a list kept oldest first (binary search). */
function firstAfter(recent: string[], { ms, iso }: Moment): number {
  let low = 0;
  let high = recent.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const stamp = recent[mid]!;
    // Comparing strings is much cheaper than parsing, and picks are made every few milliseconds.
    const after = isCanonical(stamp) ? stamp > iso : Date.parse(stamp) > ms;
    if (after) high = mid;
    else low = mid + 1;
  }
  return low;
}

function countSince(recent: string[], since: Moment): number {
  return recent.length - firstAfter(recent, since);
}

/**
 * Stamps kept per member: as many as their largest cap, none without caps. A cap is reached when
 * its number of newest stamps all fall in its window, so the newest `cap` stamps decide every cap
 * exactly, and the stored state stays a few hundred bytes per pool however busy it is (it is
 * rewritten on every pick). A cap added later counts the assignments made from then on.
 */
function keptFor(member: PoolMember | undefined): number {
  return Math.max(member?.capPerDay ?? 0, member?.capPerHour ?? 0);
}

/** The newest stamps of the last 24 hours, at most `limit`; the same array when nothing goes. */
function keptStamps(recent: string[], dayAgo: Moment, limit: number): string[] {
  const first = Math.max(firstAfter(recent, dayAgo), recent.length - limit);
  return first <= 0 ? recent : recent.slice(first);
}

/** The moments a pick at `nowMs` compares assignment stamps with. */
interface Clock {
  now: Moment;
  hourAgo: Moment;
  dayAgo: Moment;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The member's load as the pool counts it. */
function loadOf(pool: PoolDefinition, stats: MemberStats): number {
  switch (pool.load ?? 'leads') {
    case 'opportunities':
      return stats.openOpportunities;
    case 'both':
      return stats.openLeads + stats.openOpportunities;
    default:
      return stats.openLeads;
  }
}

const LOAD_NAME: Record<LoadMeasure, string> = {
  leads: 'open leads',
  opportunities: 'open opportunities',
  both: 'open leads and opportunities',
};

/** What the pool's load counts, in words, e.g. "3 open leads" or "1 open opportunity". */
function loadWords(pool: PoolDefinition, count: number): string {
  switch (pool.load ?? 'leads') {
    case 'opportunities':
      return plural(count, 'open opportunity', 'open opportunities');
    case 'both':
      return `${count} ${LOAD_NAME.both}`;
    default:
      return plural(count, 'open lead');
  }
}

interface Skip {
  code: SkipCode;
  reason: string;
}

function whySkipped(
  pool: PoolDefinition,
  member: PoolMember,
  memberState: MemberState,
  users: UserLookup,
  stats: MemberStats | undefined,
  clock: Clock,
): Skip | null {
  const user = users(member.userId);
  if (!user) return { code: 'unknown-user', reason: 'not a known user' };
  if (!user.IsActive) return { code: 'inactive', reason: 'inactive user' };
  if (member.paused) return { code: 'paused', reason: 'paused in this pool' };
  const spell = member.away?.find((a) => awayAt(a, clock.now.ms));
  if (spell) return { code: 'out-of-office', reason: `out of office from ${spell.from} to ${spell.to}` };
  if (!hasShare(member)) {
    return { code: 'no-weight', reason: `weight ${weightOf(member)} gives no share of leads` };
  }
  const away = unavailability(user, clock.now.ms, pool.respectWorkingHours ?? true);
  if (away) return away;
  if (member.capPerDay !== undefined) {
    const today = countSince(memberState.recent, clock.dayAgo);
    if (today >= member.capPerDay) {
      return {
        code: 'day-cap',
        reason: `reached the daily cap: ${plural(today, 'lead')} in the last 24 hours (cap ${member.capPerDay})`,
      };
    }
  }
  if (member.capPerHour !== undefined) {
    const lastHour = countSince(memberState.recent, clock.hourAgo);
    if (lastHour >= member.capPerHour) {
      return {
        code: 'hour-cap',
        reason: `reached the hourly cap: ${plural(lastHour, 'lead')} in the last hour (cap ${member.capPerHour})`,
      };
    }
  }
  // Without figures the load is unknown; skipping would silently starve the member, so they stay in.
  if (member.maxOpenLoad !== undefined && stats && loadOf(pool, stats) >= member.maxOpenLoad) {
    return {
      code: 'max-load',
      reason: `owns ${loadWords(pool, loadOf(pool, stats))} (max ${member.maxOpenLoad})`,
    };
  }
  return null;
}

/** "2 out of office, 1 inactive, 1 over daily cap": most common first, then in check order. */
export function describeSkips(skipped: PoolSkip[]): string {
  const counts = new Map<SkipCode, number>();
  for (const skip of skipped) if (skip.code) counts.set(skip.code, (counts.get(skip.code) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a, countA], [b, countB]) => countB - countA || SKIP_ORDER.indexOf(a) - SKIP_ORDER.indexOf(b))
    .map(([code, count]) => `${count} ${SKIP_SUMMARY[code]}`)
    .join(', ');
}

/**
 * A member whose pass fell below the pool's virtual time missed turns while unavailable (paused,
 * away, capped). Without catch-up those turns are forfeited: they go to the back of the queue, where
 * a joiner starts, instead of collecting a run of catch-up leads. With catch-up, they are given
 * back the turns they missed since the window began (`windowStart`, the queue's virtual time then),
 * at most `leads` of them: that many turns ahead of where they would start without it.
 */
function turnOf(
  member: PoolMember,
  memberState: MemberState,
  virtualTime: number,
  catchUp: { leads: number; windowStart: number } | null,
): number {
  if (memberState.pass >= virtualTime) return memberState.pass;
  const stride = strideOf(member);
  if (!catchUp) return virtualTime + stride;
  return Math.max(
    memberState.pass,
    catchUp.windowStart + stride,
    virtualTime + stride - catchUp.leads * stride,
  );
}

/** Days as `dayOf` writes them, by day number: every pick works out two (cleared when full). */
const dayNames = new Map<number, string>();

/** The UTC day of a moment, 'YYYY-MM-DD'. */
function dayOf(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size >= 10_000) dayNames.clear();
    dayNames.set(day, name);
  }
  return name;
}

/**
 * The pool's catch-up window at `nowMs`: the virtual time at the first pick on or after the window's
 * first day (so turns are counted only from when catch-up was on and the window began), or the
 * current virtual time when nothing is known yet. Null without catch-up.
 */
function catchUpWindow(
  catchUp: CatchUp | undefined,
  state: PoolState,
  nowMs: number,
): { leads: number; windowStart: number } | null {
  if (!catchUp) return null;
  const first = dayOf(nowMs - catchUp.withinDays * DAY_MS);
  const checkpoint = state.checkpoints?.find((c) => c.day >= first);
  return { leads: catchUp.leads, windowStart: checkpoint?.virtualTime ?? state.virtualTime };
}

/** The checkpoints after a pick at `nowMs`: today's added at the first pick of the day, old ones dropped. */
function nextCheckpoints(state: PoolState, nowMs: number): PoolState['checkpoints'] {
  const today = dayOf(nowMs);
  const known = state.checkpoints ?? [];
  const oldest = dayOf(nowMs - CATCH_UP_MAX_DAYS * DAY_MS);
  const kept = known.length > 0 && known[0]!.day < oldest ? known.filter((c) => c.day >= oldest) : known;
  if (kept.at(-1)?.day === today) return kept;
  return [...kept, { day: today, virtualTime: state.virtualTime }];
}

interface Candidate {
  member: PoolMember;
  index: number;
  /** The member's pass, moved to the back of the queue if they fell behind while unavailable. */
  pass: number;
  stats: MemberStats | undefined;
}

/** Round-robin order: lowest pass first, then the member list order. */
function byTurn(a: Candidate, b: Candidate): number {
  return a.pass - b.pass || a.index - b.index;
}

function percent(value: number): string {
  return `${Math.round(value * 1000) / 10}%`;
}

function choose(pool: PoolDefinition, candidates: Candidate[]): { chosen: Candidate; why: string } {
  const available = plural(candidates.length, 'available member');
  if (pool.strategy === 'load') {
    // Members without figures go after those with figures: an unknown load is not a light one.
    const ranked = [...candidates].sort(
      (a, b) =>
        (a.stats ? 0 : 1) - (b.stats ? 0 : 1) ||
        (a.stats ? loadOf(pool, a.stats) : 0) - (b.stats ? loadOf(pool, b.stats) : 0) ||
        byTurn(a, b),
    );
    const chosen = ranked[0]!;
    const why = chosen.stats
      ? `fewest ${LOAD_NAME[pool.load ?? 'leads']} (${loadOf(pool, chosen.stats)}) among ${available}`
      : `next in turn: no load figures for any of the ${available}`;
    return { chosen, why };
  }
  if (pool.strategy === 'performance') {
    const score = (c: Candidate): number => (c.stats ? c.stats.performance * weightOf(c.member) : -1);
    const ranked = [...candidates].sort((a, b) => score(b) - score(a) || byTurn(a, b));
    const chosen = ranked[0]!;
    const weight = weightOf(chosen.member);
    const why = chosen.stats
      ? `best performance (${percent(chosen.stats.performance)}` +
        `${weight === 1 ? '' : `, weight ${weight}`}) among ${available}`
      : `next in turn: no performance figures for any of the ${available}`;
    return { chosen, why };
  }
  const chosen = [...candidates].sort(byTurn)[0]!;
  const weight = weightOf(chosen.member);
  return {
    chosen,
    why: `next in turn in the round robin${weight === 1 ? '' : ` (weight ${weight})`}`,
  };
}

/**
 * Picks who gets the next lead from a pool, and returns the state to store. `reason` says why
 * this member ('next in turn in the round robin (weight 2)') or why nobody ('all 4 members
 * skipped: 2 out of office, 1 inactive, 1 over daily cap'); each skip is in `skipped`. Deterministic: the
 * same pool, state, users, time and figures give the same pick. Unavailable members are skipped
 * with a reason; a member who was unavailable does not collect the turns they missed.
 * Correct under concurrency only when the store applies the returned state with an optimistic
 * check on `version` (or under a row lock) and retries the pick on conflict.
 */
export function pickFromPool(
  pool: PoolDefinition,
  state: PoolState | undefined,
  users: UserLookup,
  now: string | number,
  stats?: MemberStatsLookup,
  /** Members who must not get this lead, with the reason (e.g. the lead's current owner on a re-route). */
  exclude?: ReadonlyMap<string, string>,
): PoolPick {
  const nowMs = toEpochMs(now);
  const current = reconcilePoolState(pool, state);
  const members = distinctMembers(pool);
  if (members.length === 0) {
    return { userId: null, reason: 'the pool has no members', skipped: [], state: state ?? current };
  }

  if (pool.paused) {
    return { userId: null, reason: 'the pool is paused', skipped: [], state: state ?? current };
  }

  const clock = clockAt(nowMs);
  const skipped: PoolSkip[] = [];
  const candidates: Candidate[] = [];
  // Available members kept from this one lead: they hold their place in the queue.
  const held = new Map<string, number>();
  const window = catchUpWindow(pool.catchUp, current, nowMs);
  members.forEach((member, index) => {
    const memberState = current.members[member.userId]!;
    const memberStats = stats?.(member.userId);
    const pass = turnOf(member, memberState, current.virtualTime, window);
    const unavailable = whySkipped(pool, member, memberState, users, memberStats, clock);
    const excluded = exclude?.get(member.userId);
    if (excluded !== undefined) {
      skipped.push({ userId: member.userId, reason: excluded, code: 'excluded' });
      if (!unavailable) held.set(member.userId, pass);
    } else if (unavailable) {
      skipped.push({ userId: member.userId, reason: unavailable.reason, code: unavailable.code });
    } else {
      candidates.push({ member, index, pass, stats: memberStats });
    }
  });

  if (candidates.length === 0) {
    const all = members.length === 1 ? 'the only member was' : `all ${members.length} members`;
    return {
      userId: null,
      reason: `${all} skipped: ${members.length === 1 ? skipped[0]!.reason : describeSkips(skipped)}`,
      skipped,
      state: state ?? current,
    };
  }

  const { chosen, why } = choose(pool, candidates);
  // A returning member's place at the back of the queue is kept, or they would stay one turn behind.
  const turns = new Map([...held, ...candidates.map((c) => [c.member.userId, c.pass] as const)]);
  const byId = new Map(members.map((m) => [m.userId, m]));
  const nextMembers: Record<string, MemberState> = {};
  for (const [userId, memberState] of Object.entries(current.members)) {
    const limit = keptFor(byId.get(userId));
    const kept = keptStamps(memberState.recent, clock.dayAgo, limit);
    if (userId !== chosen.member.userId) {
      const pass = turns.get(userId) ?? memberState.pass;
      const unchanged = pass === memberState.pass && kept === memberState.recent;
      nextMembers[userId] = unchanged ? memberState : { ...memberState, pass, recent: kept };
      continue;
    }
    // Another worker may have recorded a later pick first; keep the list oldest first.
    const at = firstAfter(kept, clock.now);
    const recent = keptStamps([...kept.slice(0, at), clock.now.iso, ...kept.slice(at)], clock.dayAgo, limit);
    nextMembers[userId] = {
      pass: chosen.pass + strideOf(chosen.member),
      assignedTotal: memberState.assignedTotal + 1,
      recent,
    };
  }
  const lowestPass = Math.min(...turns.values());
  const next: PoolState = {
    pool: pool.name,
    version: current.version + 1,
    virtualTime: Math.max(current.virtualTime, lowestPass),
    members: nextMembers,
  };
  next.checkpoints = nextCheckpoints(current, nowMs);
  // A member picked ahead of the queue's turn is making up turns they missed: say so.
  const catchingUp = window !== null && chosen.pass < current.virtualTime;
  return {
    userId: chosen.member.userId,
    reason: catchingUp ? `${why}, making up turns missed while unavailable (catch-up)` : why,
    skipped,
    state: next,
  };
}

/**
 * The state with `userId`'s last turn given back, as if that lead had never come to them (they
 * rejected it, and a rejection counts against nobody's fairness). Unchanged when they have no turn
 * in the pool.
 */
export function giveBackTurn(pool: PoolDefinition, state: PoolState, userId: string): PoolState {
  const member = pool.members.find((m) => m.userId === userId);
  const memberState = state.members[userId];
  if (!member || !memberState || memberState.assignedTotal === 0) return state;
  return {
    ...state,
    members: {
      ...state.members,
      [userId]: {
        pass: memberState.pass - strideOf(member),
        assignedTotal: memberState.assignedTotal - 1,
        recent: memberState.recent.slice(0, -1),
      },
    },
  };
}

/**
 * Who would get the next `count` leads if they all arrived at `now`, in order: the "next up" list
 * admins look at. It stops early when nobody can take a lead; the stored state is not changed.
 */
export function nextInLine(
  pool: PoolDefinition,
  state: PoolState | undefined,
  users: UserLookup,
  now: string | number,
  count: number,
  stats?: MemberStatsLookup,
): string[] {
  const line: string[] = [];
  let current = state;
  while (line.length < count) {
    const pick = pickFromPool(pool, current, users, now, stats);
    if (!pick.userId) break;
    line.push(pick.userId);
    current = pick.state;
  }
  return line;
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** Everything wrong with a pool definition, each with its place and what to do. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The first and the day after the last millisecond of a spell away, or null when a day is not a date. */
function awayRange(spell: AwaySpell): { from: number; until: number } | null {
  if (!DAY.test(spell.from) || !DAY.test(spell.to)) return null;
  const from = Date.parse(`${spell.from}T00:00:00Z`);
  const to = Date.parse(`${spell.to}T00:00:00Z`);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
  // Date.parse rolls 2026-02-30 over into March: a day that does not exist is not a date.
  if (new Date(from).toISOString().slice(0, 10) !== spell.from) return null;
  if (new Date(to).toISOString().slice(0, 10) !== spell.to) return null;
  return { from, until: to + DAY_MS };
}

function awayAt(spell: AwaySpell, nowMs: number): boolean {
  const range = awayRange(spell);
  return range !== null && nowMs >= range.from && nowMs < range.until;
}

/** Why a spell away cannot be used, or null. */
export function awayProblem(spell: AwaySpell): string | null {
  const range = awayRange(spell);
  if (!range) return `from ${spell.from} to ${spell.to}: write both as calendar days, YYYY-MM-DD`;
  if (range.from >= range.until) return `ends on ${spell.to}, before it starts on ${spell.from}: swap them`;
  return null;
}

/** Everything wrong with a catch-up setting, each with its place and what to do. */
export function catchUpProblems(catchUp: CatchUp): DistributionProblem[] {
  const problems: DistributionProblem[] = [];
  if (!isPositiveInteger(catchUp.leads) || catchUp.leads > CATCH_UP_MAX_LEADS) {
    problems.push({
      path: 'catchUp.leads',
      message: `catch-up of ${String(catchUp.leads)} leads: give a whole number from 1 to ${CATCH_UP_MAX_LEADS}, or take catchUp away for none`,
    });
  }
  if (!isPositiveInteger(catchUp.withinDays) || catchUp.withinDays > CATCH_UP_MAX_DAYS) {
    problems.push({
      path: 'catchUp.withinDays',
      message: `a window of ${String(catchUp.withinDays)} days: give a whole number of days from 1 to ${CATCH_UP_MAX_DAYS}`,
    });
  }
  return problems;
}

export function validatePool(pool: PoolDefinition): DistributionProblem[] {
  const problems: DistributionProblem[] = [];
  if (!pool.name?.trim()) problems.push({ path: 'name', message: 'the pool needs a name' });
  if (!['round-robin', 'load', 'performance'].includes(pool.strategy)) {
    problems.push({
      path: 'strategy',
      message: `'${String(pool.strategy)}' is not a strategy: use round-robin, load or performance`,
    });
  }
  if (pool.load !== undefined && !['leads', 'opportunities', 'both'].includes(pool.load)) {
    problems.push({
      path: 'load',
      message: `'${String(pool.load)}' is not a load: use leads, opportunities or both`,
    });
  }
  if (pool.catchUp !== undefined) problems.push(...catchUpProblems(pool.catchUp));
  if (!Array.isArray(pool.members) || pool.members.length === 0) {
    problems.push({ path: 'members', message: 'the pool has no members: add at least one user' });
    return problems;
  }
  const firstIndex = new Map<string, number>();
  pool.members.forEach((member, i) => {
    const at = `members[${i}]`;
    if (!member.userId?.trim()) {
      problems.push({ path: `${at}.userId`, message: 'a member needs a user Id' });
    } else if (firstIndex.has(member.userId)) {
      problems.push({
        path: `${at}.userId`,
        message: `user ${member.userId} is already listed as members[${firstIndex.get(member.userId)}]; remove one`,
      });
    } else {
      firstIndex.set(member.userId, i);
    }
    if (member.weight !== undefined && !(Number.isFinite(member.weight) && member.weight > 0)) {
      problems.push({
        path: `${at}.weight`,
        message: `weight ${member.weight} must be a number above 0; pause the member to stop their leads`,
      });
    }
    for (const key of ['capPerHour', 'capPerDay', 'maxOpenLoad'] as const) {
      const value = member[key];
      if (value !== undefined && !isPositiveInteger(value)) {
        problems.push({ path: `${at}.${key}`, message: `${key} ${value} must be a whole number above 0` });
      }
    }
    (member.away ?? []).forEach((spell, j) => {
      const problem = awayProblem(spell);
      if (problem) problems.push({ path: `${at}.away[${j}]`, message: problem });
    });
    if (
      isPositiveInteger(member.capPerHour) &&
      isPositiveInteger(member.capPerDay) &&
      member.capPerHour! > member.capPerDay!
    ) {
      problems.push({
        path: `${at}.capPerHour`,
        message: `the hourly cap ${member.capPerHour} is above the daily cap ${member.capPerDay}, so it never applies`,
      });
    }
  });
  return problems;
}
