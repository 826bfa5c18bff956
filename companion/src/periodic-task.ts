import { clearInterval, setInterval } from 'node:timers';

export interface PeriodicTaskOptions {
  /** Between two ticks, in ms; a function is asked at each start (the change feed's polling follows the API budget). */
  everyMs: number | (() => number);
  /** One pass. A tick while a pass is under way is skipped, so passes never overlap. */
  pass: () => Promise<unknown>;
  /** Told about a pass that failed; the next tick runs a pass again. */
  onError?: (error: unknown) => void;
  /** Runs a pass when started, as well as at every tick after. Default false: the first pass is a tick away. */
  passAtStart?: boolean;
}

/**
 * Runs a pass every so often in the background, one at a time: the outbox worker, the store
 * clean-up, the embedded store's upkeep (checkpoints, ANALYZE), the inactive-owner sweep, route-on-change's
 * catch-up and the Salesforce change feed's polling. It lives beside config.ts, outside the layers,
 * so that store/, routing/, jobs/ and crm/ may each use it. The timer does not keep the process
 * alive, and it is node:timers' own, so a test's fake timers never stall the store's passes.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly options: PeriodicTaskOptions) {}

  /** True while a pass is under way. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Starts ticking (and runs a pass now with `passAtStart`); does nothing when already started. */
  start(): void {
    if (this.timer) return;
    if (this.options.passAtStart) this.tick();
    const { everyMs } = this.options;
    this.timer = setInterval(() => this.tick(), typeof everyMs === 'number' ? everyMs : everyMs());
    this.timer.unref();
  }

  /** Stops ticking; resolves once the pass under way, if any, has finished. Started again by `start`. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Resolves once the pass under way, if any, has finished (at once when none is). */
  async idle(): Promise<void> {
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.runPass().finally(() => {
      this.running = null;
    });
  }

  private async runPass(): Promise<void> {
    try {
      await this.options.pass();
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
