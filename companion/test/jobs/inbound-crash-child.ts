/**
 * Local mode's inbound routing on the embedded store in the given folder, killed (SIGKILL, no
 * clean-up) in the middle: the first routing batch commits and is held until the inbound stream has
 * inserted all its leads, which then wait in the in-memory queue when the process dies. Prints the
 * new leads' Ids, one a line, before it dies. Run by inbound-crash.test.ts.
 */
import { InboundGenerator } from '../../src/crm/local/inbound-generator.js';
import { LocalOrg } from '../../src/crm/local/local-org.js';
import { LeadChangeTrigger } from '../../src/jobs/lead-change.trigger.js';
import { openDatabase } from '../../src/store/open-database.js';
import { demoRoutingService, MONDAY } from '../routing/routing-fixture.js';

const [dataDir, count] = process.argv.slice(2);
const clock = () => new Date(MONDAY);
const store = await openDatabase({ databaseUrl: null, dataDir: dataDir! });
const org = new LocalOrg(store.db, { now: clock });
let inserted: () => void = () => {};
const allInserted = new Promise<void>((resolve) => (inserted = resolve));
const service = await demoRoutingService(store, org, {
  // The committed batch's writes may be taken up again at once after the restart.
  applyLeaseMs: 1,
  afterCommit: async () => {
    await allInserted;
    process.kill(process.pid, 'SIGKILL');
  },
});
const router = new LeadChangeTrigger({
  feed: org.feed,
  service,
  crm: org,
  resume: store.replayIds,
  clock,
});
router.start();
await router.idle(); // the first start marks where its catch-up will look from
const inbound = new InboundGenerator({ org, ratePerMinute: 0, seed: 5, clock });
for (let i = 0; i < Number(count); i++) {
  const [lead] = await inbound.emit(1);
  process.stdout.write(`${lead!.Id}\n`);
}
inserted();
// Not reached: the process is killed once the first batch has committed.
await router.idle();
process.exitCode = 3;
