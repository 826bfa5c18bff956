import { CodedError } from '../../engine/coded-error.js';

/**
 * The connection closed before an answer came: most often a kept-alive connection the server closed as
 * the request went out, seen as ECONNRESET or "socket hang up" when reading and EPIPE when writing.
 * Nothing was answered, so only a call that is safe to repeat may be sent again.
 */
export function isConnectionClosed(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return (
    e?.code === 'ECONNRESET' ||
    e?.code === 'EPIPE' ||
    /ECONNRESET|EPIPE|socket hang up/i.test(e?.message ?? '')
  );
}

/** Errors the Salesforce adapter raises; each `code` is stable and each message says what to do next. */
export class SalesforceError extends CodedError {}

export class SalesforceAuthError extends SalesforceError {
  constructor(detail: string) {
    super(
      'SF_AUTH_FAILED',
      `Salesforce refused the JWT bearer login (${detail}). Check that the connected app's consumer key ` +
        'is SF_CLIENT_ID, that its certificate matches the private key, that the integration user is ' +
        'pre-authorised (connected app policy "Admin approved users are pre-authorized" with the user\'s ' +
        'profile or permission set), and that SF_LOGIN_URL is the login host of that org.',
    );
  }
}

export class SalesforceLimitError extends SalesforceError {
  constructor(readonly until: string) {
    super(
      'SF_REQUEST_LIMIT',
      `Salesforce answered REQUEST_LIMIT_EXCEEDED: the org's API limit is spent. Work is paused until ${until}; ` +
        "it resumes by itself. Lower other integrations' usage or ask Salesforce for a higher limit.",
    );
  }
}

export class SalesforceBudgetError extends SalesforceError {
  constructor(
    readonly used: number,
    readonly budget: number,
  ) {
    super(
      'SF_BUDGET_EXHAUSTED',
      `Switchyard has used ${used} of its daily budget of ${budget} Salesforce API calls and stops calling ` +
        'until the next UTC day. Raise the budget share (apiBudgetShare) if the org can afford it.',
    );
  }
}

export class SalesforceApiError extends SalesforceError {
  constructor(
    readonly sfCode: string,
    /** Salesforce's own words (for a refused action, the answer's JSON). */
    readonly detail: string,
  ) {
    super('SF_API_ERROR', `Salesforce answered ${sfCode}: ${detail}`);
  }
}

/** An answer that cannot be read (cut off, or not the shape the call returns): never guessed at. */
export class SalesforceMalformedAnswerError extends SalesforceError {
  constructor(what: string, detail: string) {
    super(
      'SF_MALFORMED_ANSWER',
      `Salesforce's answer to ${what} could not be read (${detail}); nothing was assumed from it. ` +
        'Writes are read back from the org; other calls are tried again on the next run.',
    );
  }
}

export class SalesforceTimeoutError extends SalesforceError {
  constructor(what: string, ms: number) {
    super(
      'SF_TIMEOUT',
      `Salesforce did not answer ${what} within ${ms} ms; it was retried and still did not answer.`,
    );
  }
}

/** A Bulk API 2.0 query job that ended Failed or Aborted, or did not finish in time. */
export class SalesforceBulkQueryError extends SalesforceError {
  constructor(
    readonly jobId: string,
    outcome: 'failed' | 'timeout',
    detail: string,
  ) {
    super(
      outcome === 'failed' ? 'SF_BULK_QUERY_FAILED' : 'SF_BULK_QUERY_TIMEOUT',
      outcome === 'failed'
        ? `The Bulk API 2.0 query job ${jobId} ${detail}. Run npm run doctor (a field or access may be ` +
            'missing), then start the companion again.'
        : `The Bulk API 2.0 query job ${jobId} ${detail}. Salesforce may be busy; start the companion ` +
            'again later (the job shows under Setup, Bulk Data Load Jobs).',
    );
  }
}

/** What the startup check found missing, all at once. */
export class SalesforceSetupError extends SalesforceError {
  constructor(readonly problems: string[]) {
    super(
      'SF_SETUP_INCOMPLETE',
      `The org is missing what routing needs:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Deploy the Switchyard package (npm run deploy -- --target-org <alias>) and give the integration ' +
        'user the Switchyard permission set, then run npm run doctor again.',
    );
  }
}

/**
 * The org refused a custom notification because the integration user lacks Send Custom Notifications
 * (Actions Developer Guide, "Custom Notification Actions": required for REST API calls in orgs created in
 * Winter '21 or later). Trying again cannot help until the permission is granted.
 */
export class SalesforceNotificationPermissionError extends SalesforceError {
  readonly retryable = false;
  constructor(detail: string) {
    super(
      'SF_NOTIFICATION_PERMISSION',
      `Salesforce refused the notification (${detail}): the integration user lacks the Send Custom ` +
        'Notifications permission. Assign the Switchyard_Admin permission set to the integration user ' +
        '(Setup → Users → the user → Permission Set Assignments), then check with npm run doctor; ' +
        'notifications queued after that go out.',
    );
  }
}
