import type { CrmPort } from '../crm/crm.port.js';
import type { UserRecord } from '../engine/model.js';
import { PeriodicTask } from '../periodic-task.js';
import type { Clock, RouteManyResult, RoutingService } from '../routing/routing.service.js';

export interface InactiveOwnerSweepOptions {
  /** Where the users and their open leads are read. */
  crm: Pick<CrmPort, 'listUsers' | 'findLeads'>;
  service: RoutingService;
  clock?: Clock;
  /** Between sweeps. Default 60 s. */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Watches the org's users: when someone is deactivated, the people directory learns it and each of
 * their open leads is routed with the `inactive-owner` trigger. Request keys carry the user, lead
 * and day, so instances sweeping at once route each lead once.
 */
export class InactiveOwnerSweep {
  private readonly sweeps: PeriodicTask;
  private readonly clock: Clock;

  constructor(private readonly options: InactiveOwnerSweepOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.sweeps = new PeriodicTask({
      everyMs: options.intervalMs ?? 60_000,
      pass: () => this.runOnce(),
      onError: options.onError,
    });
  }

  start(): void {
    this.sweeps.start();
  }

  /** Stops; resolves once a sweep under way has finished. */
  stop(): Promise<void> {
    return this.sweeps.stop();
  }

  /** One sweep: returns the results of routing the leads of users found deactivated. */
  async runOnce(): Promise<RouteManyResult[]> {
    return this.usersChanged(await this.options.crm.listUsers());
  }

  /**
   * Takes users as the org has them now into the people directory, and routes the open leads of
   * the inactive ones that were deactivated: those the directory still had as active, or all of
   * them when the change is known to be to IsActive (a change event, also one replayed after a
   * restart, when the directory was read after the deactivation). Request keys keep it once a day.
   */
  async usersChanged(users: UserRecord[], isActiveChanged = false): Promise<RouteManyResult[]> {
    const { service } = this.options;
    const deactivated = users.filter(
      (u) => !u.IsActive && (isActiveChanged || service.org.directory.user(u.Id)?.IsActive === true),
    );
    service.applyChanges({ users });
    return this.routeLeadsOf(deactivated.map((u) => u.Id));
  }

  /** Routes the open leads of these (now inactive) users. */
  async routeLeadsOf(userIds: string[]): Promise<RouteManyResult[]> {
    const day = this.clock().toISOString().slice(0, 10);
    const results: RouteManyResult[] = [];
    for (const userId of userIds) {
      const leadIds = await this.options.crm.findLeads({ ownerId: userId });
      results.push(
        ...(await this.options.service.routeMany(
          leadIds.map((leadId) => ({
            leadId,
            trigger: { kind: 'inactive-owner' as const },
            requestKey: `inactive-owner:${userId}:${day}:${leadId}`,
          })),
        )),
      );
    }
    return results;
  }
}
