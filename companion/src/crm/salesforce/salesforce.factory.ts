import { JwtBearerAuth } from './salesforce-auth.js';
import { SalesforceApi, type ApiPolicy } from './salesforce-api.js';
import { SalesforceCrm, type LockRetryPolicy } from './salesforce.crm.js';
import { assertOrgReady } from './salesforce-doctor.js';
import { REQUIRED_SCHEMA, type SchemaNeed } from './salesforce-fields.js';

export const DEFAULT_API_VERSION = '62.0';

/** Everything the adapter needs, read and validated by the composition root (see salesforce-settings.ts). */
export interface SalesforceOptions {
  loginUrl: string;
  clientId: string;
  username: string;
  privateKey?: string;
  privateKeyFile?: string;
  audience?: string;
  apiVersion?: string;
  policy?: Partial<ApiPolicy>;
  lockRetry?: Partial<LockRetryPolicy>;
  /** Read `/limits` at start to set the daily budget (default true). */
  readLimits?: boolean;
  /** Describe the objects routing uses and fail with everything missing (default true). */
  verifySchema?: boolean;
  /** Fields the active flows refer to beyond the built-in ones, checked at start. */
  extraSchema?: SchemaNeed[];
}

export interface SalesforceConnection {
  crm: SalesforceCrm;
  api: SalesforceApi;
  auth: JwtBearerAuth;
}

/** Logs in with the JWT bearer flow and returns the CRM port plus the pieces health checks need. */
export async function createSalesforceCrm(options: SalesforceOptions): Promise<SalesforceConnection> {
  const auth = new JwtBearerAuth({
    loginUrl: options.loginUrl,
    clientId: options.clientId,
    username: options.username,
    apiVersion: options.apiVersion ?? DEFAULT_API_VERSION,
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
    ...(options.privateKeyFile ? { privateKeyFile: options.privateKeyFile } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  });
  const conn = await auth.connect();
  const api = new SalesforceApi(conn, auth, options.policy);
  if (options.readLimits !== false) await api.refreshLimits();
  if (options.verifySchema !== false)
    await assertOrgReady(api, [...REQUIRED_SCHEMA, ...(options.extraSchema ?? [])]);
  const crm = new SalesforceCrm(api, options.lockRetry ? { lockRetry: options.lockRetry } : {});
  return { crm, api, auth };
}
