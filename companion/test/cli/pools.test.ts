import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, demoUserId } from '../../src/crm/local/demo-people.js';
import { startApi, type TestApi } from '../http/api-fixture.js';
import { runCli } from './run-cli.js';

const cli = (args: string[], url: string) => runCli(args, { SWITCHYARD_URL: url });

const ava = demoUserId(1);

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
    const history = await cli(['versions', '--diff', '--limit', '1'], api.url);
    expect(history.stdout).toContain('pool-change by ');
    expect(history.stdout).toContain(
      '+      - { user: ava.patel@switchyard-demo.example, away: [ { from: 2026-12-10, to: 2026-12-14 } ] }',
    );
    const bad = await cli(['pools', 'set', 'amer-sdr', ava, '--cap-day', '0', '--reason', 'x'], api.url);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /pools\.yaml:\d+:\d+ pools\[0\]\.members\[0\]\.capPerDay: capPerDay 0 must be a whole number above 0/,
    );
  });
});
