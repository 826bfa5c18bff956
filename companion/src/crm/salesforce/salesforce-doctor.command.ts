import { ConfigError, loadConfig } from '../../config.js';
import { FlowInvalidError, type Flow } from '../../engine/flow/flow-loader.js';
import { leadStatusesUsed } from '../../engine/lead-statuses-used.js';
import { formatIssue } from '../../engine/flow/yaml-source.js';
import { inFolder, readRoutingSet, SHIPPED_FLOWS_DIR } from '../../routing/flow-files.js';
import { CHANGE_OBJECTS } from './salesforce-changes.js';
import { checkOrg, checkOrgSetup } from './salesforce-doctor.js';
import { flowSchemaNeeds, REQUIRED_SCHEMA } from './salesforce-fields.js';
import { createSalesforceCrm, type SalesforceConnection } from './salesforce.factory.js';
import { SalesforceApiError } from './salesforce.errors.js';

/**
 * `npm run doctor`: logs in with the SF_* settings, reads the API limit and checks the org.
 * Returns the process exit code; prints what to fix.
 */
export async function runDoctor(
  env: Record<string, string | undefined>,
  print: (line: string) => void,
  flowsDir?: string,
): Promise<number> {
  let settings;
  let routingDir: string;
  try {
    // The doctor serves no requests, so the API key the server needs is not asked for here.
    const config = loadConfig(
      {
        ...env,
        SWITCHYARD_MODE: 'salesforce',
        SWITCHYARD_API_KEY: env['SWITCHYARD_API_KEY'] || 'doctor-serves-no-requests',
      },
      { serving: false },
    );
    settings = config.salesforce!;
    routingDir = flowsDir ?? config.routingDir ?? SHIPPED_FLOWS_DIR;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    print('Salesforce settings are incomplete:');
    for (const p of err.problems) print(`  ✗ ${p.setting} ${p.message}`);
    return 1;
  }
  print(`Logging in to ${settings.loginUrl} as ${settings.username} (JWT bearer flow)…`);
  let connection;
  try {
    connection = await createSalesforceCrm({ ...settings, verifySchema: false, readLimits: false });
  } catch (err) {
    print(`  ✗ ${(err as Error).message}`);
    return 1;
  }
  print(`  ✓ logged in to ${connection.api.conn.instanceUrl} (org ${connection.auth.orgId})`);
  try {
    const limits = await connection.api.refreshLimits();
    print(
      `  ✓ API limit: ${limits.remaining} of ${limits.max} daily calls left; Switchyard's budget is ${limits.budget}`,
    );
    const problems: string[] = [];
    const flows = await routingFlows(connection, routingDir, problems, print);
    const report = await checkOrg(connection.api, [...REQUIRED_SCHEMA, ...flowSchemaNeeds(flows)]);
    problems.push(...report.problems);
    problems.push(
      ...(await checkOrgSetup(connection.api, {
        userId: connection.auth.userId,
        leadStatuses: leadStatusesUsed(flows),
        changeObjects: CHANGE_OBJECTS,
      })),
    );
    if (problems.length === 0) {
      print(
        `  ✓ ${report.objects} objects and ${report.fields} fields are there and writable where routing writes`,
      );
      print(
        `  ✓ lead statuses, Change Data Capture (${CHANGE_OBJECTS.join(', ')}), the integration user's permissions and the API version are as routing needs`,
      );
      print('The org is ready: start the companion with SWITCHYARD_MODE=salesforce.');
      return 0;
    }
    print(`  ✗ ${problems.length} problem(s):`);
    for (const p of problems) print(`    - ${p}`);
    print(
      'Deploy the package (npm run deploy -- --target-org <alias>), assign the Switchyard permission set to the integration user, and run npm run doctor again.',
    );
    return 1;
  } catch (err) {
    print(`  ✗ ${(err as Error).message}`);
    return 1;
  }
}

/**
 * The routing set, resolved against the org's users and queues as the companion's start does: each
 * name that names nobody (a person not found, a queue missing or not taking Leads) is a problem of its
 * own; inactive people are told, not counted. A set that does not load leaves the other checks to run.
 */
async function routingFlows(
  connection: SalesforceConnection,
  dir: string,
  problems: string[],
  print: (line: string) => void,
): Promise<Flow[]> {
  try {
    const [users, queues] = await Promise.all([connection.crm.listUsers(), connection.crm.listQueues()]);
    const set = await readRoutingSet(dir, { users, queues });
    print(`  ✓ the routing set in ${dir} names ${set.people.refs.length} people and queues, all in the org`);
    for (const warning of set.people.warnings) print(`  ! ${formatIssue(inFolder(dir, warning))}`);
    return [...set.flows.values()];
  } catch (err) {
    if (err instanceof SalesforceApiError) {
      problems.push(
        `The org's users and queues could not be read, so the routing flows were not checked (${err.message})`,
      );
      return [];
    }
    if (!(err instanceof FlowInvalidError)) throw err;
    problems.push(
      ...err.issues.map((issue) => `routing set: ${formatIssue(inFolder(dir, issue))}`),
      `routing set: fix the ${err.issues.length} problem(s) above in ${dir}, or write a folder from this org with npm run cli -- init-routing --out <folder> and set SWITCHYARD_ROUTING_DIR to it`,
    );
    return [];
  }
}
