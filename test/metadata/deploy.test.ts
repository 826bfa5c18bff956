import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const realSf = path.join(root, 'node_modules/.bin/sf');

let fakeBin: string;
let callLog: string;
let urlLog: string;

/**
 * A stand-in `sf` first on PATH: it records each call (and the companion URL it was given in its
 * environment), prints SF_OUT_<n> and exits with SF_EXIT_<n> for its n-th call.
 */
function writeFakeSf(): void {
  const script = `#!/bin/sh
n=$(( $(wc -l < "${callLog}" 2>/dev/null || echo 0) + 1 ))
echo "$*" >> "${callLog}"
echo "\${SWITCHYARD_COMPANION_URL:-unset}" >> "${urlLog}"
eval "out=\\\${SF_OUT_$n:-}"
printf '%s' "$out"
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

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

const calls = () => lines(callLog);
/** SWITCHYARD_COMPANION_URL as each sf call saw it ("unset" when absent). */
const urls = () => lines(urlLog);

/** Every folder of the package but the Named Credential's, as the deploy lists them without a URL. */
const PACKAGE_BUT_URL = readdirSync(path.join(root, 'force-app/main/default'))
  .filter((name) => name !== 'namedCredentials')
  .sort()
  .map((name) => `--source-dir force-app/main/default/${name}`)
  .join(' ');

/** `sf org assign permset --json` when the user already holds the set (DUPLICATE_VALUE from the org). */
const ALREADY_ASSIGNED = JSON.stringify({
  status: 1,
  result: {
    successes: [],
    failures: [
      {
        name: 'admin@acme.com',
        message:
          'Duplicate PermissionSetAssignment. Assignee: 005000000000001, PermissionSet: 0PS000000000001',
        details: [
          { errorCode: 'DUPLICATE_VALUE', message: 'Duplicate PermissionSetAssignment.', fields: [] },
        ],
      },
    ],
  },
});

beforeEach(() => {
  fakeBin = mkdtempSync(path.join(tmpdir(), 'switchyard-fake-sf-'));
  callLog = path.join(fakeBin, 'calls.log');
  urlLog = path.join(fakeBin, 'urls.log');
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

  it('deploys force-app with the companion URL, runs the local Apex tests, then assigns Switchyard User', () => {
    const result = deploy(['--target-org', 'acme-sandbox', '--companion-url', 'https://route.acme.com/']);
    expect(result.status, result.stderr).toBe(0);
    expect(calls()).toEqual([
      'project deploy start --source-dir force-app --target-org acme-sandbox --wait 30 --test-level RunLocalTests',
      'org assign permset --name Switchyard_User --target-org acme-sandbox --json',
    ]);
    // sfdx-project.json's replacement puts this variable into the Named Credential as it is deployed.
    expect(urls()[0]).toBe('https://route.acme.com');
    expect(result.stdout).toContain('points at https://route.acme.com');
    expect(result.stdout).toContain('External Credentials');
  });

  it('leaves the Named Credential out without --companion-url, so the URL set in the org stays', () => {
    const result = deploy(['--target-org', 'acme-sandbox']);
    expect(result.status, result.stderr).toBe(0);
    expect(calls()[0]).toBe(
      `project deploy start ${PACKAGE_BUT_URL} --target-org acme-sandbox --wait 30 --test-level RunLocalTests`,
    );
    expect(calls()[0]).not.toContain('namedCredentials');
    expect(urls()[0]).toBe('unset');
    expect(result.stdout).toContain('left as it is in the org');
  });

  it('deploys twice: a permission set the user already holds is not an error', () => {
    const result = deploy(['-o', 'acme-sandbox'], { SF_EXIT_2: '1', SF_OUT_2: ALREADY_ASSIGNED });
    expect(result.status, result.stderr).toBe(0);
    expect(calls()).toHaveLength(2);
    expect(result.stdout).toContain('Switchyard_User was already assigned');
  });

  it('stops on any other permission set failure and shows what sf said', () => {
    const refused = JSON.stringify({
      status: 1,
      result: { successes: [], failures: [{ name: 'a@acme.com', message: 'Permission set not found' }] },
    });
    const result = deploy(['-o', 'acme-sandbox'], { SF_EXIT_2: '1', SF_OUT_2: refused });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Permission set not found');
    expect(result.stderr).toContain('stopped here');
  });

  it("runs only Switchyard's own test classes with --test-level RunSpecifiedTests", () => {
    const result = deploy([
      '-o',
      'acme',
      '--companion-url',
      'https://r.acme.com',
      '--test-level',
      'RunSpecifiedTests',
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(calls()[0]).toBe(
      'project deploy start --source-dir force-app --target-org acme --wait 30 --test-level RunSpecifiedTests --tests SwitchyardControllerTest',
    );
  });

  it('refuses an unknown test level and a companion URL that is not https', () => {
    const level = deploy(['-o', 'acme', '--test-level', 'RunSomeTests']);
    expect(level.status).toBe(2);
    expect(level.stderr).toContain('--test-level must be one of NoTestRun, RunSpecifiedTests');
    const url = deploy(['-o', 'acme', '--companion-url', 'http://route.acme.com']);
    expect(url.status).toBe(2);
    expect(url.stderr).toContain('must use https');
    expect(calls()).toEqual([]);
  });

  it('stops before assigning the permission set when the deploy fails', () => {
    const result = deploy(['-o', 'acme-sandbox', '--wait', '10', '--test-level', 'NoTestRun'], {
      SF_EXIT_1: '1',
    });
    expect(result.status).toBe(1);
    expect(calls()).toEqual([
      `project deploy start ${PACKAGE_BUT_URL} --target-org acme-sandbox --wait 10 --test-level NoTestRun`,
    ]);
    expect(result.stderr).toContain('failed');
  });

  it('validates only, with --dry-run', () => {
    const result = deploy(['-o', 'acme-sandbox', '--companion-url', 'https://route.acme.com', '--dry-run']);
    expect(result.status).toBe(0);
    expect(calls()).toEqual([
      'project deploy start --source-dir force-app --target-org acme-sandbox --wait 30 --test-level RunLocalTests --dry-run',
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
    for (const flag of ['--source-dir', '--target-org', '--wait', '--dry-run', '--test-level', '--tests'])
      expect(text).toContain(flag);
  });

  it(
    'puts --companion-url into the Named Credential as the package is converted for deploy',
    { timeout: 120_000 },
    () => {
      const out = mkdtempSync(path.join(tmpdir(), 'switchyard-converted-'));
      try {
        const convert = (env: Record<string, string>) =>
          spawnSync(
            realSf,
            [
              'project',
              'convert',
              'source',
              '--source-dir',
              'force-app/main/default/namedCredentials',
              '--output-dir',
              path.join(out, String(Object.keys(env).length)),
            ],
            // Replacements run on deploy; this variable makes convert apply them too (source-deploy-retrieve).
            {
              cwd: root,
              encoding: 'utf8',
              env: { ...offline, HOME: home, SF_APPLY_REPLACEMENTS_ON_CONVERT: 'true', ...env },
            },
          );
        const withUrl = convert({ SWITCHYARD_COMPANION_URL: 'https://route.acme.com' });
        expect(withUrl.status, withUrl.stderr).toBe(0);
        const xml = readFileSync(
          path.join(out, '1/namedCredentials/Switchyard_Companion.namedCredential'),
          'utf8',
        );
        expect(xml).toContain('<parameterValue>https://route.acme.com</parameterValue>');
        expect(xml).not.toContain('example.com');
        // Without the variable the Named Credential is refused, never deployed with the placeholder.
        const without = convert({});
        expect(without.status).not.toBe(0);
        expect(without.stderr + without.stdout).toContain('SWITCHYARD_COMPANION_URL');
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );

  it('accepts every flag used to assign the permission set', { timeout: 60_000 }, () => {
    const text = help(['org', 'assign', 'permset']);
    for (const flag of ['--name', '--target-org', '--json']) expect(text).toContain(flag);
  });
});
