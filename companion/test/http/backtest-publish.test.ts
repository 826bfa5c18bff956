import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import { insertBacktestRun } from '../../src/store/backtest-run.repository.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

type Files = Array<{ name: string; text: string }>;

const customer = scenario('blueprint-customer').lead;
const salesRep = DEMO_USERS.find((u) => u.ProfileName !== 'System Administrator' && u.IsActive)!;

/** The files with a comment line added to the reroute flow: a change a diff shows and routing ignores. */
const noted = (files: Files, note: string): Files =>
  files.map((f) => (f.name === 'reroute.flow.yaml' ? { ...f, text: `${f.text}# ${note}\n` } : f));

describe('publishing a backtested candidate (the admin page publishes what it shows the backtest of)', () => {
  let api: TestApi;
  const live = async () =>
    (await api.call('GET', '/v1/flows/export')).body as { version: number; files: Files };
  /** Backtests `candidate` over the customer's lead and answers the kept run's id. */
  const backtest = async (candidate: Files): Promise<number> => {
    const ran = await api.call('POST', '/v1/backtests', { body: { candidate, leadIds: [customer.Id] } });
    expect(ran.status, ran.text).toBe(200);
    return (await api.call('GET', '/v1/backtests/latest')).body.backtest.id;
  };
  const publish = (id: number, body: Json) => api.call('POST', `/v1/backtests/${id}/publish`, { body });

  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 120_000);
  afterAll(() => api.close());

  it('publishes the candidate as it was backtested, over the version it was compared with', async () => {
    const before = await live();
    const candidate = noted(before.files, 'backtested before publishing');
    const id = await backtest(candidate);
    const latest = (await api.call('GET', '/v1/backtests/latest')).body;
    expect(latest.backtest).toMatchObject({ id, liveVersion: before.version, candidateKept: true });
    expect(latest.backtest.candidate, 'the files stay in the store').toBeUndefined();

    const dry = await publish(id, { reason: 'Looks right', dryRun: true });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toMatchObject({ published: false, version: before.version, backtest: id });
    expect(dry.body.changes).toEqual([
      expect.objectContaining({ file: 'reroute.flow.yaml', change: 'changed', added: 1, removed: 0 }),
    ]);
    expect((await live()).version).toBe(before.version);

    const res = await publish(id, { reason: 'Backtest moved nobody' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      published: true,
      version: before.version + 1,
      previous: before.version,
    });
    const after = await live();
    expect(after.version).toBe(before.version + 1);
    expect(after.files).toEqual(candidate);
    const [newest] = (await api.call('GET', '/v1/flows/versions')).body.items;
    expect(newest).toMatchObject({
      version: before.version + 1,
      action: 'publish',
      reason: 'Backtest moved nobody',
      author: { id: DEMO.admin },
      baseVersion: before.version,
    });
    expect((await api.call('GET', '/v1/backtests/latest')).body.live).toEqual({
      version: before.version + 1,
      sameAsCandidate: true,
    });
  });

  it('refuses to publish over a version stored after the backtest, naming it, and stores nothing', async () => {
    const before = await live();
    const id = await backtest(noted(before.files, 'mine'));
    // Another publish lands meanwhile (the demo org has one admin: as if from another tab or the CLI).
    const theirs = await api.call('POST', '/v1/flows/publish', {
      body: { files: noted(before.files, 'theirs'), reason: 'Their change', baseVersion: before.version },
    });
    expect(theirs.status, theirs.text).toBe(201);
    const res = await publish(id, { reason: 'Mine' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('VERSION_CONFLICT');
    expect(res.body.error.message).toContain(
      `Backtest ${id} compared the candidate with version ${before.version}.`,
    );
    expect(res.body.error.message).toContain(`Version ${before.version + 1} of the routing set (publish by`);
    expect(res.body.error.message).toContain('"Their change"');
    expect(res.body.error.action).toContain(`against version ${before.version + 1}`);
    expect((await live()).version).toBe(before.version + 1);
  });

  it("refuses a backtest that no longer holds its candidate's files, naming the newest", async () => {
    const { files } = await live();
    const older = await backtest(noted(files, 'first try'));
    const newer = await backtest(noted(files, 'second try'));
    const res = await publish(older, { reason: 'The first one' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(`Backtest ${older} no longer holds its candidate's files`);
    expect(res.body.error.message).toMatch(
      new RegExp(`\\(backtest ${newer}, run by .+ at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC\\)\\.`),
    );
    expect((await api.call('GET', '/v1/backtests/latest')).body.backtest).toMatchObject({
      id: newer,
      candidateKept: true,
    });
    const missing = await publish(newer + 1000, { reason: 'None' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(
      `There is no backtest ${newer + 1000}: only the newest 100 backtests are kept.`,
    );
  });

  it('refuses a candidate the org no longer takes, saying each problem in the message', async () => {
    const current = await live();
    // As if the org lost the field since the backtest ran: the kept files no longer validate.
    const broken = Object.fromEntries(
      current.files.map((f) => [
        f.name,
        f.name === 'reroute.flow.yaml' ? f.text.replace('field: lead.Status', 'field: lead.Stauts') : f.text,
      ]),
    );
    await insertBacktestRun(api.store.db, {
      ranAt: new Date().toISOString(),
      author: { id: DEMO.admin, name: 'Zoe Park' },
      liveVersion: current.version,
      candidateHash: 'not-checked-here',
      candidate: broken,
      scope: { leadIds: 1, trigger: 'created' },
      summary: {},
      missing: 0,
    });
    const { id } = (await api.call('GET', '/v1/backtests/latest')).body.backtest;
    const res = await publish(id, { reason: 'Go' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/^The change was refused: .*unknown field 'lead\.Stauts'/);
    expect(res.body.error.details[0].message).toMatch(/^reroute\.flow\.yaml:\d+:\d+ /);
    expect((await live()).version).toBe(current.version);
  });

  it('needs a reason, and is for admins only', async () => {
    const id = await backtest((await live()).files);
    const blank = await publish(id, { reason: '  ' });
    expect(blank.status).toBe(400);
    expect(blank.body.error.details).toContainEqual({ field: 'reason', message: 'say why, in a few words' });
    const rep = await api.call('POST', `/v1/backtests/${id}/publish`, {
      user: salesRep.Id,
      body: { reason: 'Mine' },
    });
    expect(rep.status).toBe(403);
  });
});
