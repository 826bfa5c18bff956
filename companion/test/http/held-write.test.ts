import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { CrmPort } from '../../src/crm/crm.port.js';
import { DEMO_USERS } from '../../src/crm/local/demo-people.js';
import type { LeadRecord } from '../../src/engine/model.js';
import { PgliteThread } from '../../src/store/pglite-thread.js';
import { HeldWrites } from '../../../test/support/held-writes.js';
import { startApi, type TestApi } from './api-fixture.js';

/**
 * Salesforce holding one lead's write (a record lock, a slow org) while several people re-route:
 * through the real app, with the write held until the test lets it go.
 */
const writes = new HeldWrites();
/** The CRM calls routing made, by method, in order. */
const crmCalls: string[] = [];
let api: TestApi;
let leads: LeadRecord[];
const reps = DEMO_USERS.filter((u) => u.IsActive && u.HasReroutePermission).map((u) => u.Id);

beforeAll(async () => {
  api = await startApi({ crm: (crm) => writes.wrap(recording(crm)) });
  const { rows } = await sql<{ data: LeadRecord }>`
    select data from crm_records
    where object = 'Lead' and data->>'Status' = 'MQL' and coalesce((data->>'IsConverted')::boolean, false) = false
      and data->>'Country' in ('US', 'GB', 'DE', 'CA', 'FR') and data->>'Matched_Account__c' is null
      and coalesce((data->>'High_Priority__c')::boolean, false) = false
      and data->>'OwnerId' like '005%'
    order by id limit 7
  `.execute(api.store.db);
  leads = rows.map((r) => r.data);
  // Starting the app seeds a demo org: give it room on a machine busy with other suites.
}, 180_000);

afterAll(async () => {
  writes.releaseAll();
  await api?.close();
});

/** The port with every call recorded in `crmCalls`. */
function recording(crm: CrmPort): CrmPort {
  return new Proxy(crm, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        crmCalls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const reroute = (leadId: string, user: string, headers: Record<string, string> = {}) =>
  api.call('POST', `/v1/leads/${leadId}/route`, { user, body: { reason: 'Country corrected' }, headers });

it("a held Salesforce write does not hold up other people's re-routes, and is applied once it goes through", async () => {
  expect(leads).toHaveLength(7);
  expect(reps.length).toBeGreaterThanOrEqual(3);
  const [slow, a, b] = leads as [LeadRecord, LeadRecord, LeadRecord];
  writes.hold(slow.Id);

  // The held one answers with its decision, not applied yet, while Salesforce still holds the write.
  const first = await reroute(slow.Id, reps[0]!, { 'idempotency-key': 'click-1' });
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ leadId: slow.Id, status: 'pending', outcome: 'assigned' });
  expect(writes.waiting.has(slow.Id)).toBe(true);
  expect((await api.org.getLead(slow.Id))?.OwnerId).toBe(slow.OwnerId);

  // Two other people re-route meanwhile: both are applied while the first write is still held.
  const others = await Promise.all([reroute(a.Id, reps[1]!), reroute(b.Id, reps[2]!)]);
  for (const [i, res] of others.entries()) {
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('applied');
    expect((await api.org.getLead([a, b][i]!.Id))?.OwnerId).toBe(res.body.owner.id);
  }
  expect(writes.waiting.has(slow.Id)).toBe(true);

  // The same click retried (the Apex callout gave up, say) is answered with the same decision.
  const retried = await reroute(slow.Id, reps[0]!, { 'idempotency-key': 'click-1' });
  expect(retried.status).toBe(200);
  expect(retried.body).toMatchObject({ decisionId: first.body.decisionId, owner: first.body.owner });

  // Another re-route of that lead would race the write still held: refused, saying what to do.
  const again = await reroute(slow.Id, reps[0]!);
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('REROUTE_IN_PROGRESS');
  expect(again.body.error.action).toMatch(/reload the lead/i);

  writes.release(slow.Id);
  await vi.waitFor(async () => expect((await api.routing.history(slow.Id, 1))[0]?.status).toBe('applied'), {
    timeout: 10_000,
    interval: 50,
  });
  const [latest] = await api.routing.history(slow.Id, 5);
  expect(latest?.decisionId).toBe(first.body.decisionId);
  expect((await api.org.getLead(slow.Id))?.OwnerId).toBe(first.body.owner.id);
});

it("while a write is held, another person's re-route does the same work as without it: no store query or CRM call more", async () => {
  const [warm, before, slow, during] = leads.slice(3) as [LeadRecord, LeadRecord, LeadRecord, LeadRecord];
  const storeCalls = vi.spyOn(PgliteThread.prototype, 'exec');
  // The store's own upkeep (once a second, store/pglite-upkeep.ts: its write-ahead log, its tables'
  // statistics) may fall inside a re-route; it is no part of one. Its queries are the only ones naming
  // checkpoints, max_wal_size, the statistics' counts or ANALYZE.
  const routingCalls = () =>
    storeCalls.mock.calls.filter(
      ([message]) => !/checkpoint|max_wal_size|pg_stat_|analyze/.test(Buffer.from(message).toString()),
    ).length;
  /** One re-route, and what it cost: store round trips (the snapshot's write-through included) and CRM calls. */
  const work = async (lead: LeadRecord, user: string) => {
    await api.routing.org.kept();
    const [store, crm] = [routingCalls(), crmCalls.length];
    const res = await reroute(lead.Id, user);
    await api.routing.org.kept();
    return {
      status: res.status,
      answer: res.body.status,
      storeCalls: routingCalls() - store,
      crmCalls: crmCalls.slice(crm),
    };
  };
  try {
    // The first decisions of a process read what later ones reuse (open-load figures, plans).
    await work(warm, reps[1]!);
    const without = await work(before, reps[1]!);
    expect(without).toMatchObject({ status: 200, answer: 'applied' });
    expect(without.storeCalls).toBeGreaterThan(0);
    expect(without.crmCalls).toContain('updateLeads');

    writes.hold(slow.Id);
    expect((await reroute(slow.Id, reps[0]!)).body.status).toBe('pending');
    expect(writes.waiting.has(slow.Id)).toBe(true);
    const withHeld = await work(during, reps[2]!);
    expect(writes.waiting.has(slow.Id)).toBe(true);
    expect(withHeld).toEqual(without);
  } finally {
    storeCalls.mockRestore();
    writes.release(slow.Id);
  }
  await vi.waitFor(async () => expect((await api.routing.history(slow.Id, 1))[0]?.status).toBe('applied'), {
    timeout: 10_000,
    interval: 50,
  });
});
