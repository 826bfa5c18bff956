/**
 * The org snapshot of a 1,000,000-account org read from the Salesforce stand-in: accounts above the
 * REST threshold come through a Bulk API 2.0 query job (create, checks with the adapter's real pauses,
 * CSV result sets), then the match index is built. Time and API calls, counted by the stand-in.
 */
import { createSalesforceCrm } from '../../companion/src/crm/salesforce/salesforce.factory.js';
import { LiveOrgSnapshot } from '../../companion/src/routing/live-org-snapshot.js';
import { SalesforceStandIn } from '../salesforce/stand-in/stand-in.server.js';
import type { Report } from './run.js';

const ACCOUNTS = 1_000_000;
const COUNTRIES = ['Germany', 'United States', 'Japan', 'France', 'Brazil'];

export default async function (report: Report): Promise<void> {
  const standIn = await SalesforceStandIn.start();
  try {
    const owner = standIn.org.insert(
      'User',
      { Name: 'Owner', IsActive: true, UserType: 'Standard' },
      true,
    ).Id;
    for (let i = 0; i < ACCOUNTS; i++) {
      standIn.org.insert(
        'Account',
        {
          Name: `Company ${i} GmbH`,
          Website: `company${i}.example`,
          Type: i % 7 === 0 ? 'Customer' : 'Prospect',
          OwnerId: owner,
          BillingCountry: COUNTRIES[i % COUNTRIES.length],
          NumberOfEmployees: i % 5000,
        },
        true,
      );
    }
    const { crm } = await createSalesforceCrm({
      loginUrl: standIn.url,
      clientId: standIn.clientId,
      username: standIn.username,
      privateKey: standIn.privateKeyPem,
      verifySchema: false,
      // The stand-in runs in this process and scans its million records for each query: slow answers
      // here are the stand-in's, not Salesforce's.
      policy: { timeoutMs: 600_000 },
    });
    standIn.resetCounts();
    const started = performance.now();
    const snapshot = await LiveOrgSnapshot.read(crm);
    const elapsed = performance.now() - started;
    if (snapshot.accounts.size !== ACCOUNTS)
      throw new Error(`the snapshot holds ${snapshot.accounts.size} accounts, not ${ACCOUNTS}`);
    const calls = standIn.calls();
    report({
      name: 'org snapshot: 1,000,000 accounts from the stand-in (Bulk API 2.0 query job, match index built; stand-in in the same process)',
      value: elapsed,
      unit: 'ms',
    });
    report({
      name: 'org snapshot: API calls for 1,000,000 accounts (REST pages would take 500)',
      value: standIn.apiCalls(),
      unit: 'calls',
      target: '<= 30',
    });
    report({
      name: 'org snapshot: Bulk API 2.0 result sets for 1,000,000 accounts',
      value: calls['bulkResults'] ?? 0,
      unit: 'calls',
    });
  } finally {
    await standIn.close();
  }
}
