import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long, in ms, synchronous work may hold the event loop before it lets I/O and timers run. */
const TURN_MS = 5;

/**
 * The process's one event loop, shared with its long synchronous work: routing's decisions of a batch
 * (the embedded store runs in a thread of its own, store/pglite-thread.ts). `take()` resolves at once
 * while the current turn of the loop has been held for less than TURN_MS, and after the next turn
 * otherwise, in which the network is read (requests are admitted or refused) and timers run.
 * Routing awaits it before each lead's decision, so no batch holds every socket of the process until
 * it ends. The real timers are used, so a test's fake timers never stall a batch.
 */
class LoopShare {
  /** When the work in the current turn of the loop began; null when none has. */
  private since: number | null = null;

  take(): Promise<void> | undefined {
    if (this.since === null) {
      this.begin();
      return undefined;
    }
    if (performance.now() - this.since < TURN_MS) return undefined;
    return nextTurn().then(() => this.begin());
  }

  private begin(): void {
    if (this.since !== null) return;
    this.since = performance.now();
    // Runs once the loop turns, so the work after it starts a fresh count.
    setImmediate(() => {
      this.since = null;
    });
  }
}

export const loopShare = new LoopShare();
