import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const packageJson = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

/** A program run from the project's folder as a person's shell runs it; never spawnSync. */
function run(file: string, args: string[], env: Record<string, string | undefined> = {}) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      file,
      args,
      { cwd: root, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', ...env } },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** PATH without the project's node_modules/.bin: a shell's, whose `node` may be older than the one pinned. */
const shellPath = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => !dir.includes('node_modules'))
  .join(path.delimiter);

describe('the admin CLI as a command (package.json "bin": switchyard)', { timeout: 120_000 }, () => {
  it('npx switchyard --help lists the commands, and each command answers --help', async () => {
    const help = await run('npx', ['--offline', 'switchyard', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Switchyard's admin CLI: npx switchyard <command>/);
    expect(help.stdout).toContain('backtest --candidate <folder> (--days n | --ids file)');
    const backtest = await run('npx', ['--offline', 'switchyard', 'backtest', '--help']);
    expect(backtest.status, backtest.stderr).toBe(0);
    expect(backtest.stdout).toContain('--candidate');
  });

  it('exits non-zero and says so for a command it does not know', async () => {
    const res = await run('npx', ['--offline', 'switchyard', 'backtset']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("Unknown command 'backtset'.");
  });

  it('runs from a shell whose PATH lacks node_modules/.bin, whose node may be older than the pinned one', async () => {
    const bin = path.join(root, packageJson.bin.switchyard);
    expect(await readFile(bin, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    const res = await run(bin, ['validate'], { PATH: shellPath });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      /companion\/flows\/: \d+ flows, \d+ pools and \d+ territory tables are valid\./,
    );
  });

  it('is in the lock file, so npm ci installs the project with it', async () => {
    const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8'));
    expect(packageJson.bin).toEqual({ switchyard: 'bin/switchyard.mjs' });
    expect(lock.packages[''].bin).toEqual(packageJson.bin);
  });
});
