import { ConfigError, loadConfig, type Config } from '../../config.js';
import { FlowInvalidError, type Flow, type FlowIssue } from '../../engine/flow/flow-loader.js';
import { leadStatusesUsed } from '../../engine/lead-statuses-used.js';
import { formatIssue } from '../../engine/flow/yaml-source.js';
import {
  inFolder,
  readRoutingFiles,
  routingSetFromFiles,
  SHIPPED_FLOWS_DIR,
} from '../../routing/flow-files.js';
import { whenStored } from '../../routing/routing-versions.js';
import { embeddedStoreExists, openDatabase } from '../../store/open-database.js';
import { StoreNotMigratedError } from '../../store/store.errors.js';
import { readVersion, type RoutingFiles } from '../../store/routing-version.repository.js';
import { CHANGE_OBJECTS } from './salesforce-changes.js';
import { checkOrg, checkOrgSetup } from './salesforce-doctor.js';
import { flowSchemaNeeds, REQUIRED_SCHEMA } from './salesforce-fields.js';
import { createSalesforceCrm, type SalesforceConnection } from './salesforce.factory.js';
import { SalesforceApiError } from './salesforce.errors.js';

/**
 * `npm run doctor`: logs in with the SF_* settings, reads the API limit and checks the org against
 * the routing set that routes: the store's live version (the routing folder only while the store
 * holds none, as the first start stores it). Returns the process exit code; prints what to fix.
 */
export async function runDoctor(
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<number> {
  let settings;
  let config: Config;
  try {
    // The doctor serves no requests, so the API key the server needs is not asked for here.
    config = loadConfig(
      {
        ...env,
        SWITCHYARD_MODE: 'salesforce',
        SWITCHYARD_API_KEY: env['SWITCHYARD_API_KEY'] || 'doctor-serves-no-requests',
      },
      { serving: false },
    );
    settings = config.salesforce!;
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
    const flows = await routingFlows(connection, config, problems, print);
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

/** The routing set that routes, as its files, and how the doctor's lines name it and its files. */
interface RoutingSource {
  files: RoutingFiles;
  /** "the live routing version 3 (publish by Ada at …)" or "the routing folder …". */
  name: string;
  where: (issue: FlowIssue) => FlowIssue;
  fix: string;
}

/**
 * The routing set the companion routes with: the store's live version; while the store holds none
 * (no database yet, or never started), the routing folder, which the first start stores as version 1.
 * Null, with the problem told, when the store cannot be read.
 */
async function routingSource(config: Config, problems: string[]): Promise<RoutingSource | null> {
  const dir = config.routingDir ?? SHIPPED_FLOWS_DIR;
  const embeddedMissing = config.databaseUrl === null && !embeddedStoreExists(config.dataDir);
  let live = null;
  let empty = false;
  if (!embeddedMissing) {
    try {
      // Never migrate: a doctor run from a newer checkout must not upgrade the companion's tables.
      const store = await openDatabase(config, { migrate: false });
      try {
        live = await readVersion(store.db);
      } finally {
        await store.close();
      }
    } catch (err) {
      if (err instanceof StoreNotMigratedError && err.state === 'empty') {
        empty = true;
      } else if (err instanceof StoreNotMigratedError) {
        problems.push(
          `The live routing version was not read, so the routing set was not checked, and the store was left as it is: ${err.message}`,
        );
        return null;
      } else {
        problems.push(
          `The live routing version could not be read from the store (${(err as Error).message}), so the routing set was not checked: run the doctor with the companion's DATABASE_URL or SWITCHYARD_DATA_DIR, and, for the embedded store, while the companion is stopped`,
        );
        return null;
      }
    }
  }
  if (live) {
    const v = live;
    return {
      files: v.files,
      name: `the live routing version ${v.version} (${v.action} by ${v.author.name} at ${whenStored(v.createdAt)}: "${v.reason}")`,
      where: (issue) => ({ ...issue, file: `version ${v.version}: ${issue.file}` }),
      fix: `fix the org, or export the live set (npm run cli -- export --folder <folder>), correct it and publish it with --base ${v.version}`,
    };
  }
  try {
    return {
      files: await readRoutingFiles(dir),
      name: empty
        ? `the routing folder ${dir} (the store has no tables yet: the first start creates them and stores the folder as version 1)`
        : `the routing folder ${dir} (the store holds no version yet: the first start stores it as version 1)`,
      where: (issue) => inFolder(dir, issue),
      fix: `fix them in ${dir}, or write a folder from this org with npm run cli -- init-routing --out <folder> and set SWITCHYARD_ROUTING_DIR to it`,
    };
  } catch (err) {
    if (!(err instanceof FlowInvalidError)) throw err;
    problems.push(
      ...err.issues.map((issue) => `routing set: ${formatIssue(inFolder(dir, issue))}`),
      `routing set: the routing folder ${dir} cannot be read: fix the ${err.issues.length} problem(s) above`,
    );
    return null;
  }
}

/**
 * The routing set that routes, resolved against the org's users and queues as the companion's start
 * does: each name that names nobody (a person not found, a queue missing or not taking Leads) is a
 * problem of its own; inactive people are told, not counted. A set that does not load leaves the
 * other checks to run.
 */
async function routingFlows(
  connection: SalesforceConnection,
  config: Config,
  problems: string[],
  print: (line: string) => void,
): Promise<Flow[]> {
  const source = await routingSource(config, problems);
  if (!source) return [];
  try {
    const [users, queues] = await Promise.all([connection.crm.listUsers(), connection.crm.listQueues()]);
    const set = routingSetFromFiles(
      Object.entries(source.files).map(([file, text]) => ({ file, text })),
      { users, queues },
    );
    print(`  ✓ ${source.name} names ${set.people.refs.length} people and queues, all in the org`);
    for (const warning of set.people.warnings) print(`  ! ${formatIssue(source.where(warning))}`);
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
      ...err.issues.map((issue) => `routing set: ${formatIssue(source.where(issue))}`),
      `routing set: ${err.issues.length} problem(s) above in ${source.name}: ${source.fix}`,
    );
    return [];
  }
}
