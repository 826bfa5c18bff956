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
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly service: RoutingService,
    private readonly options: OutboxWorkerOptions = {},
  ) {}

  start(): void {
    if (this.timer) return;
    void this.pass();
    this.timer = setInterval(() => void this.pass(), this.options.intervalMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => 0);
  }

  /** Applies everything due now; returns how many effects it handled. */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (let n = await this.service.applyPending(); n > 0; n = await this.service.applyPending())
      handled += n;
    return handled;
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
