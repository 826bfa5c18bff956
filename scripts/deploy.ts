/**
 * `npm run deploy -- --target-org <alias>`: deploys force-app to an org with the Salesforce CLI and gives the
 * deploying user the Switchyard User permission set. Refuses to guess an org: deploying to a default org by
 * accident is worse than typing an alias. Safe to run again: an assignment the user already holds is kept,
 * and the companion's URL in the org changes only when --companion-url names one.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const PACKAGE = 'force-app/main/default';
const NAMED_CREDENTIALS = 'namedCredentials';
/** The variable sfdx-project.json's `replacements` entry puts into the Named Credential's URL on deploy. */
const URL_VARIABLE = 'SWITCHYARD_COMPANION_URL';
/** `sf project deploy start --test-level` values (Metadata API "Running Tests in a Deployment"). */
const TEST_LEVELS = ['NoTestRun', 'RunSpecifiedTests', 'RunLocalTests', 'RunAllTestsInOrg'];

const USAGE = `Usage: npm run deploy -- --target-org <alias or username> [--companion-url https://…]

  --target-org, -o   the org to deploy to, as you authorised it with "sf org login web --alias <alias>"
  --companion-url    where the companion runs (https); sets the Switchyard Companion Named Credential's
                     URL. Needed on the first deploy; without it the URL already in the org is kept.
  --test-level       Apex tests the deploy runs: RunLocalTests (default; production orgs require tests),
                     RunSpecifiedTests (Switchyard's own test classes), NoTestRun (sandboxes and
                     Developer Edition orgs only) or RunAllTestsInOrg
  --wait             minutes to wait for the deploy (default 30)
  --dry-run          validate the deploy in the org without saving anything

Run "sf org list" to see the orgs you can deploy to.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values: {
  'target-org'?: string;
  'companion-url'?: string;
  'test-level'?: string;
  wait?: string;
  'dry-run'?: boolean;
  help?: boolean;
};
try {
  ({ values } = parseArgs({
    options: {
      'target-org': { type: 'string', short: 'o' },
      'companion-url': { type: 'string' },
      'test-level': { type: 'string', default: 'RunLocalTests' },
      wait: { type: 'string', default: '30' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  fail(`Cannot read the options: ${(error as Error).message}`);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const org = values['target-org']?.trim();
if (!org) {
  fail('No target org given: Switchyard never deploys to a default org. Name the org with --target-org.');
}
const wait = values.wait ?? '30';
if (!/^\d+$/.test(wait)) fail(`--wait must be a number of minutes, not "${wait}".`);
const testLevel = values['test-level'] ?? 'RunLocalTests';
if (!TEST_LEVELS.includes(testLevel)) {
  fail(`--test-level must be one of ${TEST_LEVELS.join(', ')}, not "${testLevel}".`);
}
const companionUrl = values['companion-url'] === undefined ? null : companionUrlOf(values['companion-url']);

/** The companion's base URL: https, no credentials, query or fragment (a Named Credential URL is a base). */
function companionUrlOf(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    fail(
      `--companion-url "${text}" is not a URL; give the companion's address, e.g. https://switchyard.acme.com`,
    );
  }
  if (url.protocol !== 'https:') {
    fail(`--companion-url must use https (Salesforce calls the companion over TLS), not "${url.protocol}".`);
  }
  if (url.username || url.password || url.search || url.hash) {
    fail(
      '--companion-url must be the plain address of the companion, without credentials, query or fragment.',
    );
  }
  return url.href.replace(/\/$/, '');
}

function sf(args: string[], env: NodeJS.ProcessEnv = process.env): void {
  process.stdout.write(`\n$ sf ${args.join(' ')}\n`);
  const result = spawnSync('sf', args, { stdio: 'inherit', env });
  if (result.error) {
    fail(`Could not start the Salesforce CLI (${result.error.message}). Run "npm install" first.`);
  }
  if (result.status !== 0) stopAfter(args, result.status);
}

function stopAfter(args: string[], status: number | null): never {
  process.stderr.write(`\n"sf ${args.slice(0, 3).join(' ')}" failed (exit code ${status}); stopped here.\n`);
  process.exit(status ?? 1);
}

/**
 * Assigns a permission set; one the user already holds is not an error. `sf org assign permset` reports
 * the org's DUPLICATE_VALUE ("Duplicate PermissionSetAssignment") as a failure with exit code 1, so the
 * JSON answer is read: every failure a duplicate means the assignment is already there.
 */
function assignPermissionSet(name: string): void {
  const args = ['org', 'assign', 'permset', '--name', name, '--target-org', org!, '--json'];
  process.stdout.write(`\n$ sf ${args.join(' ')}\n`);
  const result = spawnSync('sf', args, { encoding: 'utf8' });
  if (result.error) {
    fail(`Could not start the Salesforce CLI (${result.error.message}). Run "npm install" first.`);
  }
  if (result.status === 0) return void process.stdout.write(`Assigned ${name}.\n`);
  const failures = assignFailures(result.stdout);
  if (failures.length > 0 && failures.every(isDuplicateAssignment)) {
    return void process.stdout.write(`${name} was already assigned; nothing to do.\n`);
  }
  process.stderr.write(`${result.stdout}${result.stderr}`);
  stopAfter(args, result.status);
}

interface AssignFailure {
  message?: string;
  details?: Array<{ errorCode?: string; message?: string }>;
}

function assignFailures(stdout: string): AssignFailure[] {
  try {
    const answer = JSON.parse(stdout) as { result?: { failures?: AssignFailure[] } };
    return answer.result?.failures ?? [];
  } catch {
    return [];
  }
}

function isDuplicateAssignment(failure: AssignFailure): boolean {
  const duplicate = (code?: string, message?: string) =>
    code === 'DUPLICATE_VALUE' || /Duplicate PermissionSetAssignment/i.test(message ?? '');
  return (
    duplicate(undefined, failure.message) ||
    (failure.details ?? []).some((detail) => duplicate(detail.errorCode, detail.message))
  );
}

/**
 * What to deploy: all of force-app, or, without --companion-url, every folder but the Named Credential's,
 * so the URL an admin set in the org is not put back to the placeholder in source.
 */
function sourceDirs(): string[] {
  if (companionUrl) return ['force-app'];
  return readdirSync(PACKAGE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== NAMED_CREDENTIALS)
    .map((entry) => path.posix.join(PACKAGE, entry.name))
    .sort();
}

/** Switchyard's Apex test classes, for RunSpecifiedTests. */
function testClasses(): string[] {
  return readdirSync(path.join(PACKAGE, 'classes'))
    .filter((file) => /Test\.cls$/.test(file))
    .map((file) => file.replace(/\.cls$/, ''))
    .sort();
}

const deploy = [
  'project',
  'deploy',
  'start',
  ...sourceDirs().flatMap((dir) => ['--source-dir', dir]),
  '--target-org',
  org,
  '--wait',
  wait,
  '--test-level',
  testLevel,
  ...(testLevel === 'RunSpecifiedTests' ? testClasses().flatMap((name) => ['--tests', name]) : []),
];
const deployEnv = companionUrl ? { ...process.env, [URL_VARIABLE]: companionUrl } : process.env;
if (values['dry-run']) {
  sf([...deploy, '--dry-run'], deployEnv);
  process.stdout.write('\nValidated: nothing was saved. Run again without --dry-run to deploy.\n');
  process.exit(0);
}
sf(deploy, deployEnv);
assignPermissionSet('Switchyard_User');
const urlStep = companionUrl
  ? `The Switchyard Companion Named Credential points at ${companionUrl}.`
  : 'The Switchyard Companion Named Credential was left as it is in the org (no --companion-url given);\n' +
    'on a first deploy, run again with --companion-url https://<where the companion runs>.';
process.stdout.write(`
Deployed to ${org}, and you hold the Switchyard User permission set. ${urlStep}
Before the components work:
  1. Setup > Named Credentials > External Credentials > Switchyard Companion > principal "Companion":
     add the authentication parameter ApiKey with the companion's API key.
  2. Assign Switchyard User to reps and sellers, Switchyard Admin to RevOps
     (sf org assign permset --name Switchyard_User --on-behalf-of <username> --target-org ${org}).
  3. Check the org: npm run doctor
`);
