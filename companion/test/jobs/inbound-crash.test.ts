import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { LeadChangeTrigger } from '../../src/jobs/lead-change.trigger.js';
import { openDatabase } from '../../src/store/open-database.js';
import { demoRoutingService, MONDAY, seedSmallDemoOrg } from '../routing/routing-fixture.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-inbound-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function runChild(
  args: string[],
): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'inbound-crash-child.ts'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, stdout, stderr }));
  });
}

it(
  'a crash during inbound routing leaves no new lead unrouted after the restart',
  { timeout: 180_000 },
  async () => {
    const seeding = await openDatabase({ databaseUrl: null, dataDir });
    await seedSmallDemoOrg(seeding);
    await seeding.close();

    const child = await runChild([dataDir, '30']);
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const newLeads = child.stdout.trim().split('\n');
    expect(newLeads).toHaveLength(30);

    const store = await openDatabase({ databaseUrl: null, dataDir });
    try {
      const org = await seedSmallDemoOrg(store);
      const service = await demoRoutingService(store, org);
      const decisionsOf = async (id: string) => (await service.history(id, 5)).length;
      // What the dead process left: the leads still queued in its memory have no decision.
      const unrouted = [];
      for (const id of newLeads) if ((await decisionsOf(id)) === 0) unrouted.push(id);
      expect(unrouted.length).toBeGreaterThan(20);

      const router = new LeadChangeTrigger({
        feed: org.feed,
        service,
        crm: org,
        resume: store.replayIds,
        clock: () => new Date(MONDAY),
      });
      router.start();
      await router.idle();
      await router.stop();
      // The batch that committed before the crash is applied by the outbox worker.
      while ((await service.applyPending()) > 0);

      for (const id of newLeads) {
        const history = await service.history(id, 5);
        expect(history, `lead ${id}`).toHaveLength(1);
        expect(history[0]?.decision.trigger).toBe('created');
        expect(history[0]?.status).toBe('applied');
        expect((await org.getLead(id))?.Last_Routed_At__c).toBe(MONDAY);
      }
    } finally {
      await store.close();
    }
  },
);
