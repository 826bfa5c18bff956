import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, demoUserId } from '../../src/crm/local/demo-people.js';
import { startApi, type TestApi } from '../http/api-fixture.js';
import { runCli } from './run-cli.js';

const cli = (args: string[], url: string) => runCli(args, { SWITCHYARD_URL: url });

const ava = demoUserId(1);
const yara = demoUserId(26);

describe('npm run cli -- pools', { timeout: 200_000 }, () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 120_000);
  afterAll(() => api.close());

  it('marks a rep out of office, lists it, and shows the change in the history with its diff', async () => {
    const away = await cli(
      [
        'pools',
        'away',
        'amer-sdr',
        ava,
        '--from',
        '2026-12-10',
        '--to',
        '2026-12-14',
        '--reason',
        'vacation',
      ],
      api.url,
    );
    expect(away.status, away.stderr).toBe(0);
    expect(away.stdout).toContain(
      'Ava Patel out of office from 2026-12-10 to 2026-12-14 in amer-sdr: stored as version 2',
    );
    const list = await cli(['pools', 'list'], api.url);
    expect(list.stdout).toMatch(new RegExp(`${ava} {2}Ava Patel: weight 1, away 2026-12-10…2026-12-14`));
    // Who is next, by name and Id, as the member lines name them.
    const [, nextName, nextId] =
      /\namer-sdr \(round-robin\): next (.+) \((005\w+)\)\n/.exec(list.stdout) ?? [];
    expect(list.stdout).toContain(`  ${nextId}  ${nextName}: `);
    const history = await cli(['versions', '--diff', '--limit', '1'], api.url);
    expect(history.stdout).toContain('pool-change by ');
    expect(history.stdout).toContain(
      '+      - { user: ava.patel@switchyard-demo.example, away: [ { from: 2026-12-10, to: 2026-12-14 } ] }',
    );
    // A person is named as pools.yaml names them, by username (or email), as well as by Id.
    const back = await cli(
      [
        'pools',
        'back',
        'amer-sdr',
        'ava.patel@switchyard-demo.example',
        '--reason',
        'home early',
        '--dry-run',
      ],
      api.url,
    );
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout).toContain(
      '-      - { user: ava.patel@switchyard-demo.example, away: [ { from: 2026-12-10, to: 2026-12-14 } ] }',
    );
    const nobody = await cli(
      ['pools', 'back', 'amer-sdr', 'ava.patal@switchyard-demo.example', '--reason', 'typo'],
      api.url,
    );
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toContain('No such person');

    const bad = await cli(['pools', 'set', 'amer-sdr', ava, '--cap-day', '0', '--reason', 'x'], api.url);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /pools\.yaml:\d+:\d+ pools\[0\]\.members\[0\]\.capPerDay: capPerDay 0 must be a whole number above 0/,
    );
  });

  it('sets a pool’s catch-up, printing who gets the next leads now and with it; --off takes it away', async () => {
    const preview = await cli(
      [
        'pools',
        'catch-up',
        'amer-sdr',
        '--leads',
        '3',
        '--within-days',
        '7',
        '--reason',
        'fair after PTO',
        '--dry-run',
      ],
      api.url,
    );
    expect(preview.status, preview.stderr).toBe(0);
    const shown = /would change version (\d+) \(confirm with --base \1\):/.exec(preview.stdout);
    expect(shown, preview.stdout).not.toBeNull();
    expect(preview.stdout).toContain(
      `Dry run: amer-sdr gives back up to 3 missed turns of the last 7 days would change version ${shown![1]} (confirm with --base ${shown![1]}):`,
    );
    expect(preview.stdout).toContain('+    catchUp: { leads: 3, withinDays: 7 }');
    expect(preview.stdout).toMatch(/^The next leads now: +Ava Patel, Ben Carter, Yara Haddad, /m);
    expect(preview.stdout).toMatch(/^The next leads with it: +Ava Patel, Ben Carter, Yara Haddad, /m);
    // Someone else changes the pool after the preview: the confirmation on the previewed version is refused.
    const other = await cli(
      ['pools', 'set', 'amer-sdr', ava, '--weight', '2', '--reason', 'covers more'],
      api.url,
    );
    expect(other.status, other.stderr).toBe(0);
    const stale = await cli(
      [
        'pools',
        'catch-up',
        'amer-sdr',
        '--leads',
        '3',
        '--within-days',
        '7',
        '--reason',
        'PTO',
        '--base',
        shown![1]!,
      ],
      api.url,
    );
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(`was stored after version ${shown![1]}, which your change started from`);
    const stored = await cli(
      [
        'pools',
        'catch-up',
        'amer-sdr',
        '--leads',
        '3',
        '--within-days',
        '7',
        '--reason',
        'PTO',
        '--base',
        String(Number(shown![1]) + 1),
      ],
      api.url,
    );
    expect(stored.stdout).toContain(
      'amer-sdr gives back up to 3 missed turns of the last 7 days: stored as version',
    );
    const off = await cli(
      ['pools', 'catch-up', 'amer-sdr', '--off', '--reason', 'back to plain turns'],
      api.url,
    );
    expect(off.stdout).toContain('amer-sdr gives back no missed turns: stored as version');
    const missing = await cli(['pools', 'catch-up', 'amer-sdr', '--leads', '3', '--reason', 'x'], api.url);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('Give --leads and --within-days as numbers, or --off.');
  });

  it('removes a rep after a dry run that prints who gets the next leads now and without them, confirmed with --base', async () => {
    const remove = (...extra: string[]) =>
      cli(
        ['pools', 'remove', 'amer-sdr', 'yara.haddad@switchyard-demo.example', '--reason', 'left', ...extra],
        api.url,
      );
    const preview = await remove('--dry-run');
    expect(preview.status, preview.stderr).toBe(0);
    const shown =
      /^Dry run: Yara Haddad removed from amer-sdr would change version (\d+) \(confirm with --base \1\):/m.exec(
        preview.stdout,
      );
    expect(shown, preview.stdout).not.toBeNull();
    expect(preview.stdout).toContain('-      - { user: yara.haddad@switchyard-demo.example }');
    const now = /^The next leads now: +(.+)$/m.exec(preview.stdout)![1]!;
    const without = /^The next leads with it: +(.+)$/m.exec(preview.stdout)![1]!;
    expect(now).toContain('Yara Haddad');
    expect(without).not.toContain('Yara Haddad');
    expect(without).toMatch(/^(Ava Patel|Ben Carter), /);
    expect(api.routing.routingSet.pools.get('amer-sdr')!.members.map((m) => m.userId)).toContain(yara);

    const stored = await remove('--base', shown![1]!);
    expect(stored.status, stored.stderr).toBe(0);
    expect(stored.stdout).toContain(
      `Yara Haddad removed from amer-sdr: stored as version ${Number(shown![1]) + 1}`,
    );
    expect(api.routing.routingSet.pools.get('amer-sdr')!.members.map((m) => m.userId)).not.toContain(yara);
    const stale = await remove('--base', shown![1]!);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(`was stored after version ${shown![1]}, which your change started from`);
  });
});
