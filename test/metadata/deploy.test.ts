import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const realSf = path.join(root, 'node_modules/.bin/sf');

let fakeBin: string;
let callLog: string;

/** A stand-in `sf` first on PATH: it records each call and exits with SF_EXIT_<n> for its n-th call. */
function writeFakeSf(): void {
  const script = `#!/bin/sh
n=$(( $(wc -l < "${callLog}" 2>/dev/null || echo 0) + 1 ))
echo "$*" >> "${callLog}"
eval "code=\\\${SF_EXIT_$n:-0}"
exit $code
`;
  const file = path.join(fakeBin, 'sf');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
}

function deploy(args: string[], env: Record<string, string> = {}) {
  return spawnSync(tsx, ['scripts/deploy.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${fakeBin}${path.delimiter}${process.env.PATH}`, ...env },
  });
}

function calls(): string[] {
  try {
    return readFileSync(callLog, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

beforeEach(() => {
  fakeBin = mkdtempSync(path.join(tmpdir(), 'switchyard-fake-sf-'));
  callLog = path.join(fakeBin, 'calls.log');
  writeFakeSf();
});

afterEach(() => {
  rmSync(fakeBin, { recursive: true, force: true });
});

describe('npm run deploy', () => {
  it('refuses to run without --target-org and says how to name one', () => {
    const result = deploy([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('No target org given');
    expect(result.stderr).toContain('npm run deploy -- --target-org <alias or username>');
    expect(calls()).toEqual([]);
  });

  it('refuses an empty --target-org', () => {
    const result = deploy(['--target-org', ' ']);
    expect(result.status).toBe(2);
    expect(calls()).toEqual([]);
  });

  it('deploys force-app, then assigns the Switchyard User permission set, to the named org', () => {
    const result = deploy(['--target-org', 'acme-sandbox']);
    expect(result.status).toBe(0);
    expect(calls()).toEqual([
      'project deploy start --source-dir force-app --target-org acme-sandbox --wait 30',
      'org assign permset --name Switchyard_User --target-org acme-sandbox',
    ]);
    expect(result.stdout).toContain('External Credentials');
  });

  it('stops before assigning the permission set when the deploy fails', () => {
    const result = deploy(['-o', 'acme-sandbox', '--wait', '10'], { SF_EXIT_1: '1' });
    expect(result.status).toBe(1);
    expect(calls()).toEqual([
      'project deploy start --source-dir force-app --target-org acme-sandbox --wait 10',
    ]);
    expect(result.stderr).toContain('failed');
  });

  it('validates only, with --dry-run', () => {
    const result = deploy(['-o', 'acme-sandbox', '--dry-run']);
    expect(result.status).toBe(0);
    expect(calls()).toEqual([
      'project deploy start --source-dir force-app --target-org acme-sandbox --wait 30 --dry-run',
    ]);
  });
});

describe('the Salesforce CLI the deploy script calls', () => {
  const offline = {
    ...process.env,
    SF_DISABLE_TELEMETRY: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
  };
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'switchyard-sf-home-'));
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  function help(command: string[]): string {
    const result = spawnSync(realSf, [...command, '--help'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...offline, HOME: home },
    });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  }

  it('accepts every flag used for the deploy', { timeout: 60_000 }, () => {
    const text = help(['project', 'deploy', 'start']);
    for (const flag of ['--source-dir', '--target-org', '--wait', '--dry-run']) expect(text).toContain(flag);
  });

  it('accepts every flag used to assign the permission set', { timeout: 60_000 }, () => {
    const text = help(['org', 'assign', 'permset']);
    for (const flag of ['--name', '--target-org']) expect(text).toContain(flag);
  });
});
