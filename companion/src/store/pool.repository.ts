import { sql, type Kysely } from 'kysely';
import type { PoolDefinition, PoolState } from '../engine/distribution/distribution.types.js';
import { atomic } from './atomic.js';
import { toJson } from './sql-values.js';
import type { Database } from './schema.js';

/**
 * The pools and pool_state tables: each pool's definition and its live state (whose turn it is,
 * recent assignments). Everything that reads or writes them goes through here.
 */

export interface LockedPool {
  state: PoolState | null;
  version: number;
}

/** A pool's state with the version of its row (xmin) it was read or written at. */
export interface KnownPool extends LockedPool {
  rowVersion: string;
}

/** Creates or replaces definitions by name, each with a state row (kept when it exists) to lock. */
export async function upsertPools(db: Kysely<Database>, definitions: PoolDefinition[]): Promise<void> {
  if (definitions.length === 0) return;
  await atomic(db, async (tx) => {
    await tx
      .insertInto('pools')
      .values(definitions.map((d) => ({ name: d.name, definition: toJson(d) })))
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ definition: (eb) => eb.ref('excluded.definition'), updated_at: sql`now()` }),
      )
      .execute();
    await tx
      .insertInto('pool_state')
      .values(definitions.map((d) => ({ name: d.name, state: null })))
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  });
}

/**
 * Locks the pools' state rows in name order (so two transactions never wait on each other in a
 * cycle) and returns their state. A pool whose row is still the version in `known` (nobody wrote
 * it since this process read or wrote it) comes back with the known state, not sent again.
 */
export async function lockPools(
  tx: Kysely<Database>,
  names: string[],
  known: ReadonlyMap<string, KnownPool> = new Map(),
): Promise<Map<string, KnownPool>> {
  const locked = new Map<string, KnownPool>();
  if (names.length === 0) return locked;
  const versions = JSON.stringify(
    names.filter((n) => known.has(n)).map((name) => ({ name, row_version: known.get(name)!.rowVersion })),
  );
  const { rows } = await sql<{
    name: string;
    version: number;
    row_version: string;
    unchanged: boolean | null;
    state: unknown;
  }>`
    select p.name, p.version, p.xmin::text as row_version, p.xmin::text = k.row_version as unchanged,
      case when p.xmin::text = k.row_version then null else p.state end as state
    from pool_state p
    left join jsonb_to_recordset(${versions}::jsonb) as k(name text, row_version text) on k.name = p.name
    where p.name = any(${[...names].sort()}::text[])
    order by p.name
    for update of p
  `.execute(tx);
  for (const r of rows) {
    const state = r.unchanged ? known.get(r.name)!.state : (r.state as PoolState | null);
    locked.set(r.name, { state, version: r.version, rowVersion: r.row_version });
  }
  return locked;
}

/** The pools' state as last stored, without locking (dry runs, display). */
export async function readPools(db: Kysely<Database>, names: string[]): Promise<Map<string, LockedPool>> {
  const found = new Map<string, LockedPool>();
  if (names.length === 0) return found;
  const rows = await db
    .selectFrom('pool_state')
    .select(['name', 'state', 'version'])
    .where('name', '=', sql<string>`any(${names}::text[])`)
    .execute();
  for (const r of rows) found.set(r.name, { state: r.state as PoolState | null, version: r.version });
  return found;
}

/** The pools' new state as the JSON parameter `updatePoolRows` reads. */
export function poolJson(pools: Map<string, LockedPool>): string {
  return JSON.stringify([...pools].map(([name, { state, version }]) => ({ name, state, version })));
}

/**
 * Writes the pools' new state, bumping each row's version; a statement part returning each pool's
 * name, new version and row version, for `storeDecisions` to run with the decisions.
 */
export const updatePoolRows = (json: string) => sql`
  update pool_state set state = p.state, version = p.version + 1, updated_at = now()
  from jsonb_to_recordset(${json}::jsonb) as p(name text, state jsonb, version integer)
  where pool_state.name = p.name
  returning pool_state.name, pool_state.version, pool_state.xmin::text as row_version
`;
