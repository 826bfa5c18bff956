import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

const salesRep = DEMO_USERS.find((u) => u.Role__c === 'SDR' && u.IsActive && !u.HasAdminPermission)!;

async function stored(api: TestApi) {
  const { rows } = await sql<{ decisions: number; outbox: number }>`
    select (select count(*)::int from decisions where status <> 'dry-run') as decisions,
           (select count(*)::int from outbox) as outbox`.execute(api.store.db);
  return rows[0]!;
}

const jobOf = (list: Json, name: string) => (list.items as Json[]).find((j) => j.name === name);

describe('the scheduled jobs an admin sees, runs and pauses (/v1/jobs)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 180_000);
  afterAll(() => api.close());

  it('lists every job with its schedule and next run (the clock is Monday 23 November, 15:00 UTC)', async () => {
    const res = await api.call('GET', '/v1/jobs');
    expect(res.status).toBe(200);
    expect(res.body.items.map((j: Json) => [j.name, j.cron, j.nextRunAt])).toEqual([
      ['daily-status-queues', '0 2 * * *', '2026-11-24T02:00:00.000Z'],
      ['weekly-status-queues', '0 3 * * 6', '2026-11-28T03:00:00.000Z'],
      ['daily-mql-recycle', '30 2 * * *', '2026-11-24T02:30:00.000Z'],
      ['bdr-actively-working', '0 4 * * *', '2026-11-24T04:00:00.000Z'],
      ['sla-sweep', '* * * * *', '2026-11-23T15:01:00.000Z'],
    ]);
    expect(jobOf(res.body, 'daily-mql-recycle').description).toMatch(/MQLs nobody acted on for 30 days/);
  });

  it('runs the SLA sweep like the other jobs: now (dry or for real), recorded, paused', async () => {
    const dry = await api.call('POST', '/v1/jobs/sla-sweep/run', { body: { dryRun: true } });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toMatchObject({ job: 'sla-sweep', dryRun: true, moved: 0, failed: 0 });
    const real = await api.call('POST', '/v1/jobs/sla-sweep/run', { body: {} });
    expect(real.status, real.text).toBe(200);
    expect(real.body).toMatchObject({ job: 'sla-sweep', dryRun: false, failed: 0 });
    const listed = jobOf((await api.call('GET', '/v1/jobs')).body, 'sla-sweep');
    expect(listed.description).toMatch(/due SLA steps fire/);
    expect(listed.runs.map((r: Json) => [r.dryRun, r.startedBy])).toEqual([
      [false, DEMO.admin],
      [true, DEMO.admin],
    ]);
    const paused = await api.call('POST', '/v1/jobs/sla-sweep/pause', { body: {} });
    expect(paused.body).toMatchObject({ name: 'sla-sweep', paused: true, nextRunAt: null });
    const resumed = await api.call('POST', '/v1/jobs/sla-sweep/resume', { body: {} });
    expect(resumed.body).toMatchObject({ paused: false, nextRunAt: '2026-11-23T15:01:00.000Z' });
  });

  it('runs a job dry (nothing written), then for real doing what the dry run showed, each run recorded', async () => {
    const before = await stored(api);
    const dry = await api.call('POST', '/v1/jobs/weekly-status-queues/run', { body: { dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ job: 'weekly-status-queues', day: '2026-11-23', dryRun: true });
    expect(dry.body.candidates).toBeGreaterThan(0);
    expect(dry.body.moved).toBeGreaterThan(0);
    expect(await stored(api)).toEqual(before);

    const real = await api.call('POST', '/v1/jobs/weekly-status-queues/run', { body: {} });
    expect(real.status).toBe(200);
    expect(real.body).toMatchObject({
      dryRun: false,
      candidates: dry.body.candidates,
      moved: dry.body.moved,
      failed: 0,
    });
    expect((await stored(api)).decisions).toBe(before.decisions + real.body.candidates);

    const runs = jobOf((await api.call('GET', '/v1/jobs')).body, 'weekly-status-queues').runs;
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ dryRun: false, startedBy: DEMO.admin, moved: real.body.moved });
    expect(runs[1]).toMatchObject({ dryRun: true, startedBy: DEMO.admin, moved: dry.body.moved });
    for (const run of runs) expect(run.finishedAt).toBe('2026-11-23T15:00:00.000Z');
  });

  it('pauses a job (no next run) and resumes it, saying who did it', async () => {
    const paused = await api.call('POST', '/v1/jobs/bdr-actively-working/pause', { body: {} });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      name: 'bdr-actively-working',
      paused: true,
      nextRunAt: null,
      pauseChange: { paused: true, changedBy: DEMO.admin },
    });
    const resumed = await api.call('POST', '/v1/jobs/bdr-actively-working/resume');
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ paused: false, nextRunAt: '2026-11-24T04:00:00.000Z' });
  });

  it('refuses people who are not admins, jobs that do not exist and bad bodies, saying what to do', async () => {
    for (const [method, path] of [
      ['GET', '/v1/jobs'],
      ['POST', '/v1/jobs/daily-mql-recycle/run'],
      ['POST', '/v1/jobs/daily-mql-recycle/pause'],
    ] as const) {
      const res = await api.call(method, path, {
        user: salesRep.Id,
        ...(method === 'POST' ? { body: {} } : {}),
      });
      expect(res.status, path).toBe(403);
      expect(res.body.error.message).toMatch(/is for Switchyard admins/);
    }
    const unknown = await api.call('POST', '/v1/jobs/hourly-nap/run', { body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe("There is no scheduled job named 'hourly-nap'.");
    expect(unknown.body.error.action).toContain('daily-mql-recycle');

    const bad = await api.call('POST', '/v1/jobs/daily-mql-recycle/run', { body: { dryRun: 'yes', now: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: Json) => d.field).sort()).toEqual(['dryRun', 'now']);
  });
});
