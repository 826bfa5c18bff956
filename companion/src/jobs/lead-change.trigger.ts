import type { CrmPort, LeadChange, LeadChangeSource } from '../crm/crm.port.js';
import { selectFlow } from '../engine/flow/routing-set.js';
import type { Trigger } from '../engine/model.js';
import { PeriodicTask } from '../periodic-task.js';
import type { Clock, RouteRequest, RoutingService } from '../routing/routing.service.js';

/** Where the trigger keeps how far back the catch-up must look (the store's replay positions). */
export interface ResumePoints {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
}

export interface LeadChangeTriggerOptions {
  feed: LeadChangeSource;
  service: RoutingService;
  /** Where the catch-up finds the leads created since its resume point. */
  crm: Pick<CrmPort, 'findLeads'>;
  resume: ResumePoints;
  clock?: Clock;
  /** Between catch-ups after the one at start. Default 60 s. */
  catchUpIntervalMs?: number;
  /** Wait before retrying a batch that failed; doubles per failure in a row, up to `maxRetryMs`. Default 1 s. */
  firstRetryMs?: number;
  /** Default 60 s. */
  maxRetryMs?: number;
  /** Told about a batch or a catch-up that failed; both are tried again. */
  onError?: (error: unknown) => void;
}

/** The resume point's name among the store's replay positions. */
const CREATED_RESUME_POINT = 'local/lead-created';
/** Leads created this long before a catch-up began are looked at again by the next: inserts commit late. */
const CATCH_UP_OVERLAP_MS = 60_000;
const BATCH = 200;

/** One key per created lead: the live route and a catch-up may both reach it, and it is decided once. */
const createdKey = (leadId: string): string => `lead-created:${leadId}`;

/**
 * Route-on-create and route-on-update for the local org: new leads are routed as they arrive; an
 * update is routed when a flow watches one of the changed fields (a Status change of a lead in
 * Unqualified Holding, the Re-run Routing box ticked). Every change also keeps the lead index fresh.
 * Routing's own writes are not routed again.
 *
 * The feed lives in memory, so nothing told to it survives a crash: at start and every minute a
 * catch-up routes the leads created since its resume point (those already decided answer from their
 * request key), and a batch that fails is retried with back-off, never dropped.
 */
export class LeadChangeTrigger {
  private unsubscribe: (() => void) | null = null;
  private queue: RouteRequest[] = [];
  private draining: Promise<void> | null = null;
  private readonly catchUps: PeriodicTask;
  private failuresInARow = 0;
  /** Ends a back-off wait early, when stopping. */
  private wake: (() => void) | null = null;
  private readonly clock: Clock;

  constructor(private readonly options: LeadChangeTriggerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.catchUps = new PeriodicTask({
      everyMs: options.catchUpIntervalMs ?? 60_000,
      pass: () => this.catchUp(),
      passAtStart: true,
      onError: options.onError,
    });
  }

  /** Listens to the feed and starts the catch-up at once and then periodically. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.feed.subscribe((change) => this.onChange(change));
    this.catchUps.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    const catchUpsStopped = this.catchUps.stop();
    this.wake?.();
    await catchUpsStopped;
    await this.idle();
  }

  /** Resolves once every change told so far has been routed and no catch-up is running. */
  async idle(): Promise<void> {
    while (this.draining || this.catchUps.busy) await (this.draining ?? this.catchUps.idle());
  }

  /** The trigger a change stands for, or null when no flow would route it. */
  triggerFor(change: LeadChange): Trigger | null {
    if (change.origin === 'routing' || change.kind === 'converted') return null;
    const trigger: Trigger =
      change.kind === 'created'
        ? { kind: 'created' }
        : { kind: 'updated', changedFields: change.changedFields, previous: change.previous };
    return selectFlow(this.options.service.routingSet, trigger) ? trigger : null;
  }

  /**
   * Routes the leads created since the resume point (at the first start ever: from now on), then
   * moves the point up to shortly before this pass began. Returns how many leads it looked at.
   */
  async catchUp(): Promise<number> {
    const began = this.clock();
    const stored = await this.options.resume.get(CREATED_RESUME_POINT);
    if (stored === null) {
      await this.options.resume.set(CREATED_RESUME_POINT, began.toISOString());
      return 0;
    }
    const trigger: Trigger = { kind: 'created' };
    const leadIds = selectFlow(this.options.service.routingSet, trigger)
      ? await this.options.crm.findLeads({ createdSince: stored })
      : [];
    for (let i = 0; i < leadIds.length; i += BATCH) {
      await this.options.service.routeMany(
        leadIds.slice(i, i + BATCH).map((leadId) => ({ leadId, trigger, requestKey: createdKey(leadId) })),
      );
    }
    const next = new Date(began.getTime() - CATCH_UP_OVERLAP_MS).toISOString();
    if (next > stored) await this.options.resume.set(CREATED_RESUME_POINT, next);
    return leadIds.length;
  }

  private onChange(change: LeadChange): void {
    this.options.service.applyChanges({ leads: [change.lead] });
    const trigger = this.triggerFor(change);
    if (!trigger) return;
    this.queue.push(
      trigger.kind === 'created'
        ? { leadId: change.leadId, trigger, requestKey: createdKey(change.leadId) }
        : { leadId: change.leadId, trigger },
    );
    if (!this.draining) this.draining = this.drain();
  }

  /** Routes what has queued up, in batches, until the queue is empty; a failed batch waits and goes again. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, BATCH);
        try {
          await this.options.service.routeMany(batch);
          this.failuresInARow = 0;
        } catch (error) {
          this.options.onError?.(error);
          this.queue.unshift(...batch);
          this.failuresInARow += 1;
          // Stopping: what is left waits for the next start's catch-up rather than holding the stop.
          if (!this.unsubscribe) return;
          await this.backOff();
        }
      }
    } finally {
      this.draining = null;
    }
  }

  private backOff(): Promise<void> {
    const first = this.options.firstRetryMs ?? 1000;
    const ms = Math.min(this.options.maxRetryMs ?? 60_000, first * 2 ** (this.failuresInARow - 1));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
