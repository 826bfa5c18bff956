import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparedStatementPool } from '../../src/store/prepared-statements.js';
import type { Store } from '../../src/store/store.js';
import { testBackends } from './backends.js';

const backends = testBackends();
afterAll(async () => {
  for (const b of backends) await b.cleanup();
});

/** The store's statements as PostgreSQL sees them on this session: prepared ones by text. */
async function prepared(store: Store): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(
    store.db,
  );
  return rows.map((r) => r.statement);
}

describe.each(backends)('statements on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
    await sql`create table if not exists probe (id integer primary key, doc jsonb not null, at timestamptz not null)`.execute(
      store.db,
    );
  });
  afterAll(async () => {
    await store.close();
  });

  it('gives back values typed as pg gives them from PostgreSQL', async () => {
    const at = new Date('2026-11-23T15:00:00.123Z');
    const { rows } = await sql<{ n: number; big: string; doc: unknown; at: Date; nothing: null }>`
      select ${41}::integer + 1 as n, ${'9007199254740993'}::bigint as big,
        ${JSON.stringify({ a: [1, 'two'] })}::jsonb as doc, ${at}::timestamptz as at, null as nothing
    `.execute(store.db);
    expect(rows).toEqual([{ n: 42, big: '9007199254740993', doc: { a: [1, 'two'] }, at, nothing: null }]);
  });

  it('carries a parameter of megabytes in and out whole', async () => {
    const doc = { text: 'é€'.repeat(400_000), list: Array.from({ length: 20_000 }, (_, i) => i) };
    await sql`insert into probe (id, doc, at) values (1, ${JSON.stringify(doc)}::jsonb, now())`.execute(
      store.db,
    );
    const { rows } = await sql<{ doc: unknown }>`select doc from probe where id = ${1}`.execute(store.db);
    expect(rows[0]!.doc).toEqual(doc);
  });

  it('answers a failed statement with its PostgreSQL error and goes on serving the next', async () => {
    const insert = (id: number) =>
      sql`insert into probe (id, doc, at) values (${id}, ${'{}'}::jsonb, now())`.execute(store.db);
    await insert(2);
    await expect(insert(2)).rejects.toMatchObject({ code: '23505' });
    await expect(sql`select ${'x'}::integer`.execute(store.db)).rejects.toMatchObject({ code: '22P02' });
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::integer as n from probe where id = ${2}`.execute(store.db);
    expect(rows[0]!.n).toBe(1);
  });

  it('rolls a transaction back whole when a statement in it fails, and the next one commits', async () => {
    const failing = store.transaction(async (tx) => {
      await sql`insert into probe (id, doc, at) values (${3}, ${'{}'}::jsonb, now())`.execute(tx.db);
      await sql`insert into probe (id, doc, at) values (${3}, ${'{}'}::jsonb, now())`.execute(tx.db);
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    await store.transaction(async (tx) => {
      await sql`insert into probe (id, doc, at) values (${4}, ${'{}'}::jsonb, now())`.execute(tx.db);
    });
    const { rows } = await sql<{ id: number }>`select id from probe where id in (3, 4) order by id`.execute(
      store.db,
    );
    expect(rows.map((r) => r.id)).toEqual([4]);
  });

  it('prepares a statement run again, once, and plans it generically', async () => {
    const text = 'select doc from probe where id = $1 and at <= now()';
    const run = (id: number) => sql`select doc from probe where id = ${id} and at <= now()`.execute(store.db);
    await run(1);
    // On PostgreSQL the pool has several connections; each prepares on its own first run.
    for (let i = 0; i < 20; i++) await run(1 + (i % 4));
    if (backend.name === 'pglite') expect((await prepared(store)).filter((s) => s === text)).toHaveLength(1);
    const { rows } = await sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode`.execute(
      store.db,
    );
    expect(rows[0]!.mode).toBe('force_generic_plan');
  });
});

describe('which statements get a name', () => {
  const pool = (max?: number) => new PreparedStatementPool({} as pg.Pool, max);

  it('names a text the second time it is seen, and keeps that name', () => {
    const statements = pool();
    expect(statements.nameOf('select $1')).toBeUndefined();
    const name = statements.nameOf('select $1');
    expect(name).toMatch(/^sy_\d+$/);
    expect(statements.nameOf('select $1')).toBe(name);
    statements.nameOf('select $2');
    expect(statements.nameOf('select $2')).not.toBe(name);
  });

  it('names no more than its limit; the rest run unnamed', () => {
    const statements = pool(2);
    for (const text of ['a', 'b', 'c']) {
      statements.nameOf(text);
      statements.nameOf(text);
    }
    expect(['a', 'b', 'c'].map((t) => statements.nameOf(t) !== undefined)).toEqual([true, true, false]);
  });
});
