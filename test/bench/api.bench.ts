/**
 * Re-route API latency under load, local mode: the real app on 127.0.0.1 over the embedded store
 * with the full demo org, in a process of its own (as Salesforce calls it from elsewhere: the load
 * generator must not share the server's event loop), driven open-loop at a fixed rate (each request
 * leaves at its scheduled time whether or not earlier ones have answered, and its latency counts
 * from that time). Each request re-routes a lead the re-route flow moves, as a rep's click does.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { reroutingReps } from './support/demo-reps.js';
import { forkCompanion } from './support/companion-process.js';
import type { Report } from './run.js';

const RATE = 200; // requests per second
const SECONDS = 10;
const WARMUP_SECONDS = 1;
const KEY = 'bench-key-0123456789abcdef';
/** Monday afternoon in Europe, morning in the Americas: the regional pools have people at work. */
const NOW = '2026-11-23T15:00:00.000Z';
/** A request still unanswered after this counts as timed out (and at this latency), so the run stays bounded. */
const TIMEOUT_MS = 10_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export default async function apiBench(report: Report): Promise<void> {
  // The full demo org, logged as in production (JSON lines at info) into a sink that drops them.
  const total = RATE * (SECONDS + WARMUP_SECONDS);
  const companion = await forkCompanion({ now: NOW, apiKey: KEY, reroutable: total });
  const base = companion.url;

  // Distinct MQL leads the re-route flow moves, and the people allowed to re-route them, taken in
  // turn: several reps at once, as on a real Monday, each within their own rate limit.
  const leads = companion.mqlLeads;
  const reps = reroutingReps();
  await companion.loopDelay(); // from here on

  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let failures = 0;
  let lastAnswer = performance.now();
  const interval = 1000 / RATE;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const leadId = leads[i % leads.length]!;
    const user = reps[i % reps.length]!;
    inFlight.push(
      fetch(`${base}/v1/leads/${leadId}/route`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${KEY}`,
          'x-switchyard-user': user,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ reason: 'Load test' }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          lastAnswer = performance.now();
          const ms = lastAnswer - due;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (i >= RATE * WARMUP_SECONDS) latencies.push(ms);
        },
        () => {
          failures += 1;
          if (i >= RATE * WARMUP_SECONDS) latencies.push(TIMEOUT_MS);
        },
      ),
    );
  }
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(inFlight);
  const loop = await companion.loopDelay();
  const servedSeconds = (lastAnswer - started) / 1000;

  latencies.sort((a, b) => a - b);
  const target = '<= 50 ms';
  report({ name: 'api.reroute.p50', value: percentile(latencies, 50), unit: 'ms' });
  report({ name: 'api.reroute.p95', value: percentile(latencies, 95), unit: 'ms' });
  report({ name: 'api.reroute.p99', value: percentile(latencies, 99), unit: 'ms', target });
  report({ name: 'api.reroute.offered_rate', value: RATE, unit: 'requests/s' });
  report({ name: 'api.reroute.sent_rate', value: total / elapsed, unit: 'requests/s' });
  report({ name: 'api.reroute.leads', value: leads.length, unit: 'leads', target: `${total}` });
  // A request arriving while the server's event loop is held waits that long before it is read.
  report({ name: 'api.reroute.server_loop_delay_p99', value: loop.p99, unit: 'ms' });
  report({ name: 'api.reroute.server_loop_delay_max', value: loop.max, unit: 'ms' });
  // What a re-route costs the server (refusals, if any, are in the time but not in the count).
  const rerouted = statuses.get(200) ?? 0;
  report({ name: 'api.reroute.server_cpu_per_reroute', value: loop.cpuMs / rerouted, unit: 'ms' });
  // Of that, what the thread whose event loop reads, admits and refuses requests spent.
  report({
    name: 'api.reroute.server_main_thread_cpu_per_reroute',
    value: loop.mainThreadCpuMs / rerouted,
    unit: 'ms',
  });
  // Every lead is one the flow moves: anything but 200 is a problem worth seeing in the figures.
  report({ name: 'api.reroute.unexpected_answers', value: total - rerouted, unit: 'requests', target: '0' });
  for (const [status, count] of [...statuses].sort()) {
    report({ name: `api.reroute.answers_${status}`, value: count, unit: 'requests' });
  }
  report({ name: 'api.reroute.timed_out_or_failed', value: failures, unit: 'requests', target: '0' });
  report({
    name: 'api.reroute.served_rate',
    value: rerouted / servedSeconds,
    unit: 'requests/s',
    target: `>= ${RATE}`,
  });

  await companion.stop();
}
