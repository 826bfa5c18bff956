import { performance, PerformanceObserver } from 'node:perf_hooks';
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
  /**
   * The load generator's own longest garbage-collection pause during the run, in ms: a pause here
   * sends and reads requests late, and counts as their latency although the server did not cause it.
   */
  generatorGcMaxMs: number;
}

/**
 * Drives requests open-loop at a fixed rate: each leaves at its scheduled time whether or not earlier
 * ones have answered, and its latency counts from that time.
 *
 * The load generator must not stall itself, since its pauses count as the server's latency: its heap
 * is collected before the run (when `gc` is exposed, as `npm run bench` does), so what earlier runs
 * and benches left behind is not collected in the middle of this one (a full collection of the load
 * generator fell inside a measured run, and the run's p99 with it), and each request's timeout is
 * cleared once it is answered instead of living on for `timeoutMs` (as `AbortSignal.timeout`'s
 * signal and timer do).
 */
export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopRun> {
  const { rate, seconds, warmupSeconds, timeoutMs, send } = options;
  const total = rate * (seconds + warmupSeconds);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let failures = 0;
  globalThis.gc?.();
  const started = performance.now();
  let generatorGcMaxMs = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (entry.startTime >= started) generatorGcMaxMs = Math.max(generatorGcMaxMs, entry.duration);
  });
  gcs.observe({ entryTypes: ['gc'] });
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const counted = i >= rate * warmupSeconds;
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new DOMException('The request timed out.', 'TimeoutError')),
      timeoutMs,
    );
    inFlight.push(
      send(i, timeout.signal)
        .then(
          (status) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (counted) latencies.push(performance.now() - due);
          },
          () => {
            failures += 1;
            if (counted) latencies.push(timeoutMs);
          },
        )
        .finally(() => clearTimeout(timer)),
    );
  }
  await Promise.all(inFlight);
  gcs.disconnect();
  latencies.sort((a, b) => a - b);
  return { latencies, statuses, failures, generatorGcMaxMs };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
