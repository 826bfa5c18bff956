/** Errors the Salesforce adapter raises; each `code` is stable and each message says what to do next. */

export class SalesforceAuthError extends Error {
  readonly code = 'SF_AUTH_FAILED';
  constructor(detail: string) {
    super(
      `Salesforce refused the JWT bearer login (${detail}). Check that the connected app's consumer key ` +
        'is SF_CLIENT_ID, that its certificate matches the private key, that the integration user is ' +
        'pre-authorised (connected app policy "Admin approved users are pre-authorized" with the user\'s ' +
        'profile or permission set), and that SF_LOGIN_URL is the login host of that org.',
    );
    this.name = 'SalesforceAuthError';
  }
}

export class SalesforceLimitError extends Error {
  readonly code = 'SF_REQUEST_LIMIT';
  constructor(readonly until: string) {
    super(
      `Salesforce answered REQUEST_LIMIT_EXCEEDED: the org's API limit is spent. Work is paused until ${until}; ` +
        "it resumes by itself. Lower other integrations' usage or ask Salesforce for a higher limit.",
    );
    this.name = 'SalesforceLimitError';
  }
}

export class SalesforceBudgetError extends Error {
  readonly code = 'SF_BUDGET_EXHAUSTED';
  constructor(
    readonly used: number,
    readonly budget: number,
  ) {
    super(
      `Switchyard has used ${used} of its daily budget of ${budget} Salesforce API calls and stops calling ` +
        'until the next UTC day. Raise the budget share (apiBudgetShare) if the org can afford it.',
    );
    this.name = 'SalesforceBudgetError';
  }
}

export class SalesforceApiError extends Error {
  readonly code = 'SF_API_ERROR';
  constructor(
    readonly sfCode: string,
    message: string,
  ) {
    super(`Salesforce answered ${sfCode}: ${message}`);
    this.name = 'SalesforceApiError';
  }
}

export class SalesforceTimeoutError extends Error {
  readonly code = 'SF_TIMEOUT';
  constructor(what: string, ms: number) {
    super(`Salesforce did not answer ${what} within ${ms} ms; it was retried and still did not answer.`);
    this.name = 'SalesforceTimeoutError';
  }
}

/** What the startup check found missing, all at once. */
export class SalesforceSetupError extends Error {
  readonly code = 'SF_SETUP_INCOMPLETE';
  constructor(readonly problems: string[]) {
    super(
      `The org is missing what routing needs:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Deploy the Switchyard package (npm run deploy -- --target-org <alias>) and give the integration ' +
        'user the Switchyard permission set, then run npm run doctor again.',
    );
    this.name = 'SalesforceSetupError';
  }
}

export class SalesforceSettingsError extends Error {
  readonly code = 'SF_SETTINGS_INVALID';
  constructor(readonly problems: string[]) {
    super(`Salesforce settings are incomplete:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SalesforceSettingsError';
  }
}
