import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolDefinition, PoolState } from '../../src/engine/distribution/distribution.types.js';
import type { NewDecision } from '../../src/store/decision.repository.js';
import type { Store } from '../../src/store/store.js';
import { testBackends } from './backends.js';

const backends = testBackends();
afterAll(async () => {
  for (const b of backends) await b.cleanup();
});

let leadSeq = 0;
/** A lead id of its own per test, so tests never share rows. */
const newLeadId = () => `00QTEST${String(++leadSeq).padStart(8, '0')}`;

function decision(leadId: string, overrides: Partial<NewDecision> = {}): NewDecision {
  return {
    leadId,
    flowName: 'inbound',
    flowVersion: 3,
    trigger: { kind: 'created' },
    outcome: 'assigned',
    ownerId: '005SY0000000001YAA',
    ownerKind: 'user',
    summary: 'Assigned to Ava Patel by the AMER SDR round robin',
    decision: { path: [{ node: 'start' }] },
    status: 'pending',
    ...overrides,
  };
}

const pool = (name: string, members: string[]): PoolDefinition => ({
  name,
  strategy: 'round-robin',
  members: members.map((userId) => ({ userId })),
});

describe.each(backends)('store on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store.close();
  });

  describe('decisions', () => {
    it('keeps a lead history newest first, limited, with the trigger and decision as given', async () => {
      const lead = newLeadId();
      await store.decisions.insert(decision(lead, { summary: 'first' }));
      await store.decisions.insert(
        decision(lead, { summary: 'second', trigger: { kind: 'reroute', reason: 'country fixed' } }),
      );
      await store.decisions.insert(decision(lead, { summary: 'third' }));
      await store.decisions.insert(decision(newLeadId(), { summary: 'other lead' }));

      const history = await store.decisions.historyForLead(lead, 2);
      expect(history.map((d) => d.summary)).toEqual(['third', 'second']);
      expect(history[1]!.trigger).toEqual({ kind: 'reroute', reason: 'country fixed' });
      expect(history[0]!.decision).toEqual({ path: [{ node: 'start' }] });
      expect(history[0]!.createdAt).toBeInstanceOf(Date);
    });

    it('finds the latest non-dry-run decision per lead and updates status with a reason', async () => {
      const a = newLeadId();
      const b = newLeadId();
      await store.decisions.insert(decision(a, { summary: 'a1' }));
      const a2 = await store.decisions.insert(decision(a, { summary: 'a2' }));
      await store.decisions.insert(decision(a, { summary: 'a3 dry run', status: 'dry-run' }));
      await store.decisions.insert(decision(b, { summary: 'b1', flowName: 'partner' }));

      const latest = await store.decisions.latestForLeads([a, b, newLeadId()]);
      expect([...latest.keys()].sort()).toEqual([a, b].sort());
      expect(latest.get(a)!.summary).toBe('a2');
      expect(latest.get(b)!.flowName).toBe('partner');

      expect(
        await store.decisions.setStatus(a2.id, 'stale', 'the owner changed to Ben Carter meanwhile'),
      ).toBe(true);
      const reread = await store.decisions.get(a2.id);
      expect(reread).toMatchObject({
        status: 'stale',
        statusDetail: 'the owner changed to Ben Carter meanwhile',
      });
      expect(await store.decisions.get('not-a-uuid')).toBeNull();
    });
    it('stores a batch of decisions in the order given', async () => {
      const leads = [newLeadId(), newLeadId(), newLeadId()];
      const rows = await store.decisions.insertMany(
        leads.map((l, i) => decision(l, { summary: `batch ${i}` })),
      );
      expect(rows.map((r) => [r.leadId, r.summary])).toEqual(leads.map((l, i) => [l, `batch ${i}`]));
      expect(await store.decisions.insertMany([])).toEqual([]);
    });
  });

  describe('outbox', () => {
    it('claims due rows once, marks them applied, and retries retryable failures until the limit', async () => {
      const d = await store.decisions.insert(decision(newLeadId()));
      const rows = await store.outbox.add([
        {
          decisionId: d.id,
          kind: 'update-lead',
          payload: { id: d.leadId, fields: { OwnerId: 'x' }, expectedOwnerId: null },
        },
        {
          decisionId: d.id,
          kind: 'convert-lead',
          payload: {
            leadId: d.leadId,
            accountId: '001x',
            ownerId: 'x',
            createOpportunity: false,
            convertedStatus: 'Qualified',
          },
        },
      ]);
      expect(rows.map((r) => r.status)).toEqual(['pending', 'pending']);

      const claimed = await store.outbox.claim(10, 60_000);
      const mine = claimed.filter((r) => r.decisionId === d.id);
      expect(mine.map((r) => r.kind)).toEqual(['update-lead', 'convert-lead']);
      expect(mine[0]!.payload).toEqual({ id: d.leadId, fields: { OwnerId: 'x' }, expectedOwnerId: null });
      // Claimed rows are invisible to other workers until the lease runs out.
      expect((await store.outbox.claim(10)).filter((r) => r.decisionId === d.id)).toEqual([]);
      expect((await store.outbox.pending(100)).filter((r) => r.decisionId === d.id)).toEqual([]);

      await store.outbox.markApplied([mine[0]!.id]);
      expect(
        await store.outbox.markFailed(mine[1]!.id, 'UNABLE_TO_LOCK_ROW', true, {
          retryAfterMs: 0,
          maxAttempts: 2,
        }),
      ).toBe('pending');
      const again = (await store.outbox.claim(10)).filter((r) => r.decisionId === d.id);
      expect(again.map((r) => [r.kind, r.attempts, r.lastError])).toEqual([
        ['convert-lead', 1, 'UNABLE_TO_LOCK_ROW'],
      ]);
      expect(
        await store.outbox.markFailed(again[0]!.id, 'UNABLE_TO_LOCK_ROW', true, {
          retryAfterMs: 0,
          maxAttempts: 2,
        }),
      ).toBe('failed');

      const final = await store.outbox.forDecision(d.id);
      expect(final.map((r) => [r.status, r.attempts])).toEqual([
        ['applied', 1],
        ['failed', 2],
      ]);
      expect(final[0]!.appliedAt).toBeInstanceOf(Date);
    });

    it('leaves rows their writer holds to that writer until the hold runs out', async () => {
      const d = await store.decisions.insert(decision(newLeadId()));
      const [held] = await store.outbox.add(
        [{ decisionId: d.id, kind: 'update-lead', payload: { id: d.leadId, fields: {} } }],
        { claimForMs: 60_000 },
      );
      expect((await store.outbox.claim(1000)).some((r) => r.id === held!.id)).toBe(false);
      const [expired] = await store.outbox.add(
        [{ decisionId: d.id, kind: 'update-lead', payload: { id: d.leadId, fields: {} } }],
        { claimForMs: -1 },
      );
      expect((await store.outbox.claim(1000)).some((r) => r.id === expired!.id)).toBe(true);
    });

    it('fails a non-retryable error at once and backs off a retryable one', async () => {
      const d = await store.decisions.insert(decision(newLeadId()));
      const [a, b] = await store.outbox.add([
        { decisionId: d.id, kind: 'update-lead', payload: { id: d.leadId, fields: {} } },
        { decisionId: d.id, kind: 'update-lead', payload: { id: d.leadId, fields: {} } },
      ]);
      expect(await store.outbox.markFailed(a!.id, 'OWNER_CHANGED', false)).toBe('failed');
      expect(await store.outbox.markFailed(b!.id, 'REQUEST_LIMIT_EXCEEDED', true)).toBe('pending');
      // Backing off: not due yet.
      expect((await store.outbox.pending(1000)).some((r) => r.id === b!.id)).toBe(false);
      // A row already failed is not touched again.
      expect(await store.outbox.markFailed(a!.id, 'again', true)).toBeNull();
    });
  });

  describe('idempotency', () => {
    it('gives a key to the first decision only', async () => {
      const key = `req-${newLeadId()}`;
      const first = await store.decisions.insert(decision(newLeadId()));
      const second = await store.decisions.insert(decision(newLeadId()));
      expect(await store.idempotency.find(key)).toBeNull();
      expect(await store.idempotency.claim(key, first.id)).toBe(true);
      expect(await store.idempotency.claim(key, second.id)).toBe(false);
      expect(await store.idempotency.find(key)).toBe(first.id);
    });
  });

  describe('counts and clean-up', () => {
    it('counts decisions and outbox rows by status, and forgets old request keys', async () => {
      const before = await store.decisions.countByStatus();
      const outboxBefore = await store.outbox.countByStatus();
      const d = await store.decisions.insert(decision(newLeadId(), { status: 'stale' }));
      await store.outbox.add([
        { decisionId: d.id, kind: 'update-lead', payload: { id: d.leadId, fields: {} } },
      ]);
      expect((await store.decisions.countByStatus()).stale).toBe(before.stale + 1);
      expect((await store.outbox.countByStatus()).pending).toBe(outboxBefore.pending + 1);

      const key = `old-${newLeadId()}`;
      await store.idempotency.claim(key, d.id);
      expect(await store.idempotency.purgeOlderThan(new Date(Date.now() - 3_600_000))).toBe(0);
      expect(await store.idempotency.find(key)).toBe(d.id);
      expect(await store.idempotency.purgeOlderThan(new Date(Date.now() + 3_600_000))).toBeGreaterThanOrEqual(
        1,
      );
      expect(await store.idempotency.find(key)).toBeNull();
    });
  });

  describe('flow versions', () => {
    it('numbers versions per flow, promotes to production, and rolls back by promoting an older one', async () => {
      const name = `flow-${newLeadId()}`;
      const v1 = await store.flows.save({ name, document: 'name: a', json: { v: 1 } });
      const v2 = await store.flows.save({ name, document: 'name: b', json: { v: 2 } });
      const other = await store.flows.save({ name: `${name}-other`, document: 'x', json: {} });
      expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1]);
      expect(v1.stage).toBe('staging');
      expect(await store.flows.current(name, 'production')).toBeNull();
      expect((await store.flows.current(name, 'staging'))?.version).toBe(2);

      await store.flows.promote(name, 1);
      await store.flows.promote(name, 2);
      expect((await store.flows.current(name, 'production'))?.json).toEqual({ v: 2 });
      await store.flows.promote(name, 1);
      const live = await store.flows.current(name, 'production');
      expect(live?.version).toBe(1);
      expect(live?.publishedAt).toBeInstanceOf(Date);

      expect((await store.flows.history(name)).map((f) => f.version)).toEqual([2, 1]);
      await expect(store.flows.promote(name, 9)).rejects.toMatchObject({ code: 'FLOW_VERSION_NOT_FOUND' });
    });

    it('lists the live version of every flow in a stage', async () => {
      const a = `flow-${newLeadId()}`;
      const b = `flow-${newLeadId()}`;
      await store.flows.save({ name: a, document: 'a1', json: { v: 1 } });
      await store.flows.save({ name: a, document: 'a2', json: { v: 2 } });
      await store.flows.save({ name: b, document: 'b1', json: { v: 1 }, stage: 'production' });
      const staging = (await store.flows.currentAll('staging')).filter((f) => f.name === a || f.name === b);
      expect(staging.map((f) => [f.name, f.version])).toEqual([[a, 2]]);
      const production = (await store.flows.currentAll('production')).filter((f) => f.name === b);
      expect(production.map((f) => [f.name, f.version, f.publishedAt instanceof Date])).toEqual([
        [b, 1, true],
      ]);
    });

    it('never gives two concurrent saves the same version', async () => {
      const name = `flow-${newLeadId()}`;
      const saved = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.flows.save({ name, document: `v${i}`, json: {} })),
      );
      expect(saved.map((s) => s.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });
  });

  describe('pools', () => {
    it('stores definitions and keeps state through a redefinition', async () => {
      const name = `pool-${newLeadId()}`;
      await store.pools.upsert([pool(name, ['u1', 'u2'])]);
      expect(await store.pools.getState(name)).toEqual({ state: null, version: 0 });
      const state: PoolState = { pool: name, version: 1, virtualTime: 5, members: {} };
      await store.pools.withLockedState(name, () => ({ result: null, newState: state }));
      await store.pools.upsert([pool(name, ['u1', 'u2', 'u3'])]);
      expect((await store.pools.get(name))?.members).toHaveLength(3);
      expect(await store.pools.getState(name)).toEqual({ state, version: 1 });
      expect((await store.pools.list()).some((p) => p.name === name)).toBe(true);
    });

    it('rolls back the pick with the rest when the transaction fails', async () => {
      const name = `pool-${newLeadId()}`;
      const lead = newLeadId();
      await store.pools.upsert([pool(name, ['u1'])]);
      const picked: PoolState = { pool: name, version: 1, virtualTime: 1, members: {} };
      await expect(
        store.transaction(async (tx) => {
          await tx.pools.withLockedState(name, () => ({ result: 'u1', newState: picked }));
          await tx.decisions.insert(decision(lead));
          throw new Error('crash before commit');
        }),
      ).rejects.toThrow('crash before commit');
      expect(await store.pools.getState(name)).toEqual({ state: null, version: 0 });
      expect(await store.decisions.historyForLead(lead)).toEqual([]);

      await store.transaction(async (tx) => {
        await tx.pools.withLockedState(name, () => ({ result: 'u1', newState: picked }));
        const d = await tx.decisions.insert(decision(lead));
        await tx.outbox.add([
          { decisionId: d.id, kind: 'update-lead', payload: { id: lead, fields: { OwnerId: 'u1' } } },
        ]);
      });
      expect((await store.pools.getState(name))?.version).toBe(1);
      const [stored] = await store.decisions.historyForLead(lead);
      expect(await store.outbox.forDecision(stored!.id)).toHaveLength(1);
    });

    it('removes a pool with its state', async () => {
      const name = `pool-${newLeadId()}`;
      await store.pools.upsert([pool(name, ['u1'])]);
      expect(await store.pools.remove(name)).toBe(true);
      expect(await store.pools.get(name)).toBeNull();
      expect(await store.pools.getState(name)).toBeNull();
      expect(await store.pools.remove(name)).toBe(false);
    });

    it('refuses an unknown pool with a code', async () => {
      await expect(store.pools.withLockedState('no-such-pool', () => ({ result: 1 }))).rejects.toMatchObject({
        code: 'POOL_NOT_FOUND',
      });
    });

    it('serialises parallel picks within one instance', async () => {
      const name = `pool-${newLeadId()}`;
      const members = ['u1', 'u2', 'u3'];
      await store.pools.upsert([pool(name, members)]);
      const picks = await Promise.all(
        Array.from({ length: 30 }, () =>
          store.pools.withLockedState(name, (state) => {
            const turn = state?.virtualTime ?? 0;
            return {
              result: members[turn % members.length]!,
              newState: { pool: name, version: turn + 1, virtualTime: turn + 1, members: {} },
            };
          }),
        ),
      );
      const counts = members.map((m) => picks.filter((p) => p === m).length);
      expect(counts).toEqual([10, 10, 10]);
      expect((await store.pools.getState(name))?.version).toBe(30);
    });
  });

  describe('index snapshots and replay ids', () => {
    it('remembers where the match index and the change stream stopped', async () => {
      const name = `accounts-${newLeadId()}`;
      expect(await store.indexSnapshots.get(name)).toBeNull();
      const stamp = new Date('2026-11-20T10:00:00.000Z');
      await store.indexSnapshots.save({ name, lastModstamp: stamp, recordCount: 5000, meta: { pages: 3 } });
      await store.indexSnapshots.save({
        name,
        lastModstamp: stamp,
        recordCount: 5001,
        snapshot: Buffer.from([1, 2, 3]),
      });
      const snap = await store.indexSnapshots.get(name);
      expect(snap).toMatchObject({ recordCount: 5001, meta: null });
      expect(snap?.lastModstamp?.toISOString()).toBe(stamp.toISOString());
      expect([...(snap?.snapshot ?? [])]).toEqual([1, 2, 3]);

      const topic = `/data/LeadChangeEvent-${newLeadId()}`;
      expect(await store.replayIds.get(topic)).toBeNull();
      await store.replayIds.set(topic, 'AAAAAAAAAAE=');
      await store.replayIds.set(topic, 'AAAAAAAAAAI=');
      expect(await store.replayIds.get(topic)).toBe('AAAAAAAAAAI=');
    });
  });
  describe('raw SQL for pg-boss', () => {
    it('runs pg-boss queues on the same database', async () => {
      const boss = new PgBoss({
        db: { executeSql: store.executeSql },
        schema: backend.schema ?? 'pgboss',
        supervise: false,
        schedule: false,
      });
      boss.on('error', () => {});
      await boss.start();
      try {
        await boss.createQueue('store-test');
        await boss.send('store-test', { leadId: '00Q1' });
        const [job] = await boss.fetch<{ leadId: string }>('store-test');
        expect(job?.data).toEqual({ leadId: '00Q1' });
        expect(await boss.fetch('store-test')).toEqual([]);
      } finally {
        await boss.stop({ graceful: false, wait: true });
      }
    }, 60_000);
  });
});
