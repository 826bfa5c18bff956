import type { SlaClocks, SweepResult } from '../routing/sla-clocks.js';

export interface SlaSweepOptions {
  clocks: SlaClocks;
  /** Between sweeps. Default 30 s: steps count whole working minutes. */
  intervalMs?: number;
  onSweep?: (result: SweepResult) => void;
  onError?: (error: unknown) => void;
}

/**
 * Sweeps the SLA clocks on every instance: each follows the new decisions and fires the steps that
 * are due; the store lets each decision and each step be taken once, whichever instance comes first.
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
        this.options.onSweep?.(await this.options.clocks.sweep());
      } catch (error) {
        this.options.onError?.(error);
      }
    })();
    await this.running;
    this.running = null;
  }
}
