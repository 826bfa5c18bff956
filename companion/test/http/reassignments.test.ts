import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/crm/local/demo-people.js';
import { reassign } from '../../src/routing/reassignment.js';
import { findKeys } from '../../src/store/idempotency.repository.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

/** The lead Ids of an owner in the demo org, as the org answers them. */
async function leadsOf(api: TestApi, ownerId: string): Promise<string[]> {
  return (await api.routing['crm'].findLeads({ ownerId })).sort();
}

describe('bulk reassignment (a rep leaves, territories change)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 180_000);
  afterAll(() => api.close());

  it('the dry run says where each lead would go, and the real run then does exactly that', async () => {
    // The owner with the most open leads in the demo org.
    const owners = new Map<string, number>();
    for (const user of await api.org.listUsers()) owners.set(user.Id, (await leadsOf(api, user.Id)).length);
    const [ownerId, count] = [...owners].sort((a, b) => b[1] - a[1])[0]!;
    expect(count).toBeGreaterThan(3);

    const dry = await api.call('POST', '/v1/reassignments', {
      body: { ownerId, reason: 'Rep left the company', dryRun: true },
    });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.summary.leads).toBe(count);
    const expected = new Map<string, string | null>(
      dry.body.rows.map((r: Json) => [r.leadId, r.candidate.owner?.id ?? null]),
    );
    // Nothing moved by the dry run.
    expect(await leadsOf(api, ownerId)).toHaveLength(count);

    const real = await api.call('POST', '/v1/reassignments', {
      body: { ownerId, reason: 'Rep left the company', runId: 'rep-left-1' },
    });
    expect(real.status, real.text).toBe(200);
    expect(real.body).toMatchObject({ runId: 'rep-left-1', leads: count, alreadyDone: 0, failed: [] });
    const moved = dry.body.rows.filter((r: Json) => r.ownerChanged).length;
    expect(real.body.moved + real.body.pending).toBe(moved);
    for (const [leadId, owner] of expected) {
      const lead = await api.org.getLead(leadId);
      const row = dry.body.rows.find((r: Json) => r.leadId === leadId);
      expect({ leadId, owner: lead!.OwnerId, row }).toEqual({ leadId, owner: owner ?? lead!.OwnerId, row });
    }
    // Each lead's history says why it moved, with the reason given.
    const [first] = [...expected.keys()];
    const history = await api.call('GET', `/v1/leads/${first}/routing-history`);
    expect(JSON.stringify(history.body)).toContain('inactive-owner');
  });

  it('a run stopped mid-way resumes with the same id without routing a batch twice', async () => {
    const leadIds = (await api.routing['crm'].findLeads({ createdSince: '2000-01-01T00:00:00Z' }))
      .sort()
      .slice(0, 250);
    expect(leadIds.length).toBeGreaterThan(200);
    let batches = 0;
    const deps = {
      crm: api.routing['crm'],
      answered: async (keys: string[]) => new Set((await findKeys(api.store.db, keys)).keys()),
      routeMany: async (requests: Parameters<TestApi['routing']['routeMany']>[0]) => {
        if (batches++ === 1) throw new Error('the companion stopped');
        return api.routing.routeMany(requests);
      },
    };
    const asked = { runId: 'territories-2027', leadIds, reason: 'New territories', actorId: DEMO.admin };
    await expect(reassign(deps, asked)).rejects.toThrow('the companion stopped');
    const decisionsAfterFirst = await Promise.all(
      leadIds.map(async (id) => (await api.routing.history(id, 50)).length),
    );

    const resumed = await api.call('POST', '/v1/reassignments', {
      body: { leadIds, reason: 'New territories', runId: 'territories-2027' },
    });
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.body.leads).toBe(leadIds.length);
    expect(resumed.body.alreadyDone).toBe(200);
    const decisionsAfterResume = await Promise.all(
      leadIds.map(async (id) => (await api.routing.history(id, 50)).length),
    );
    // The first batch's leads have no new decision; each of the rest has exactly one more.
    leadIds.forEach((_, i) =>
      expect(decisionsAfterResume[i]! - decisionsAfterFirst[i]!).toBe(i < 200 ? 0 : 1),
    );
  });

  it('is for admins, and says what to give when the selection is unclear', async () => {
    const rep = await api.call('POST', '/v1/reassignments', {
      user: DEMO.salesLeadership,
      body: { ownerId: DEMO.admin, reason: 'x', dryRun: true },
    });
    expect(rep.status).toBe(403);
    const both = await api.call('POST', '/v1/reassignments', { body: { reason: 'x', dryRun: true } });
    expect(both.status).toBe(400);
    expect(both.body.error.details[0].message).toMatch(/either ownerId .* or leadIds/);
  });
});
