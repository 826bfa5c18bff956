import { ConfigError, loadConfig } from '../../config.js';
import { checkOrg } from './salesforce-doctor.js';
import { REQUIRED_SCHEMA } from './salesforce-fields.js';
import { createSalesforceCrm } from './salesforce.factory.js';

/**
 * `npm run doctor`: logs in with the SF_* settings, reads the API limit and checks the org.
 * Returns the process exit code; prints what to fix.
 */
export async function runDoctor(
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<number> {
  let settings;
  try {
    // The doctor serves no requests, so the API key the server needs is not asked for here.
    const config = loadConfig({
      ...env,
      SWITCHYARD_MODE: 'salesforce',
      SWITCHYARD_API_KEY: env['SWITCHYARD_API_KEY'] || 'doctor-serves-no-requests',
    });
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
    const report = await checkOrg(connection.api, REQUIRED_SCHEMA);
    if (report.problems.length === 0) {
      print(
        `  ✓ ${report.objects} objects and ${report.fields} fields are there and writable where routing writes`,
      );
      print('The org is ready: start the companion with SWITCHYARD_MODE=salesforce.');
      return 0;
    }
    print(`  ✗ ${report.problems.length} problem(s):`);
    for (const p of report.problems) print(`    - ${p}`);
    print(
      'Deploy the package (npm run deploy -- --target-org <alias>), assign the Switchyard permission set to the integration user, and run npm run doctor again.',
    );
    return 1;
  } catch (err) {
    print(`  ✗ ${(err as Error).message}`);
    return 1;
  }
}
