import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import { SHIPPED_FLOWS_DIR } from '../../src/routing/flow-files.js';
import { insertBacktestRun } from '../../src/store/backtest-run.repository.js';
import { startApi, type TestApi } from '../http/api-fixture.js';
import { runCli } from './run-cli.js';

type Files = Array<{ name: string; text: string }>;

const customer = scenario('blueprint-customer').lead;

// Each step starts the CLI (tsx) as a child process: slow on a busy machine.
describe('npm run cli -- backtest publish', { timeout: 120_000 }, () => {
  let api: TestApi;
  let dir: string;
  let cli: (args: string[]) => ReturnType<typeof runCli>;
  const live = async () =>
    (await api.call('GET', '/v1/flows/export')).body as { version: number; files: Files };

  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
    cli = (args) => runCli(args, { SWITCHYARD_URL: api.url });
    dir = mkdtempSync(path.join(tmpdir(), 'switchyard-backtest-publish-'));
    writeFileSync(path.join(dir, 'ids.txt'), `${customer.Id}\n`);
  }, 180_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await api.close();
  });

  /** A copy of the shipped folder with a comment line added to the reroute flow: a change routing ignores. */
  const candidate = (note: string): string => {
    const folder = path.join(dir, note.replace(/\W+/g, '-'));
    cpSync(SHIPPED_FLOWS_DIR, folder, { recursive: true });
    appendFileSync(path.join(folder, 'reroute.flow.yaml'), `# ${note}\n`);
    return folder;
  };
  const backtest = async (folder: string) => {
    const run = await cli(['backtest', '--candidate', folder, '--ids', path.join(dir, 'ids.txt')]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The command it prints names this run by its id, not whichever run is newest when it is typed.
    const printed =
      /Kept as backtest (\d+)\. To publish this candidate as it was backtested: npm run cli -- backtest publish (\d+) --reason/.exec(
        run.stdout,
      );
    expect(printed, run.stdout).not.toBeNull();
    expect(printed![2]).toBe(printed![1]);
    const id = Number(printed![1]);
    expect((await api.call('GET', '/v1/backtests/latest')).body.backtest.id).toBe(id);
    return id;
  };

  it('publishes the newest backtest dry, then for real, over the version it was backtested against', async () => {
    const before = await live();
    const id = await backtest(candidate('backtested from the CLI'));

    const dry = await cli(['backtest', 'publish', '--latest', '--reason', 'Moves nobody', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(
      new RegExp(
        `^Backtest ${id}, run by Zoe Park at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC against version ${before.version}\\.\n`,
      ),
    );
    expect(dry.stdout).toContain(
      `Dry run: against version ${before.version}, the live one, this would change:\n  reroute.flow.yaml changed (+1 −0)`,
    );
    expect((await live()).version).toBe(before.version);

    const real = await cli(['backtest', 'publish', String(id), '--reason', 'Moves nobody']);
    expect(real.stderr).toBe('');
    expect(real.status).toBe(0);
    expect(real.stdout).toMatch(
      new RegExp(
        `^The candidate of backtest ${id} published as version ${before.version + 1} \\(over version ${before.version}\\)`,
      ),
    );
    const after = await live();
    expect(after.version).toBe(before.version + 1);
    expect(after.files.find((f) => f.name === 'reroute.flow.yaml')?.text).toMatch(
      /# backtested from the CLI\n$/,
    );
    const [newest] = (await api.call('GET', '/v1/flows/versions')).body.items;
    expect(newest).toMatchObject({ action: 'publish', reason: 'Moves nobody', author: { id: DEMO.admin } });
  });

  it('refuses a backtest overtaken by another version, naming it, and publishes nothing', async () => {
    const before = await live();
    const id = await backtest(candidate('mine'));
    const theirs = await api.call('POST', '/v1/flows/publish', {
      body: {
        files: before.files.map((f) => (f.name === 'pools.yaml' ? { ...f, text: `${f.text}# theirs\n` } : f)),
        reason: 'Their change',
        baseVersion: before.version,
      },
    });
    expect(theirs.status, theirs.text).toBe(201);
    const run = await cli(['backtest', 'publish', String(id), '--reason', 'Mine']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`Backtest ${id} compared the candidate with version ${before.version}.`);
    expect(run.stderr).toContain('"Their change"');
    expect(run.stderr).toContain(`against version ${before.version + 1}`);
    expect((await live()).version).toBe(before.version + 1);
  });

  it('says each problem as file:line:column when the org no longer takes the candidate', async () => {
    const current = await live();
    // As if the org lost the field since the backtest ran: the kept files no longer validate.
    await insertBacktestRun(api.store.db, {
      ranAt: new Date().toISOString(),
      author: { id: DEMO.admin, name: 'Zoe Park' },
      liveVersion: current.version,
      candidateHash: 'not-checked-here',
      candidate: Object.fromEntries(
        current.files.map((f) => [
          f.name,
          f.name === 'reroute.flow.yaml'
            ? f.text.replace('field: lead.Status', 'field: lead.Stauts')
            : f.text,
        ]),
      ),
      scope: { leadIds: 1, trigger: 'created' },
      summary: {},
      missing: 0,
    });
    const run = await cli(['backtest', 'publish', '--latest', '--reason', 'Go']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/\n {2}reroute\.flow\.yaml:\d+:\d+ .*lead\.Stauts/);
    expect(run.stderr).toContain('correct the candidate');
    expect((await live()).version).toBe(current.version);
  });

  it('says what to give when the backtest, its id or the reason is missing', async () => {
    const neither = await cli(['backtest', 'publish', '--reason', 'Go']);
    expect(neither.status).toBe(2);
    expect(neither.stderr).toMatch(/^Say which backtest to publish: its id, or --latest/);
    expect(neither.stderr).toContain('Usage: npm run cli -- backtest publish');

    const both = await cli(['backtest', 'publish', '3', '--latest', '--reason', 'Go']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/^Say which backtest to publish/);

    const word = await cli(['backtest', 'publish', 'newest', '--reason', 'Go']);
    expect(word.status).toBe(2);
    expect(word.stderr).toMatch(
      /^The backtest id must be the number the backtest was kept as .*, not 'newest'\./,
    );

    const noReason = await cli(['backtest', 'publish', '--latest']);
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toMatch(/^Say why with --reason/);

    const unknown = await cli(['backtest', 'publish', '99999', '--reason', 'Go']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^There is no backtest 99999: only the newest 100 backtests are kept\./);

    const help = await cli(['backtest', 'publish', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run cli -- backtest publish \(<backtest id> \| --latest\)/);
    const top = await cli(['--help']);
    expect(top.stdout).toContain('backtest publish (<id> | --latest) --reason text [--dry-run]');
  });
});
