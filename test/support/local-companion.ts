import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Router } from 'express';
import type { CrmPort } from '../../companion/src/crm/crm.port.js';
import { DEMO_CATALOG } from '../../companion/src/crm/local/demo-people.js';
import { ensureDemoOrg } from '../../companion/src/crm/local/demo-org.seed.js';
import { DEMO_SCENARIO } from '../../companion/src/crm/local/demo-scenarios.js';
import type { LocalOrg } from '../../companion/src/crm/local/local-org.js';
import { localParts } from '../../companion/src/crm/local/local-parts.js';
import { answerUnparseableRequests, createApp } from '../../companion/src/http/app.js';
import type { AppDeps } from '../../companion/src/http/app-context.js';
import { createLogger } from '../../companion/src/http/logger.js';
import { createMetrics, observeHandoff } from '../../companion/src/http/metrics.js';
import { JobScheduler } from '../../companion/src/jobs/scheduled-jobs.js';
import { SlaSweep } from '../../companion/src/jobs/sla.sweep.js';
import { SlaClocks } from '../../companion/src/routing/sla-clocks.js';
import { SHIPPED_FLOWS_DIR } from '../../companion/src/routing/flow-files.js';
import type { RoutingService } from '../../companion/src/routing/routing.service.js';
import { startVersionedRouting, type RoutingVersions } from '../../companion/src/routing/routing-versions.js';
import { openDatabase } from '../../companion/src/store/open-database.js';
import type { Store } from '../../companion/src/store/store.js';

export interface LocalCompanion {
  url: string;
  store: Store;
  org: LocalOrg;
  routing: RoutingService;
  /** The routing set's versions (publish, import, roll back). */
  versions: RoutingVersions;
  /** The SLA clocks the app answers from; tests sweep them by hand (no background jobs run). */
  sla: SlaClocks;
  /** What the app was made from, for a second app on the same parts. */
  deps: AppDeps;
  /** Every log line the app wrote, as text (empty when logs are dropped). */
  logLines: string[];
  close(): Promise<void>;
}

/**
 * The companion composed as `npm start` composes it in local mode — a real embedded store in a
 * temporary folder, the demo org with its scenarios, the shipped flows, the routing service, the HTTP
 * app on a free port — with the clock pinned and no inbound demo leads, for tests and benchmarks.
 */
export async function startLocalCompanion(options: {
  now: string;
  apiKey: string;
  /** A smaller generated bulk than the full demo org, for quick tests. */
  size?: { accounts: number; leads: number };
  rateLimit?: AppDeps['rateLimit'];
  public?: Router;
  /** false: log as in production, but drop the lines. */
  keepLogs?: boolean;
  /** Wraps the CRM port routing writes through (e.g. to hold a write, as a slow org would). */
  crm?: (crm: CrmPort) => CrmPort;
  /** The routing folder stored as version 1 (default: the shipped one). */
  routingDir?: string;
  /** Keep the org snapshot in the store and write changes through, as `npm start` does (off: tests read it from the org). */
  keepOrgSnapshot?: boolean;
}): Promise<LocalCompanion> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-companion-'));
  const store = await openDatabase({ databaseUrl: null, dataDir });
  const clock = () => new Date(options.now);
  await ensureDemoOrg(store.db, { ...options.size, scenario: DEMO_SCENARIO, now: clock });
  const parts = localParts(store.db, { now: clock });
  const { org, contacts, meter } = parts;
  const crm = options.crm ? options.crm(parts.crm) : parts.crm;
  const { routing, versions } = await startVersionedRouting({
    routingDir: options.routingDir ?? SHIPPED_FLOWS_DIR,
    catalog: DEMO_CATALOG,
    crm,
    contacts,
    meter,
    store,
    clock,
    ...(options.keepOrgSnapshot ? { keepOrgSnapshot: true } : {}),
  });

  const logLines: string[] = [];
  const keep = options.keepLogs ?? true;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (keep) logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const metrics = createMetrics();
  const sla = new SlaClocks({
    store,
    crm,
    // The live set, read at each use, as the background jobs read it.
    get set() {
      return routing.routingSet;
    },
    user: (id) => routing.org.directory.user(id),
    queue: (id) => routing.org.directory.queue(id),
    routeMany: (requests) => routing.routeMany(requests),
    clock,
    onHandoff: (measure) => observeHandoff(metrics, measure),
  });
  const deps: AppDeps = {
    config: { apiKey: options.apiKey, mode: 'local' },
    routing,
    versions,
    sla,
    org,
    store,
    logger: createLogger('info', sink),
    metrics,
    clock,
    status: {
      indexLoaded: () => true,
      crm: () => ({ limited: false }),
      apiCalls: () => meter.counts(),
    },
    accounts: routing.org.accounts,
    // Listed, run by hand and paused through the API; its schedule (pg-boss) is not started here.
    // Notifications of the SLA sweep wait in the store: nothing sends them in tests.
    jobs: new JobScheduler({
      store,
      service: routing,
      crm,
      clock,
      meter,
      sla: new SlaSweep({ clocks: sla }),
    }),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  };
  const server = await listen(createApp(deps, options.public ? { public: options.public } : {}));
  return {
    url: urlOf(server),
    store,
    org,
    routing,
    versions,
    sla,
    deps,
    logLines,
    async close() {
      await stop(server);
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Serves an app on a free port of 127.0.0.1. */
export async function listen(app: ReturnType<typeof createApp>): Promise<Server> {
  const server = answerUnparseableRequests(app.listen(0, '127.0.0.1'));
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return server;
}

export function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
