import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS, demoQueueId, demoUserId } from '../../src/crm/local/demo-people.js';
import { readRoutingFiles, SHIPPED_FLOWS_DIR } from '../../src/routing/flow-files.js';
import { DEMO_SCENARIO, scenario } from '../../src/crm/local/demo-scenarios.js';
import { API_KEY, startApi, type Json, type TestApi } from './api-fixture.js';
import { schemaProblems } from './schema-check.js';

let api: TestApi;
const lead = scenario('reroute-eligible').lead;
const cyberdyne = DEMO_SCENARIO.accounts.find((a) => a.Name === 'Cyberdyne Robotics')!;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

/** The error shape every failure has, whatever the status. */
function expectError(res: { status: number; body: Json }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String), action: expect.any(String) }),
  });
  expect(res.body.error.message).toMatch(/[.!]$/);
  expect(res.body.error.action).toMatch(/[.!]$/);
}

describe('authentication', () => {
  it('answers /healthz without a key', async () => {
    const res = await api.call('GET', '/healthz', { key: null, user: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it.each([
    ['GET', `/v1/leads/${lead.Id}`],
    ['POST', `/v1/leads/${lead.Id}/route`],
    ['GET', '/v1/me'],
    ['GET', '/readyz'],
    ['GET', '/metrics'],
    ['GET', '/v1/openapi.json'],
    ['GET', '/v1/no-such-thing'],
  ])('refuses %s %s without a key (401)', async (method, path) => {
    const res = await api.call(method, path, { key: null });
    expectError(res, 401, 'UNAUTHENTICATED');
    expect(res.body.error.action).toContain('Authorization: Bearer');
  });

  it('refuses a wrong key, and a key of another length', async () => {
    expectError(await api.call('GET', '/v1/me', { key: API_KEY.replace(/.$/, 'x') }), 401, 'UNAUTHENTICATED');
    expectError(await api.call('GET', '/v1/me', { key: 'short' }), 401, 'UNAUTHENTICATED');
    expectError(
      await api.call('GET', '/v1/me', { headers: { authorization: `Basic ${API_KEY}` }, key: null }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('takes the new key and the one being retired while a key is rotated, and no other', async () => {
    const NEW_KEY = 'rotated-key-1d7e4a9c2f6b8e3a5c0d';
    const rotating = await api.sibling({
      config: { apiKey: NEW_KEY, previousApiKey: API_KEY, mode: 'local' },
    });
    const done = await api.sibling({ config: { apiKey: NEW_KEY, mode: 'local' } });
    try {
      expect((await rotating.call('GET', '/v1/me', { key: NEW_KEY })).status).toBe(200);
      expect((await rotating.call('GET', '/v1/me', { key: API_KEY })).status).toBe(200);
      expectError(
        await rotating.call('GET', '/v1/me', { key: NEW_KEY.replace(/.$/, 'x') }),
        401,
        'UNAUTHENTICATED',
      );
      expectError(
        await rotating.call('GET', '/v1/me', { key: `${API_KEY}${NEW_KEY}` }),
        401,
        'UNAUTHENTICATED',
      );
      // Once SWITCHYARD_API_KEY_PREVIOUS is unset, the retired key stops working.
      expect((await done.call('GET', '/v1/me', { key: NEW_KEY })).status).toBe(200);
      expectError(await done.call('GET', '/v1/me', { key: API_KEY }), 401, 'UNAUTHENTICATED');
    } finally {
      await rotating.close();
      await done.close();
    }
  });

  it('needs an acting user that exists', async () => {
    const none = await api.call('GET', '/v1/me', { user: null });
    expectError(none, 401, 'UNAUTHENTICATED');
    expect(none.body.error.message).toMatch(/which Salesforce user/);
    const malformed = await api.call('GET', '/v1/me', { user: '005-not-an-id' });
    expectError(malformed, 401, 'UNAUTHENTICATED');
    const queue = await api.call('GET', '/v1/me', { user: demoQueueId(1) });
    expectError(queue, 401, 'UNAUTHENTICATED');
    expect(queue.body.error.message).toMatch(/user Id, starting with 005/);
    const unknown = await api.call('GET', '/v1/me', { user: demoUserId(9999) });
    expectError(unknown, 401, 'UNAUTHENTICATED');
    expect(unknown.body.error.message).toContain(demoUserId(9999));
  });

  it('refuses an inactive user (403)', async () => {
    const res = await api.call('GET', '/v1/me', { user: demoUserId(4) });
    expectError(res, 403, 'FORBIDDEN');
    expect(res.body.error.message).toContain('Diego Ramos');
  });

  it('refuses a re-route by a rep who neither owns the lead nor holds the permission (403)', async () => {
    const res = await api.call('POST', `/v1/leads/${lead.Id}/route`, { user: demoUserId(14), body: {} });
    expectError(res, 403, 'FORBIDDEN');
    expect(res.body.error.message).toContain('re-route permission');
    expect(res.body.error.action).toContain('Switchyard User permission set');
    expect((await api.org.getLead(lead.Id))?.OwnerId).toBe(lead.OwnerId);
  });
});

describe('bad input', () => {
  it('lists every bad field in one 400', async () => {
    const res = await api.call('POST', `/v1/leads/${lead.Id.slice(0, 14)}/route`, {
      body: { reason: 42, dryRun: 'yes', dryrun: true },
      headers: { 'idempotency-key': 'x'.repeat(300) },
    });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details.map((d: Json) => d.field).sort()).toEqual(
      ['dryRun', 'dryrun', 'idempotency-key', 'leadId', 'reason'].sort(),
    );
    for (const d of res.body.error.details) expect(d.message).toEqual(expect.any(String));
  });

  it('lists every bad query parameter', async () => {
    const res = await api.call(
      'GET',
      `/v1/accounts/${cyberdyne.Id}/matched-leads?limit=0&offset=-1&sort=colour&direction=up`,
    );
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details.map((d: Json) => d.field).sort()).toEqual([
      'direction',
      'limit',
      'offset',
      'sort',
    ]);
  });

  it('checks the Salesforce Id checksum and the object', async () => {
    const wrongCase = lead.Id.slice(0, 15) + lead.Id.slice(15).toLowerCase();
    const badSuffix = lead.Id.slice(0, 15) + (lead.Id.endsWith('AAA') ? 'AAB' : 'AAA');
    for (const id of [wrongCase, badSuffix]) {
      const res = await api.call('GET', `/v1/leads/${id}`);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([
        { field: 'leadId', message: expect.stringMatching(/valid Salesforce Id|letters and digits/) },
      ]);
    }
    const accountAsLead = await api.call('GET', `/v1/leads/${demoUserId(1)}`);
    expect(accountAsLead.body.error.details[0].message).toMatch(/lead Id, starting with 00Q/);
  });

  it('refuses a batch that is empty, too large, or holds bad Ids, naming each', async () => {
    const empty = await api.call('POST', '/v1/route', { body: { leadIds: [] } });
    expectError(empty, 400, 'VALIDATION_FAILED');
    const many = await api.call('POST', '/v1/route', { body: { leadIds: Array(201).fill(lead.Id) } });
    expect(many.body.error.details[0]).toEqual({
      field: 'leadIds',
      message: expect.stringMatching(/at most 200/),
    });
    const bad = await api.call('POST', '/v1/route', {
      body: { leadIds: [lead.Id, 'nope', lead.Id.slice(0, 17)] },
    });
    expect(bad.body.error.details.map((d: Json) => d.field)).toEqual(['leadIds.1', 'leadIds.2']);
  });

  it('answers malformed JSON with 400 and a body that is not an object with 400', async () => {
    expectError(
      await api.call('POST', `/v1/leads/${lead.Id}/route`, { rawBody: '{"dryRun": tru' }),
      400,
      'VALIDATION_FAILED',
    );
    const array = await api.call('POST', `/v1/leads/${lead.Id}/route`, { body: [1, 2] });
    expectError(array, 400, 'VALIDATION_FAILED');
  });

  it('refuses a body that is not JSON rather than running the request with defaults', async () => {
    const res = await api.call('POST', `/v1/leads/${lead.Id}/route`, {
      rawBody: JSON.stringify({ dryRun: true }),
      headers: { 'content-type': 'text/plain' },
    });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([{ field: 'content-type', message: expect.any(String) }]);
    expect((await api.org.getLead(lead.Id))?.OwnerId).toBe(lead.OwnerId);
  });

  it('answers an oversized body with 413 in the error shape', async () => {
    const res = await api.call('POST', `/v1/leads/${lead.Id}/route`, {
      rawBody: JSON.stringify({ reason: 'x'.repeat(200_000) }),
    });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers 404 for a lead or account that does not exist', async () => {
    const missingLead = '00QSY0009999999';
    expectError(await api.call('GET', `/v1/leads/${missingLead}`), 404, 'NOT_FOUND');
    expectError(await api.call('POST', `/v1/leads/${missingLead}/route`, { body: {} }), 404, 'NOT_FOUND');
    expectError(await api.call('GET', `/v1/leads/${missingLead}/partner-status`), 404, 'NOT_FOUND');
    expectError(await api.call('GET', `/v1/leads/${missingLead}/routing-history`), 404, 'NOT_FOUND');
    expectError(await api.call('GET', '/v1/accounts/001SY0009999999/matched-leads'), 404, 'NOT_FOUND');
  });

  it('answers unknown routes and methods with 404 in the same shape', async () => {
    const unknown = await api.call('GET', '/v1/widgets');
    expectError(unknown, 404, 'NOT_FOUND');
    expect(unknown.body.error.message).toContain('GET /v1/widgets');
    expectError(await api.call('DELETE', `/v1/leads/${lead.Id}`), 404, 'NOT_FOUND');
    expectError(await api.call('GET', '/nothing-here'), 404, 'NOT_FOUND');
  });
});

describe('protection', () => {
  it('sets security headers and a request id on every answer', async () => {
    for (const res of [await api.call('GET', '/healthz'), await api.call('GET', '/v1/widgets')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-request-id')).toMatch(/\S+/);
    }
  });

  it('limits the rate per user and says when to try again (429)', async () => {
    const limited = await api.sibling({ rateLimit: { perSecond: 0.01, burst: 3 } });
    const ava = demoUserId(1);
    for (let i = 0; i < 3; i++) expect((await limited.call('GET', '/v1/me', { user: ava })).status).toBe(200);
    const refused = await limited.call('GET', '/v1/me', { user: ava });
    expectError(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another user has a bucket of their own.
    expect((await limited.call('GET', '/v1/me', { user: demoUserId(2) })).status).toBe(200);
  });

  it('never writes the API key to the log', async () => {
    await api.call('GET', '/v1/me');
    await api.call('GET', '/v1/me', { key: `${API_KEY}-wrong` });
    await api.call('POST', `/v1/leads/${lead.Id}/route`, { body: { dryRun: true, reason: API_KEY } });
    expect(api.logLines.length).toBeGreaterThan(2);
    const request = api.logLines
      .map((l) => JSON.parse(l) as Json)
      .find((l) => l.path === '/v1/me' && l.status === 200);
    expect(request).toMatchObject({ method: 'GET', status: 200, route: '/v1/me', user: expect.any(String) });
    for (const line of api.logLines) expect(line).not.toContain(API_KEY);
  });
});

describe('operations', () => {
  it('/readyz checks the store, the index and the CRM', async () => {
    const res = await api.call('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.checks.map((c: Json) => c.name)).toEqual(['store', 'index', 'crm']);
  });

  it('/readyz says not ready, and why, while the CRM limit is spent or the index is loading', async () => {
    const limited = await api.sibling({
      status: {
        indexLoaded: () => false,
        crm: () => ({ limited: true, until: '2026-11-24T00:00:00.000Z' }),
        apiCalls: () => ({ total: 3, byKind: { query: 3 }, byWork: { route: 3 }, done: { route: 1 } }),
      },
    });
    const res = await limited.call('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('not-ready');
    expect(res.body.checks).toEqual([
      expect.objectContaining({ name: 'store', ok: true }),
      expect.objectContaining({ name: 'index', ok: false }),
      { name: 'crm', ok: false, message: expect.stringContaining('2026-11-24T00:00:00.000Z') },
    ]);
    const metrics = await limited.call('GET', '/metrics');
    expect(metrics.text).toMatch(/switchyard_crm_rate_limited 1/);
    expect(metrics.text).toMatch(/switchyard_crm_api_calls\{kind="query"\} 3/);
    expect(metrics.text).toMatch(/switchyard_crm_api_calls_by_work\{work="route"\} 3/);
    expect(metrics.text).toMatch(/switchyard_crm_work_done\{work="route"\} 1/);
  });

  it('/metrics counts requests by route, decisions by outcome and outbox rows', async () => {
    await api.call('GET', `/v1/leads/${lead.Id}`);
    await api.call('POST', `/v1/leads/${scenario('reroute-not-mql').lead.Id}/route`, { body: {} });
    const res = await api.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toMatch(
      /switchyard_http_requests_total\{method="GET",route="\/v1\/leads\/:leadId",status="200"\} [1-9]/,
    );
    expect(res.text).toContain('switchyard_http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/switchyard_decisions\{outcome="refused",status="[a-z-]+"\} [1-9]/);
    expect(res.text).toMatch(/switchyard_outbox_rows\{status="pending"\} \d+/);
    expect(res.text).toMatch(/switchyard_api_routes_total\{outcome="refused",dry_run="false"\} 1/);
  });
});

describe('GET /v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document, and every path it documents answers as documented', async () => {
    const doc = (await api.call('GET', '/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    // An eligible lead, re-routed only as dry runs here.
    const ids: Record<string, string> = {
      leadId: lead.Id,
      accountId: cyberdyne.Id,
      flow: 'reroute',
      job: 'daily-mql-recycle',
      version: '1',
      pool: 'hot-leads',
      // The shipped territory table: a row is added at its end (row 4), replaced dry and removed again below.
      table: 'sdr-regions',
      row: '4',
      // An active SDR not in the hot-leads pool: added, changed (dry) and removed again below.
      userId: DEMO_USERS.find(
        (u) =>
          u.IsActive &&
          u.Role__c === 'SDR' &&
          !/^(yara\.haddad|ava\.patel|emma\.schulz|hiro\.tanaka)@/.test(u.Username ?? ''),
      )!.Id,
    };
    // Routed once, so its history and its matched account's list have something to show.
    await api.call('POST', `/v1/leads/${scenario('reroute-bdr-actively-working').lead.Id}/route`, {
      body: {},
    });
    // The shipped routing set: a candidate to backtest against itself, and files to publish or import dry.
    const shipped = Object.entries(await readRoutingFiles(SHIPPED_FLOWS_DIR)).map(([name, text]) => ({
      name,
      text,
    }));
    // A kept backtest of the shipped set against itself, to publish dry (documented before POST /v1/backtests,
    // whose run here would take the newest's place and its files).
    await api.call('POST', '/v1/backtests', {
      body: { candidate: shipped, leadIds: [ids.leadId] },
      user: DEMO.admin,
    });
    ids.backtestId = String(
      (await api.call('GET', '/v1/backtests/latest', { user: DEMO.admin })).body.backtest.id,
    );
    const bodies: Record<string, unknown> = {
      '/v1/leads/{leadId}/route': { dryRun: true },
      '/v1/route': { leadIds: [ids.leadId], dryRun: true },
      // The same path answers GET without a body; its POST takes the lead Ids Apex read in user mode.
      'post /v1/accounts/{accountId}/matched-leads': { visibleLeadIds: [] },
      '/v1/backtests': { candidate: shipped, leadIds: [ids.leadId] },
      '/v1/flows/publish': { files: shipped, reason: 'Checking the API', baseVersion: 1, dryRun: true },
      '/v1/flows/import': { files: shipped, reason: 'Checking the API', dryRun: true },
      '/v1/flows/versions/{version}/rollback': { reason: 'Checking the API', dryRun: true },
      '/v1/backtests/{backtestId}/publish': { reason: 'Checking the API', dryRun: true },
      '/v1/reassignments': { leadIds: [ids.leadId], reason: 'Checking the API', dryRun: true },
      '/v1/jobs/{job}/run': { dryRun: true },
      'patch /v1/pools/{pool}': { paused: false, reason: 'Checking the API', dryRun: true },
      '/v1/pools/{pool}/members': { userId: ids.userId, reason: 'Checking the API' },
      'patch /v1/pools/{pool}/members/{userId}': { weight: 2, reason: 'Checking the API', dryRun: true },
      '/v1/leads/{leadId}/sla/reject': { reason: 'Checking the API' },
      '/v1/territories/{table}/rows': {
        row: { country: ['DE'], assign: { pool: 'emea-sdr' } },
        reason: 'Checking the API',
      },
      'put /v1/territories/{table}/rows/{row}': {
        row: { country: ['DE'], industry: ['Banking'], assign: { pool: 'emea-sdr' } },
        reason: 'Checking the API',
        dryRun: true,
      },
    };
    // Two leads routing gave to a person, with their SLA clocks: one to look at and accept, one to reject.
    const owned = async (name: string) => {
      const created = await api.org.insertLead({
        fields: {
          LastName: name,
          Company: `${name} Quolls`,
          Email: `x@${name}-quolls.example`,
          Country: 'United States',
        },
      });
      const routed = await api.routing.route({ leadId: created.Id, trigger: { kind: 'created' } });
      return { leadId: created.Id, user: routed.decision.owner!.id };
    };
    const slaLeads: Record<string, { leadId: string; user: string }> = {};
    slaLeads['/v1/leads/{leadId}/sla'] = slaLeads['/v1/leads/{leadId}/sla/accept'] = await owned('clock');
    slaLeads['/v1/leads/{leadId}/sla/reject'] = await owned('rejected');
    await api.sla.sweep();
    // Simulations, backtests, reassignments, versions, flow pictures, jobs and SLA reports are an admin's tools.
    const adminOnly = new Set([
      '/v1/flows/versions',
      '/v1/flows/versions/{version}',
      '/v1/flows/versions/{version}/rollback',
      '/v1/flows/export',
      '/v1/flows/publish',
      '/v1/flows/import',
      '/v1/backtests',
      '/v1/backtests/latest',
      '/v1/backtests/{backtestId}/publish',
      '/v1/reassignments',
      '/v1/leads/{leadId}/simulate',
      '/v1/flows/{flow}/picture.svg',
      '/v1/jobs',
      '/v1/jobs/{job}/run',
      '/v1/jobs/{job}/pause',
      '/v1/jobs/{job}/resume',
      '/v1/sla/report',
      '/v1/sla/notifications',
      '/v1/pools',
      '/v1/pools/{pool}',
      '/v1/pools/{pool}/members',
      '/v1/pools/{pool}/members/{userId}',
      '/v1/territories',
      '/v1/territories/{table}/rows',
      '/v1/territories/{table}/rows/{row}',
    ]);
    // Query parameters an operation requires.
    const queries: Record<string, string> = {
      'delete /v1/pools/{pool}/members/{userId}': '?reason=Checking%20the%20API',
      'delete /v1/territories/{table}/rows/{row}': '?reason=Checking%20the%20API',
    };
    const paths = Object.entries(doc.paths as Record<string, Record<string, Json>>);
    expect(paths.length).toBeGreaterThanOrEqual(14);
    for (const [template, operations] of paths) {
      for (const [method, operation] of Object.entries(operations)) {
        const sla = slaLeads[template];
        const path =
          template.replace(/\{(\w+)\}/g, (_m, name: string) =>
            sla && name === 'leadId' ? sla.leadId : ids[name]!,
          ) + (queries[`${method} ${template}`] ?? '');
        const body = bodies[`${method} ${template}`] ?? bodies[template];
        // Only a lead's owner accepts or rejects it.
        const user = adminOnly.has(template) ? { user: DEMO.admin } : sla ? { user: sla.user } : {};
        const res = await api.call(method.toUpperCase(), path, { body, ...user });
        const documented = Object.keys(operation.responses);
        expect(documented, `${method} ${template} documents ${res.status}`).toContain(String(res.status));
        expect(res.status, `${method} ${template} answers`).toBeLessThan(400);
        const schema = operation.responses[String(res.status)].content['application/json']?.schema;
        if (schema) expect(schemaProblems(doc, schema, res.body), `${method} ${template}`).toEqual([]);
        if (operation.security?.length === 0) continue;
        const anonymous = await api.call(method.toUpperCase(), path, { key: null, body });
        expect(anonymous.status, `${method} ${template} needs the key`).toBe(401);
        const errorSchema = operation.responses['401'].content['application/json'].schema;
        expect(schemaProblems(doc, errorSchema, anonymous.body), `${method} ${template} 401`).toEqual([]);
      }
    }
  });
});
