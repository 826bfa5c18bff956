import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ServiceStatus } from './service-status.js';
import type { OrgReadPort } from '../crm/org-read.port.js';
import type { AccountLookup } from '../engine/matching/matching.types.js';
import type { HistoryItem, RouteRequest, RouteResult, RoutingService } from '../routing/routing.service.js';
import type { RoutingVersions } from '../routing/routing-versions.js';
import type { StoreSession } from '../store/store.js';
import type { JobScheduler } from '../jobs/scheduled-jobs.js';
import type { SlaClocks } from '../routing/sla-clocks.js';
import type { ApiMetrics } from './metrics.js';

/** What the API asks of the routing service. */
export type RoutingPort = Pick<
  RoutingService,
  | 'routeMany'
  | 'decideMany'
  | 'history'
  | 'candidateSet'
  | 'simulate'
  | 'backtest'
  | 'keepBacktest'
  | 'backtestRun'
  | 'reassign'
  | 'reassignmentPreview'
  | 'routingSet'
  | 'poolStatus'
  | 'poolLines'
  | 'org'
  | 'flowPicture'
>;
export type { HistoryItem, RouteRequest, RouteResult };
/** What the API asks of the routing set's versions. */
export type RoutingVersionsPort = Pick<
  RoutingVersions,
  'live' | 'get' | 'list' | 'publish' | 'rollback' | 'change' | 'versionInUse'
>;

/** What the API asks of the SLA clocks: a lead's clock (decisions followed first), Accept and Reject, the report, the notifications. */
export type SlaPort = Pick<
  SlaClocks,
  'view' | 'followAll' | 'accept' | 'reject' | 'report' | 'notifications'
>;

export interface RateLimitSettings {
  /** Requests (or lookups) per second, sustained. */
  perSecond: number;
  /** Requests (or lookups) at once after a quiet spell. */
  burst: number;
}

export interface AppDeps {
  config: Pick<Config, 'apiKey' | 'mode'> & Partial<Pick<Config, 'userAssertion' | 'previousApiKey'>>;
  routing: RoutingPort;
  /** The routing set's versions: publish, import, roll back, history. Without it those routes answer 404. */
  versions?: RoutingVersionsPort;
  org: OrgReadPort;
  /** The decisions table, for active-flow counts, and the store's health. */
  store: StoreSession;
  logger: Logger;
  metrics: ApiMetrics;
  clock: () => Date;
  status: ServiceStatus;
  /** The leads' SLA clocks; without them the SLA routes answer 503 (an instance without its jobs). */
  sla?: SlaPort;
  /** Explains why a lead matches an account (score and reason); the routing service's index. */
  accounts?: AccountLookup;
  /** Per acting user. Default: 20 per second, bursts of 60. */
  rateLimit?: RateLimitSettings;
  /**
   * Org lookups of user Ids not known to name a user, shared by all callers, so made-up Ids cost
   * the org a bounded number of calls. Default: 5 per second, bursts of 50.
   */
  lookupBudget?: RateLimitSettings;
  /** Requests served at once under /v1; beyond it 503 OVERLOADED with Retry-After. Default 64. */
  maxInFlight?: number;
  /** Largest JSON body accepted; default '100kb'. */
  bodyLimit?: string;
  /** The scheduled jobs admins see, run and pause (`/v1/jobs`); without it those calls answer 503. */
  jobs?: JobsPort;
}

/** What the API asks of the job scheduler. */
export type JobsPort = Pick<JobScheduler, 'list' | 'runNow' | 'setPaused'>;

/** The acting Salesforce user, from X-Switchyard-User, checked against the org. */
export interface Actor {
  id: string;
  name: string;
  role: string | null;
  active: boolean;
  canReroute: boolean;
  isAdmin: boolean;
}
