import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';

/**
 * The stores the store suites run on: PGlite always, PostgreSQL too when DATABASE_URL is set.
 * Each `open()` on PostgreSQL lands in a fresh schema (dropped by `cleanup`), so parallel test
 * files never see each other's rows; `openAnother()` opens a second instance on the same schema.
 */
export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** The PostgreSQL schema the store lives in (null on PGlite, where the database is the test's own). */
  schema: string | null;
  open(): Promise<Store>;
}

export interface SharedPostgres {
  schema: string;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const databaseUrl = process.env.DATABASE_URL || null;

/** A PostgreSQL schema of its own; null when DATABASE_URL is not set. */
export function postgresSchema(): SharedPostgres | null {
  if (!databaseUrl) return null;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  return {
    schema,
    open: () => openDatabase({ databaseUrl, dataDir: IN_MEMORY }, { schema, maxConnections: 4 }),
    async cleanup() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** One entry per available backend, for `describe.each`. Call `cleanup` in afterAll. */
export function testBackends(): Array<TestBackend & { cleanup(): Promise<void> }> {
  const list: Array<TestBackend & { cleanup(): Promise<void> }> = [
    {
      name: 'pglite',
      schema: null,
      open: () => openDatabase({ databaseUrl: null, dataDir: IN_MEMORY }),
      cleanup: async () => {},
    },
  ];
  const shared = postgresSchema();
  if (shared)
    list.push({ name: 'postgres', schema: shared.schema, open: shared.open, cleanup: shared.cleanup });
  return list;
}
