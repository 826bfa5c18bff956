import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/crm/local/demo-people.js';
import { startApi, type TestApi } from '../http/api-fixture.js';
import { runCli } from './run-cli.js';

const cli = (args: string[], url: string) => runCli(args, { SWITCHYARD_URL: url });

describe('npm run cli -- territories', { timeout: 200_000 }, () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 120_000);
  afterAll(() => api.close());

  it('adds a row, lists it, shows it in the history with its diff, refuses an overlap, and removes it', async () => {
    const add = await cli(
      [
        'territories',
        'add',
        'sdr-regions',
        '--country',
        'DE,AT',
        '--queue',
        'Partner_Queue',
        '--reason',
        'DACH pilot',
      ],
      api.url,
    );
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toContain(
      'sdr-regions: row added: country DE, AT → queue Partner_Queue: stored as version 2; routing uses it from its next decision.',
    );
    const list = await cli(['territories', 'list'], api.url);
    expect(list.stdout).toContain('    4  country DE, AT → queue Partner_Queue (Partner Queue)');
    expect(list.stdout).toContain('    1  region AMER → pool amer-sdr (AMER SDR');
    const history = await cli(['versions', '--diff', '--limit', '1'], api.url);
    expect(history.stdout).toContain('territory-change by ');
    expect(history.stdout).toContain('+      - { country: [ DE, AT ], assign: { queue: Partner_Queue } }');

    const overlap = await cli(
      ['territories', 'add', 'sdr-regions', '--country', 'AT', '--pool', 'emea-sdr', '--reason', 'x'],
      api.url,
    );
    expect(overlap.status).toBe(1);
    expect(overlap.stderr).toContain(
      'Row 5 (country AT → pool emea-sdr) overlaps row 4 (country DE, AT → queue Partner_Queue)',
    );
    const noTarget = await cli(
      ['territories', 'add', 'sdr-regions', '--country', 'AT', '--reason', 'x'],
      api.url,
    );
    expect(noTarget.status).toBe(2);
    expect(noTarget.stderr).toContain('Give the row exactly one target: --pool, --queue or --person.');

    const remove = await cli(
      ['territories', 'remove', 'sdr-regions', '4', '--reason', 'pilot over', '--base', '2'],
      api.url,
    );
    expect(remove.status, remove.stderr).toBe(0);
    expect(remove.stdout).toContain('sdr-regions row 4 removed: stored as version 3');
    const stale = await cli(
      ['territories', 'remove', 'sdr-regions', '3', '--reason', 'x', '--base', '2'],
      api.url,
    );
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('Version 3 of the routing set (territory-change by');
  });

  it('answers --help', async () => {
    const help = await cli(['territories', '--help'], api.url);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('territories add <table> --reason text <row> [--at n]');
  });
});
