import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import { SHIPPED_FLOWS_DIR } from '../../src/routing/flow-files.js';
import { API_KEY, startApi, type TestApi } from '../http/api-fixture.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = path.join(root, 'node_modules/.bin/tsx');

/** `npm run cli -- <args>` as an admin runs it, beside a running companion (so never spawnSync). */
function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      tsx,
      ['companion/src/cli/main.ts', ...args],
      { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const tom = scenario('partner-event-recalled').lead;
const customer = scenario('blueprint-customer').lead;

// Each test starts the CLI (tsx) as a child process: slow on a busy machine.
describe('npm run cli -- simulate / backtest', { timeout: 120_000 }, () => {
  let api: TestApi;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
    env = { SWITCHYARD_URL: api.url, SWITCHYARD_API_KEY: API_KEY, SWITCHYARD_USER: DEMO.admin };
    dir = mkdtempSync(path.join(tmpdir(), 'switchyard-backtest-'));
    const candidate = path.join(dir, 'candidate');
    cpSync(SHIPPED_FLOWS_DIR, candidate, { recursive: true });
    // The blueprint's "everything else" node without the territory table: its fallback, the Hopper.
    const file = path.join(candidate, 'leandata-blueprint.flow.yaml');
    const text = readFileSync(file, 'utf8');
    const changed = text.replace(
      /(\n {2}region-pool:\n(?: {4}.*\n)*? {4}to:\n) {6}- territory: sdr-regions\n/,
      '$1',
    );
    expect(changed).not.toBe(text);
    writeFileSync(file, changed);
    writeFileSync(path.join(dir, 'ids.txt'), `# two leads\n${tom.Id}\n${customer.Id}\n`);
  }, 180_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await api.close();
  });

  it('prints the backtest summary and writes one CSV row per lead', async () => {
    const csv = path.join(dir, 'diff.csv');
    const run = await cli(
      [
        'backtest',
        '--candidate',
        path.join(dir, 'candidate'),
        '--ids',
        path.join(dir, 'ids.txt'),
        '--trigger',
        'campaign-member',
        '--csv',
        csv,
      ],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('over 2 leads:\n  1 lead would change owner.');
    expect(run.stdout).toMatch(/From whom to whom:\n\s+1 {2}Emma Schulz → Hopper/);
    expect(run.stdout).toContain('emea-sdr: 1 → 0');
    const lines = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.startsWith(`${tom.Id},Tom Becker,`))).toBe(true);
  });

  it('simulates one lead with the candidate and prints its path', async () => {
    const run = await cli(
      ['simulate', tom.Id, '--trigger', 'campaign-member', '--candidate', path.join(dir, 'candidate')],
      env,
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^With the candidate routing set \(campaign-member\): Queued in Hopper/);
    expect(run.stdout).toMatch(/\n {3}1\. \[partner-routing\//);
  });

  it('says what to do when the key is missing, the companion is down, or the candidate is invalid', async () => {
    const noKey = await cli(['simulate', tom.Id], { ...env, SWITCHYARD_API_KEY: '' });
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toMatch(/No API key: give --key or set SWITCHYARD_API_KEY/);

    const down = await cli(['simulate', tom.Id], { ...env, SWITCHYARD_URL: 'http://127.0.0.1:9' });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/does not answer at http:\/\/127\.0\.0\.1:9: start it \(npm start\)/);

    const broken = path.join(dir, 'broken');
    cpSync(SHIPPED_FLOWS_DIR, broken, { recursive: true });
    writeFileSync(path.join(broken, 'pools.yaml'), 'pools: [oops\n');
    const invalid = await cli(['backtest', '--candidate', broken, '--days', '7'], env);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toMatch(/pools\.yaml:\d+:\d+ /);
  });

  it("draws a live flow with leads per edge, and a folder's flow offline", async () => {
    const live = path.join(dir, 'live.svg');
    const run = await cli(['flows', 'render', 'partner-routing', '--out', live, '--days', '30'], env);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Wrote ${live}: flow partner-routing, leads per edge over 30 days.`);
    const svg = readFileSync(live, 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('over the last 30 days');

    const offline = path.join(dir, 'offline.svg');
    const drawn = await cli(
      ['flows', 'render', 'reroute', '--out', offline, '--folder', path.join(dir, 'candidate')],
      {},
    );
    expect(drawn.status).toBe(0);
    expect(readFileSync(offline, 'utf8')).toContain('data-node="');

    const unknown = await cli(['flows', 'render', 'no-such-flow', '--out', offline], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No live flow is named "no-such-flow"');
  });

  it('lists the scheduled jobs and runs one dry, writing nothing', async () => {
    const list = await cli(['jobs', 'list'], env);
    expect(list.stderr).toBe('');
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(
      'daily-mql-recycle\n  Nightly: MQLs nobody acted on for 30 days are recycled',
    );
    expect(list.stdout).toContain('schedule: 30 2 * * * (UTC); next run: 2026-11-24 02:30 UTC');

    const dry = await cli(['jobs', 'run', 'weekly-status-queues', '--dry-run'], env);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(
      /^Dry run of weekly-status-queues for 2026-11-23: \d+ leads looked at, \d+ would move, .* Nothing was written\.\n$/,
    );
    const admin = DEMO_USERS.find((u) => u.Id === DEMO.admin)!.Name;
    const after = await cli(['jobs', 'list'], env);
    expect(after.stdout).toMatch(
      new RegExp(
        `2026-11-23 15:00 UTC {2}dry run by ${admin} \\(${DEMO.admin}\\): \\d+ looked at, \\d+ moved`,
      ),
    );

    const paused = await cli(['jobs', 'pause', 'weekly-status-queues'], env);
    expect(paused.status, paused.stderr).toBe(0);
    expect(paused.stdout).toContain(
      `weekly-status-queues  (paused by ${admin} (${DEMO.admin}) at 2026-11-23 15:00 UTC)`,
    );
    expect((await cli(['jobs', 'resume', 'weekly-status-queues'], env)).status).toBe(0);

    const unknown = await cli(['jobs', 'run', 'hourly-nap'], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("There is no scheduled job named 'hourly-nap'.");
  });

  it('answers --help for every command and lists them all', async () => {
    const help = await cli(['--help'], {});
    for (const command of ['demo', 'validate', 'schema', 'simulate', 'backtest']) {
      expect(help.stdout).toMatch(new RegExp(`\\n {2}${command}\\b`));
      const own = await cli([command, '--help'], {});
      expect(own.status).toBe(0);
      expect(own.stdout).toMatch(/^Usage: npm run cli -- /);
    }
    expect(help.stdout).toMatch(/\n {2}flows render\b/);
    expect(help.stdout).toMatch(/\n {2}jobs list\b/);
    const jobs = await cli(['jobs', '--help'], {});
    expect(jobs.stdout).toMatch(/^Usage: npm run cli -- jobs list/);
    const render = await cli(['flows', 'render', '--help'], {});
    expect(render.stdout).toMatch(/^Usage: npm run cli -- flows render /);
  });
});
