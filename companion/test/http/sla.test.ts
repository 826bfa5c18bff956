import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { slaCommand } from '../../src/cli/sla-commands.js';
import { DEMO, DEMO_QUEUES, DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { readPools } from '../../src/store/pool.repository.js';
import { API_KEY, startApi, type TestApi } from './api-fixture.js';

const hopper = DEMO_QUEUES.find((q) => q.DeveloperName === 'Hopper')!.Id;

/** The SLA clock through the API: what the lead page shows, Accept and Reject, the report. */
describe('the SLA API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 180_000);
  afterAll(() => api?.close());

  async function newAmerLead(name: string): Promise<{ leadId: string; ownerId: string }> {
    const lead = await api.org.insertLead({
      fields: {
        FirstName: name,
        LastName: 'Api',
        Company: `Numbat Tools ${name}`,
        Email: `${name.toLowerCase()}@numbat-tools-${name.toLowerCase()}.example`,
        Country: 'United States',
        State: 'NY',
        LeadSource: 'Web',
      },
    });
    const routed = await api.routing.route({ leadId: lead.Id, trigger: { kind: 'created' } });
    expect(routed.decision.poolChanges[0]?.pool, routed.decision.summary).toBe('amer-sdr');
    await api.sla.sweep();
    return { leadId: lead.Id, ownerId: routed.decision.owner!.id };
  }

  it('shows the clock: who owns the lead, since when, due when and what comes next', async () => {
    const { leadId, ownerId } = await newAmerLead('Eve');
    const clock = await api.call('GET', `/v1/leads/${leadId}/sla`, { user: ownerId });
    expect(clock.status, clock.text).toBe(200);
    const owner = DEMO_USERS.find((u) => u.Id === ownerId)!;
    expect(clock.body).toMatchObject({
      leadId,
      status: 'open',
      policy: { name: 'amer-sdr' },
      pool: 'amer-sdr',
      // Due in the owner's working time: their zone and hours come with the clock.
      owner: { id: ownerId, name: owner.Name, timeZone: owner.TimeZoneSidKey },
      next: { step: 0, action: 'remind', afterMinutes: 45, to: null, toKind: null },
      acceptedBy: ['accept', 'status-change', 'activity'],
      steps: [],
    });
    expect(Date.parse(clock.body.dueAt)).toBeGreaterThan(Date.parse(clock.body.ownerSince));
    expect(clock.body.handoffs).toEqual([
      expect.objectContaining({ ownerId, pool: 'amer-sdr', touchedAt: null }),
    ]);
    expect(clock.body.notifications).toEqual([
      expect.objectContaining({ kind: 'assigned', recipientId: ownerId, status: 'pending' }),
    ]);
  });

  it('says why a lead has no clock: waiting in a queue, or not given to its owner by routing', async () => {
    const queued = await api.org.insertLead({
      fields: { LastName: 'Queued', Company: 'Wombat Supply', OwnerId: hopper },
    });
    const inQueue = await api.call('GET', `/v1/leads/${queued.Id}/sla`);
    expect(inQueue.status, inQueue.text).toBe(200);
    expect(inQueue.body).toEqual({ leadId: queued.Id, status: 'none', why: 'queue' });
    const byHand = await api.org.insertLead({
      fields: { LastName: 'ByHand', Company: 'Wombat Supply', OwnerId: DEMO.admin },
    });
    const notRouted = await api.call('GET', `/v1/leads/${byHand.Id}/sla`);
    expect(notRouted.body).toEqual({ leadId: byHand.Id, status: 'none', why: 'not-routed' });
  });

  it('shows a lead routed a moment ago with its clock, before any sweep', async () => {
    const lead = await api.org.insertLead({
      fields: {
        FirstName: 'Hal',
        LastName: 'Api',
        Company: 'Numbat Tools Hal',
        Email: 'hal@numbat-tools-hal.example',
        Country: 'United States',
        State: 'NY',
        LeadSource: 'Web',
      },
    });
    const routed = await api.routing.route({ leadId: lead.Id, trigger: { kind: 'created' } });
    const clock = await api.call('GET', `/v1/leads/${lead.Id}/sla`);
    expect(clock.body).toMatchObject({ status: 'open', owner: { id: routed.decision.owner!.id } });
  });

  it('lets only the owner accept, once', async () => {
    const { leadId, ownerId } = await newAmerLead('Fay');
    const other = await api.call('POST', `/v1/leads/${leadId}/sla/accept`, { user: DEMO.admin });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('SLA_NOT_OWNER');
    const accepted = await api.call('POST', `/v1/leads/${leadId}/sla/accept`, { user: ownerId });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', closedBy: 'accept', dueAt: null, next: null });
    expect(accepted.body.handoffs[0].touchSeconds).toBe(0);
    const again = await api.call('POST', `/v1/leads/${leadId}/sla/accept`, { user: ownerId });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('SLA_NO_CLOCK');
    const metrics = await api.call('GET', '/metrics', { user: null });
    expect(metrics.text).toContain(
      'switchyard_time_to_first_touch_seconds_count{flow="leandata-blueprint",pool="amer-sdr"} 1',
    );
    expect(metrics.text).toMatch(
      /switchyard_time_to_assign_seconds_count\{flow="leandata-blueprint",pool="amer-sdr"\} \d/,
    );
  });

  it('routes a rejected lead to the next in the pool and gives the rejecting rep their turn back', async () => {
    const before = (await readPools(api.store.db, ['amer-sdr'])).get('amer-sdr')!.state!;
    const { leadId, ownerId } = await newAmerLead('Gus');
    const empty = await api.call('POST', `/v1/leads/${leadId}/sla/reject`, {
      user: ownerId,
      body: { reason: ' ' },
    });
    expect(empty.status).toBe(400);
    const rejected = await api.call('POST', `/v1/leads/${leadId}/sla/reject`, {
      user: ownerId,
      body: { reason: 'I only work New England accounts' },
    });
    expect(rejected.status, rejected.text).toBe(200);
    const next = rejected.body.decision.owner.id;
    expect(next).not.toBe(ownerId);
    expect((await api.org.getLead(leadId))!.OwnerId).toBe(next);
    expect(rejected.body.clock).toMatchObject({ status: 'open', owner: { id: next }, next: { step: 0 } });
    const after = (await readPools(api.store.db, ['amer-sdr'])).get('amer-sdr')!.state!;
    expect(after.members[ownerId]!.assignedTotal).toBe(before.members[ownerId]!.assignedTotal);
    expect(after.members[next]!.assignedTotal).toBe(before.members[next]!.assignedTotal + 1);
    const history = await api.call('GET', `/v1/leads/${leadId}/routing-history`);
    expect(history.body.items[0]).toMatchObject({
      trigger: 'sla',
      reason: 'I only work New England accounts',
    });
  });

  it('answers admins the handoff report by pool and by rep, and the notifications', async () => {
    const byPool = await api.call('GET', '/v1/sla/report?by=pool&weeks=2');
    expect(byPool.status, byPool.text).toBe(200);
    const amer = byPool.body.items.find((r: { key: string }) => r.key === 'amer-sdr');
    expect(amer).toMatchObject({ week: '2026-11-23', leads: 5, touched: 1, touchP50: 0, breaches: 0 });
    const byRep = await api.call('GET', '/v1/sla/report?by=rep');
    expect(byRep.body.items.every((r: { name: string | null }) => typeof r.name === 'string')).toBe(true);
    const rep = await api.call('GET', '/v1/sla/report', { user: DEMO.salesLeadership });
    expect(rep.status).toBe(403);
    const notes = await api.call('GET', '/v1/sla/notifications?status=pending&limit=10');
    expect(notes.status, notes.text).toBe(200);
    expect(notes.body.items.length).toBeGreaterThan(0);
    for (const note of notes.body.items)
      expect(note.recipientName).toBe(DEMO_USERS.find((u) => u.Id === note.recipientId)!.Name);
  });

  it('prints the report and the notifications for `npm run cli -- sla`', async () => {
    const env = { SWITCHYARD_URL: api.url, SWITCHYARD_API_KEY: API_KEY, SWITCHYARD_USER: DEMO.admin };
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    try {
      expect(await slaCommand(['report', '--by', 'pool', '--weeks', '2'], env)).toBe(0);
      expect(await slaCommand(['notifications', '--failed'], env)).toBe(0);
      expect(await slaCommand(['notifications', '--limit', '1'], env)).toBe(0);
    } finally {
      log.mockRestore();
    }
    const [table, failed, note] = printed;
    // The recipient by name, with the Id beside it.
    const [, name, id] = / → (.+) \((005\w+)\) {2}/.exec(note!) ?? [];
    expect(name, note).toBe(DEMO_USERS.find((u) => u.Id === id)?.Name);
    expect(table!.split('\n')[0]).toMatch(
      /^week\s+pool\s+leads\s+assign p50\s+p90\s+touched\s+touch p50\s+p90\s+breaches$/,
    );
    expect(table).toMatch(/\n2026-11-23\s+amer-sdr\s+5\s+/);
    expect(failed).toBe('No notification has failed.');
  });
});
