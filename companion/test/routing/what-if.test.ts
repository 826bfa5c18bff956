import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadContext } from '../../src/crm/crm.port.js';
import type { LocalOrg } from '../../src/crm/local/local-org.js';
import { runBacktest, type WhatIfDeps } from '../../src/routing/what-if.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';
import { demoOrg } from '../engine/support/demo-routing.js';
import { MONDAY, seedSmallDemoOrg, shippedRoutingSet } from './routing-fixture.js';

let store: Store;
let org: LocalOrg;
beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  org = await seedSmallDemoOrg(store);
}, 120_000);
afterAll(async () => {
  await store.close();
});

async function deps(
  getLeadContexts: (ids: string[]) => Promise<Map<string, LeadContext>>,
): Promise<WhatIfDeps> {
  return {
    crm: { findLeads: (filter) => org.findLeads(filter), getLeadContexts },
    stats: async () => new Map(),
    store,
    org: demoOrg(),
    live: await shippedRoutingSet(),
    now: new Date(MONDAY),
  };
}

describe('backtest reads of the leads', () => {
  it('asks for the next page of leads before the one it has is taken apart', async () => {
    const asked: number[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const d = await deps(async (ids) => {
      asked.push(ids.length);
      if (asked.length === 1) await firstHeld;
      else releaseFirst();
      return org.getLeadContexts(ids);
    });
    const result = await runBacktest(d, d.live, { days: 3660 });
    expect(asked.length).toBeGreaterThan(2);
    expect(asked[0]).toBe(200);
    expect(result.summary.leads + result.missing.length).toBe(asked.reduce((a, b) => a + b, 0));
    expect(result.summary.ownerChanged).toBe(0);
  });

  it('a failed read fails the backtest with its error, and the page asked for ahead fails with no unhandled rejection', async () => {
    let calls = 0;
    const d = await deps(async (ids) => {
      const call = ++calls;
      // The page asked for ahead fails first.
      await new Promise((resolve) => setTimeout(resolve, call === 1 ? 20 : 0));
      throw new Error(`the org is down (read ${call} of ${ids.length} leads)`);
    });
    await expect(runBacktest(d, d.live, { days: 3660 })).rejects.toThrow(
      'the org is down (read 1 of 200 leads)',
    );
    expect(calls).toBe(2);
    // Let the page asked ahead settle inside this test, so an unhandled rejection would fail it.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
