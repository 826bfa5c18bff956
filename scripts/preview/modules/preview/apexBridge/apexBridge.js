import { request, requestText } from 'preview/api';

/**
 * SwitchyardController's @AuraEnabled methods, each as the companion call the Apex method makes. The
 * build fails when a component imports a method the Apex class does not have.
 */
const query = (params) =>
  Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');

const clamp = (value, fallback, max) => {
  const n = Number(value);
  return Number.isInteger(n) ? Math.max(1, Math.min(n, max)) : fallback;
};

function requireId(id, prefix, what) {
  if (typeof id !== 'string' || !id.startsWith(prefix)) {
    throw apexError({
      code: 'VALIDATION_FAILED',
      message: `No ${what} was given.`,
      action:
        what === 'member'
          ? 'Choose a member in the pool and try again.'
          : `Open ${what === 'account' ? 'an account' : 'a lead'} record and try again.`,
      status: 400,
    });
  }
  return encodeURIComponent(id);
}

/** A job or flow name as the companion spells them: lowercase words and dashes. */
const KEBAB_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A territory table or pool name as routing sets spell them. */
const TABLE_NAME = /^[\w.-]{1,100}$/;

/** As Apex's requiredReason: trimmed, at most 1,000 characters, refused when blank. */
function reasonOf(reason, missing) {
  const text = typeof reason === 'string' ? reason.trim().slice(0, 1000) : '';
  if (!text) {
    throw apexError({
      code: 'VALIDATION_FAILED',
      message: missing,
      action: 'Say in a few words why, then save again.',
      status: 400,
    });
  }
  return text;
}

/**
 * As Apex's previewed: a pool change's body as a preview (dryRun) or the confirmation of one (baseVersion),
 * said by these parameters alone, whatever the settings or change map held.
 */
function previewed(body, p) {
  const out = { ...body };
  delete out.dryRun;
  delete out.baseVersion;
  if (p.dryRun === true) out.dryRun = true;
  if (Number.isInteger(p.baseVersion)) out.baseVersion = p.baseVersion;
  return out;
}

function requireName(value, pattern, what) {
  if (!pattern.test(String(value))) {
    throw apexError({
      code: 'VALIDATION_FAILED',
      message: `No ${what} was given, or it is not one.`,
      action: `Choose a ${what} on the admin page and try again.`,
      status: 400,
    });
  }
  return encodeURIComponent(String(value));
}

const METHODS = {
  getMatchedLeads: (p) =>
    request(
      'GET',
      `/v1/accounts/${requireId(p.accountId, '001', 'account')}/matched-leads?${query({
        limit: clamp(p.pageSize, 25, 200),
        offset: Math.max(0, Number(p.pageOffset) || 0),
        sort: p.sortBy || 'lastActivity',
        direction: p.sortDirection === 'asc' ? 'asc' : 'desc',
        q: typeof p.searchTerm === 'string' ? p.searchTerm.trim().slice(0, 100) : undefined,
      })}`,
    ),
  getPartnerStatus: (p) => request('GET', `/v1/leads/${requireId(p.leadId, '00Q', 'lead')}/partner-status`),
  getRoutingHistory: (p) =>
    request(
      'GET',
      `/v1/leads/${requireId(p.leadId, '00Q', 'lead')}/routing-history?limit=${clamp(p.maxItems, 20, 200)}`,
    ),
  getLeadSla: (p) => request('GET', `/v1/leads/${requireId(p.leadId, '00Q', 'lead')}/sla`),
  acceptLeadSla: (p) => request('POST', `/v1/leads/${requireId(p.leadId, '00Q', 'lead')}/sla/accept`, {}),
  rejectLeadSla: (p) => {
    if (typeof p.reason !== 'string' || !p.reason.trim()) {
      throw apexError({
        code: 'VALIDATION_FAILED',
        message: 'A rejected lead needs a reason: its next owner reads it.',
        action: 'Say in a few words why you pass the lead on, then reject again.',
        status: 400,
      });
    }
    return request('POST', `/v1/leads/${requireId(p.leadId, '00Q', 'lead')}/sla/reject`, {
      reason: p.reason.trim().slice(0, 1000),
    });
  },
  getRerouteAccess: async () => {
    const me = await request('GET', '/v1/me');
    return Boolean(me && me.permissions && me.permissions.reroute);
  },
  // The admin page's calls. The companion checks the acting user is an admin, as Apex checks Switchyard_Admin.
  getAdminAccess: async () => {
    const me = await request('GET', '/v1/me');
    return Boolean(me && me.permissions && me.permissions.admin);
  },
  getRoutingVersions: (p) => request('GET', `/v1/flows/versions?limit=${clamp(p.maxItems, 20, 200)}`),
  getLiveRouting: () => request('GET', '/v1/flows/export'),
  rollbackRouting: (p) => {
    const body = { reason: typeof p.reason === 'string' ? p.reason.trim().slice(0, 1000) : '' };
    if (Number.isInteger(p.baseVersion)) body.baseVersion = p.baseVersion;
    return request(
      'POST',
      `/v1/flows/versions/${requireName(p.version, /^[1-9]\d*$/, 'version')}/rollback`,
      body,
    );
  },
  getFlowPicture: (p) =>
    requestText(
      `/v1/flows/${requireName(p.flowName, KEBAB_NAME, 'flow')}/picture.svg?days=${clamp(p.days, 30, 365)}`,
      'image/svg+xml',
    ),
  getPools: () => request('GET', '/v1/pools'),
  getJobs: () => request('GET', '/v1/jobs'),
  addPoolMember: (p) => {
    const person = typeof p.person === 'string' ? p.person.trim() : '';
    if (!person) {
      throw apexError({
        code: 'VALIDATION_FAILED',
        message: 'No person was named.',
        action: "Give the rep's username or email, then add again.",
        status: 400,
      });
    }
    return request(
      'POST',
      `/v1/pools/${requireName(p.poolName, TABLE_NAME, 'pool')}/members`,
      previewed(
        { ...(p.settings || {}), user: person, reason: reasonOf(p.reason, 'Adding a rep needs a reason.') },
        p,
      ),
    );
  },
  changePoolMember: (p) =>
    request(
      'PATCH',
      `/v1/pools/${requireName(p.poolName, TABLE_NAME, 'pool')}/members/${requireId(p.userId, '005', 'member')}`,
      previewed({ ...(p.change || {}), reason: reasonOf(p.reason, 'A pool change needs a reason.') }, p),
    ),
  // A DELETE has no body: the dry run and the base version go in the query, as Apex sends them.
  removePoolMember: (p) =>
    request(
      'DELETE',
      `/v1/pools/${requireName(p.poolName, TABLE_NAME, 'pool')}/members/${requireId(p.userId, '005', 'member')}?${query(
        previewed({ reason: reasonOf(p.reason, 'Removing a rep needs a reason.') }, p),
      )}`,
    ),
  setPoolPaused: (p) =>
    request(
      'PATCH',
      `/v1/pools/${requireName(p.poolName, TABLE_NAME, 'pool')}`,
      previewed(
        {
          paused: p.paused === true,
          reason: reasonOf(p.reason, 'Pausing or resuming a pool needs a reason.'),
        },
        p,
      ),
    ),
  setPoolCatchUp: (p) => {
    const none = (value) => value === undefined || value === null;
    if (none(p.leads) !== none(p.withinDays)) {
      throw apexError({
        code: 'VALIDATION_FAILED',
        message: 'Catch-up needs both the number of leads and the days, or neither.',
        action: 'Give both numbers, or leave both empty for no catch-up.',
        status: 400,
      });
    }
    return request(
      'PATCH',
      `/v1/pools/${requireName(p.poolName, TABLE_NAME, 'pool')}`,
      previewed(
        {
          catchUp: none(p.leads) ? null : { leads: p.leads, withinDays: p.withinDays },
          reason: reasonOf(p.reason, 'A catch-up change needs a reason.'),
        },
        p,
      ),
    );
  },
  getTerritories: () => request('GET', '/v1/territories'),
  getLastBacktest: () => request('GET', '/v1/backtests/latest'),
  publishBacktest: (p) => {
    const id = requireName(p.backtestId, /^[1-9]\d*$/, 'backtest');
    if (typeof p.reason !== 'string' || !p.reason.trim()) {
      throw apexError({
        code: 'VALIDATION_FAILED',
        message: 'A publish needs a reason.',
        action: 'Say in a few words why you publish, then confirm again.',
        status: 400,
      });
    }
    return request('POST', `/v1/backtests/${id}/publish`, { reason: p.reason.trim().slice(0, 1000) });
  },
  saveTerritoryRow: (p) => {
    const table = requireName(p.tableName, TABLE_NAME, 'territory table');
    const body = { row: p.row, reason: reasonOf(p.reason, 'A territory change needs a reason.') };
    if (Number.isInteger(p.baseVersion)) body.baseVersion = p.baseVersion;
    if (p.rowNumber === undefined || p.rowNumber === null) {
      return request('POST', `/v1/territories/${table}/rows`, body);
    }
    return request(
      'PUT',
      `/v1/territories/${table}/rows/${requireName(p.rowNumber, /^[1-9]\d*$/, 'row')}`,
      body,
    );
  },
  removeTerritoryRow: (p) =>
    request(
      'DELETE',
      `/v1/territories/${requireName(p.tableName, TABLE_NAME, 'territory table')}/rows/${requireName(
        p.rowNumber,
        /^[1-9]\d*$/,
        'row',
      )}?${query({
        reason: reasonOf(p.reason, 'Removing a territory row needs a reason.'),
        baseVersion: Number.isInteger(p.baseVersion) ? p.baseVersion : undefined,
      })}`,
    ),
  runJob: (p) =>
    request('POST', `/v1/jobs/${requireName(p.jobName, KEBAB_NAME, 'job')}/run`, {
      dryRun: p.dryRun === true,
    }),
  setJobPaused: (p) =>
    request(
      'POST',
      `/v1/jobs/${requireName(p.jobName, KEBAB_NAME, 'job')}/${p.paused === true ? 'pause' : 'resume'}`,
      {},
    ),
  rerouteLead: (p) => {
    const body = { dryRun: false };
    if (typeof p.reason === 'string' && p.reason.trim()) body.reason = p.reason.trim().slice(0, 1000);
    const headers =
      typeof p.requestKey === 'string' && p.requestKey ? { 'Idempotency-Key': p.requestKey } : {};
    return request('POST', `/v1/leads/${requireId(p.leadId, '00Q', 'lead')}/route`, body, headers);
  },
};

/** What Apex hands a component when the controller throws: the message is JSON with code, message and action. */
function apexError(problem) {
  return {
    status: problem.status || 500,
    ok: false,
    statusText: 'Server Error',
    body: { message: JSON.stringify(problem), exceptionType: 'System.AuraHandledException' },
  };
}

function toApexError(error) {
  if (error && error.body && typeof error.body.message === 'string' && !error.body.error) return error;
  const companion = (error && error.body && error.body.error) || {};
  return apexError({
    code: companion.code || 'INTERNAL',
    message: companion.message || (error && error.message) || 'Something went wrong.',
    action: companion.action || '',
    status: (error && error.status) || 500,
  });
}

async function call(method, params) {
  try {
    return await METHODS[method](params || {});
  } catch (error) {
    throw toApexError(error);
  }
}

/** Wired results, so refreshApex(value) finds the wire that emitted it. */
const wires = new WeakMap();

/** Calls the method for a @wire whenever its configuration changes; provisions { data } or { error }. */
function wireAdapterFor(method) {
  return class ApexWireAdapter {
    constructor(dataCallback) {
      this.dataCallback = dataCallback;
      this.config = undefined;
      this.sequence = 0;
    }

    connect() {}

    disconnect() {
      this.sequence += 1;
    }

    update(config) {
      this.config = config || {};
      // Like Apex wires, nothing is asked while a reactive parameter is still undefined.
      if (Object.values(this.config).some((value) => value === undefined)) return;
      this.load();
    }

    async load() {
      this.sequence += 1;
      const mine = this.sequence;
      let value;
      try {
        value = { data: await call(method, this.config), error: undefined };
      } catch (error) {
        value = { data: undefined, error };
      }
      if (mine !== this.sequence) return;
      wires.set(value, this);
      this.dataCallback(value);
    }
  };
}

/** The default export of `@salesforce/apex/SwitchyardController.<method>`: callable, and wireable. */
export function apexMethod(method) {
  if (!METHODS[method]) {
    throw new Error(`The preview has no companion call for SwitchyardController.${method}.`);
  }
  const imperative = (params) => call(method, params);
  imperative.adapter = wireAdapterFor(method);
  return imperative;
}

/** `refreshApex(wiredValue)`: asks again and provisions the fresh answer. */
export function refreshApex(value) {
  const wire = value && wires.get(value);
  return wire && wire.config ? wire.load() : Promise.resolve();
}

export function getSObjectValue(record, field) {
  const name = String(field).split('.').pop();
  return record ? record[name] : undefined;
}
