import type { Server } from 'node:http';
import type { Router } from 'express';
import { DEMO_USERS } from '../../src/crm/local/demo-people.js';
import type { LocalOrg } from '../../src/crm/local/local-org.js';
import { createApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/app-context.js';
import { createMetrics } from '../../src/http/metrics.js';
import type { RoutingService } from '../../src/routing/routing.service.js';
import type { SlaClocks } from '../../src/routing/sla-clocks.js';
import type { Store } from '../../src/store/store.js';
import { listen, startLocalCompanion, stop, urlOf } from '../../../test/support/local-companion.js';

/** A Monday afternoon in Europe, morning in the Americas: every SDR pool has someone at work. */
export const MONDAY = '2026-11-23T15:00:00.000Z';
export const API_KEY = 'test-key-7f3a9c1e5b2d8f4a6c0e';

/** Parsed JSON, walked freely by assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
export type Json = any;

export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

export interface CallOptions {
  /** The acting user; null sends no X-Switchyard-User. */
  user?: string | null;
  /** The API key; null sends no Authorization header. */
  key?: string | null;
  body?: unknown;
  /** Sent as is, instead of JSON of `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Aborting it closes the connection, as a caller that gives up does. */
  signal?: AbortSignal;
}

export interface TestApi {
  url: string;
  store: Store;
  org: LocalOrg;
  routing: RoutingService;
  sla: SlaClocks;
  /** Every log line the app wrote, as text. */
  logLines: string[];
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** Another app on the same store, with other limits, or the org or routing service wrapped. */
  sibling(
    overrides: Partial<
      Pick<
        AppDeps,
        'rateLimit' | 'lookupBudget' | 'maxInFlight' | 'bodyLimit' | 'status' | 'org' | 'routing' | 'config'
      >
    >,
  ): Promise<Pick<TestApi, 'call' | 'close'>>;
  close(): Promise<void>;
}

/**
 * The real app on a real embedded store in a temporary data folder, with a small demo org (the
 * curated scenarios and some generated bulk) and the shipped flows; the clock is pinned to MONDAY.
 */
export async function startApi(
  options: { user?: string; public?: Router } & Pick<Parameters<typeof startLocalCompanion>[0], 'crm'> = {},
): Promise<TestApi> {
  const companion = await startLocalCompanion({
    ...(options.public ? { public: options.public } : {}),
    ...(options.crm ? { crm: options.crm } : {}),
    now: MONDAY,
    apiKey: API_KEY,
    size: { accounts: 150, leads: 300 },
    // Tests make many calls as one user; the limit has a test of its own.
    rateLimit: { perSecond: 10_000, burst: 10_000 },
  });
  const defaultUser = options.user ?? DEMO_USERS.find((u) => u.Role__c === 'Leadership')!.Id;
  const siblings: Server[] = [];

  return {
    url: companion.url,
    store: companion.store,
    org: companion.org,
    routing: companion.routing,
    sla: companion.sla,
    logLines: companion.logLines,
    call: caller(companion.url, defaultUser),
    async sibling(overrides) {
      const server = await listen(createApp({ ...companion.deps, metrics: createMetrics(), ...overrides }));
      siblings.push(server);
      return { call: caller(urlOf(server), defaultUser), close: () => stop(server) };
    },
    async close() {
      for (const server of siblings) await stop(server);
      await companion.close();
    },
  };
}

function caller(url: string, defaultUser: string): TestApi['call'] {
  return async (method, route, o: CallOptions = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const key = o.key === undefined ? API_KEY : o.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const user = o.user === undefined ? defaultUser : o.user;
    if (user !== null) headers['x-switchyard-user'] = user;
    let body: string | undefined = o.rawBody;
    if (body === undefined && o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(url + route, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const text = await res.text();
    let parsed: Json = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
}
