import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { Connection } from 'jsforce';
import type { SalesforceSettings } from '../../config.js';
import { isConnectionClosed, SalesforceAuthError } from './salesforce.errors.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The connection settings (config.ts) and the API version to log in for. */
export interface JwtAuthOptions extends SalesforceSettings {
  apiVersion: string;
  now?: () => number;
}

/** Salesforce wants `aud` to be its login host, also when the token is requested from a My Domain. */
export function defaultAudience(loginUrl: string): string {
  const host = new URL(loginUrl).host;
  if (host.endsWith('.sandbox.my.salesforce.com') || host === 'test.salesforce.com') {
    return 'https://test.salesforce.com';
  }
  if (host.endsWith('.my.salesforce.com') || host === 'login.salesforce.com') {
    return 'https://login.salesforce.com';
  }
  return loginUrl.replace(/\/$/, '');
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** An RS256-signed JWT bearer assertion; Salesforce accepts an `exp` at most 3 minutes ahead. */
export function signJwtAssertion(claims: {
  clientId: string;
  username: string;
  audience: string;
  key: KeyObject;
  nowMs: number;
}): string {
  const header = b64url(JSON.stringify({ alg: 'RS256' }));
  const payload = b64url(
    JSON.stringify({
      iss: claims.clientId,
      sub: claims.username,
      aud: claims.audience,
      exp: Math.floor(claims.nowMs / 1000) + 180,
    }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), claims.key);
  return `${header}.${payload}.${b64url(signature)}`;
}

interface TokenResponse {
  access_token: string;
  instance_url: string;
  id: string;
}

type RefreshCallback = (err: Error | null | undefined, accessToken?: string, res?: never) => unknown;

/**
 * A token request, sent once more with a new assertion when the connection closed before Salesforce
 * answered (a kept-alive connection the login host had closed). Asking for a token again changes
 * nothing in the org, and an assertion is good for one request only, so each try signs its own.
 */
async function sentAgainIfClosed<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    if (!isConnectionClosed(err)) throw err;
    return request();
  }
}

/**
 * The OAuth 2.0 JWT bearer flow. There is no refresh token in this flow, so the connection's
 * `refreshFn` signs a fresh assertion. It does so once per failure: if the new token is refused
 * as well, the next refresh fails with `SalesforceAuthError` instead of looping.
 */
export class JwtBearerAuth {
  private readonly key: KeyObject;
  private readonly audience: string;
  private readonly now: () => number;
  private refreshedSinceLastSuccess = false;
  /** Set when login failed for good; the adapter rethrows it in place of jsforce's wrapped error. */
  failure: SalesforceAuthError | null = null;
  tokensIssued = 0;
  orgId = '';
  userId = '';

  constructor(private readonly options: JwtAuthOptions) {
    try {
      this.key = createPrivateKey(options.privateKey);
    } catch (err) {
      throw new SalesforceAuthError(`the private key is not a readable PEM key: ${(err as Error).message}`);
    }
    this.audience = defaultAudience(options.loginUrl);
    this.now = options.now ?? Date.now;
  }

  assertion(): string {
    return signJwtAssertion({
      clientId: this.options.clientId,
      username: this.options.username,
      audience: this.audience,
      key: this.key,
      nowMs: this.now(),
    });
  }

  /** A logged-in connection whose expired sessions are renewed through `refreshFn`. */
  async connect(): Promise<Connection> {
    const conn = new Connection({
      loginUrl: this.options.loginUrl,
      version: this.options.apiVersion,
      oauth2: { loginUrl: this.options.loginUrl, clientId: this.options.clientId },
      refreshFn: (c: Connection, callback: RefreshCallback) => {
        void this.refresh(c, callback);
      },
    });
    try {
      const info = await sentAgainIfClosed(() =>
        conn.authorize({ grant_type: JWT_BEARER_GRANT, assertion: this.assertion() }),
      );
      this.tokensIssued++;
      this.orgId = info.organizationId;
      this.userId = info.id;
    } catch (err) {
      throw this.fail(err);
    }
    return conn;
  }

  /** A new token now, for callers outside jsforce (the Pub/Sub API) that were told the session is invalid. */
  async renew(conn: Connection): Promise<void> {
    try {
      const res = (await sentAgainIfClosed(() =>
        conn.oauth2.requestToken({ grant_type: JWT_BEARER_GRANT, assertion: this.assertion() }),
      )) as unknown as TokenResponse;
      this.tokensIssued++;
      conn.accessToken = res.access_token;
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Called after every call Salesforce answered: the next expiry may be refreshed again. */
  markHealthy(): void {
    this.refreshedSinceLastSuccess = false;
  }

  private async refresh(conn: Connection, callback: RefreshCallback): Promise<void> {
    if (this.refreshedSinceLastSuccess) {
      callback(this.fail(new Error('INVALID_SESSION_ID even with a newly issued token')));
      return;
    }
    this.refreshedSinceLastSuccess = true;
    try {
      const res = (await sentAgainIfClosed(() =>
        conn.oauth2.requestToken({ grant_type: JWT_BEARER_GRANT, assertion: this.assertion() }),
      )) as unknown as TokenResponse;
      this.tokensIssued++;
      if (res.instance_url) conn.instanceUrl = res.instance_url;
      callback(null, res.access_token, res as never);
    } catch (err) {
      callback(this.fail(err));
    }
  }

  private fail(err: unknown): SalesforceAuthError {
    const e = err as { name?: string; message?: string };
    const detail =
      e.name && e.name !== 'Error' ? `${e.name}: ${e.message ?? ''}` : (e.message ?? String(err));
    this.failure = err instanceof SalesforceAuthError ? err : new SalesforceAuthError(detail);
    return this.failure;
  }
}
