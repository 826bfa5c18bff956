import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import { countDecisions } from '../../src/store/decision.repository.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';
import { demoRoutingService, seedSmallDemoOrg } from './routing-fixture.js';

async function decisionsWithStatus(store: Store, status: string): Promise<number> {
  return (await countDecisions(store.db)).filter((c) => c.status === status).reduce((n, c) => n + c.count, 0);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function runChild(
  args: string[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

const leads = {
  assigned: scenario('blueprint-region').lead.Id,
  converted: scenario('blueprint-target').lead.Id,
  queued: scenario('partner-event').lead.Id,
};

it(
  'a crash between persist and apply ends with every effect applied once',
  { timeout: 120_000 },
  async () => {
    const seeding = await openDatabase({ databaseUrl: null, dataDir });
    await seedSmallDemoOrg(seeding);
    await seeding.close();

    const child = await runChild([dataDir, ...Object.values(leads)]);
    expect(child.signal, child.stderr).toBe('SIGKILL');

    const store = await openDatabase({ databaseUrl: null, dataDir });
    try {
      const crm = await seedSmallDemoOrg(store);
      // What the dead process left: decided and stored, not applied.
      expect(await decisionsWithStatus(store, 'pending')).toBe(3);
      expect((await crm.getLead(leads.assigned))?.OwnerId).toBe(scenario('blueprint-region').lead.OwnerId);

      const service = await demoRoutingService(store, crm);
      let handled = 0;
      for (let n = await service.applyPending(); n > 0; n = await service.applyPending()) handled += n;
      expect(handled).toBe(4); // three lead updates and one conversion

      const outbox = await store.db.selectFrom('outbox').select(['status', 'attempts']).execute();
      expect(outbox).toHaveLength(4);
      expect(outbox.every((r) => r.status === 'applied' && r.attempts === 1)).toBe(true);
      for (const id of Object.values(leads)) {
        const [latest] = await service.history(id, 5);
        expect(latest?.status).toBe('applied');
        const lead = await crm.getLead(id);
        if (latest?.decision.conversion) expect(lead?.IsConverted).toBe(true);
        else expect(lead?.OwnerId).toBe(latest?.decision.owner?.id);
      }
      const contacts = async () =>
        Number(
          (
            await sql<{ n: string }>`select count(*) as n from crm_records
            where object = 'Contact' and data->>'Email' = ${scenario('blueprint-target').lead.Email!}`.execute(
              store.db,
            )
          ).rows[0]!.n,
        );
      expect(await contacts()).toBe(1);

      // A second crash, after the org took the effects but before they were marked: applying again
      // recognises them and changes nothing.
      await store.db.updateTable('outbox').set({ status: 'pending', locked_until: null }).execute();
      while ((await service.applyPending()) > 0);
      expect(await contacts()).toBe(1);
      const again = await store.db.selectFrom('outbox').select('status').execute();
      expect(again.every((r) => r.status === 'applied')).toBe(true);
      expect(await decisionsWithStatus(store, 'applied')).toBe(3);
    } finally {
      await store.close();
    }
  },
);
