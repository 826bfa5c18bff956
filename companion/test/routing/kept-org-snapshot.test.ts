import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { CallMeter, meteredPort } from '../../src/crm/call-meter.js';
import type { AccountChanges } from '../../src/crm/crm.port.js';
import { LocalOrg } from '../../src/crm/local/local-org.js';
import { replaceRecords, upsertRecords } from '../../src/crm/local/local-records.js';
import type { AccountRecord } from '../../src/engine/model.js';
import { demoId, KEY_PREFIX } from '../../src/engine/salesforce-id.js';
import { openDatabase } from '../../src/store/open-database.js';
import { demoRoutingService, MONDAY, seedSmallDemoOrg } from './routing-fixture.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-kept-snapshot-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The local org, counted by the meter, with what each catch-up answered. */
function watched(crm: LocalOrg, meter: CallMeter, answers: AccountChanges[]): LocalOrg {
  const metered = meteredPort(crm, meter);
  return new Proxy(metered, {
    get(target, prop, receiver) {
      if (prop !== 'accountsChangedSince') return Reflect.get(target, prop, receiver) as unknown;
      return async (since: string) => {
        const answer = await metered.accountsChangedSince(since);
        answers.push(answer);
        return answer;
      };
    },
  });
}

describe('the org snapshot kept in the store', () => {
  it('after a restart, loads the kept accounts and asks the CRM only for what changed while down', async () => {
    const first = await openDatabase({ databaseUrl: null, dataDir });
    const org = await seedSmallDemoOrg(first);
    // The seeded records were last changed long before this start.
    await sql`update crm_records set modstamp = now() - interval '1 hour'`.execute(first.db);
    const firstMeter = new CallMeter();
    const up = await demoRoutingService(first, watched(org, firstMeter, []), { keepOrgSnapshot: true });
    expect(firstMeter.counts().byKind).toMatchObject({ streamAccounts: 1 });
    expect(firstMeter.counts().byKind.accountsChangedSince).toBeUndefined();

    const page = (await org.streamAccounts()[Symbol.asyncIterator]().next()).value as AccountRecord[];
    const [seenUp, changedDown] = [page[0]!, page[1]!];
    // A change event while up: written through to the store.
    up.applyChanges({ accounts: [{ ...seenUp, Name: 'Renamed While Up' }] });
    await up.org.kept();
    const total = up.org.accounts.size;
    await first.close();

    // While down, the org changes: one account renamed, one created.
    const down = await openDatabase({ databaseUrl: null, dataDir });
    await replaceRecords(down.db, [
      { id: changedDown.Id, data: { ...changedDown, Name: 'Renamed While Down' } },
    ]);
    const created = { ...changedDown, Id: demoId(KEY_PREFIX.account, 99_999), Name: 'Founded While Down' };
    await upsertRecords(down.db, 'Account', [created]);

    const meter = new CallMeter();
    const answers: AccountChanges[] = [];
    const crm = new LocalOrg(down.db, { now: () => new Date(MONDAY) });
    const again = await demoRoutingService(down, watched(crm, meter, answers), { keepOrgSnapshot: true });
    try {
      expect(meter.counts().byKind.streamAccounts).toBeUndefined();
      expect(meter.counts().byKind).toMatchObject({ accountsChangedSince: 1 });
      expect(answers.map((c) => c.accounts.map((r) => r.Id).sort())).toEqual([
        [changedDown.Id, created.Id].sort(),
      ]);
      expect(again.org.accounts.get(seenUp.Id)?.Name).toBe('Renamed While Up');
      expect(again.org.accounts.get(changedDown.Id)?.Name).toBe('Renamed While Down');
      expect(again.org.accounts.get(created.Id)?.Name).toBe('Founded While Down');
      expect(again.org.accounts.size).toBe(total + 1);

      // Kept longer than deleted records stay findable: read whole again.
      await sql`update index_snapshots set last_modstamp = now() - interval '20 days'`.execute(down.db);
      const later = new CallMeter();
      const fresh = await demoRoutingService(down, watched(crm, later, []), { keepOrgSnapshot: true });
      expect(later.counts().byKind).toMatchObject({ streamAccounts: 1 });
      expect(later.counts().byKind.accountsChangedSince).toBeUndefined();
      expect(fresh.org.accounts.size).toBe(total + 1);
    } finally {
      await down.close();
    }
  }, 120_000);
});
