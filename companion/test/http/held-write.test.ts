import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { DEMO_USERS } from '../../src/crm/local/demo-people.js';
import type { LeadRecord } from '../../src/engine/model.js';
import { HeldWrites } from '../../../test/support/held-writes.js';
import { startApi, type TestApi } from './api-fixture.js';

/**
 * Salesforce holding one lead's write (a record lock, a slow org) while several people re-route:
 * through the real app, with the write held until the test lets it go.
 */
const writes = new HeldWrites();
let api: TestApi;
let leads: LeadRecord[];
const reps = DEMO_USERS.filter((u) => u.IsActive && u.HasReroutePermission).map((u) => u.Id);

beforeAll(async () => {
  api = await startApi({ crm: (crm) => writes.wrap(crm) });
  const { rows } = await sql<{ data: LeadRecord }>`
    select data from crm_records
    where object = 'Lead' and data->>'Status' = 'MQL' and coalesce((data->>'IsConverted')::boolean, false) = false
      and data->>'Country' in ('US', 'GB', 'DE', 'CA', 'FR') and data->>'Matched_Account__c' is null
      and coalesce((data->>'High_Priority__c')::boolean, false) = false
      and data->>'OwnerId' like '005%'
    order by id limit 3
  `.execute(api.store.db);
  leads = rows.map((r) => r.data);
  // Starting the app seeds a demo org: give it room on a machine busy with other suites.
}, 180_000);

afterAll(async () => {
  writes.releaseAll();
  await api?.close();
});

const reroute = (leadId: string, user: string, headers: Record<string, string> = {}) =>
  api.call('POST', `/v1/leads/${leadId}/route`, { user, body: { reason: 'Country corrected' }, headers });

it("a held Salesforce write does not hold up other people's re-routes, and is applied once it goes through", async () => {
  expect(leads).toHaveLength(3);
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
