import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallMeter, meteredPort } from '../../src/crm/call-meter.js';
import { DEMO_USERS, demoUserId } from '../../src/crm/local/demo-people.js';
import { DEMO_SCENARIO } from '../../src/crm/local/demo-scenarios.js';
import type { RouteRequest, RoutingPort } from '../../src/http/app-context.js';
import { previewRouter } from '../../src/http/preview/preview.router.js';
import { startApi, type Answer, type Json, type TestApi } from './api-fixture.js';

let api: TestApi;
let previewDir: string;
/** Unconverted MQL leads of the test org that a re-route moves (no rule refuses them), each used by one test only. */
let mqls: string[];
/** Two unconverted MQL leads with no routing history at all (left out of the dry run that sorted `mqls`). */
let untouched: string[];
const cyberdyne = DEMO_SCENARIO.accounts.find((a) => a.Name === 'Cyberdyne Robotics')!;
const leadership = DEMO_USERS.find((u) => u.Role__c === 'Leadership')!.Id;

beforeAll(async () => {
  // A hand-made preview bundle: these tests check what the preview serves, not how it is built.
  previewDir = mkdtempSync(path.join(tmpdir(), 'switchyard-preview-'));
  mkdirSync(path.join(previewDir, 'abc123/assets'), { recursive: true });
  writeFileSync(path.join(previewDir, 'abc123/assets/preview.js'), 'export {};\n');
  writeFileSync(path.join(previewDir, 'current.json'), JSON.stringify({ hash: 'abc123' }));
  api = await startApi({
    public: previewRouter({
      mode: 'local',
      apiKey: 'unused',
      build: false,
      paths: { root: process.cwd(), distDir: previewDir },
    }),
  });
  const { rows } = await sql<{ id: string }>`
    select id from crm_records
    where object = 'Lead' and data->>'Status' = 'MQL' and coalesce((data->>'IsConverted')::boolean, false) = false
    order by id
  `.execute(api.store.db);
  // The flows refuse some MQLs a re-route (high priority, an account's BDR at work): a dry run sorts
  // those out, so every re-route below has one right answer.
  const dry = await api.call('POST', '/v1/route', {
    user: leadership,
    body: { leadIds: rows.slice(2, 100).map((r) => r.id), dryRun: true },
  });
  expect(dry.status, dry.text).toBe(200);
  mqls = (dry.body.results as Json[]).filter((r) => r.ok).map((r) => r.leadId as string);
  untouched = rows.slice(0, 2).map((r) => r.id);
}, 180_000);

afterAll(async () => {
  await api?.close();
  rmSync(previewDir, { recursive: true, force: true });
});

function expectError(res: Answer, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String), action: expect.any(String) }),
  });
}

const takeLeads = (n: number) => {
  expect(mqls.length).toBeGreaterThanOrEqual(n);
  return mqls.splice(0, n);
};

describe('one bad request fails alone', () => {
  it('refuses text PostgreSQL cannot store with 400 naming the field, and routes the re-routes sent beside it', async () => {
    expect(untouched.length).toBeGreaterThanOrEqual(2);
    const [nulLead, surrogateLead] = untouched.splice(0, 2);
    const poisons = [
      { leadId: nulLead!, raw: JSON.stringify({ reason: 'Wrong region\u0000' }) },
      // A lone surrogate, as a JSON escape (JSON.stringify would write the same for a string holding one).
      { leadId: surrogateLead!, raw: '{"reason":"Wrong region \\ud800"}' },
    ];
    const valid = takeLeads(20);
    const answers = await Promise.all([
      ...poisons.map((p) => api.call('POST', `/v1/leads/${p.leadId}/route`, { rawBody: p.raw })),
      ...valid.map((id) => api.call('POST', `/v1/leads/${id}/route`, { body: { reason: 'Wrong region' } })),
    ]);
    const [nul, surrogate, ...rest] = answers;
    expectError(nul!, 400, 'VALIDATION_FAILED');
    expect(nul!.body.error.details).toEqual([{ field: 'reason', message: expect.stringMatching(/NUL/) }]);
    expectError(surrogate!, 400, 'VALIDATION_FAILED');
    expect(surrogate!.body.error.details).toEqual([
      { field: 'reason', message: expect.stringMatching(/surrogate/) },
    ]);
    for (const res of rest) expect(res.status, res.text).toBe(200);
    for (const p of poisons) {
      const history = await api.call('GET', `/v1/leads/${p.leadId}/routing-history`);
      expect(history.body.items).toEqual([]);
    }
  });

  it('refuses such text in every field it reaches: batch bodies, query strings, nested values', async () => {
    const nested = await api.call('POST', '/v1/route', {
      rawBody: JSON.stringify({ leadIds: [mqls[0], 'x\u0000'], reason: 'ok', dryRun: true }),
    });
    expectError(nested, 400, 'VALIDATION_FAILED');
    expect(nested.body.error.details).toContainEqual({ field: 'leadIds.1', message: expect.any(String) });
    for (const route of [
      '/v1/leads',
      '/v1/accounts',
      '/v1/users',
      `/v1/accounts/${cyberdyne.Id}/matched-leads`,
    ]) {
      const res = await api.call('GET', `${route}?q=acme%00`);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([{ field: 'q', message: expect.stringMatching(/NUL/) }]);
    }
  });
});

describe('client mistakes are answered as client mistakes', () => {
  it.each([
    ['/v1/leads/%zz', 400, 'path'],
    ['/v1/leads/%c0%af', 400, 'path'],
    ['/v1/leads/%c0%af/routing-history', 400, 'path'],
    [`/v1/accounts/%E0%80/matched-leads`, 400, 'path'],
    ['/v1/no-such/%zz', 400, 'path'],
    ['/preview/lead/%zz', 400, 'path'],
  ])('GET %s → %i naming the %s', async (url, status, field) => {
    const res = await api.call('GET', url);
    expectError(res, status, 'VALIDATION_FAILED');
    expect(res.body.error.details.map((d: Json) => d.field)).toEqual([field]);
    expect(res.body.error.details[0].message).toMatch(/%-escape/);
  });

  it('refuses a path that climbs out of the preview assets with 404, serving nothing', async () => {
    expect((await api.call('GET', '/preview/assets/preview.js', { key: null })).status).toBe(200);
    for (const url of [
      '/preview/assets/..%2f..%2fcurrent.json',
      '/preview/assets/..%2f..',
      '/preview/assets/%2e%2e/%2e%2e/current.json',
      '/preview/assets/..%5c..%5ccurrent.json',
    ]) {
      const res = await api.call('GET', url, { key: null });
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(res.status, url).toBeLessThan(500);
      expect(res.text).not.toContain('abc123');
    }
    expectError(await api.call('GET', '/preview/assets/..%2f..', { key: null }), 404, 'NOT_FOUND');
  });

  it('answers a body that is not compressed as its Content-Encoding says with 400', async () => {
    const lead = mqls[0]!;
    const res = await api.call('POST', `/v1/leads/${lead}/route`, {
      rawBody: JSON.stringify({ dryRun: true }),
      headers: { 'content-encoding': 'gzip' },
    });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([
      { field: 'content-encoding', message: expect.stringMatching(/compress/) },
    ]);
    // The same body, compressed as it says, is read.
    const url = `${api.url}/v1/leads/${lead}/route`;
    const ok = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${'test-key-7f3a9c1e5b2d8f4a6c0e'}`,
        'x-switchyard-user': leadership,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync(JSON.stringify({ dryRun: true })),
    });
    expect(ok.status).toBe(200);
  });
});

/** The routing service, with deciding held until `release` and every lead it was asked to route remembered. */
function heldRouting(inner: RoutingPort) {
  const routed: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let entered!: () => void;
  const first = new Promise<void>((resolve) => (entered = resolve));
  // Everything else the inner service does as it is (its own `this` through the prototype).
  const routing = Object.create(inner) as RoutingPort;
  routing.decideMany = async (requests: RouteRequest[]) => {
    routed.push(...requests.map((r) => r.leadId));
    entered();
    await gate;
    return inner.decideMany(requests);
  };
  return { routing, routed, entered: first, release: () => open() };
}

describe('overload', () => {
  it('answers beyond the requests in flight with 503 and Retry-After at once, and serves again when they finish', async () => {
    const held = heldRouting(api.routing);
    const small = await api.sibling({ maxInFlight: 2, routing: held.routing });
    try {
      const [a, b] = takeLeads(2);
      const first = small.call('POST', `/v1/leads/${a}/route`, { body: {} });
      await held.entered;
      const second = small.call('POST', `/v1/leads/${b}/route`, { body: {} });
      // Both slots are taken once the second is past the gate: the probes say when.
      let refused: Answer;
      do refused = await small.call('GET', '/v1/me');
      while (refused.status === 200);
      expectError(refused, 503, 'OVERLOADED');
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body.error.action).toMatch(/try again/);
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
      // Liveness is not an API request: it answers while the API refuses.
      expect((await small.call('GET', '/healthz')).status).toBe(200);
      expect((await small.call('GET', '/V1/me')).status).toBe(503);
      held.release();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      expect((await small.call('GET', '/v1/me')).status).toBe(200);
    } finally {
      held.release();
      await small.close();
    }
  });

  it('does not route a queued re-route whose caller has left', async () => {
    const held = heldRouting(api.routing);
    const small = await api.sibling({ maxInFlight: 2, routing: held.routing });
    try {
      const [a, b] = takeLeads(2);
      const ownerBefore = (await api.org.getLead(b!))!.OwnerId;
      const first = small.call('POST', `/v1/leads/${a}/route`, { body: {} });
      await held.entered;
      const leaving = new AbortController();
      const abandoned = small
        .call('POST', `/v1/leads/${b}/route`, { body: {}, signal: leaving.signal })
        .catch(() => 'left');
      // Wait until the second request holds its slot (a probe is refused), then leave.
      while ((await small.call('GET', '/v1/me')).status === 200);
      leaving.abort();
      expect(await abandoned).toBe('left');
      // Its slot is free once the server has seen it leave.
      while ((await small.call('GET', '/v1/me')).status !== 200);
      held.release();
      expect((await first).status).toBe(200);
      // A request after it is routed, so the queue has been cut past the one that left.
      const [c] = takeLeads(1);
      expect((await small.call('POST', `/v1/leads/${c}/route`, { body: {} })).status).toBe(200);
      expect(held.routed).toEqual([a, c]);
      expect((await api.org.getLead(b!))!.OwnerId).toBe(ownerBefore);
    } finally {
      held.release();
      await small.close();
    }
  });
});

describe('callers the org does not know', () => {
  /** A sibling whose org reads are counted, with small limits. */
  async function metered() {
    const meter = new CallMeter();
    const app = await api.sibling({
      org: meteredPort(api.org, meter),
      rateLimit: { perSecond: 0.001, burst: 3 },
      lookupBudget: { perSecond: 0.001, burst: 5 },
      maxInFlight: 1000,
    });
    return { app, calls: () => meter.counts().total, meter };
  }
  const statuses = (answers: Answer[]) =>
    answers.reduce<Record<number, number>>((n, a) => ({ ...n, [a.status]: (n[a.status] ?? 0) + 1 }), {});

  it('costs nothing for ill-formed Ids, and one lookup for 300 requests naming one unknown user', async () => {
    const { app, calls } = await metered();
    try {
      const bad = await Promise.all(
        Array.from({ length: 300 }, (_, i) => app.call('GET', '/v1/me', { user: `005bad${i}` })),
      );
      expect(statuses(bad)).toEqual({ 401: 300 });
      expect(calls()).toBe(0);
      const ghost = demoUserId(9001);
      const same = await Promise.all(
        Array.from({ length: 300 }, () => app.call('GET', '/v1/me', { user: ghost })),
      );
      // Its own bucket lets 3 through (refused: no such user), then refuses the rest before any lookup.
      expect(statuses(same)).toEqual({ 401: 3, 429: 297 });
      expect(calls()).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('bounds the lookups 300 made-up users cost, while users it knows keep working', async () => {
    const { app, calls, meter } = await metered();
    try {
      const known = DEMO_USERS.find((u) => u.Name === 'Ava Patel')!.Id;
      expect((await app.call('GET', '/v1/me', { user: known })).status).toBe(200);
      expect(calls()).toBe(1);
      const made = await Promise.all(
        Array.from({ length: 300 }, (_, i) => app.call('GET', '/v1/me', { user: demoUserId(9100 + i) })),
      );
      // The budget of 5 lookups: one went on the real user's first request, 4 on made-up Ids.
      expect(statuses(made)).toEqual({ 401: 4, 429: 296 });
      const refused = made.find((a) => a.status === 429)!;
      expect(refused.body.error.message).toMatch(/users Switchyard does not know/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(meter.counts().byKind).toEqual({ getUser: 5 });
      expect((await app.call('GET', '/v1/me', { user: known })).status).toBe(200);
      expect(calls()).toBe(5);
    } finally {
      await app.close();
    }
  });
});
