import { nextInLine, pickFromPool } from '../engine/distribution/pool.js';
import type { MemberStats, PoolDefinition, PoolSkip } from '../engine/distribution/distribution.types.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import type { UserRecord } from '../engine/model.js';
import { poolTurnsSince } from '../store/decision.repository.js';
import { readPools } from '../store/pool.repository.js';
import type { StoreSession } from '../store/store.js';

/** A pool as a manager looks at it now: who is next, who is passed over and why, leads given so far. */
export interface PoolStatus {
  pool: string;
  /** Who the next lead would go to now (no turn taken); null when nobody can take one, `reason` says why. */
  next: string | null;
  reason: string;
  skipped: PoolSkip[];
  /** Leads each member was given by this pool since its state began. */
  assigned: Record<string, number>;
  /** Leads each member was given by this pool since midnight UTC (the day out-of-office days count in). */
  turnsToday: Record<string, number>;
  /** Each member's open leads, as the next decision would read them; absent when the org did not say. */
  openLeads: Record<string, number>;
}

/**
 * Each pool of the set as its next pick would see it, from the stored state, without taking a turn
 * (a load cap shows when routing reads the figures), with each member's turns today and open leads.
 */
export async function poolStatus(
  store: StoreSession,
  set: RoutingSet,
  user: (id: string) => UserRecord | undefined,
  now: Date,
  stats: (userIds: string[]) => Promise<Map<string, MemberStats>>,
): Promise<PoolStatus[]> {
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const members = [...new Set([...set.pools.values()].flatMap((p) => p.members.map((m) => m.userId)))];
  const [states, turns, load] = await Promise.all([
    readPools(store.db, [...set.pools.keys()]),
    poolTurnsSince(store.db, midnight),
    stats(members),
  ]);
  return [...set.pools.values()].map((pool) => {
    const state = states.get(pool.name)?.state ?? undefined;
    const pick = pickFromPool(pool, state, user, now.toISOString());
    const assigned: Record<string, number> = {};
    const turnsToday: Record<string, number> = {};
    const openLeads: Record<string, number> = {};
    for (const m of pool.members) {
      assigned[m.userId] = state?.members[m.userId]?.assignedTotal ?? 0;
      turnsToday[m.userId] = turns.find((t) => t.pool === pool.name && t.ownerId === m.userId)?.count ?? 0;
      const open = load.get(m.userId)?.openLeads;
      if (open !== undefined) openLeads[m.userId] = open;
    }
    return {
      pool: pool.name,
      next: pick.userId,
      reason: pick.reason,
      skipped: pick.skipped,
      assigned,
      turnsToday,
      openLeads,
    };
  });
}

/**
 * Who would get a pool's next `count` leads if they all arrived now, under each definition given
 * (the live one and a change an admin is about to make: the same pool, so one stored state read for
 * all); no turn is taken.
 */
export async function poolLines(
  store: StoreSession,
  pools: readonly PoolDefinition[],
  user: (id: string) => UserRecord | undefined,
  now: Date,
  count: number,
): Promise<string[][]> {
  const names = [...new Set(pools.map((p) => p.name))];
  const states = await readPools(store.db, names);
  return pools.map((pool) =>
    nextInLine(pool, states.get(pool.name)?.state ?? undefined, user, now.toISOString(), count),
  );
}
