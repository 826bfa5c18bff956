import { pickFromPool } from '../../../src/engine/distribution/pool.js';
import type {
  MemberStats,
  PoolDefinition,
  PoolMember,
  PoolState,
  UserLookup,
} from '../../../src/engine/distribution/distribution.types.js';
import type { UserRecord } from '../../../src/engine/model.js';

/** Monday 16 November 2026, 12:00 UTC: inside default working hours in UTC. */
export const MONDAY_NOON_UTC = '2026-11-16T12:00:00.000Z';

export function user(id: string, fields: Partial<UserRecord> = {}): UserRecord {
  return { Id: id, Name: `Rep ${id}`, IsActive: true, TimeZoneSidKey: 'UTC', ...fields };
}

export function directory(...records: UserRecord[]): UserLookup {
  const byId = new Map(records.map((r) => [r.Id, r]));
  return (id) => byId.get(id);
}

/** Active UTC users for every member, so only the pool's own rules decide. */
export function everyoneAvailable(pool: PoolDefinition): UserLookup {
  return directory(...pool.members.map((m) => user(m.userId)));
}

export function roundRobin(
  members: Array<PoolMember | string>,
  extra: Partial<PoolDefinition> = {},
): PoolDefinition {
  return {
    name: 'inbound',
    strategy: 'round-robin',
    members: members.map((m) => (typeof m === 'string' ? { userId: m } : m)),
    ...extra,
  };
}

export interface Run {
  counts: Record<string, number>;
  order: Array<string | null>;
  state: PoolState | undefined;
}

/** Picks `times` leads in a row at the same moment, feeding each new state into the next pick. */
export function runPicks(
  pool: PoolDefinition,
  times: number,
  options: {
    state?: PoolState;
    users?: UserLookup;
    now?: string;
    stats?: (userId: string) => MemberStats | undefined;
  } = {},
): Run {
  const users = options.users ?? everyoneAvailable(pool);
  let state = options.state;
  const counts: Record<string, number> = {};
  const order: Array<string | null> = [];
  for (let i = 0; i < times; i += 1) {
    const pick = pickFromPool(pool, state, users, options.now ?? MONDAY_NOON_UTC, options.stats);
    order.push(pick.userId);
    if (pick.userId) counts[pick.userId] = (counts[pick.userId] ?? 0) + 1;
    state = pick.state;
  }
  return { counts, order, state };
}

export function spread(counts: Record<string, number>, ids: string[]): number {
  const values = ids.map((id) => counts[id] ?? 0);
  return Math.max(...values) - Math.min(...values);
}
