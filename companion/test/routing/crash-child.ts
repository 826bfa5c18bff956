/**
 * Routes the leads named on the command line with the shipped flows, on the embedded store in the
 * given folder, and dies (SIGKILL, no clean-up) right after the routing transaction commits: the
 * effects are stored but never applied. Run by crash.test.ts.
 */
import { LocalOrg } from '../../src/crm/local/local-org.js';
import { openDatabase } from '../../src/store/open-database.js';
import { demoRoutingService, MONDAY } from './routing-fixture.js';

const [dataDir, ...leadIds] = process.argv.slice(2);
const store = await openDatabase({ databaseUrl: null, dataDir: dataDir! });
const crm = new LocalOrg(store.db, { now: () => new Date(MONDAY) });
const service = await demoRoutingService(store, crm, {
  applyLeaseMs: 1,
  afterCommit: () => {
    process.kill(process.pid, 'SIGKILL');
  },
});
await service.routeMany(leadIds.map((leadId) => ({ leadId, trigger: { kind: 'created' as const } })));
// Not reached: the process is killed after the commit.
process.exitCode = 3;
