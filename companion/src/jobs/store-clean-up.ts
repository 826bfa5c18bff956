import type { Retention } from '../config.js';
import { PeriodicTask } from '../periodic-task.js';
import type { Clock } from '../routing/routing.service.js';
import { purgeExpired, reclaimSpace, type Purged } from '../store/store-maintenance.js';
import type { Store } from '../store/store.js';

export interface StoreCleanUpOptions {
  store: Store;
  retention: Retention;
  clock?: Clock;
  /** Between passes. Default 1 hour. */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Keeps the store small as it works: deletes decisions, outbox rows and request keys past their
 * retention, then gives the space back (see reclaimSpace). Runs a pass at start and then hourly.
 */
export class StoreCleanUp {
  private readonly passes: PeriodicTask;

  constructor(private readonly options: StoreCleanUpOptions) {
    this.passes = new PeriodicTask({
      everyMs: options.intervalMs ?? 3_600_000,
      pass: () => this.runOnce(),
      passAtStart: true,
      onError: options.onError,
    });
  }

  start(): void {
    this.passes.start();
  }

  /** Stops; resolves once a pass under way has finished. */
  stop(): Promise<void> {
    return this.passes.stop();
  }

  /** One pass now; returns what it deleted. */
  async runOnce(): Promise<Purged> {
    const { store, retention, clock = () => new Date() } = this.options;
    const purged = await purgeExpired(store, clock(), retention);
    await reclaimSpace(store);
    return purged;
  }
}
