import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { JobScheduler } from '../../src/jobs/scheduled-jobs.js';
import { SlaSweep } from '../../src/jobs/sla.sweep.js';
import { LocalOrg } from '../../src/crm/local/local-org.js';
import type { RoutingService } from '../../src/routing/routing.service.js';
import { SlaClocks } from '../../src/routing/sla-clocks.js';
import { listNotifications } from '../../src/store/notification.repository.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';
import { postgresSchema } from '../store/backends.js';
import { demoRoutingService, seedSmallDemoOrg, shippedRoutingSet } from './routing-fixture.js';

/** Monday 2026-11-23, 16:30 in New York and 15:30 in Chicago: half an hour of the working day left. */
const LATE_MONDAY = '2026-11-23T21:30:00.000Z';
const MINUTE = 60_000;

/** The amer-sdr SLA (companion/flows/sla.yaml): remind at 45, reassign at 60, escalate at 120 working minutes. */
const zoneOf = (userId: string) => DEMO_USERS.find((u) => u.Id === userId)!.TimeZoneSidKey!;

describe('SLA clocks on the demo org', () => {
  let store: Store;
  let org: LocalOrg;
  let service: RoutingService;
  let clocks: SlaClocks;
  let now = Date.parse(LATE_MONDAY);
  const at = () => new Date(now);
  const measures: Array<{ measure: string; seconds: number; pool: string }> = [];

  beforeAll(async () => {
    store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
    org = await seedSmallDemoOrg(store);
    const routingSet = await shippedRoutingSet();
    service = await demoRoutingService(store, org, { routingSet, clock: at });
    clocks = new SlaClocks({
      store,
      crm: org,
      set: routingSet,
      user: (id) => service.org.directory.user(id),
      queue: (id) => service.org.directory.queue(id),
      routeMany: (requests) => service.routeMany(requests),
      clock: at,
      onHandoff: (m) => measures.push(m),
    });
  }, 120_000);
  afterAll(async () => store?.close());

  async function newAmerLead(name: string): Promise<string> {
    const lead = await org.insertLead({
      fields: {
        FirstName: name,
        LastName: 'Sla',
        Company: `Quokka Widgets ${name}`,
        Email: `${name.toLowerCase()}@quokka-widgets-${name.toLowerCase()}.example`,
        Country: 'United States',
        State: 'NY',
        LeadSource: 'Web',
        CreatedDate: new Date(now - 5 * MINUTE).toISOString(),
      },
    });
    const result = await service.route({ leadId: lead.Id, trigger: { kind: 'created' } });
    expect(result.decision.poolChanges[0]?.pool, result.decision.summary).toBe('amer-sdr');
    return lead.Id;
  }

  it('fires each step at its working minute, in the owner’s hours, and stops on Accept', async () => {
    now = Date.parse(LATE_MONDAY);
    const leadId = await newAmerLead('Ada');
    await clocks.sweep();
    const opened = (await clocks.view(leadId))!;
    const first = opened.owner.id;
    expect(opened.status).toBe('open');
    expect(opened.next).toMatchObject({ step: 0, action: 'remind', afterMinutes: 45 });
    // 45 working minutes from 21:30Z Monday: New York has 30 left today and 15 from 09:00 Tuesday;
    // Chicago has an hour and a half left today.
    const expected: Record<string, string> = {
      'America/New_York': '2026-11-24T14:15:00.000Z',
      'America/Chicago': '2026-11-23T22:15:00.000Z',
    };
    expect(opened.dueAt).toBe(expected[zoneOf(first)]);
    expect(measures.filter((m) => m.measure === 'assign').at(-1)).toMatchObject({
      seconds: 300,
      pool: 'amer-sdr',
    });

    now = Date.parse(opened.dueAt!) - MINUTE;
    expect((await clocks.sweep()).fired.remind).toBe(0);
    now = Date.parse(opened.dueAt!);
    expect((await clocks.sweep()).fired.remind).toBe(1);
    expect((await clocks.sweep()).fired.remind).toBe(0);
    const reminded = (await clocks.view(leadId))!;
    expect(reminded.steps.map((s) => s.action)).toEqual(['remind']);
    expect(reminded.notifications.filter((n) => n.kind === 'remind').map((n) => n.recipientId)).toEqual([
      first,
    ]);
    expect(reminded.next).toMatchObject({ step: 1, action: 'reassign', afterMinutes: 60 });

    now = Date.parse(reminded.dueAt!);
    const reassigned = await clocks.sweep();
    expect(reassigned.fired.reassign).toBe(1);
    const moved = (await clocks.view(leadId))!;
    const second = moved.owner.id;
    expect(second).not.toBe(first);
    expect((await org.getLead(leadId))!.OwnerId).toBe(second);
    expect(moved.handoffs.map((h) => [h.ownerId, h.breached])).toEqual([
      [first, true],
      [second, false],
    ]);
    expect(moved.notifications.some((n) => n.kind === 'reassigned' && n.recipientId === second)).toBe(true);
    expect(moved.next).toMatchObject({ step: 2, action: 'escalate', to: 'Hopper', toKind: 'queue' });

    now += 10 * MINUTE;
    const accepted = await clocks.accept(leadId, second);
    expect(accepted.status).toBe('accepted');
    expect(accepted.handoffs.at(-1)!.touchSeconds).toBe(600);
    now += 7 * 24 * 60 * MINUTE;
    const after = await clocks.sweep();
    expect(after.fired).toEqual({ remind: 0, reassign: 0, escalate: 0 });
    expect((await org.getLead(leadId))!.OwnerId).toBe(second);
  });

  it('never hands a lead back to an owner who let it lapse, and escalates to the queue at the last step', async () => {
    now = Date.parse(LATE_MONDAY);
    const leadId = await newAmerLead('Bea');
    await clocks.sweep();
    const owners = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const view = (await clocks.view(leadId))!;
      owners.add(view.owner.id);
      now = Date.parse(view.dueAt!);
      await clocks.sweep();
    }
    const view = (await clocks.view(leadId))!;
    expect(view.status).toBe('escalated');
    expect(view.steps.map((s) => s.action)).toEqual(['remind', 'reassign', 'escalate']);
    const lead = (await org.getLead(leadId))!;
    expect(service.org.directory.queue(lead.OwnerId!)?.DeveloperName).toBe('Hopper');
    expect(owners.size).toBe(2);
  });

  it('finishes a move an instance fired and did not route (it stopped), once, after the lease', async () => {
    now = Date.parse(LATE_MONDAY);
    const leadId = await newAmerLead('Eli');
    await clocks.sweep();
    const first = (await clocks.view(leadId))!;
    now = Date.parse(first.dueAt!);
    await clocks.sweep(); // the reminder
    const reminded = (await clocks.view(leadId))!;
    now = Date.parse(reminded.dueAt!);
    // An instance fires the reassignment and stops before routing it.
    const stopped = new SlaClocks({
      store,
      crm: org,
      set: await shippedRoutingSet(),
      user: (id) => service.org.directory.user(id),
      routeMany: () => Promise.reject(new Error('the instance stopped')),
      clock: at,
    });
    await expect(stopped.sweep()).rejects.toThrow('the instance stopped');
    const fired = (await clocks.view(leadId))!;
    expect(fired.steps.map((s) => [s.action, s.status])).toEqual([
      ['remind', 'done'],
      ['reassign', 'pending'],
    ]);
    expect((await org.getLead(leadId))!.OwnerId).toBe(first.owner.id);
    now += MINUTE; // within the lease: left to the instance that fired it
    expect((await clocks.sweep()).fired.reassign).toBe(0);
    expect((await org.getLead(leadId))!.OwnerId).toBe(first.owner.id);
    now += 2 * MINUTE;
    await clocks.sweep();
    await clocks.sweep();
    const moved = (await clocks.view(leadId))!;
    expect(moved.steps.map((s) => [s.action, s.status])).toEqual([
      ['remind', 'done'],
      ['reassign', 'done'],
    ]);
    expect(moved.owner.id).not.toBe(first.owner.id);
    expect((await org.getLead(leadId))!.OwnerId).toBe(moved.owner.id);
    expect(moved.handoffs.map((h) => h.ownerId)).toEqual([first.owner.id, moved.owner.id]);
  });

  it('runs as the sla-sweep job: a dry run says what would fire and writes nothing, a real run fires it once', async () => {
    now = Date.parse(LATE_MONDAY);
    const leadId = await newAmerLead('Fox');
    const jobs = new JobScheduler({ store, service, crm: org, clock: at, sla: new SlaSweep({ clocks }) });
    await jobs.runNow('sla-sweep', { dryRun: false, startedBy: DEMO.admin });
    const opened = (await clocks.view(leadId))!;
    now = Date.parse(opened.dueAt!);

    const dry = await jobs.runNow('sla-sweep', { dryRun: true, startedBy: DEMO.admin });
    expect(dry.candidates).toBeGreaterThanOrEqual(1);
    expect(dry.failed).toBe(0);
    expect((await clocks.view(leadId))!.steps).toEqual([]);

    const real = await jobs.runNow('sla-sweep', { dryRun: false, startedBy: DEMO.admin });
    expect(real).toMatchObject({ job: 'sla-sweep', candidates: dry.candidates, moved: dry.moved, failed: 0 });
    expect((await clocks.view(leadId))!.steps.map((s) => s.action)).toEqual(['remind']);
    const again = await jobs.runNow('sla-sweep', { dryRun: false, startedBy: DEMO.admin });
    expect(again.candidates).toBe(0);
    expect((await clocks.view(leadId))!.steps.map((s) => s.action)).toEqual(['remind']);

    const listed = (await jobs.list()).find((j) => j.name === 'sla-sweep')!;
    expect(listed.runs.map((r) => [r.dryRun, r.candidates])).toEqual([
      [false, 0],
      [false, real.candidates],
      [true, dry.candidates],
      [false, 0],
    ]);
  });

  it('stops when the owner changes the status, and when a person moves the lead', async () => {
    now = Date.parse(LATE_MONDAY);
    const worked = await newAmerLead('Cid');
    const taken = await newAmerLead('Dee');
    await clocks.sweep();
    await org.updateLeadsAsUser([{ id: worked, fields: { Status: 'Working' } }]);
    await org.updateLeadsAsUser([{ id: taken, fields: { OwnerId: DEMO_USERS[13]!.Id } }]);
    now += 3 * 24 * 60 * MINUTE;
    await clocks.sweep();
    expect((await clocks.view(worked))!).toMatchObject({
      status: 'accepted',
      closedBy: 'status-change',
      steps: [],
    });
    expect((await clocks.view(taken))!).toMatchObject({ status: 'moved', steps: [] });
    const notices = await listNotifications(store.db, { leadId: worked, limit: 10 });
    expect(notices.map((n) => n.kind)).toEqual(['assigned']);
  });
});

const postgres = postgresSchema();

describe.skipIf(!postgres)('SLA clocks of two instances on one PostgreSQL', () => {
  const stores: Store[] = [];
  let org: LocalOrg;
  const instances: Array<{ service: RoutingService; clocks: SlaClocks }> = [];
  let now = Date.parse(LATE_MONDAY);
  const at = () => new Date(now);

  beforeAll(async () => {
    stores.push(await postgres!.open(), await postgres!.open());
    org = await seedSmallDemoOrg(stores[0]!);
    const routingSet = await shippedRoutingSet();
    for (const store of stores) {
      const crm = new LocalOrg(store.db, { now: at });
      const service = await demoRoutingService(store, crm, { routingSet, clock: at });
      instances.push({
        service,
        clocks: new SlaClocks({
          store,
          crm,
          set: routingSet,
          user: (id) => service.org.directory.user(id),
          routeMany: (requests) => service.routeMany(requests),
          clock: at,
        }),
      });
    }
  }, 180_000);
  afterAll(async () => {
    for (const store of stores) await store.close();
    await postgres?.cleanup();
  });

  it('fire each step once and send each notification once', async () => {
    const leadIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const lead = await org.insertLead({
        fields: {
          FirstName: `Twin${i}`,
          LastName: 'Sla',
          Company: `Wombat Works ${i}`,
          Email: `twin${i}@wombat-works-${i}.example`,
          Country: 'United States',
          State: 'NY',
          LeadSource: 'Web',
        },
      });
      await instances[i % 2]!.service.route({ leadId: lead.Id, trigger: { kind: 'created' } });
      leadIds.push(lead.Id);
    }
    const totals = { remind: 0, reassign: 0, escalate: 0 };
    for (let round = 0; round < 30; round++) {
      const results = await Promise.all(instances.map((i) => i.clocks.sweep()));
      for (const r of results)
        for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += r.fired[k];
      now += 2 * 60 * MINUTE; // both instances sweep every two hours for two and a half days
    }
    expect(totals).toEqual({ remind: 6, reassign: 6, escalate: 6 });
    for (const leadId of leadIds) {
      const view = (await instances[0]!.clocks.view(leadId))!;
      expect(view.steps.map((s) => s.action)).toEqual(['remind', 'reassign', 'escalate']);
      const kinds = view.notifications.map((n) => `${n.kind}:${n.step}`).sort();
      expect(kinds).toEqual(['assigned:-1', 'escalated:2', 'reassigned:1', 'remind:0']);
    }
  });
});
