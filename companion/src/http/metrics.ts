import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { countDecisions } from '../store/decision.repository.js';
import { countOutbox } from '../store/outbox.repository.js';
import type { StoreSession } from '../store/store.js';
import type { ApiCallCounts } from '../crm/call-meter.js';
import type { ServiceStatus } from './service-status.js';

/** The service's Prometheus metrics, in a registry of its own (several apps in one process never collide). */
export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  /** Re-routes asked for through the API, by outcome (refused included). */
  apiRoutes: Counter<'outcome' | 'dry_run'>;
  /** Lead created or requalified → owner written, by flow and pool. */
  timeToAssign: Histogram<'flow' | 'pool'>;
  /** Owner written → accepted or first activity, by flow and pool. */
  timeToFirstTouch: Histogram<'flow' | 'pool'>;
}

/** Handoff times run from seconds (routing on arrival) to days (a lead left over a weekend). */
const HANDOFF_BUCKETS = [
  1,
  5,
  15,
  60,
  300,
  900,
  1800,
  3600,
  4 * 3600,
  8 * 3600,
  86_400,
  3 * 86_400,
  7 * 86_400,
];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'switchyard_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'switchyard_http_requests_total',
      help: 'HTTP requests answered, by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'switchyard_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    apiRoutes: new Counter({
      name: 'switchyard_api_routes_total',
      help: 'Routing requests made through the API, by outcome and whether they were dry runs.',
      labelNames: ['outcome', 'dry_run'],
      registers: [registry],
    }),
    timeToAssign: new Histogram({
      name: 'switchyard_time_to_assign_seconds',
      help: 'From a lead created or requalified to its owner written, by flow and pool (empty when none).',
      labelNames: ['flow', 'pool'],
      buckets: HANDOFF_BUCKETS,
      registers: [registry],
    }),
    timeToFirstTouch: new Histogram({
      name: 'switchyard_time_to_first_touch_seconds',
      help: 'From the owner written to the lead accepted or first worked (status change, activity), by flow and pool.',
      labelNames: ['flow', 'pool'],
      buckets: HANDOFF_BUCKETS,
      registers: [registry],
    }),
  };
}

/** One handoff measured by the SLA clocks, into its histogram. */
export function observeHandoff(
  metrics: ApiMetrics,
  measure: { measure: 'assign' | 'touch'; seconds: number; flow: string; pool: string },
): void {
  const histogram = measure.measure === 'assign' ? metrics.timeToAssign : metrics.timeToFirstTouch;
  histogram.observe({ flow: measure.flow, pool: measure.pool }, measure.seconds);
}

/**
 * Gauges read when Prometheus scrapes: decisions by outcome and status and outbox rows by status
 * (from the store, so they count the jobs' work too), and CRM API calls.
 */
export function registerServiceGauges(metrics: ApiMetrics, store: StoreSession, status: ServiceStatus): void {
  const { registry } = metrics;
  new Gauge({
    name: 'switchyard_decisions',
    help: 'Routing decisions stored, by outcome and status.',
    labelNames: ['outcome', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await countDecisions(store.db)) {
        this.set({ outcome: r.outcome, status: r.status }, r.count);
      }
    },
  });
  new Gauge({
    name: 'switchyard_outbox_rows',
    help: 'Effects in the outbox, by status; pending ones are still to be written to the CRM.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await countOutbox(store.db);
      for (const [s, n] of Object.entries(counts)) this.set({ status: s }, n);
    },
  });
  // The CRM call counts, one gauge per breakdown of them, each labelled by its keys.
  const callGauge = (
    name: string,
    help: string,
    label: string,
    read: (c: ApiCallCounts) => Record<string, number>,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, n] of Object.entries(read(status.apiCalls()))) this.set({ [label]: key }, n);
      },
    });
  callGauge(
    'switchyard_crm_api_calls',
    'Calls made to the CRM since start, by kind.',
    'kind',
    (c) => c.byKind,
  );
  callGauge(
    'switchyard_crm_api_calls_by_work',
    "Calls made to the CRM since start, by the work that made them: 'route' (decisions) or a job.",
    'work',
    (c) => c.byWork,
  );
  callGauge(
    'switchyard_crm_work_done',
    "Pieces of work done since start: decisions for 'route', runs for a job (calls per piece = calls_by_work / work_done).",
    'work',
    (c) => c.done,
  );
  new Gauge({
    name: 'switchyard_crm_rate_limited',
    help: '1 while the CRM API limit is spent and work is paused.',
    registers: [registry],
    collect() {
      this.set(status.crm().limited ? 1 : 0);
    },
  });
}
