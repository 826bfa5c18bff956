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
  /** How old open-load figures for load and performance pools may get. */
  statsMaxAgeMs: number;
}

/**
 * Decides planned requests with the engine, on the org snapshot, the pool state it is given and the
 * open load and performance of the members of load and performance pools (read from the CRM at most
 * every `statsMaxAgeMs`, and counted up here as leads are assigned in between).
 */
export class LeadDecider {
  private stats = new Map<string, MemberStats>();
  private statsReadAt = -Infinity;

  constructor(private readonly options: LeadDeciderOptions) {}

  /** The routing set this decider decides with. */
  get set(): RoutingSet {
    return this.options.set;
  }

  /** A decider for another routing set that keeps the open-load figures read so far. */
  withSet(set: RoutingSet): LeadDecider {
    const next = new LeadDecider({ ...this.options, set });
    next.stats = this.stats;
    next.statsReadAt = this.statsReadAt;
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
    const missing = userIds.filter((id) => !this.stats.has(id));
    const read =
      missing.length > 0 ? await this.options.crm.userStats(missing) : new Map<string, MemberStats>();
    const copies = new Map<string, MemberStats>();
    for (const id of userIds) {
      const stats = this.stats.get(id) ?? read.get(id);
      if (stats) copies.set(id, { ...stats });
    }
    return copies;
  }

  /** Reads the members' open load and performance again when the last read is older than allowed. */
  async refreshStats(at: Date): Promise<void> {
    const ms = at.getTime();
    const users = this.statsUsers();
    if (users.length === 0 || ms - this.statsReadAt < this.options.statsMaxAgeMs) return;
    this.stats = await this.options.crm.userStats(users);
    this.statsReadAt = ms;
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
      stats: (userId) => this.stats.get(userId),
      ...(batch ? { leads: batch } : {}),
    });
    const decision = decide(plan.flow, plan.context.lead, context);
    batch?.record(plan.context.lead, decision);
    return decision;
  }

  /** A lead was just assigned to this user: their open leads grow until the next read. */
  assigned(userId: string): void {
    const stats = this.stats.get(userId);
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
