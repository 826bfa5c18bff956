import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import type { CrmPort } from '../crm/crm.port.js';
import { ensureDemoOrg } from '../crm/local/demo-org.seed.js';
import { DEMO_SCENARIO } from '../crm/local/demo-scenarios.js';
import { localParts } from '../crm/local/local-parts.js';
import { createSalesforceCrm } from '../crm/salesforce/salesforce.factory.js';
import { formatIssue } from '../engine/flow/yaml-source.js';
import { inFolder } from '../routing/flow-files.js';
import { writeRoutingFolder, type RoutingFolderReport } from '../routing/routing-folder.js';
import { openDatabase } from '../store/open-database.js';

/**
 * `npm run cli -- init-routing --out <folder>`: writes a starting routing folder from the org the
 * settings name: the local demo org (SWITCHYARD_MODE=local, the default) or Salesforce
 * (SWITCHYARD_MODE=salesforce and the SF_* settings), read through the CRM port. Returns the exit code.
 */
export async function initRouting(
  args: string[],
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<number> {
  const at = args.indexOf('--out');
  const out = at >= 0 ? args[at + 1] : undefined;
  if (!out || out.startsWith('--')) {
    print('init-routing needs a folder to write: npm run cli -- init-routing --out <folder>');
    return 2;
  }
  let config;
  try {
    // Nothing is served, so the API key salesforce mode asks for is not needed here.
    config = loadConfig(
      { ...env, SWITCHYARD_API_KEY: env['SWITCHYARD_API_KEY'] || 'init-routing-serves-none' },
      { serving: false },
    );
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    print(err.message);
    return 2;
  }
  const folder = resolve(out);
  let crm: CrmPort;
  let leaveOut: string[] = [];
  let from: string;
  let close = async (): Promise<void> => {};
  if (config.mode === 'salesforce') {
    const connection = await createSalesforceCrm({
      ...config.salesforce!,
      verifySchema: false,
      readLimits: false,
    });
    crm = connection.crm;
    // The integration user routes; it is nobody's pool member.
    leaveOut = [connection.auth.userId];
    from = `the Salesforce org at ${connection.api.conn.instanceUrl}`;
  } else {
    const store = await openDatabase(config);
    close = () => store.close();
    await ensureDemoOrg(store.db, { scenario: DEMO_SCENARIO, ...config.demoOrg });
    crm = localParts(store.db).crm;
    from = `the local demo org in ${config.databaseUrl ? 'PostgreSQL' : config.dataDir}`;
  }
  try {
    const report = await writeRoutingFolder(crm, folder, { leaveOut });
    printReport(report, folder, from, print);
    return 0;
  } finally {
    await close();
  }
}

function printReport(
  report: RoutingFolderReport,
  folder: string,
  from: string,
  print: (line: string) => void,
) {
  print(`Wrote ${folder} from ${from}:`);
  for (const pool of report.pools)
    print(
      `  pools.yaml: pool ${pool.name} (${pool.group}), ${pool.members} ${pool.members === 1 ? 'person' : 'people'} by username`,
    );
  print(
    `  territories.yaml: the ${report.countries} countries the org's leads are in${report.countries > 0 ? ', a row per sales region, each to the first pool: point each at its region' : ''}`,
  );
  print(
    `  inbound.flow.yaml: new leads ${report.countries > 0 ? 'by country' : 'to the first pool'}${report.queue ? `, else to queue ${report.queue}` : ''}; the org's ${report.statuses.length} lead statuses listed for your rules`,
  );
  if (report.leftOut.length > 0) {
    print(`Left out (${report.leftOut.length}):`);
    for (const line of report.leftOut) print(`  - ${line}`);
  }
  for (const warning of report.set.people.warnings) print(`  ! ${formatIssue(inFolder(folder, warning))}`);
  print(
    `It loads against the org: ${report.set.people.refs.length} names of people and queues resolve. ` +
      `Edit it, check it with npm run cli -- validate ${folder}, and start with SWITCHYARD_ROUTING_DIR=${folder}.`,
  );
}
