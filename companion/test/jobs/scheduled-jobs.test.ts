import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallMeter, meteredPort } from '../../src/crm/call-meter.js';
import type { CrmPort } from '../../src/crm/crm.port.js';
import { DEMO_QUEUES, demoQueueId, demoUserId } from '../../src/crm/local/demo-people.js';
import { DEMO_SCENARIO } from '../../src/crm/local/demo-scenarios.js';
import type { LocalOrg } from '../../src/crm/local/local-org.js';
import { runJobNow, scheduledJob, JobScheduler, type JobRun } from '../../src/jobs/scheduled-jobs.js';
import type { RoutingService } from '../../src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';
import { demoRoutingService, MONDAY, seedSmallDemoOrg } from '../routing/routing-fixture.js';

let store: Store;
let org: LocalOrg;
let service: RoutingService;
let crm: CrmPort;
const clock = () => new Date(MONDAY);
const meter = new CallMeter();

beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  org = await seedSmallDemoOrg(store);
  crm = meteredPort<CrmPort>(org, meter);
  service = await demoRoutingService(store, org, { crm, meter });
});
afterAll(async () => {
  await store.close();
});

const decisionCount = async () =>
  Number((await sql<{ n: string }>`select count(*) as n from decisions`.execute(store.db)).rows[0]!.n);

describe('running a clean-up job now', () => {
  it('moves idle Inquiry leads to the Inquiry Queue, and a second run that day changes nothing', async () => {
    const lead = await org.insertLead({
      fields: {
        LastName: 'Idle',
        Company: 'Stillwater Mills',
        Email: 'idle@stillwater-mills.com',
        Status: 'Inquiry',
        OwnerId: demoUserId(1),
        Last_Interesting_Moment_Date__c: '2026-06-01',
      },
    });
    expect(await org.findLeads(scheduledJob('daily-status-queues').candidates('2026-11-23'))).toContain(
      lead.Id,
    );

    const run = await runJobNow({ service, crm, clock, meter }, 'daily-status-queues');
    expect(run).toMatchObject({ job: 'daily-status-queues', day: '2026-11-23' });
    // The run's CRM calls (reading the leads, writing the moves) are its own figure and the job's total.
    expect(run.apiCalls).toBeGreaterThan(0);
    expect(meter.counts().byWork['daily-status-queues']).toBe(run.apiCalls);
    expect(meter.counts().done['daily-status-queues']).toBe(1);
    // Its decisions' calls are also routing's: one piece of 'route' work per lead looked at.
    expect(meter.counts().done['route']).toBe(run.candidates);
    expect(meter.counts().byWork['route']).toBeGreaterThan(0);
    expect(meter.counts().byWork['route']).toBeLessThanOrEqual(run.apiCalls);
    expect(run.candidates).toBeGreaterThan(1);
    expect(run.moved).toBeGreaterThan(0);
    expect(run.failed).toBe(0);
    const inquiryQueue = demoQueueId(2);
    expect((await org.getLead(lead.Id))?.OwnerId).toBe(inquiryQueue);
    const [latest] = await service.history(lead.Id, 1);
    expect(latest?.decision.summary).toContain('Inquiry Queue');

    const decisions = await decisionCount();
    const again = await runJobNow({ service, crm, clock }, 'daily-status-queues');
    expect(again.candidates).toBe(run.candidates - run.moved);
    expect(again.moved).toBe(0);
    expect(await decisionCount()).toBe(decisions);
  });

  it('hands a raw lead of an account its BDR started actively working yesterday to that BDR', async () => {
    const cyberdyne = DEMO_SCENARIO.accounts.find((a) => a.Name === 'Cyberdyne Robotics')!;
    expect(cyberdyne.BDR_Prospecting_Status_Changed__c).toBe('2026-11-22'); // the day before MONDAY
    const lead = await org.insertLead({
      fields: {
        LastName: 'Raw',
        Company: 'Cyberdyne',
        Email: 'raw.lead@cyberdyne.com',
        Status: 'Raw',
        OwnerId: demoUserId(1),
        Matched_Account__c: cyberdyne.Id,
      },
    });
    const run = await runJobNow({ service, crm, clock }, 'bdr-actively-working');

    expect(run.moved).toBeGreaterThan(0);
    expect((await org.getLead(lead.Id))?.OwnerId).toBe(cyberdyne.BDR_Assigned__c);
  });

  // Distribute Lead, "Hopper and Assign To": a lead sits in the Hopper with a named owner or with the
  // Hopper queue; the BDR job takes it out in either form, also when the BDR is the one named.
  it('takes Hopper leads of such an account out of the Hopper, named or unassigned', async () => {
    const cyberdyne = DEMO_SCENARIO.accounts.find((a) => a.Name === 'Cyberdyne Robotics')!;
    const bdr = cyberdyne.BDR_Assigned__c!;
    const hopperQueue = DEMO_QUEUES.find((q) => q.DeveloperName === 'Hopper')!.Id;
    const leads = [];
    for (const [n, OwnerId] of [demoUserId(1), hopperQueue, bdr].entries()) {
      leads.push(
        await org.insertLead({
          fields: {
            LastName: `Hopper ${n}`,
            Company: 'Cyberdyne',
            Email: `hopper.${n}@cyberdyne.com`,
            Status: 'Inquiry',
            OwnerId,
            In_Hopper__c: true,
            Matched_Account__c: cyberdyne.Id,
          },
        }),
      );
    }
    const outside = await org.insertLead({
      fields: {
        LastName: 'Not in the Hopper',
        Company: 'Cyberdyne',
        Email: 'not.hopper@cyberdyne.com',
        Status: 'Inquiry',
        OwnerId: bdr,
        Matched_Account__c: cyberdyne.Id,
      },
    });
    const candidates = await org.findLeads(scheduledJob('bdr-actively-working').candidates('2026-11-23'));
    expect(candidates).toEqual(expect.arrayContaining(leads.map((l) => l.Id)));
    expect(candidates).not.toContain(outside.Id);

    await runJobNow({ service, crm, clock }, 'bdr-actively-working');
    for (const lead of leads) {
      expect(await org.getLead(lead.Id)).toMatchObject({ OwnerId: bdr, In_Hopper__c: false });
    }
  });

  it('leaves leads of an account that became Actively Working before yesterday', async () => {
    const cyberdyne = DEMO_SCENARIO.accounts.find((a) => a.Name === 'Cyberdyne Robotics')!;
    const lead = await org.insertLead({
      fields: {
        LastName: 'Raw',
        Company: 'Cyberdyne',
        Email: 'raw.lead2@cyberdyne.com',
        Status: 'Raw',
        OwnerId: demoUserId(1),
        Matched_Account__c: cyberdyne.Id,
      },
    });
    const dayAfter = () => new Date(Date.parse(MONDAY) + 86_400_000);
    const run = await runJobNow({ service, crm, clock: dayAfter }, 'bdr-actively-working');

    expect(run.failed).toBe(0);
    expect((await org.getLead(lead.Id))?.OwnerId).toBe(demoUserId(1));
  });

  it('refuses a job that does not exist, naming the ones that do', async () => {
    await expect(runJobNow({ service, crm, clock }, 'hourly-nap')).rejects.toMatchObject({
      code: 'JOB_UNKNOWN',
      message: expect.stringContaining('daily-mql-recycle'),
    });
  });
});

describe('the scheduler', () => {
  it('keeps the five schedules in the database and runs a job queued now', { timeout: 60_000 }, async () => {
    let finished: (run: JobRun) => void = () => {};
    const ran = new Promise<JobRun>((resolve) => (finished = resolve));
    const scheduler = new JobScheduler({
      store,
      service,
      crm,
      clock,
      pollingIntervalSeconds: 0.5,
      onRun: (run) => finished(run),
    });
    await scheduler.start();
    try {
      const { rows } = await sql<{ name: string; cron: string }>`
        select name, cron from pgboss.schedule order by name
      `.execute(store.db);
      expect(rows).toEqual([
        { name: 'bdr-actively-working', cron: '0 4 * * *' },
        { name: 'daily-mql-recycle', cron: '30 2 * * *' },
        { name: 'daily-status-queues', cron: '0 2 * * *' },
        { name: 'sla-sweep', cron: '* * * * *' },
        { name: 'weekly-status-queues', cron: '0 3 * * 6' },
      ]);
      await scheduler.trigger('daily-mql-recycle');
      const run = await ran;
      expect(run.job).toBe('daily-mql-recycle');
      expect(run.candidates).toBeGreaterThan(0);
    } finally {
      await scheduler.stop();
    }
  });

  it(
    'skips a paused job when it comes due, and records the run once it is resumed',
    { timeout: 90_000 },
    async () => {
      const runs: JobRun[] = [];
      const scheduler = new JobScheduler({
        store,
        service,
        crm,
        clock,
        pollingIntervalSeconds: 0.5,
        onRun: (r) => runs.push(r),
      });
      await scheduler.start();
      const completed = async () =>
        Number(
          (
            await sql<{ n: string }>`
            select count(*) as n from pgboss.job where name = 'daily-status-queues' and state = 'completed'
          `.execute(store.db)
          ).rows[0]!.n,
        );
      const until = async (check: () => Promise<boolean>) => {
        for (let i = 0; i < 600 && !(await check()); i++) await new Promise((r) => setTimeout(r, 100));
      };
      try {
        const before = await completed();
        await scheduler.setPaused('daily-status-queues', true, demoUserId(0));
        await scheduler.trigger('daily-status-queues');
        await until(async () => (await completed()) > before);
        expect(await completed()).toBe(before + 1);
        expect(runs).toEqual([]);
        const paused = (await scheduler.list()).find((j) => j.name === 'daily-status-queues')!;
        expect(paused).toMatchObject({ paused: true, nextRunAt: null, runs: [] });

        await scheduler.setPaused('daily-status-queues', false, demoUserId(0));
        await scheduler.trigger('daily-status-queues');
        await until(async () => runs.length > 0);
        expect(runs).toHaveLength(1);
        const [recorded] = (await scheduler.list()).find((j) => j.name === 'daily-status-queues')!.runs;
        expect(recorded).toMatchObject({
          dryRun: false,
          startedBy: null,
          candidates: runs[0]!.candidates,
          moved: runs[0]!.moved,
        });
        expect(recorded!.finishedAt).toBeDefined();
      } finally {
        await scheduler.stop();
      }
    },
  );
});
