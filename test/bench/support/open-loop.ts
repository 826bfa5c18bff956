import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface OpenLoopOptions {
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** Leading seconds whose latencies are not counted. */
  warmupSeconds: number;
  /** A request still unanswered after this counts as failed, at this latency. */
  timeoutMs: number;
  /** The i-th request; resolves with the HTTP status once the body is read. */
  send(i: number, signal: AbortSignal): Promise<number>;
}

export interface OpenLoopRun {
  /** Counted latencies in ms, sorted. */
  latencies: number[];
  statuses: Map<number, number>;
  failures: number;
}

/**
 * Drives requests open-loop at a fixed rate: each leaves at its scheduled time whether or not earlier
 * ones have answered, and its latency counts from that time.
 */
export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopRun> {
  const { rate, seconds, warmupSeconds, timeoutMs, send } = options;
  const total = rate * (seconds + warmupSeconds);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let failures = 0;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const counted = i >= rate * warmupSeconds;
    inFlight.push(
      send(i, AbortSignal.timeout(timeoutMs)).then(
        (status) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (counted) latencies.push(performance.now() - due);
        },
        () => {
          failures += 1;
          if (counted) latencies.push(timeoutMs);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  return { latencies, statuses, failures };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
