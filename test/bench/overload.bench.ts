/**
 * Overload: the companion (local mode, full demo org, shipped SWITCHYARD_MAX_IN_FLIGHT) in a process
 * of its own, first driven closed-loop by as many callers as it serves at once to find what it can
 * serve, then open-loop at twice that for ten seconds. What a caller should see: the server keeps
 * serving about its capacity, and the requests beyond it are refused (503 with Retry-After) at once,
 * not after a wait that outlives the caller's timeout.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { reroutingReps } from './support/demo-reps.js';
import { forkCompanion } from './support/companion-process.js';
import { percentile } from './support/open-loop.js';
import type { Report } from './run.js';

const KEY = 'bench-key-0123456789abcdef';
const NOW = '2026-11-23T15:00:00.000Z';
/** The shipped default of SWITCHYARD_MAX_IN_FLIGHT: the closed loop runs this many callers. */
const IN_FLIGHT = 64;
const WARMUP_SECONDS = 3;
const PROBE_SECONDS = 5;
const OVERLOAD_SECONDS = 10;
/** As long as a caller behind the Apex controller waits, about. */
const TIMEOUT_MS = 15_000;
const REFUSED_FAST_MS = 100;

export default async function overloadBench(report: Report): Promise<void> {
  // The per-user limit is lifted: this measures the bound on work in flight, not the users' buckets.
  const server = await forkCompanion({ now: NOW, apiKey: KEY, rateLimit: { perSecond: 1e6, burst: 1e6 } });
  const reps = reroutingReps();
  const leads = server.mqlLeads;
  // Kept-alive connections, as the Salesforce callout pool keeps them: the load generator spends
  // its CPU on requests, not on handshakes, and runs beside the server on the same cores.
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const target = new URL(server.url);
  let n = 0;
  const reroute = (due = performance.now()): Promise<{ status: number; ms: number }> => {
    const i = n++;
    const body = JSON.stringify({ reason: 'Overload test' });
    return new Promise((resolve) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: `/v1/leads/${leads[i % leads.length]}/route`,
          headers: {
            authorization: `Bearer ${KEY}`,
            'x-switchyard-user': reps[i % reps.length]!,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          timeout: TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - due }));
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve({ status: 0, ms: TIMEOUT_MS }));
      req.end(body);
    });
  };
  const served = (status: number) => status === 200 || status === 409;

  try {
    // Capacity: as many callers as may be in flight, each sending again as soon as it is answered;
    // the first seconds warm the server up and are not counted.
    const closedLoop = async (seconds: number): Promise<number> => {
      let count = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (performance.now() < end) if (served((await reroute()).status)) count += 1;
        }),
      );
      return count / seconds;
    };
    await closedLoop(WARMUP_SECONDS);
    const capacity = await closedLoop(PROBE_SECONDS);
    await server.loopDelay();

    // Twice that, open-loop: each request leaves on time whether or not the earlier ones were answered.
    const rate = Math.max(1, Math.round(2 * capacity));
    const total = rate * OVERLOAD_SECONDS;
    const interval = 1000 / rate;
    const started = performance.now();
    const answers: Array<Promise<{ status: number; ms: number }>> = [];
    for (let i = 0; i < total; i++) {
      const wait = started + i * interval - performance.now();
      if (wait > 1) await sleep(wait);
      answers.push(reroute(started + i * interval));
    }
    const sentSeconds = (performance.now() - started) / 1000;
    const results = await Promise.all(answers);
    const loop = await server.loopDelay();
    const ok = results.filter((r) => served(r.status));
    const refused = results.filter((r) => r.status === 503);
    const refusedMs = refused.map((r) => r.ms).sort((a, b) => a - b);
    const servedMs = ok.map((r) => r.ms).sort((a, b) => a - b);
    const fast = refused.filter((r) => r.ms <= REFUSED_FAST_MS).length;

    report({ name: 'overload.capacity', value: capacity, unit: 'requests/s' });
    report({ name: 'overload.offered_rate', value: total / sentSeconds, unit: 'requests/s' });
    // Issue #8 asks for this figure beside the share of fast refusals, with no target of its own:
    // compare it with the capacity above (what was served a second before the overload).
    report({ name: 'overload.served_rate', value: ok.length / OVERLOAD_SECONDS, unit: 'requests/s' });
    report({ name: 'overload.served_p99', value: percentile(servedMs, 99), unit: 'ms' });
    report({ name: 'overload.refused_503', value: refused.length, unit: 'requests' });
    report({
      name: 'overload.refused_within_100ms',
      value: refused.length > 0 ? (100 * fast) / refused.length : Number.NaN,
      unit: '%',
      target: '>= 99',
    });
    report({ name: 'overload.refused_p99', value: percentile(refusedMs, 99), unit: 'ms' });
    // A request arriving while the server's event loop is held waits that long before it is read:
    // the floor under how fast any answer, a refusal included, can be.
    report({ name: 'overload.server_loop_delay_p99', value: loop.p99, unit: 'ms' });
    report({ name: 'overload.server_loop_delay_max', value: loop.max, unit: 'ms' });
    report({
      name: 'overload.timed_out_or_failed',
      value: results.filter((r) => r.status === 0).length,
      unit: 'requests',
      target: '0',
    });
    const others = new Map<number, number>();
    for (const r of results) {
      if (r.status !== 0 && r.status !== 503 && !served(r.status))
        others.set(r.status, (others.get(r.status) ?? 0) + 1);
    }
    for (const [status, count] of [...others].sort()) {
      report({ name: `overload.other_answers_${status}`, value: count, unit: 'requests' });
    }
    report({
      name: 'overload.other_answers',
      value: results.length - ok.length - refused.length - results.filter((r) => r.status === 0).length,
      unit: 'requests',
      target: '0',
    });
  } finally {
    agent.destroy();
    await server.stop();
  }
}
