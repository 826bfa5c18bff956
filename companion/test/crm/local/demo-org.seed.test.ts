import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoOrgInfo, ensureDemoOrg } from '../../../src/crm/local/demo-org.seed.js';
import { DEMO_SCENARIO, scenario } from '../../../src/crm/local/demo-scenarios.js';
import { LocalOrg } from '../../../src/crm/local/local-org.js';
import { openDatabase } from '../../../src/store/open-database.js';
import { postgresSchema } from '../../store/backends.js';

const dirs: string[] = [];
const shared = postgresSchema();
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await shared?.cleanup();
});

describe('seeding the demo org', () => {
  it('seeds a new store once, with the curated scenarios, and never again after a reopen', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-seed-'));
    dirs.push(dataDir);
    const options = { seed: 5, accounts: 60, leads: 200, now: () => new Date('2026-11-22T08:30:00.000Z') };

    let seededLeads = 0;
    const store = await openDatabase({ databaseUrl: null, dataDir });
    try {
      expect(await demoOrgInfo(store.db)).toBeNull();
      const first = await ensureDemoOrg(store.db, options);
      expect(first).toMatchObject({ seeded: true, seed: 5, anchor: '2026-11-22T00:00:00.000Z' });
      expect(first.counts.Lead).toBe(200 + DEMO_SCENARIO.leads.length);
      expect(first.counts.User).toBe(27);
      seededLeads = first.counts.Lead!;

      const org = new LocalOrg(store.db);
      const curated = scenario('partner-event').lead;
      expect((await org.getLead(curated.Id))?.LastName).toBe(curated.LastName);
      const context = (await org.getLeadContexts([curated.Id])).get(curated.Id)!;
      expect(context.memberships).toHaveLength(1);

      // Someone works a lead; a later start must not wipe that out by seeding again.
      await org.updateLeads([{ id: curated.Id, fields: { Title: 'Changed after seeding' } }]);
      const again = await ensureDemoOrg(store.db, { ...options, seed: 6 });
      expect(again).toMatchObject({ seeded: false, seed: 5, counts: first.counts });
    } finally {
      await store.close();
    }

    const reopened = await openDatabase({ databaseUrl: null, dataDir });
    try {
      const third = await ensureDemoOrg(reopened.db, options);
      expect(third.seeded).toBe(false);
      const org = new LocalOrg(reopened.db);
      expect((await org.getLead(scenario('partner-event').lead.Id))?.Title).toBe('Changed after seeding');
      expect((await org.counts()).Lead).toBe(seededLeads);
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('can leave the curated scenarios out', async () => {
    const store = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
    try {
      const result = await ensureDemoOrg(store.db, { seed: 5, accounts: 20, leads: 30, scenario: null });
      expect(result.counts.Lead).toBe(30);
      expect(await new LocalOrg(store.db).getLead(scenario('partner-event').lead.Id)).toBeNull();
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe.skipIf(!shared)('seeding from two instances on one PostgreSQL database', () => {
  it('seeds once when both start at the same time', async () => {
    const [a, b] = await Promise.all([shared!.open(), shared!.open()]);
    try {
      const options = { seed: 5, accounts: 30, leads: 50, scenario: null };
      const results = await Promise.all([ensureDemoOrg(a.db, options), ensureDemoOrg(b.db, options)]);
      expect(results.map((r) => r.seeded).sort()).toEqual([false, true]);
      expect((await new LocalOrg(b.db).counts()).Lead).toBe(50);
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
