import type { CrmPort } from '../crm/crm.port.js';
import { decide } from '../engine/decide.js';
import type { Decision } from '../engine/decision.js';
import type { MemberStats, PoolDefinition, PoolState } from '../engine/distribution/distribution.types.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import { BatchLeads } from '../engine/matching/lead-index.js';
import { routingContext, type OrgSnapshot } from '../engine/routing-context.js';
import { poolsOfFlow } from './flow-pools.js';
import type { Planned } from './load-contexts.js';

export interface LeadDeciderOptions {
  crm: Pick<CrmPort, 'userStats'>;
  set: RoutingSet;
  org: OrgSnapshot;
  /** How old open-load figures for load and performance pools may get before a read starts. */
  statsMaxAgeMs: number;
  /** A read of the figures that started in the background failed: the figures held are kept, and the next decision tries again. */
  onStatsError?: (err: unknown) => void;
}

/** The members' figures and when they were read, shared by the deciders of successive routing sets. */
interface StatsHeld {
  stats: Map<string, MemberStats>;
  readAt: number;
  reading: Promise<void> | undefined;
}

/**
 * Decides planned requests with the engine, on the org snapshot, the pool state it is given and the
 * open load and performance of the members of load and performance pools (read from the CRM at most
 * every `statsMaxAgeMs`, and counted up here as leads are assigned in between).
 */
export class LeadDecider {
  private held: StatsHeld = { stats: new Map(), readAt: -Infinity, reading: undefined };

  constructor(private readonly options: LeadDeciderOptions) {}

  /** The routing set this decider decides with. */
  get set(): RoutingSet {
    return this.options.set;
  }

  /** A decider for another routing set that keeps the open-load figures read so far. */
  withSet(set: RoutingSet): LeadDecider {
    const next = new LeadDecider({ ...this.options, set });
    next.held = this.held;
    return next;
  }

  /** Read each time: the set's members move when a name comes to mean another user. */
  private statsUsers(): string[] {
    return statsUsersOf([...this.options.set.pools.values()]);
  }

  /**
   * Copies of the figures the next decision would use for these users (read from the CRM for users
   * the live set does not rank by load), so a what-if run decides exactly as routing would now.
   */
  async statsNow(at: Date, userIds: string[]): Promise<Map<string, MemberStats>> {
    await this.refreshStats(at);
    const missing = userIds.filter((id) => !this.held.stats.has(id));
    const read =
      missing.length > 0 ? await this.options.crm.userStats(missing) : new Map<string, MemberStats>();
    const copies = new Map<string, MemberStats>();
    for (const id of userIds) {
      const stats = this.held.stats.get(id) ?? read.get(id);
      if (stats) copies.set(id, { ...stats });
    }
    return copies;
  }

  /**
   * Makes sure the members' open load and performance are at hand. Only the first read is waited for;
   * when the figures are older than allowed, a read starts in the background and decisions go on with
   * the figures held until it lands (a read takes tens of milliseconds on the embedded store, an API
   * call in salesforce mode: too long to hold every request of the minute it falls in).
   */
  async refreshStats(at: Date): Promise<void> {
    const held = this.held;
    const ms = at.getTime();
    if (held.reading && held.readAt === -Infinity) return held.reading;
    if (held.reading || ms - held.readAt < this.options.statsMaxAgeMs) return;
    const users = this.statsUsers();
    if (users.length === 0) return;
    const reading = this.readStats(users, ms);
    if (held.readAt === -Infinity) {
      held.reading = reading;
      return reading;
    }
    held.reading = reading.catch((err: unknown) => this.options.onStatsError?.(err));
  }

  /** One read of the figures; when it lands they replace those held (counted-up figures included). */
  private async readStats(users: string[], ms: number): Promise<void> {
    const held = this.held;
    try {
      held.stats = await this.options.crm.userStats(users);
      held.readAt = ms;
    } finally {
      held.reading = undefined;
    }
  }

  /** The leads as one batch of decisions sees them: pass it to each `decide` of the batch. */
  batch(): BatchLeads {
    return new BatchLeads(this.options.org.leads);
  }

  decide(
    plan: Planned,
    now: string,
    poolState: (name: string) => PoolState | undefined,
    batch?: BatchLeads,
  ): Decision {
    const context = routingContext(this.options.set, this.options.org, {
      now,
      trigger: plan.item.request.trigger,
      membership: plan.context.memberships[0] ?? null,
      poolState,
      stats: (userId) => this.held.stats.get(userId),
      ...(batch ? { leads: batch } : {}),
    });
    const decision = decide(plan.flow, plan.context.lead, context);
    batch?.record(plan.context.lead, decision);
    return decision;
  }

  /** A lead was just assigned to this user: their open leads grow until the next read. */
  assigned(userId: string): void {
    const stats = this.held.stats.get(userId);
    if (stats) stats.openLeads += 1;
  }

  /** The pools these plans' flows may pick from: what routing locks before deciding them. */
  poolsOf(plans: Planned[]): string[] {
    const pools = new Set<string>();
    for (const flow of new Set(plans.map((p) => p.flow))) {
      for (const pool of poolsOfFlow(this.options.set, flow)) pools.add(pool);
    }
    return [...pools];
  }
}

/** The members whose open load or performance picking needs: of load and performance pools, and of pools with a cap on open load. */
export function statsUsersOf(pools: PoolDefinition[]): string[] {
  return [
    ...new Set(
      pools
        .filter((p) => p.strategy !== 'round-robin' || p.members.some((m) => m.maxOpenLoad !== undefined))
        .flatMap((p) => p.members.map((m) => m.userId)),
    ),
  ];
}
