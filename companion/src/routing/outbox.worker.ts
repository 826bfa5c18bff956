import { PeriodicTask } from '../periodic-task.js';
import type { RoutingService } from './routing.service.js';

export interface OutboxWorkerOptions {
  /** Between passes. Default 5 s. */
  intervalMs?: number;
  /** Told about a pass that failed (the database was away, say); the next pass tries again. */
  onError?: (error: unknown) => void;
}

/**
 * Applies what routing stored but did not apply: effects left by a crash, and writes waiting to be
 * retried. Runs a pass at start and then every few seconds; every instance may run one.
 */
export class OutboxWorker {
  private readonly passes: PeriodicTask;

  constructor(
    private readonly service: RoutingService,
    options: OutboxWorkerOptions = {},
  ) {
    this.passes = new PeriodicTask({
      everyMs: options.intervalMs ?? 5000,
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

  /** Applies everything due now; returns how many effects it handled. */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (let n = await this.service.applyPending(); n > 0; n = await this.service.applyPending())
      handled += n;
    return handled;
  }
}
