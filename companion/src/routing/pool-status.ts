import { nextInLine, pickFromPool } from '../engine/distribution/pool.js';
import type { PoolDefinition, PoolSkip } from '../engine/distribution/distribution.types.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import type { UserRecord } from '../engine/model.js';
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
}

/**
 * Each pool of the set as its next pick would see it, from the stored state, without taking a turn
 * (open-load figures are not read: a load cap shows when routing reads them).
 */
export async function poolStatus(
  store: StoreSession,
  set: RoutingSet,
  user: (id: string) => UserRecord | undefined,
  now: Date,
): Promise<PoolStatus[]> {
  const states = await readPools(store.db, [...set.pools.keys()]);
  return [...set.pools.values()].map((pool) => {
    const state = states.get(pool.name)?.state ?? undefined;
    const pick = pickFromPool(pool, state, user, now.toISOString());
    const assigned: Record<string, number> = {};
    for (const m of pool.members) assigned[m.userId] = state?.members[m.userId]?.assignedTotal ?? 0;
    return { pool: pool.name, next: pick.userId, reason: pick.reason, skipped: pick.skipped, assigned };
  });
}

/**
 * Who would get the pool's next `count` leads if they all arrived now, from the stored state, as
 * `pool` is defined (the live definition or a change an admin is about to make); no turn is taken.
 */
export async function poolLine(
  store: StoreSession,
  pool: PoolDefinition,
  user: (id: string) => UserRecord | undefined,
  now: Date,
  count: number,
): Promise<string[]> {
  const state = (await readPools(store.db, [pool.name])).get(pool.name)?.state ?? undefined;
  return nextInLine(pool, state, user, now.toISOString(), count);
}
