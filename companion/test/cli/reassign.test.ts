import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/crm/local/demo-people.js';
import { countryCode } from '../../src/engine/distribution/countries.js';
import { startApi, type TestApi } from '../http/api-fixture.js';
import { runCli } from './run-cli.js';

const cli = (args: string[], url: string) => runCli(args, { SWITCHYARD_URL: url });

// Each test starts the CLI (tsx) as a child process: slow on a busy machine.
describe('npm run cli -- reassign: leads chosen by pool, territory or filter', { timeout: 200_000 }, () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 180_000);
  afterAll(() => api.close());

  it('a pool: the dry run names the leads and where they would go; the real run moves as many', async () => {
    const dry = await cli(['reassign', '--pool', 'apj-sdr', '--reason', 'APJ reorg', '--dry-run'], api.url);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Chosen: the open leads of the 3 members of pool apj-sdr.');
    const [, leads, changed] = /over (\d+) leads:\n {2}(\d+) leads? would change owner/.exec(dry.stdout)!;
    expect(Number(leads)).toBeGreaterThan(0);

    const real = await cli(
      ['reassign', '--pool', 'apj-sdr', '--reason', 'APJ reorg', '--run-id', 'apj-reorg'],
      api.url,
    );
    expect(real.status, real.stderr).toBe(0);
    expect(real.stderr).toContain('Run apj-reorg (to resume it: --run-id apj-reorg)');
    expect(real.stdout).toContain(
      `Reassignment apj-reorg: ${leads} leads, the open leads of the 3 members of pool apj-sdr.`,
    );
    expect(real.stdout).toMatch(new RegExp(`moved ${changed}\\b`));
  });

  it('a filter from flags: lists given again or comma-separated, countries by code', async () => {
    const open: Array<{ Status?: unknown; Country?: unknown }> = [];
    for await (const page of api.org.streamLeads()) open.push(...page.filter((l) => !l.IsConverted));
    const expected = open.filter(
      (l) =>
        ['mql', 'raw'].includes(String(l.Status).toLowerCase()) &&
        ['DE', 'FR', 'GB'].includes(countryCode(String(l.Country)) ?? ''),
    ).length;
    expect(expected).toBeGreaterThan(0);
    const run = await cli(
      [
        'reassign',
        '--status',
        'mql,Raw',
        '--country',
        'DE,FR',
        '--country',
        'GB',
        '--created-before',
        '2030-01-01',
        '--reason',
        'x',
        '--dry-run',
        '--json',
      ],
      api.url,
    );
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.chosen).toBe(
      'the open leads with status MQL, Raw; country DE, FR, GB; created before 2030-01-01',
    );
    expect(result.summary.leads).toBe(expected);
  });

  it('says what is wrong with the choice: none, two, a territory without its row, an unknown pool', async () => {
    const none = await cli(['reassign', '--reason', 'x', '--dry-run'], api.url);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('Say which leads to move: --owner, --ids, --pool, --territory with --row');
    const two = await cli(['reassign', '--pool', 'apj-sdr', '--owner', DEMO.admin, '--reason', 'x'], api.url);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('Choose the leads one way, not --owner and --pool');
    const noRow = await cli(['reassign', '--territory', 'sdr-regions', '--reason', 'x'], api.url);
    expect(noRow.status).toBe(2);
    expect(noRow.stderr).toContain('Give the territory row with --row <n>');
    const unknown = await cli(['reassign', '--pool', 'apj', '--reason', 'x', '--dry-run'], api.url);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("There is no pool 'apj' in the live routing set: use one of amer-sdr");
    const help = await cli(['reassign', '--help'], api.url);
    expect(help.stdout).toContain('--territory <table> --row <n>');
    expect(help.stdout).toContain('--status <s,…> --country <c,…> --state <s,…> --lead-source <s,…>');
  });
});
