import type { Connection } from 'jsforce';
import { CallMeter, type ApiCallCounts } from '../call-meter.js';
import type { JwtBearerAuth } from './salesforce-auth.js';
import {
  isConnectionClosed,
  SalesforceApiError,
  SalesforceAuthError,
  SalesforceBudgetError,
  SalesforceLimitError,
  SalesforceMalformedAnswerError,
  SalesforceTimeoutError,
} from './salesforce.errors.js';

/** The kinds of call the adapter makes; each is counted on its own. */
export type CallKind =
  | 'query'
  | 'queryMore'
  | 'composite'
  | 'convertLead'
  | 'describe'
  | 'limits'
  | 'retrieve'
  | 'bulkQuery'
  | 'bulkResults'
  | 'notification';

export interface ApiPolicy {
  /** ms since epoch; injected so tests control the day boundary and the pause. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** 0 ≤ x < 1; injected so jitter is deterministic in tests. */
  random: () => number;
  /** Abandon a call after this long (default 30 s). */
  timeoutMs: number;
  /** Tries for an idempotent call that timed out (default 3). */
  timeoutAttempts: number;
  /** Share of the org's DailyApiRequests this service may spend (default 0.5). */
  budgetShare: number;
  /** First pause after REQUEST_LIMIT_EXCEEDED (default 60 s); doubles while the limit persists. */
  limitPauseMs: number;
  limitPauseMaxMs: number;
}

export const DEFAULT_POLICY: ApiPolicy = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  timeoutMs: 30_000,
  timeoutAttempts: 3,
  budgetShare: 0.5,
  limitPauseMs: 60_000,
  limitPauseMaxMs: 3_600_000,
};

export interface SalesforceHealth {
  /** True while the org's API limit is spent and work is paused. */
  limited: boolean;
  until?: string;
  /** Calls this service made today (UTC). */
  apiCallsToday: number;
  /** This service's daily allowance; null until `/limits` has been read. */
  budget: number | null;
  /** The org's own count, from the Sforce-Limit-Info header of the last answer. */
  orgApiUsage?: { used: number; limit: number };
}

export interface SalesforceCallCounts extends ApiCallCounts {
  /** Calls since midnight UTC: what the daily budget is spent from. */
  today: number;
}

export interface QueryPage<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

interface RestError {
  errorCode?: string;
  name?: string;
  message?: string;
}

const isTimeout = (err: unknown): boolean => {
  const e = err as RestError;
  return (
    e?.name === 'AbortError' ||
    e?.name === 'TimeoutError' ||
    /Request Timeout|aborted/i.test(e?.message ?? '')
  );
};

class CallTimeout extends Error {}

/**
 * One jsforce connection with the service's rules around it: every call counted, the daily budget
 * enforced, the org's request limit turning into a pause, timeouts retried only where that is safe,
 * and auth failures surfacing as `SalesforceAuthError`.
 */
export class SalesforceApi {
  readonly policy: ApiPolicy;
  /** Every call counted, by kind and by the piece of work (`meter.track`) that made it. */
  readonly meter = new CallMeter();
  private today = 0;
  private day = '';
  private budget: number | null = null;
  private limitedUntil = 0;
  private pauseMs: number;

  constructor(
    readonly conn: Connection,
    private readonly auth: JwtBearerAuth | null,
    policy: Partial<ApiPolicy> = {},
  ) {
    this.policy = { ...DEFAULT_POLICY, ...policy };
    this.pauseMs = this.policy.limitPauseMs;
  }

  /** The integration user the session belongs to ('' when the connection was made without a login). */
  get userId(): string {
    return this.auth?.userId ?? '';
  }

  get apiVersion(): string {
    return this.conn.version;
  }

  apiCalls(): SalesforceCallCounts {
    this.rollDay();
    return { ...this.meter.counts(), today: this.today };
  }

  health(): SalesforceHealth {
    this.rollDay();
    const now = this.policy.now();
    const limited = this.limitedUntil > now;
    const usage = this.conn.limitInfo?.apiUsage;
    return {
      limited,
      ...(limited ? { until: new Date(this.limitedUntil).toISOString() } : {}),
      apiCallsToday: this.today,
      budget: this.budget,
      ...(usage ? { orgApiUsage: { used: usage.used, limit: usage.limit } } : {}),
    };
  }

  /** Reads `/limits` and sets the daily budget as a share of the org's DailyApiRequests. */
  async refreshLimits(): Promise<{ max: number; remaining: number; budget: number }> {
    const limits = await this.rest<Record<string, { Max: number; Remaining: number }>>('limits', {
      method: 'GET',
      url: '/limits',
    });
    const daily = limits['DailyApiRequests'];
    if (!daily) throw new SalesforceApiError('NO_DAILY_LIMIT', '/limits did not include DailyApiRequests');
    this.budget = Math.floor(daily.Max * this.policy.budgetShare);
    return { max: daily.Max, remaining: daily.Remaining, budget: this.budget };
  }

  /**
   * A REST call. `idempotent` calls are retried after a timeout; others fail with SF_TIMEOUT. Every
   * answer these calls expect is JSON; jsforce hands back the raw text when it cannot parse it (a body
   * cut off mid-way), and that is refused as SF_MALFORMED_ANSWER rather than read as data.
   */
  async rest<T>(
    kind: CallKind,
    request: { method: string; url: string; body?: string; headers?: Record<string, string> },
    idempotent = true,
  ): Promise<T> {
    const answer = await this.call(
      kind,
      () =>
        this.conn.request<T>(
          request as never,
          {
            timeout: this.policy.timeoutMs,
            retry: { maxRetries: 0 },
          } as never,
        ) as Promise<T>,
      idempotent,
    );
    if (typeof answer === 'string' || answer === undefined || answer === null) {
      throw new SalesforceMalformedAnswerError(`${request.method} ${request.url.split('?')[0]}`, 'not JSON');
    }
    return answer;
  }

  /**
   * Runs one API call under the service's rules. Idempotent calls are sent again after a timeout or a
   * connection closed before an answer; calls that are not are tried once and a timeout is reported
   * as SalesforceTimeoutError, so the caller can check before trying again.
   */
  async call<T>(kind: CallKind, fn: () => Promise<T>, idempotent: boolean): Promise<T> {
    const attempts = idempotent ? this.policy.timeoutAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      this.admit();
      this.count(kind);
      try {
        const result = await this.withTimeout(fn());
        this.auth?.markHealthy();
        this.pauseMs = this.policy.limitPauseMs;
        return result;
      } catch (err) {
        if (err instanceof CallTimeout || isTimeout(err)) {
          if (attempt < attempts) continue;
          throw new SalesforceTimeoutError(kind, this.policy.timeoutMs);
        }
        if (isConnectionClosed(err) && attempt < attempts) continue;
        throw this.translate(err);
      }
    }
  }

  /** Every page of a SOQL query, following `nextRecordsUrl`. A page without a records list is refused. */
  async *pages<T>(soql: string, all = false): AsyncGenerator<QueryPage<T>> {
    let page = checkedPage(
      await this.rest<QueryPage<T>>('query', {
        method: 'GET',
        url: `/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`,
      }),
    );
    yield page;
    while (!page.done && page.nextRecordsUrl) {
      page = checkedPage(
        await this.rest<QueryPage<T>>('queryMore', { method: 'GET', url: page.nextRecordsUrl }),
      );
      yield page;
    }
  }

  /** The records of every page of a SOQL query. */
  async *query<T>(soql: string, all = false): AsyncGenerator<T[]> {
    for await (const page of this.pages<T>(soql, all)) yield page.records;
  }

  /** All records of a query in one array; for queries whose size is bounded by the caller. */
  async queryAll<T>(soql: string, includeDeleted = false): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.query<T>(soql, includeDeleted)) out.push(...page);
    return out;
  }

  private admit(): void {
    this.rollDay();
    const now = this.policy.now();
    if (this.limitedUntil > now) throw new SalesforceLimitError(new Date(this.limitedUntil).toISOString());
    if (this.budget !== null && this.today >= this.budget)
      throw new SalesforceBudgetError(this.today, this.budget);
  }

  private count(kind: CallKind): void {
    this.today++;
    this.meter.count(kind);
  }

  private rollDay(): void {
    const day = new Date(this.policy.now()).toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.today = 0;
    }
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CallTimeout()), this.policy.timeoutMs + 50);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  private translate(err: unknown): Error {
    if (this.auth?.failure) {
      const failure = this.auth.failure;
      // The next call may try one new token again: an admin may have fixed the connected app.
      this.auth.failure = null;
      this.auth.markHealthy();
      return failure;
    }
    if (err instanceof SalesforceAuthError) return err;
    const e = err as RestError;
    const code = e.errorCode ?? e.name ?? 'UNKNOWN';
    if (code === 'REQUEST_LIMIT_EXCEEDED' || /REQUEST_LIMIT_EXCEEDED/.test(code)) {
      const jitter = 1 + this.policy.random() * 0.2;
      this.limitedUntil = this.policy.now() + Math.round(this.pauseMs * jitter);
      this.pauseMs = Math.min(this.pauseMs * 2, this.policy.limitPauseMaxMs);
      return new SalesforceLimitError(new Date(this.limitedUntil).toISOString());
    }
    // A call that waited on another call's failed refresh gets jsforce's wrapped error.
    if (/Unable to refresh session/.test(e.message ?? '')) return new SalesforceAuthError(e.message ?? code);
    if (/INVALID_SESSION_ID/.test(code))
      return new SalesforceAuthError(`INVALID_SESSION_ID: ${e.message ?? ''}`);
    return new SalesforceApiError(code.replace(/^sf:/, ''), e.message ?? String(err));
  }
}

function checkedPage<T>(page: QueryPage<T>): QueryPage<T> {
  if (!Array.isArray(page.records)) throw new SalesforceMalformedAnswerError('a query', 'no records list');
  return page;
}

/** SOQL's escape sequences for the characters a quoted value may not hold as they are. */
const SOQL_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\f': '\\f',
};

/**
 * A SOQL string literal: the value in single quotes, with a quote, a backslash and the line, tab and
 * form-feed characters written as SOQL's escape sequences (SOQL and SOSL Reference, "Quoted String
 * Escape Sequences", https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm),
 * so no value can end the literal and add to the query.
 */
export const soqlString = (value: string): string =>
  `'${value.replace(/[\\'"\n\r\t\f]/g, (ch) => SOQL_ESCAPES[ch]!)}'`;

export const soqlIdList = (ids: readonly string[]): string => `(${ids.map(soqlString).join(', ')})`;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
