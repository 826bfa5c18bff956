import type { Delivery, NotificationSender } from '../routing/notification-sender.js';
import type { SlaClocks, SweepResult } from '../routing/sla-clocks.js';

export interface SlaSweepOptions {
  clocks: SlaClocks;
  /** Sends what the sweep queued (and retries what failed before). */
  notifications: NotificationSender;
  /** Between sweeps. Default 30 s: steps count whole working minutes. */
  intervalMs?: number;
  onSweep?: (result: SweepResult, delivery: Delivery) => void;
  onError?: (error: unknown) => void;
}

/**
 * Sweeps the SLA clocks on every instance: each follows the new decisions and fires the steps that
 * are due, then sends the notifications waiting; the store lets each decision, step and notification
 * be taken once, whichever instance comes first.
 */
export class SlaSweep {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly options: SlaSweepOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pass(), this.options.intervalMs ?? 30_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async pass(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      try {
        const result = await this.options.clocks.sweep();
        this.options.onSweep?.(result, await this.options.notifications.deliver());
      } catch (error) {
        this.options.onError?.(error);
      }
    })();
    await this.running;
    this.running = null;
  }
}
