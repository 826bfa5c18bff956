import { afterAll, describe, expect, it } from 'vitest';
import type { PoolDefinition } from '../../src/engine/distribution/distribution.types.js';
import { pickFromPool } from '../../src/engine/distribution/pool.js';
import type { UserRecord } from '../../src/engine/model.js';
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
    const owner = await tx.pools.withLockedState(POOL.name, (state, definition) => {
      const pick = pickFromPool(definition, state ?? undefined, (id) => users.get(id), NOW);
      if (!pick.userId) throw new Error(pick.reason);
      return { result: pick.userId, newState: pick.state };
    });
    await tx.decisions.insert({
      leadId,
      flowName: 'fairness-test',
      flowVersion: 1,
      trigger: { kind: 'created' },
      outcome: 'assigned',
      ownerId: owner,
      ownerKind: 'user',
      summary: `assigned to ${owner}`,
      decision: {},
      status: 'pending',
    });
    return owner;
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
      await first.pools.upsert([POOL]);
      const leads = Array.from({ length: 200 }, (_, i) => `00QFAIR${String(i).padStart(8, '0')}`);
      const owners = await Promise.all(leads.map((id, i) => routeOne(i % 2 === 0 ? first : second, id)));

      const counts = MEMBERS.map((m) => owners.filter((o) => o === m).length);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);

      // Every pick advanced the shared state exactly once: no two workers saw the same state.
      const stored = await second.pools.getState(POOL.name);
      expect(stored?.version).toBe(200);
      expect(stored?.state?.version).toBe(200);
      const assigned = Object.values(stored!.state!.members).map((m) => m.assignedTotal);
      expect(assigned.reduce((a, b) => a + b, 0)).toBe(200);

      const decisions = await first.decisions.recent(500);
      expect(decisions.filter((d) => d.flowName === 'fairness-test')).toHaveLength(200);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
