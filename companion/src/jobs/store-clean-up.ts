import type { Retention } from '../config.js';
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
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<Purged> | null = null;

  constructor(private readonly options: StoreCleanUpOptions) {}

  start(): void {
    if (this.timer) return;
    void this.pass();
    this.timer = setInterval(() => void this.pass(), this.options.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => null);
  }

  /** One pass now; returns what it deleted. */
  async runOnce(): Promise<Purged> {
    const { store, retention, clock = () => new Date() } = this.options;
    const purged = await purgeExpired(store, clock(), retention);
    await reclaimSpace(store);
    return purged;
  }

  private async pass(): Promise<void> {
    if (this.running) return;
    this.running = this.runOnce();
    try {
      await this.running;
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.running = null;
    }
  }
}
