import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/engine/decision.js';
import type { PoolDefinition } from '../../src/engine/distribution/distribution.types.js';
import { pickFromPool } from '../../src/engine/distribution/pool.js';
import type { UserRecord } from '../../src/engine/model.js';
import { decisionsOfLead, storeDecisions } from '../../src/store/decision.repository.js';
import { lockPools, readPools, upsertPools } from '../../src/store/pool.repository.js';
import type { Store } from '../../src/store/store.js';
import { postgresSchema } from './backends.js';

const MEMBERS = ['005SY0000000001YAA', '005SY0000000002YAA', '005SY0000000005YAA', '005SY0000000008YAA'];
const users = new Map<string, UserRecord>(
  MEMBERS.map((Id, i) => [Id, { Id, Name: `Rep ${i + 1}`, IsActive: true }]),
);
const POOL: PoolDefinition = {
  name: 'fairness',
  strategy: 'round-robin',
  respectWorkingHours: false,
  members: MEMBERS.map((userId) => ({ userId })),
};
const NOW = '2026-11-23T10:00:00.000Z';

/** One routing step as the routing service does it: lock the pool, pick, store the decision, commit. */
async function routeOne(store: Store, leadId: string): Promise<string> {
  return store.transaction(async (tx) => {
    const locked = (await lockPools(tx.db, [POOL.name])).get(POOL.name)!;
    const pick = pickFromPool(POOL, locked.state ?? undefined, (id) => users.get(id), NOW);
    if (!pick.userId) throw new Error(pick.reason);
    const decision = {
      leadId,
      flow: { name: 'fairness-test', version: 1 },
      outcome: 'assigned',
      owner: { id: pick.userId, kind: 'user' },
      summary: `assigned to ${pick.userId}`,
    } as Decision;
    await storeDecisions(
      tx.db,
      [{ id: randomUUID(), decision, trigger: { kind: 'created' }, status: 'pending', requestKey: null }],
      [],
      new Map([[POOL.name, { state: pick.state, version: locked.version }]]),
      0,
    );
    return pick.userId;
  });
}

const shared = postgresSchema();
afterAll(async () => {
  await shared?.cleanup();
});

describe.skipIf(!shared)('two instances on one PostgreSQL database', () => {
  it('never pick twice from one pool and stay fair over 200 parallel picks', async () => {
    // Both start at once on a fresh schema: migrations must not trip over each other.
    const [first, second] = await Promise.all([shared!.open(), shared!.open()]);
    try {
      await upsertPools(first.db, [POOL]);
      const leads = Array.from({ length: 200 }, (_, i) => `00QFAIR${String(i).padStart(8, '0')}`);
      const owners = await Promise.all(leads.map((id, i) => routeOne(i % 2 === 0 ? first : second, id)));

      const counts = MEMBERS.map((m) => owners.filter((o) => o === m).length);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);

      // Every pick advanced the shared state exactly once: no two workers saw the same state.
      const stored = (await readPools(second.db, [POOL.name])).get(POOL.name);
      expect(stored?.version).toBe(200);
      expect(stored?.state?.version).toBe(200);
      const assigned = Object.values(stored!.state!.members).map((m) => m.assignedTotal);
      expect(assigned.reduce((a, b) => a + b, 0)).toBe(200);

      const decided = await Promise.all(leads.map((id) => decisionsOfLead(first.db, id, 5)));
      expect(decided.map((d) => d.map((r) => r.decision.owner?.id))).toEqual(owners.map((o) => [o]));
    } finally {
      await first.close();
      await second.close();
    }
  });
});
