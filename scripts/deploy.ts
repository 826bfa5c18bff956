/**
 * `npm run deploy -- --target-org <alias>`: deploys force-app to an org with the Salesforce CLI and gives the
 * deploying user the Switchyard User permission set. Refuses to guess an org: deploying to a default org by
 * accident is worse than typing an alias.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const USAGE = `Usage: npm run deploy -- --target-org <alias or username>

  --target-org, -o   the org to deploy to, as you authorised it with "sf org login web --alias <alias>"
  --wait             minutes to wait for the deploy (default 30)
  --dry-run          validate the deploy in the org without saving anything

Run "sf org list" to see the orgs you can deploy to.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values: { 'target-org'?: string; wait?: string; 'dry-run'?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      'target-org': { type: 'string', short: 'o' },
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

function sf(args: string[]): void {
  process.stdout.write(`\n$ sf ${args.join(' ')}\n`);
  const result = spawnSync('sf', args, { stdio: 'inherit' });
  if (result.error) {
    fail(`Could not start the Salesforce CLI (${result.error.message}). Run "npm install" first.`);
  }
  if (result.status !== 0) {
    process.stderr.write(
      `\n"sf ${args[0]} ${args[1]} ${args[2]}" failed (exit code ${result.status}); stopped here.\n`,
    );
    process.exit(result.status ?? 1);
  }
}

const deploy = [
  'project',
  'deploy',
  'start',
  '--source-dir',
  'force-app',
  '--target-org',
  org,
  '--wait',
  wait,
];
if (values['dry-run']) {
  sf([...deploy, '--dry-run']);
  process.stdout.write('\nValidated: nothing was saved. Run again without --dry-run to deploy.\n');
  process.exit(0);
}
sf(deploy);
sf(['org', 'assign', 'permset', '--name', 'Switchyard_User', '--target-org', org]);
process.stdout.write(`
Deployed to ${org}, and you hold the Switchyard User permission set. Before the components work:
  1. Setup > Named Credentials > Switchyard Companion: set the URL to where your companion runs.
  2. Setup > Named Credentials > External Credentials > Switchyard Companion > principal "Companion":
     add the authentication parameter ApiKey with the companion's API key.
  3. Assign Switchyard User to reps and sellers, Switchyard Admin to RevOps
     (sf org assign permset --name Switchyard_User --on-behalf-of <username> --target-org ${org}).
`);
