/** The Salesforce adapter's public surface, for the composition root. */
export { createSalesforceCrm, DEFAULT_API_VERSION } from './salesforce.factory.js';
export type { SalesforceConnection, SalesforceOptions } from './salesforce.factory.js';
export { SalesforceCrm } from './salesforce.crm.js';
export type { LockRetryPolicy, SalesforceCrmOptions } from './salesforce.crm.js';
export { SalesforceApi } from './salesforce-api.js';
export { SalesforceOrgRead, REROUTE_PERMISSION } from './salesforce-org-read.js';
export type { ApiPolicy, SalesforceCallCounts, SalesforceHealth } from './salesforce-api.js';
export { JwtBearerAuth } from './salesforce-auth.js';
export { SalesforceChangeFeed, PUBSUB_ADDRESS } from './salesforce-changes.js';
export type {
  ChangeEvent,
  ChangeFeedOptions,
  ChangeObject,
  PubSubEndpoint,
  ReplayStore,
} from './salesforce-changes.js';
export { assertOrgReady, checkOrg } from './salesforce-doctor.js';
export type { DoctorReport, SchemaNeed } from './salesforce-doctor.js';
export * from './salesforce.errors.js';
