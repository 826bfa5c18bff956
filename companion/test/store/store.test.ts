import { sql } from 'kysely';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Decision } from '../../src/engine/decision.js';
import type { PoolDefinition, PoolState } from '../../src/engine/distribution/distribution.types.js';
import {
  decisionsById,
  decisionsOfLead,
  flowActivity,
  insertDecisions,
  recordOutcomes,
  setStatuses,
  storeDecisions,
  type DecisionInsert,
} from '../../src/store/decision.repository.js';
import { claimKeys, findKeys, repointKey } from '../../src/store/idempotency.repository.js';
import {
  claimDue,
  effectsOf,
  errorsOf,
  formatError,
  markApplied,
  markFailed,
  WAITING_FOR_UPDATE,
} from '../../src/store/outbox.repository.js';
import type { Effect } from '../../src/routing/effect.js';
import { loadKept, replaceKept, saveKept } from '../../src/store/org-snapshot.repository.js';
import { lockPools, readPools, upsertPools } from '../../src/store/pool.repository.js';
import { purgeExpired } from '../../src/store/store-maintenance.js';
import type { Store } from '../../src/store/store.js';
import { StoreCleanUp } from '../../src/jobs/store-clean-up.js';
import { postgresSchema, testBackends } from './backends.js';

const backends = testBackends();
afterAll(async () => {
  for (const b of backends) await b.cleanup();
});

let seq = 0;
/** A lead id of its own per test, so tests never share rows. */
const newLeadId = () => `00QTEST${String(++seq).padStart(8, '0')}`;
const newId = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

function decision(leadId: string, overrides: Partial<Decision> = {}): Decision {
  return {
    leadId,
    flow: { name: 'inbound', version: 3 },
    finalFlow: { name: 'inbound', version: 3, label: 'Inbound' },
    decidedAt: '2026-11-23T10:00:00.000Z',
    trigger: 'created',
    outcome: 'assigned',
    owner: { id: '005SY0000000001YAA', kind: 'user', name: 'Ava Patel', via: 'pool amer-sdr' },
    previousOwner: null,
    fieldUpdates: { OwnerId: '005SY0000000001YAA' },
    conversion: null,
    matched: { account: null, candidates: [], sameCompanyLeads: [], opportunities: [] },
    poolChanges: [],
    refusal: null,
    path: [],
    summary: 'Assigned to Ava Patel by the AMER SDR round robin',
    ...overrides,
  } as Decision;
}

function row(leadId: string, overrides: Partial<DecisionInsert> = {}): DecisionInsert {
  return {
    id: newId(),
    decision: decision(leadId),
    trigger: { kind: 'created' },
    status: 'pending',
    requestKey: null,
    ...overrides,
  };
}

const update = (leadId: string): Effect => ({
  kind: 'update-lead',
  payload: { id: leadId, fields: { OwnerId: '005SY0000000001YAA' }, expectedOwnerId: null },
});
const conversion = (leadId: string): Effect => ({
  kind: 'convert-lead',
  payload: {
    leadId,
    accountId: '001x',
    ownerId: '005SY0000000001YAA',
    createOpportunity: false,
    convertedStatus: 'Qualified',
  },
});

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

  /** Stores decisions with their effects as routing does, in a transaction, with no pool turns. */
  async function stored(rows: DecisionInsert[], effects: Array<{ decisionId: string; effect: Effect }> = []) {
    return store.transaction((tx) => storeDecisions(tx.db, rows, effects, new Map(), 60_000));
  }

  describe('decisions', () => {
    it("keeps a lead's history newest first, limited, with the trigger and decision as given", async () => {
      const lead = newLeadId();
      const first = row(lead, { decision: decision(lead, { summary: 'first' }) });
      const second = row(lead, {
        decision: decision(lead, { summary: 'second' }),
        trigger: { kind: 'reroute', reason: 'country fixed' },
      });
      await stored([first]);
      await stored([second]);
      await insertDecisions(store.db, [
        row(lead, { decision: decision(lead, { summary: 'third' }), status: 'dry-run' }),
      ]);
      await stored([row(newLeadId())]);

      const history = await decisionsOfLead(store.db, lead, 2);
      expect(history.map((d) => d.decision.summary)).toEqual(['third', 'second']);
      expect(history.map((d) => d.status)).toEqual(['dry-run', 'pending']);
      expect(history[1]!.trigger).toEqual({ kind: 'reroute', reason: 'country fixed' });
      expect(history[1]!.decision).toEqual(second.decision);
      expect(history[0]!.createdAt).toBeInstanceOf(Date);
    });

    // The embedded store plans each statement once (a generic plan), while a new store's tables are
    // still small; a plan that read the whole table would then cost more with every decision kept.
    it.runIf(backend.name === 'pglite')(
      "records a re-route's outcome without reading every decision or pending row, though planned when there were two",
      async () => {
        const own = await backend.open();
        try {
          const route = async () => {
            const d = row(newLeadId());
            const effect = { decisionId: d.id, effect: update(d.decision.leadId) };
            const { effects } = await own.transaction((tx) =>
              storeDecisions(tx.db, [d], [effect], new Map(), 60_000),
            );
            return { d, effects };
          };
          const record = ({ d, effects }: Awaited<ReturnType<typeof route>>) =>
            recordOutcomes(own.db, effects, [{ id: d.id, status: 'applied', detail: null }]);
          /** Whole-table reads of decisions, and reads of the outbox's index of every row once pending. */
          const wholeReads = async () => {
            await sql`select pg_stat_force_next_flush()`.execute(own.db);
            const { rows } = await sql<{ decisions: string; pending: string }>`
              select (select seq_scan from pg_stat_user_tables where relname = 'decisions')::text as decisions,
                (select idx_scan from pg_stat_user_indexes where indexrelname = 'outbox_pending')::text as pending
            `.execute(own.db);
            return rows[0]!;
          };
          // Run twice, the store prepares the statement, planned on a table of two decisions.
          await record(await route());
          await record(await route());
          await insertDecisions(
            own.db,
            Array.from({ length: 500 }, () => row(newLeadId(), { status: 'applied' })),
          );
          const later = await route();
          const before = await wholeReads();
          await record(later);
          expect(await wholeReads()).toEqual(before);
          expect((await decisionsById(own.db, [later.d.id])).get(later.d.id)?.status).toBe('applied');
          expect(await effectsOf(own.db, [later.d.id])).toMatchObject([{ status: 'applied' }]);
        } finally {
          await own.close();
        }
      },
    );

    // A new embedded store: the start-up clean-up vacuums empty tables, so the statistics say "no rows",
    // and a statement first run then is planned (once, generically) as a read of the whole table.
    // PGlite has no autovacuum to analyze the table as it grows; the store does (store/pglite-upkeep.ts).
    it.runIf(backend.name === 'pglite')(
      "a lead's history, first read on a new store, is soon read through its index again once thousands of decisions are stored",
      async () => {
        const own = await backend.open();
        try {
          await new StoreCleanUp({
            store: own,
            retention: { decisionDays: 365, outboxDays: 7, requestKeyDays: 7 },
          }).runOnce();
          const lead = newLeadId();
          await insertDecisions(own.db, [row(lead)]);
          // Run twice, the store prepares the statement, planned on a table it was told is empty.
          await decisionsOfLead(own.db, lead, 5);
          await decisionsOfLead(own.db, lead, 5);
          await insertDecisions(
            own.db,
            Array.from({ length: 3000 }, () => row(newLeadId(), { status: 'applied' })),
          );
          /** Decisions read so far, by whole-table reads and through indexes. */
          const decisionsRead = async () => {
            await sql`select pg_stat_force_next_flush()`.execute(own.db);
            const { rows } = await sql<{ n: string }>`
              select (seq_tup_read + coalesce(idx_tup_fetch, 0))::text as n
              from pg_stat_user_tables where relname = 'decisions'
            `.execute(own.db);
            return Number(rows[0]!.n);
          };
          await vi.waitFor(
            async () => {
              const before = await decisionsRead();
              expect(await decisionsOfLead(own.db, lead, 5)).toHaveLength(1);
              expect((await decisionsRead()) - before, 'decisions read by one lookup').toBeLessThan(10);
            },
            { timeout: 15_000, interval: 250 },
          );
        } finally {
          await own.close();
        }
      },
      60_000,
    );

    it('finds decisions by id and records why a status changed', async () => {
      const a = row(newLeadId(), { requestKey: 'key-a' });
      const b = row(newLeadId());
      await stored([a, b]);
      await setStatuses(store.db, [
        { id: a.id, status: 'stale', detail: 'the owner changed to Ben Carter meanwhile' },
        { id: b.id, status: 'applied', detail: null },
      ]);
      const found = await decisionsById(store.db, [a.id, b.id, newId()]);
      expect([...found.keys()].sort()).toEqual([a.id, b.id].sort());
      expect(found.get(a.id)).toMatchObject({
        leadId: a.decision.leadId,
        status: 'stale',
        statusDetail: 'the owner changed to Ben Carter meanwhile',
        requestKey: 'key-a',
      });
      expect(found.get(b.id)?.status).toBe('applied');
    });

    it("counts a lead's flows in a window and names its newest flow, dry runs left out", async () => {
      const lead = newLeadId();
      const other = (name: string) =>
        decision(lead, {
          flow: { name, version: 1 },
          finalFlow: { name, version: 1, label: `${name} flow` },
        });
      await stored([row(lead, { decision: other('inbound') })]);
      await stored([row(lead, { decision: other('reroute') })]);
      await insertDecisions(store.db, [row(lead, { decision: other('partner'), status: 'dry-run' })]);

      const now = await flowActivity(store.db, [lead, newLeadId()], new Date(Date.now() - 3_600_000));
      expect([...now.keys()]).toEqual([lead]);
      expect(now.get(lead)).toEqual({ activeFlowsCount: 2, lastFlowName: 'reroute flow' });
      const later = await flowActivity(store.db, [lead], new Date(Date.now() + 3_600_000));
      expect(later.get(lead)).toEqual({ activeFlowsCount: 0, lastFlowName: 'reroute flow' });
    });
  });

  describe('outbox', () => {
    it('holds rows for their writer, then lets one worker claim them once, and retries until the limit', async () => {
      const lead = newLeadId();
      const d = row(lead);
      const { effects } = await stored(
        [d],
        [update(lead), conversion(lead)].map((effect) => ({ decisionId: d.id, effect })),
      );
      expect(effects.map((e) => [e.effect.kind, e.status])).toEqual([
        ['update-lead', 'pending'],
        ['convert-lead', 'pending'],
      ]);
      // The writer's lease (60 s) keeps workers away.
      expect((await claimDue<Effect>(store.db, 1000, 60_000)).some((r) => r.decisionId === d.id)).toBe(false);
      await store.db
        .updateTable('outbox')
        .set({ locked_until: null })
        .where('decision_id', '=', d.id)
        .execute();

      const claimed = (await claimDue<Effect>(store.db, 1000, 60_000)).filter((r) => r.decisionId === d.id);
      expect(claimed.map((r) => r.effect)).toEqual([update(lead), conversion(lead)]);
      expect((await claimDue<Effect>(store.db, 1000, 60_000)).filter((r) => r.decisionId === d.id)).toEqual(
        [],
      );

      await markApplied(store.db, [claimed[0]!.id]);
      const error = formatError({ code: 'UNABLE_TO_LOCK_ROW', message: 'the lead is locked' });
      const retry = { retryAfterMs: 0, maxAttempts: 2 };
      expect(await markFailed(store.db, claimed[1]!.id, error, true, retry)).toBe('pending');
      const again = (await claimDue<Effect>(store.db, 1000, 60_000)).filter((r) => r.decisionId === d.id);
      expect(again.map((r) => r.effect.kind)).toEqual(['convert-lead']);
      expect(await markFailed(store.db, again[0]!.id, error, true, retry)).toBe('failed');
      // A row no longer pending is not touched again.
      expect(await markFailed(store.db, again[0]!.id, error, true, retry)).toBeNull();

      expect((await effectsOf(store.db, [d.id])).map((r) => r.status)).toEqual(['applied', 'failed']);
      expect((await errorsOf(store.db, [d.id])).get(d.id)).toEqual([
        { code: 'UNABLE_TO_LOCK_ROW', message: 'the lead is locked' },
      ]);
    });

    it('backs off a retryable error, fails the rest at once, and keeps waiting out of the errors', async () => {
      const lead = newLeadId();
      const d = row(lead);
      const { effects } = await stored(
        [d],
        [update(lead), conversion(lead)].map((effect) => ({ decisionId: d.id, effect })),
      );
      const [u, c] = effects;
      const waiting = formatError({ code: WAITING_FOR_UPDATE, message: 'the update is not applied yet' });
      expect(await markFailed(store.db, c!.id, waiting, true)).toBe('pending');
      expect(await markFailed(store.db, u!.id, 'OWNER_CHANGED: the owner changed', false)).toBe('failed');
      await store.db
        .updateTable('outbox')
        .set({ locked_until: null })
        .where('decision_id', '=', d.id)
        .execute();
      // Backing off: not due yet.
      expect((await claimDue<Effect>(store.db, 1000, 60_000)).some((r) => r.decisionId === d.id)).toBe(false);
      expect((await errorsOf(store.db, [d.id])).get(d.id)).toEqual([
        { code: 'OWNER_CHANGED', message: 'the owner changed' },
      ]);
    });
  });

  describe('idempotency', () => {
    it('gives a key to the first decision only, and follows it to a re-made decision', async () => {
      const key = `req-${newLeadId()}`;
      const first = row(newLeadId());
      const second = row(newLeadId());
      await stored([first, second]);
      expect(await findKeys(store.db, [key])).toEqual(new Map());
      expect(await claimKeys(store.db, new Map([[key, first.id]]))).toEqual(new Set([key]));
      expect(await claimKeys(store.db, new Map([[key, second.id]]))).toEqual(new Set());
      expect((await findKeys(store.db, [key])).get(key)).toBe(first.id);
      await repointKey(store.db, key, second.id);
      expect((await findKeys(store.db, [key])).get(key)).toBe(second.id);
    });
  });

  describe('pools', () => {
    const picked = (name: string, turn: number): PoolState => ({
      pool: name,
      version: turn,
      virtualTime: turn,
      members: {},
    });

    it('keeps the state through a redefinition and stores a turn with the decisions', async () => {
      const name = `pool-${newLeadId()}`;
      await upsertPools(store.db, [pool(name, ['u1', 'u2'])]);
      expect((await readPools(store.db, [name])).get(name)).toEqual({ state: null, version: 0 });
      await store.transaction(async (tx) => {
        const locked = await lockPools(tx.db, [name]);
        expect(locked.get(name)).toMatchObject({ state: null, version: 0 });
        await storeDecisions(
          tx.db,
          [row(newLeadId())],
          [],
          new Map([[name, { state: picked(name, 1), version: 0 }]]),
          0,
        );
      });
      await upsertPools(store.db, [pool(name, ['u1', 'u2', 'u3'])]);
      expect((await readPools(store.db, [name])).get(name)).toEqual({ state: picked(name, 1), version: 1 });
    });

    it('rolls back the turn with the decisions when the transaction fails', async () => {
      const name = `pool-${newLeadId()}`;
      const lead = newLeadId();
      await upsertPools(store.db, [pool(name, ['u1'])]);
      await expect(
        store.transaction(async (tx) => {
          await lockPools(tx.db, [name]);
          const d = row(lead);
          await storeDecisions(
            tx.db,
            [d],
            [{ decisionId: d.id, effect: update(lead) }],
            new Map([[name, { state: picked(name, 1), version: 0 }]]),
            0,
          );
          throw new Error('crash before commit');
        }),
      ).rejects.toThrow('crash before commit');
      expect((await readPools(store.db, [name])).get(name)).toEqual({ state: null, version: 0 });
      expect(await decisionsOfLead(store.db, lead, 5)).toEqual([]);
    });

    it('sends a state again only when another writer changed it since', async () => {
      const name = `pool-${newLeadId()}`;
      await upsertPools(store.db, [pool(name, ['u1'])]);
      const turn = (state: PoolState) =>
        store.transaction(async (tx) => {
          const locked = await lockPools(tx.db, [name]);
          const { pools } = await storeDecisions(
            tx.db,
            [row(newLeadId())],
            [],
            new Map([[name, { state, version: locked.get(name)!.version }]]),
            0,
          );
          return pools.get(name)!;
        });
      const mine = await turn(picked(name, 1));
      const stale = { ...mine, state: picked(name, 99) };
      // Unchanged since: the known state comes back (here a marker, to tell it from the row's).
      expect(
        (await store.transaction((tx) => lockPools(tx.db, [name], new Map([[name, stale]])))).get(name)
          ?.state,
      ).toEqual(picked(name, 99));
      await turn(picked(name, 2));
      // Written since (another writer): the row's state comes back.
      expect(
        (await store.transaction((tx) => lockPools(tx.db, [name], new Map([[name, stale]])))).get(name),
      ).toMatchObject({
        state: picked(name, 2),
        version: 2,
      });
    });

    it('serialises parallel turns within one instance', async () => {
      const name = `pool-${newLeadId()}`;
      await upsertPools(store.db, [pool(name, ['u1', 'u2', 'u3'])]);
      await Promise.all(
        Array.from({ length: 30 }, () =>
          store.transaction(async (tx) => {
            const locked = (await lockPools(tx.db, [name])).get(name)!;
            const turn = (locked.state?.virtualTime ?? 0) + 1;
            await storeDecisions(
              tx.db,
              [row(newLeadId())],
              [],
              new Map([[name, { state: picked(name, turn), version: locked.version }]]),
              0,
            );
          }),
        ),
      );
      expect((await readPools(store.db, [name])).get(name)).toEqual({ state: picked(name, 30), version: 30 });
    });
  });

  describe('retention', () => {
    /** A store of its own (a fresh schema on PostgreSQL): the clean-up deletes by age, whoever wrote the rows. */
    async function isolated(test: (own: Store) => Promise<void>): Promise<void> {
      const schema = backend.name === 'postgres' ? postgresSchema() : null;
      const own = schema ? await schema.open() : await backend.open();
      try {
        await test(own);
      } finally {
        await own.close();
        await schema?.cleanup();
      }
    }

    it('forgets request keys and applied outbox rows after a week, decisions after a year, pending ones never', async () => {
      await isolated(async (own) => {
        const done = row(newLeadId(), { requestKey: 'key-done' });
        const waiting = row(newLeadId());
        const effects = [done, waiting].map((d) => ({ decisionId: d.id, effect: update(d.decision.leadId) }));
        const stored = await own.transaction(async (tx) => {
          await claimKeys(tx.db, new Map([['key-done', done.id]]));
          return storeDecisions(tx.db, [done, waiting], effects, new Map(), 0);
        });
        await markApplied(own.db, [stored.effects[0]!.id]);
        await setStatuses(own.db, [{ id: done.id, status: 'applied', detail: null }]);

        const cleanUp = (days: number) =>
          new StoreCleanUp({
            store: own,
            retention: { decisionDays: 365, outboxDays: 7, requestKeyDays: 7 },
            clock: () => new Date(Date.now() + days * 86_400_000),
          }).runOnce();
        expect(await cleanUp(1)).toEqual({ decisions: 0, outbox: 0, requestKeys: 0, jobRuns: 0 });
        expect(await cleanUp(8)).toEqual({ decisions: 0, outbox: 1, requestKeys: 1, jobRuns: 0 });
        expect(await findKeys(own.db, ['key-done'])).toEqual(new Map());
        expect((await effectsOf(own.db, [done.id, waiting.id])).map((e) => e.decisionId)).toEqual([
          waiting.id,
        ]);

        expect(await cleanUp(366)).toEqual({ decisions: 1, outbox: 0, requestKeys: 0, jobRuns: 0 });
        expect([...(await decisionsById(own.db, [done.id, waiting.id])).keys()]).toEqual([waiting.id]);
        expect(await effectsOf(own.db, [waiting.id])).toHaveLength(1);
      });
    });

    it('keeps decisions forever when told to, and a key no longer than its decision', async () => {
      await isolated(async (own) => {
        const d = row(newLeadId(), { status: 'applied' });
        await own.transaction(async (tx) => {
          await claimKeys(tx.db, new Map([['key-long', d.id]]));
          await storeDecisions(tx.db, [d], [], new Map(), 0);
        });
        const at = (days: number, decisionDays: number | null) =>
          purgeExpired(own, new Date(Date.now() + days * 86_400_000), {
            decisionDays,
            outboxDays: 7,
            requestKeyDays: 500,
          });
        expect(await at(400, null)).toEqual({ decisions: 0, outbox: 0, requestKeys: 0, jobRuns: 0 });
        expect(await at(40, 30)).toEqual({ decisions: 1, outbox: 0, requestKeys: 1, jobRuns: 0 });
      });
    });
  });

  describe('replay ids', () => {
    it('remembers where the change stream stopped', async () => {
      const topic = `/data/LeadChangeEvent-${newLeadId()}`;
      expect(await store.replayIds.get(topic)).toBeNull();
      await store.replayIds.set(topic, 'AAAAAAAAAAE=');
      await store.replayIds.set(topic, 'AAAAAAAAAAI=');
      expect(await store.replayIds.get(topic)).toBe('AAAAAAAAAAI=');
    });
  });

  describe('the kept org snapshot', () => {
    it('keeps each object apart and loads more records than one page holds, each once', async () => {
      const object = `Account-${newLeadId()}`;
      const records = Array.from({ length: 10_002 }, (_, i) => ({
        Id: `001K${String(i).padStart(11, '0')}`,
        n: i,
      }));
      const readAt = new Date('2026-12-01T00:00:00Z');
      await replaceKept(store.db, object, records, readAt);
      await saveKept(
        store.db,
        [{ object: `Lead-${object}`, records: [{ Id: '00QK1' }], removedIds: [] }],
        readAt,
      );
      const changed = { ...records[0]!, n: -1 };
      await saveKept(store.db, [{ object, records: [changed], removedIds: [records[1]!.Id] }]);
      const kept = await loadKept<{ Id: string; n: number }>(store.db, object);
      expect(kept?.readAt).toEqual(readAt);
      expect(kept?.records).toHaveLength(10_001);
      expect(new Set(kept?.records.map((r) => r.Id)).size).toBe(10_001);
      expect(kept?.records.find((r) => r.Id === records[0]!.Id)?.n).toBe(-1);
      expect(kept?.records.some((r) => r.Id === records[1]!.Id)).toBe(false);
      expect(await loadKept(store.db, `Opportunity-${object}`)).toBeNull();
    }, 60_000);
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
