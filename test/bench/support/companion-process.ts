/**
 * The local companion in a process of its own, for benchmarks whose load generator must not share
 * the server's event loop. Started by `forkCompanion`; it sends its URL and some unconverted MQL
 * leads (with `reroutable`, only leads the re-route flow moves) once it listens, answers
 * 'loop-delay' with its event loop's delay since the last ask, and stops when its parent disconnects.
 */
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { HeldWrites } from '../../support/held-writes.js';
import { startLocalCompanion } from '../../support/local-companion.js';

interface Options {
  now: string;
  apiKey: string;
  size?: { accounts: number; leads: number };
  rateLimit?: { perSecond: number; burst: number };
  /**
   * Only this many leads, each one the re-route flow would give a new owner now (simulated, nothing
   * stored): what a rep re-routes, without the leads the flow refuses (high priority, an account its
   * BDR works), whose refusals cost less than a re-route.
   */
  reroutable?: number;
  /** Let the parent hold one lead's writes (`hold`), as a locked record or a stuck org would hold them. */
  heldWrites?: boolean;
}

interface Ready {
  url: string;
  mqlLeads: string[];
}

/** How long the server's event loop was held, in ms: what a request arriving then waits before it is even read. */
export interface LoopDelay {
  p99: number;
  max: number;
  /** CPU time the server process spent since the last call, in ms (all its threads). */
  cpuMs: number;
  /** Of that, the CPU time of the thread whose event loop admits and answers requests, in ms. */
  mainThreadCpuMs: number;
}

export interface CompanionProcess extends Ready {
  /** The event loop's delay since the last call (or since the server listened). */
  loopDelay(): Promise<LoopDelay>;
  /** With `heldWrites`: the lead's writes wait from now until `releaseAll`. */
  hold(leadId: string): Promise<void>;
  /** With `heldWrites`: whether the lead's write is waiting now; every held write then goes through. */
  releaseAll(leadId: string): Promise<boolean>;
  /** A full garbage collection in the server now, so runs compared with each other start from the same heap. */
  collectGarbage(): Promise<void>;
  stop(): Promise<void>;
}

type Ask = 'loop-delay' | 'gc' | { hold: string } | { release: string };

/** Forks this file as the server; resolves once it listens. */
export async function forkCompanion(options: Options): Promise<CompanionProcess> {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ready));
    child.once('exit', (code) =>
      reject(new Error(`the companion process stopped (exit ${code}) before it listened`)),
    );
  });
  const ask = <T>(message: Ask) =>
    new Promise<T>((resolve) => {
      child.once('message', (answer) => resolve(answer as T));
      child.send(message);
    });
  return {
    ...ready,
    loopDelay: () => ask<LoopDelay>('loop-delay'),
    hold: (leadId) => ask<void>({ hold: leadId }),
    releaseAll: (leadId) => ask<boolean>({ release: leadId }),
    collectGarbage: () => ask<void>('gc'),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = JSON.parse(process.argv[2]!) as Options;
  // As `npm start` runs it: the org snapshot kept in the store, routing's writes written through.
  const writes = new HeldWrites();
  const companion = await startLocalCompanion({
    ...options,
    keepLogs: false,
    keepOrgSnapshot: true,
    ...(options.heldWrites ? { crm: (crm) => writes.wrap(crm) } : {}),
  });
  const { rows } = await sql<{ id: string }>`
    select id from crm_records
    where object = 'Lead' and data->>'Status' = 'MQL' and coalesce((data->>'IsConverted')::boolean, false) = false
    order by id limit ${options.reroutable ? 100_000 : 5000}
  `.execute(companion.store.db);
  let leads = rows.map((r) => r.id);
  if (options.reroutable) {
    const moved: string[] = [];
    for (const id of leads) {
      const trigger = { kind: 'reroute', reason: 'Benchmark', actorId: null } as const;
      const decision = await companion.routing.simulate(id, trigger);
      if (decision.outcome !== 'refused') moved.push(id);
      if (moved.length === options.reroutable) break;
    }
    leads = moved;
  }
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let cpu = process.cpuUsage();
  let mainCpu = process.threadCpuUsage();
  process.on('message', (message: Ask) => {
    if (message === 'gc') {
      globalThis.gc?.();
      process.send!(null);
      return;
    }
    if (typeof message === 'object' && 'hold' in message) {
      writes.hold(message.hold);
      process.send!(null);
      return;
    }
    if (typeof message === 'object') {
      const waiting = writes.waiting.has(message.release);
      writes.releaseAll();
      process.send!(waiting);
      return;
    }
    const spent = process.cpuUsage(cpu);
    const mainSpent = process.threadCpuUsage(mainCpu);
    cpu = process.cpuUsage();
    mainCpu = process.threadCpuUsage();
    process.send!({
      p99: delay.percentile(99) / 1e6,
      max: delay.max / 1e6,
      cpuMs: (spent.user + spent.system) / 1000,
      mainThreadCpuMs: (mainSpent.user + mainSpent.system) / 1000,
    } satisfies LoopDelay);
    delay.reset();
  });
  process.send({ url: companion.url, mqlLeads: leads } satisfies Ready);
  process.once('disconnect', () => {
    void companion.close().then(() => process.exit(0));
  });
}
