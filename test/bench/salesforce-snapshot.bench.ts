/**
 * The org snapshot of a 1,000,000-account org read from the Salesforce stand-in: accounts above the
 * REST threshold come through a Bulk API 2.0 query job (create, checks with the adapter's real pauses,
 * CSV result sets), then the match index is built and the snapshot kept in the store, as `npm start`
 * keeps it. Then a restart after 1,000 accounts changed: the kept snapshot loaded from the store and
 * only what changed since asked of the org (the first snapshot is let go first, as a stopped process
 * lets it go). Time and API calls, counted by the stand-in.
 */
import type { CrmPort } from '../../companion/src/crm/crm.port.js';
import { createSalesforceCrm } from '../../companion/src/crm/salesforce/salesforce.factory.js';
import { LiveOrgSnapshot } from '../../companion/src/routing/live-org-snapshot.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import type { Store } from '../../companion/src/store/store.js';
import { SalesforceStandIn } from '../salesforce/stand-in/stand-in.server.js';
import type { Report } from './run.js';

const ACCOUNTS = 1_000_000;
/** Accounts changed while the companion is down. */
const CHANGED = 1_000;
const COUNTRIES = ['Germany', 'United States', 'Japan', 'France', 'Brazil'];

/** An org of ACCOUNTS accounts, last changed a day ago. */
function seed(standIn: SalesforceStandIn): void {
  const owner = standIn.org.insert('User', { Name: 'Owner', IsActive: true, UserType: 'Standard' }, true).Id;
  const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
  for (let i = 0; i < ACCOUNTS; i++) {
    const account = standIn.org.insert(
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
    account['CreatedDate'] = account['SystemModstamp'] = dayAgo;
  }
}

/** Reads the org snapshot as the companion starts, keeping it in `store`; returns its time. */
async function start(
  crm: CrmPort,
  store: Store,
  accounts: (snapshot: LiveOrgSnapshot) => void,
): Promise<number> {
  const started = performance.now();
  const snapshot = await LiveOrgSnapshot.read(crm, {}, { store });
  const elapsed = performance.now() - started;
  accounts(snapshot);
  return elapsed;
}

export default async function (report: Report): Promise<void> {
  const standIn = await SalesforceStandIn.start();
  const store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  try {
    seed(standIn);
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
    const holds = (what: string) => (snapshot: LiveOrgSnapshot) => {
      if (snapshot.accounts.size !== ACCOUNTS)
        throw new Error(`the ${what} snapshot holds ${snapshot.accounts.size} accounts, not ${ACCOUNTS}`);
    };

    standIn.resetCounts();
    const firstMs = await start(crm, store, holds('first'));
    const calls = standIn.calls();
    report({
      name: 'org snapshot: 1,000,000 accounts from the stand-in (Bulk API 2.0 query job, match index built, kept in the store; stand-in in the same process)',
      value: firstMs,
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

    // Stopped; meanwhile people change accounts in the org. Then started again on the same store.
    globalThis.gc?.();
    const ids = [...standIn.org.table('Account').keys()];
    const changed = Array.from({ length: CHANGED }, (_, i) => ids[i * (ACCOUNTS / CHANGED)]!);
    for (const id of changed) standIn.org.update('Account', id, { Type: 'Customer', Name: `Renamed ${id}` });
    standIn.resetCounts();
    const restartMs = await start(crm, store, (snapshot) => {
      holds('restarted')(snapshot);
      if (snapshot.accounts.get(changed[0]!)?.Name !== `Renamed ${changed[0]}`)
        throw new Error('the restarted snapshot misses an account changed while it was stopped');
    });
    report({
      name: 'org snapshot: restart with it kept, 1,000 of 1,000,000 accounts changed meanwhile (loaded from the store, changes asked of the org, match index built)',
      value: restartMs,
      unit: 'ms',
    });
    report({
      name: 'org snapshot: API calls for that restart',
      value: standIn.apiCalls(),
      unit: 'calls',
      target: '<= 10',
    });
  } finally {
    await store.close();
    await standIn.close();
  }
}
