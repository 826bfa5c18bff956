import type { LeadChange, LocalChangeFeed } from '../crm/local/local-change-feed.js';
import { selectFlow, type RoutingSet } from '../engine/flow/routing-set.js';
import type { Trigger } from '../engine/model.js';
import type { RouteRequest, RoutingService } from '../routing/routing.service.js';

export interface LeadChangeRouterOptions {
  feed: LocalChangeFeed;
  service: RoutingService;
  routingSet: RoutingSet;
  /** Told about a batch that could not be routed; the leads stay as they are. */
  onError?: (error: unknown) => void;
}

/**
 * Route-on-create and route-on-update for the local org: new leads are routed as they arrive; an
 * update is routed when a flow watches one of the changed fields (a Status change of a lead in
 * Unqualified Holding, the Re-run Routing box ticked). Every change also keeps the lead index fresh.
 * Routing's own writes are not routed again.
 */
export class LeadChangeRouter {
  private unsubscribe: (() => void) | null = null;
  private queue: RouteRequest[] = [];
  private draining: Promise<void> | null = null;

  constructor(private readonly options: LeadChangeRouterOptions) {}

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.feed.subscribe((change) => this.onChange(change));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.idle();
  }

  /** Resolves once every change told so far has been routed. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** The trigger a change stands for, or null when no flow would route it. */
  triggerFor(change: LeadChange): Trigger | null {
    if (change.origin === 'routing' || change.kind === 'converted') return null;
    const trigger: Trigger =
      change.kind === 'created'
        ? { kind: 'created' }
        : { kind: 'updated', changedFields: change.changedFields, previous: change.previous };
    return selectFlow(this.options.routingSet, trigger) ? trigger : null;
  }

  private onChange(change: LeadChange): void {
    this.options.service.applyChanges({ leads: [change.lead] });
    const trigger = this.triggerFor(change);
    if (!trigger) return;
    this.queue.push({ leadId: change.leadId, trigger });
    if (!this.draining) this.draining = this.drain();
  }

  /** Routes what has queued up, in batches, until the queue is empty. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 200);
        try {
          await this.options.service.routeMany(batch);
        } catch (error) {
          this.options.onError?.(error);
        }
      }
    } finally {
      this.draining = null;
    }
  }
}
