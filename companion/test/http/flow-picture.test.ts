import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { decisionsOfLead } from '../../src/store/decision.repository.js';
import { startApi, type TestApi } from './api-fixture.js';

const salesRep = DEMO_USERS.find(
  (u) => u.ProfileName !== 'System Administrator' && u.IsActive && !u.HasAdminPermission,
)!;

describe('a flow as a picture, for admins (GET /v1/flows/{flow}/picture.svg)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 180_000);
  afterAll(() => api.close());

  it('counts the leads that took each edge and highlights one lead’s newest path', async () => {
    // A lead re-routed now: its newest decision went through the re-route flow.
    const leads = await api.call('GET', '/v1/leads?limit=50');
    let routed: { leadId: string; nodes: string[] } | undefined;
    for (const lead of leads.body.items as Array<{ id: string }>) {
      const res = await api.call('POST', `/v1/leads/${lead.id}/route`, { body: { reason: 'Picture test' } });
      if (res.status !== 200 || res.body.outcome === 'refused') continue;
      const [newest] = await decisionsOfLead(api.store.db, lead.id, 1);
      const nodes = newest!.decision.path.filter((s) => s.flow === 'reroute').map((s) => s.node);
      if (nodes.length >= 2) routed = { leadId: lead.id, nodes };
      if (routed) break;
    }
    expect(routed, 'some demo lead can be re-routed').toBeDefined();
    const { leadId, nodes } = routed!;

    const res = await api.call('GET', `/v1/flows/reroute/picture.svg?days=1&leadId=${leadId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const lit = [...res.text.matchAll(/data-node="([^"]+)"[^>]*data-on-path="true"/g)].map((m) => m[1]);
    expect(new Set(lit)).toEqual(new Set(nodes));
    // The first step of its path was taken at least by this lead today.
    const first = new RegExp(
      `data-edge="${nodes[0]}&gt;${nodes[1]}"[^>]*><title>[^<]* — (\\d+) leads</title>`,
    );
    expect(Number(first.exec(res.text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(res.text).toContain('over the last 1 days');
  });

  it('draws a flow without counts when no days are asked', async () => {
    const res = await api.call('GET', '/v1/flows/partner-routing/picture.svg');
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-node="direct-engagement"');
    expect(res.text).not.toMatch(/\d leads</);
  });

  it('refuses people who are not admins, unknown flows, bad numbers, and a lead that never took the flow', async () => {
    const rep = await api.call('GET', '/v1/flows/reroute/picture.svg', { user: salesRep.Id });
    expect(rep.status).toBe(403);
    expect(rep.body.error.code).toBe('FORBIDDEN');

    const unknown = await api.call('GET', '/v1/flows/no-such-flow/picture.svg');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('Live flows: ');
    expect(unknown.body.error.message).toContain('partner-routing');

    const bad = await api.call('GET', '/v1/flows/reroute/picture.svg?days=0&colour=red');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'days']);

    const leads = await api.call('GET', '/v1/leads?limit=200');
    const never = await (async () => {
      for (const lead of leads.body.items as Array<{ id: string }>) {
        const history = await decisionsOfLead(api.store.db, lead.id, 50);
        if (!history.some((d) => d.decision.path.some((s) => s.flow === 'scheduled-clean-up')))
          return lead.id;
      }
      return undefined;
    })();
    expect(never).toBeDefined();
    const none = await api.call('GET', `/v1/flows/scheduled-clean-up/picture.svg?leadId=${never}`);
    expect(none.status).toBe(404);
    expect(none.body.error.message).toContain('has not gone through flow "scheduled-clean-up"');
  });
});
