import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import { startApi, type Json, type TestApi } from '../http/api-fixture.js';
import { runCli } from './run-cli.js';

const cli = (args: string[]) => runCli(args);

/** The version an export printed ("Exported version 3 of …"). */
function exported(stdout: string): number {
  const m = /Exported version (\d+) of /.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return Number(m![1]);
}

const hotLead = scenario('blueprint-hot').lead;
const PRODUCTION_ALIAS = '  - [Hartwell Manufacturing, Cyberdyne Robotics]';

/**
 * The README's walk-through (the handbook's "Traction Lead Flow Update Process"): export production,
 * import into staging, edit, simulate, backtest, publish there, export, and import into production —
 * two companions, two databases, every step through the CLI.
 */
describe('staging to production, as the README walks through it', { timeout: 400_000 }, () => {
  let production: TestApi;
  let staging: TestApi;
  let dir: string;
  beforeAll(async () => {
    [production, staging] = [await startApi({ user: DEMO.admin }), await startApi({ user: DEMO.admin })];
    dir = mkdtempSync(path.join(tmpdir(), 'switchyard-environments-'));
    // Production has moved on from the shipped folder: its pools.yaml and its company aliases carry
    // changes staging lacks.
    const live = (await production.call('GET', '/v1/flows/export')).body;
    const files = live.files.map((f: Json) =>
      f.name === 'pools.yaml'
        ? { ...f, text: `${f.text}\n# production's own comment\n` }
        : f.name === 'aliases.yaml'
          ? { ...f, text: `${f.text.trimEnd()}\n${PRODUCTION_ALIAS}\n` }
          : f,
    );
    const res = await production.call('POST', '/v1/flows/publish', {
      body: { files, reason: 'a change made in production', baseVersion: live.version },
    });
    expect(res.status).toBe(201);
  }, 300_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await production?.close();
    await staging?.close();
  });

  it('moves a change built and tested in staging into production, refusing a stale base', async () => {
    const prodFile = path.join(dir, 'prod.json');
    const out = await cli(['export', '--url', production.url, '--out', prodFile]);
    expect(out.status, out.stderr).toBe(0);
    const prodVersion = exported(out.stdout);
    expect(prodVersion).toBe(2);

    const imported = await cli(['import', prodFile, '--url', staging.url, '--reason', 'production as it is']);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Imported as version 2 (over version 1)');
    expect(imported.stdout).toMatch(/pools\.yaml changed \(\+2 −0\)/);
    expect(imported.stdout).toMatch(/aliases\.yaml changed \(\+1 −0\)/);

    const work = path.join(dir, 'work');
    const edit = await cli(['export', '--url', staging.url, '--folder', work]);
    expect(edit.status, edit.stderr).toBe(0);
    const stagingVersion = exported(edit.stdout);
    expect(stagingVersion).toBe(2);
    expect(readFileSync(path.join(work, 'aliases.yaml'), 'utf8')).toContain(PRODUCTION_ALIAS);

    // The edit: the blueprint's "everything else" node without the territory table (to the Hopper).
    const flow = path.join(work, 'leandata-blueprint.flow.yaml');
    const text = readFileSync(flow, 'utf8');
    const changed = text.replace(
      /(\n {2}region-pool:\n(?: {4}.*\n)*? {4}to:\n) {6}- territory: sdr-regions\n/,
      '$1',
    );
    expect(changed).not.toBe(text);
    writeFileSync(flow, changed);

    const simulated = await cli(['simulate', hotLead.Id, '--url', staging.url, '--candidate', work]);
    expect(simulated.status, simulated.stderr).toBe(0);
    expect(simulated.stdout).toContain('With the candidate routing set');
    const backtest = await cli(['backtest', '--url', staging.url, '--candidate', work, '--days', '60']);
    expect(backtest.status, backtest.stderr).toBe(0);
    expect(backtest.stdout).toMatch(/\d+ leads? would change owner/);

    const published = await cli([
      'publish',
      work,
      '--url',
      staging.url,
      '--base',
      String(stagingVersion),
      '--reason',
      'unmatched leads wait in the Hopper',
    ]);
    expect(published.status, published.stderr).toBe(0);
    expect(published.stdout).toContain('Published as version 3 (over version 2)');
    expect(published.stdout).toContain('leandata-blueprint.flow.yaml changed (+0 −1)');
    expect(published.stdout).toContain('-      - territory: sdr-regions');

    const releaseFile = path.join(dir, 'release.json');
    const release = await cli(['export', '--url', staging.url, '--out', releaseFile]);
    expect(release.status, release.stderr).toBe(0);

    const stale = await cli([
      'import',
      releaseFile,
      '--url',
      production.url,
      '--base',
      '1',
      '--reason',
      'from staging',
    ]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('Version 2 of the routing set (publish by ');
    expect(stale.stderr).toContain('--base 2');

    const dryRun = await cli([
      'import',
      releaseFile,
      '--url',
      production.url,
      '--base',
      String(prodVersion),
      '--reason',
      'from staging',
      '--dry-run',
    ]);
    expect(dryRun.status, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('Dry run: against version 2');
    expect(dryRun.stdout).toContain('leandata-blueprint.flow.yaml changed (+0 −1)');
    expect(dryRun.stdout).not.toContain('pools.yaml');

    const done = await cli([
      'import',
      releaseFile,
      '--url',
      production.url,
      '--base',
      String(prodVersion),
      '--reason',
      'from staging',
    ]);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toContain('Imported as version 3 (over version 2)');

    const [prodLive, stagingLive] = await Promise.all([
      production.call('GET', '/v1/flows/export'),
      staging.call('GET', '/v1/flows/export'),
    ]);
    expect(prodLive.body.files).toEqual(stagingLive.body.files);
    const history = await cli(['versions', '--url', production.url]);
    expect(history.status, history.stderr).toBe(0);
    expect(history.stdout).toContain('Version 3 is live.');
    expect(history.stdout).toMatch(/ {3}3 {2}\S+ {2}import by .+: from staging/);
  });

  it('names file:line:reason when a publish does not validate, and exits non-zero', async () => {
    const work = path.join(dir, 'broken');
    const edit = await cli(['export', '--url', staging.url, '--folder', work]);
    expect(edit.status, edit.stderr).toBe(0);
    const flow = path.join(work, 'reroute.flow.yaml');
    writeFileSync(flow, readFileSync(flow, 'utf8').replace('field: lead.Status', 'field: lead.Stauts'));
    const res = await cli([
      'publish',
      work,
      '--url',
      staging.url,
      '--base',
      String(exported(edit.stdout)),
      '--reason',
      'typo',
    ]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/reroute\.flow\.yaml:\d+:\d+ .*unknown field 'lead\.Stauts'/);
  });
});
