import type { SalesforceSettings } from '../../config.js';
import { JwtBearerAuth } from './salesforce-auth.js';
import { SalesforceApi, type ApiPolicy } from './salesforce-api.js';
import { SalesforceCrm, type SalesforceCrmOptions } from './salesforce-crm.js';
import { assertOrgReady } from './salesforce-doctor.js';
import { REQUIRED_SCHEMA, type SchemaNeed } from './salesforce-fields.js';

export const DEFAULT_API_VERSION = '63.0';

/** The connection settings (read and validated by config.ts) and how the adapter behaves. */
export interface SalesforceOptions extends SalesforceSettings, SalesforceCrmOptions {
  apiVersion?: string;
  policy?: Partial<ApiPolicy>;
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
  const { loginUrl, clientId, username, privateKey } = options;
  const auth = new JwtBearerAuth({
    loginUrl,
    clientId,
    username,
    privateKey,
    apiVersion: options.apiVersion ?? DEFAULT_API_VERSION,
  });
  const conn = await auth.connect();
  const api = new SalesforceApi(conn, auth, options.policy);
  if (options.readLimits !== false) await api.refreshLimits();
  if (options.verifySchema !== false)
    await assertOrgReady(api, [...REQUIRED_SCHEMA, ...(options.extraSchema ?? [])]);
  const { lockRetry, bulkFrom, bulk } = options;
  const crm = new SalesforceCrm(api, {
    ...(lockRetry ? { lockRetry } : {}),
    ...(bulkFrom !== undefined ? { bulkFrom } : {}),
    ...(bulk ? { bulk } : {}),
  });
  return { crm, api, auth };
}
