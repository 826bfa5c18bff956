import type { Directory, RoutingContext } from './decision.js';
import type { MemberStats, PoolState } from './distribution/distribution.types.js';
import type { RoutingSet } from './flow/routing-set.js';
import { AccountIndex, type AccountIndexOptions } from './matching/account-index.js';
import { LeadIndex } from './matching/lead-index.js';
import type { AccountLookup, LeadLookup } from './matching/matching.types.js';
import type {
  AccountRecord,
  LeadRecord,
  Membership,
  OpportunityRecord,
  QueueRecord,
  Trigger,
  UserRecord,
} from './model.js';

/** The in-memory view of the org that decisions read: match indexes and the people. */
export interface OrgSnapshot {
  accounts: AccountIndex;
  leads: LeadIndex;
  directory: Directory & { users(): UserRecord[]; queues(): QueueRecord[] };
}

export function createDirectory(
  users: Iterable<UserRecord>,
  queues: Iterable<QueueRecord>,
): OrgSnapshot['directory'] {
  const usersById = new Map<string, UserRecord>();
  for (const user of users) usersById.set(user.Id, user);
  const queuesById = new Map<string, QueueRecord>();
  for (const queue of queues) {
    queuesById.set(queue.Id, queue);
  }
  return {
    user: (id) => usersById.get(id),
    queue: (id) => queuesById.get(id),
    users: () => [...usersById.values()],
    queues: () => [...queuesById.values()],
  };
}

export function buildOrgSnapshot(
  records: {
    accounts: Iterable<AccountRecord>;
    opportunities: Iterable<OpportunityRecord>;
    leads: Iterable<LeadRecord>;
    users: Iterable<UserRecord>;
    queues: Iterable<QueueRecord>;
  },
  options: AccountIndexOptions = {},
): OrgSnapshot {
  return {
    accounts: AccountIndex.build(records.accounts, { ...options, opportunities: records.opportunities }),
    leads: LeadIndex.build(records.leads, { aliases: options.aliases ?? [] }),
    directory: createDirectory(records.users, records.queues),
  };
}

/** Assembles the context of one decision from the routing set, the org snapshot and the moment. */
export function routingContext(
  set: RoutingSet,
  org: OrgSnapshot,
  input: {
    now: string;
    trigger: Trigger;
    membership?: Membership | null;
    poolState?: (pool: string) => PoolState | undefined;
    stats?: (userId: string) => MemberStats | undefined;
    /** The leads as a batch of decisions sees them (see `BatchLeads`); the snapshot's otherwise. */
    leads?: LeadLookup;
    /**
     * The accounts as the caller matches them with the set's aliases (a backtest's shared answers);
     * the snapshot's with them otherwise.
     */
    accounts?: AccountLookup;
  },
): RoutingContext {
  return {
    now: input.now,
    trigger: input.trigger,
    membership: input.membership ?? null,
    // A candidate set with other company aliases matches with its own (a simulation, a backtest).
    accounts: input.accounts ?? org.accounts.withAliases(set.aliases),
    leads: input.leads ?? org.leads,
    directory: org.directory,
    // Methods, not arrow functions: made for every decision, and arrows are each given a name at run time.
    pools: {
      definition(name) {
        return set.pools.get(name);
      },
      state(name) {
        return input.poolState?.(name);
      },
      ...(input.stats ? { stats: input.stats } : {}),
    },
    territories(name) {
      return set.territories.get(name);
    },
    flows(name) {
      return set.flows.get(name);
    },
  };
}
