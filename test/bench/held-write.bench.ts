/**
 * One slow Salesforce write must not stall everyone: re-route p99 at 200 requests/s through the real
 * app (local mode, full demo org) in a process of its own, as the re-route bench runs it, first with
 * every write going through at once, then while one lead's write hangs (held until the run ends, as a
 * locked record or a stuck org would hold it). Each request re-routes a lead the re-route flow moves.
 */
import { reroutingReps } from './support/demo-reps.js';
import { forkCompanion } from './support/companion-process.js';
import type { Report } from './run.js';
import { openLoop, percentile } from './support/open-loop.js';

const RATE = 200; // requests per second
const SECONDS = 10;
const WARMUP_SECONDS = 1;
const KEY = 'bench-key-0123456789abcdef';
/** Monday afternoon in Europe, morning in the Americas: the regional pools have people at work. */
const NOW = '2026-11-23T15:00:00.000Z';
const TIMEOUT_MS = 30_000;

export default async function heldWriteBench(report: Report): Promise<void> {
  const perRun = RATE * (SECONDS + WARMUP_SECONDS);
  const companion = await forkCompanion({
    now: NOW,
    apiKey: KEY,
    reroutable: 3 * perRun + 1,
    heldWrites: true,
  });
  const [held, ...leads] = companion.mqlLeads;
  const reps = reroutingReps();

  const run = (leadOf: (i: number) => string) =>
    openLoop({
      rate: RATE,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      timeoutMs: TIMEOUT_MS,
      send: async (i, signal) => {
        const res = await fetch(`${companion.url}/v1/leads/${leadOf(i)}/route`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${KEY}`,
            'x-switchyard-user': reps[i % reps.length]!,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ reason: 'Load test' }),
          signal,
        });
        await res.arrayBuffer();
        return res.status;
      },
    });

  // A first run warms the process (JIT, caches, pool state) and is not counted.
  await run((i) => leads[(2 * perRun + i) % leads.length]!);
  // Each measured run starts from a collected heap, so a full collection falling in one run and not
  // the other does not decide the comparison.
  // The server's event-loop delay is read over each run, to tell its stalls from the load generator's.
  await companion.collectGarbage();
  await companion.loopDelay();
  const free = await run((i) => leads[i % leads.length]!);
  const freeLoop = await companion.loopDelay();
  await companion.collectGarbage();
  await companion.hold(held!);
  await companion.loopDelay();
  // The held lead goes first, in the warm-up; every other request is another person's lead.
  const stalled = await run((i) => (i === 0 ? held! : leads[(perRun + i) % leads.length]!));
  const stalledLoop = await companion.loopDelay();
  const stillHeld = await companion.releaseAll(held!);

  const p99Free = percentile(free.latencies, 99);
  const p99Held = percentile(stalled.latencies, 99);
  report({ name: 'held_write.reroute.p99_without_held_write', value: p99Free, unit: 'ms' });
  report({ name: 'held_write.reroute.p99_with_held_write', value: p99Held, unit: 'ms' });
  report({ name: 'held_write.reroute.p99_ratio', value: p99Held / p99Free, unit: 'x', target: '<= 2' });
  report({
    name: 'held_write.reroute.max_with_held_write',
    value: stalled.latencies.at(-1) ?? NaN,
    unit: 'ms',
  });
  report({ name: 'held_write.write_still_held_at_end', value: stillHeld ? 1 : 0, unit: 'bool', target: '1' });
  for (const [label, r, loop] of [
    ['without', free, freeLoop],
    ['with', stalled, stalledLoop],
  ] as const) {
    for (const [status, count] of [...r.statuses].sort()) {
      report({
        name: `held_write.reroute.${label}_held_write.answers_${status}`,
        value: count,
        unit: 'requests',
      });
    }
    report({ name: `held_write.reroute.${label}_held_write.timed_out`, value: r.failures, unit: 'requests' });
    report({ name: `held_write.server.${label}_held_write.loop_delay_max`, value: loop.max, unit: 'ms' });
    // The load generator's own pauses count as latency: printed so a stall on its side is seen as such.
    report({
      name: `held_write.load_generator.${label}_held_write.gc_max`,
      value: r.generatorGcMaxMs,
      unit: 'ms',
    });
  }
  const unexpected = (r: typeof free) =>
    [...r.statuses].filter(([s]) => s !== 200 && s !== 409).reduce((n, [, c]) => n + c, 0) + r.failures;
  report({
    name: 'held_write.reroute.unexpected_answers',
    value: unexpected(free) + unexpected(stalled),
    unit: 'requests',
    target: '0',
  });

  await companion.stop();
}
