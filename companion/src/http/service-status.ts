import type { ApiCallCounts } from '../crm/call-meter.js';

/** The state of the connection to the CRM, for /readyz and /metrics. */
export interface CrmHealth {
  /** True while the org's API limit is spent and work is paused. */
  limited: boolean;
  until?: string;
}

/** What /readyz and /metrics read about the parts around the API. */
export interface ServiceStatus {
  /** True once the match index has been built from the CRM. */
  indexLoaded(): boolean;
  crm(): CrmHealth;
  /** Calls made to the CRM since start, by kind and by the work that made them. */
  apiCalls(): ApiCallCounts;
}
