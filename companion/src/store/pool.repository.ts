import { sql, type Kysely } from 'kysely';
import type { PoolDefinition, PoolState } from '../engine/distribution/distribution.types.js';
import { atomic, toJson } from './json.js';
import type { Database } from './schema.js';
import { PoolNotFoundError } from './store.errors.js';

export interface StoredPoolState {
  /** null until the first pick. */
  state: PoolState | null;
  /** Bumped on every write of the state. */
  version: number;
}

export interface LockedPoolUpdate<R> {
  result: R;
  /** The state to store; leave it out (or undefined) to keep the state as it was. */
  newState?: PoolState | null;
}

/** Pool definitions and their live state (whose turn it is, recent assignments). */
export class PoolRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates or replaces definitions by name; existing state is kept (the picker reconciles members). */
  async upsert(definitions: PoolDefinition[]): Promise<void> {
    if (definitions.length === 0) return;
    await atomic(this.db, async (tx) => {
      await tx
        .insertInto('pools')
        .values(definitions.map((d) => ({ name: d.name, definition: toJson(d) })))
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ definition: (eb) => eb.ref('excluded.definition'), updated_at: sql`now()` }),
        )
        .execute();
      // Every pool has a state row from the start, so the first pick has a row to lock.
      await tx
        .insertInto('pool_state')
        .values(definitions.map((d) => ({ name: d.name, state: null })))
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    });
  }

  async list(): Promise<PoolDefinition[]> {
    const rows = await this.db.selectFrom('pools').select('definition').orderBy('name').execute();
    return rows.map((r) => r.definition as PoolDefinition);
  }

  async get(name: string): Promise<PoolDefinition | null> {
    const row = await this.db
      .selectFrom('pools')
      .select('definition')
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? (row.definition as PoolDefinition) : null;
  }

  /** Removes a pool and its state. Returns false when there was no such pool. */
  async remove(name: string): Promise<boolean> {
    return atomic(this.db, async (tx) => {
      await tx.deleteFrom('pool_state').where('name', '=', name).execute();
      const res = await tx.deleteFrom('pools').where('name', '=', name).executeTakeFirst();
      return res.numDeletedRows > 0n;
    });
  }

  /** The state as last stored, without locking (for display; picks use withLockedState). */
  async getState(name: string): Promise<StoredPoolState | null> {
    const row = await this.db
      .selectFrom('pool_state')
      .select(['state', 'version'])
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? { state: row.state as PoolState | null, version: row.version } : null;
  }

  /**
   * Locks the pool's state row (SELECT … FOR UPDATE), hands the definition and state to `fn`, and
   * stores the state it returns. Called on a transaction session (`store.transaction(tx => …)`), the
   * lock is held until that transaction commits, so the decision and outbox rows written there
   * commit together with the pick; called on the store itself, it runs in a transaction of its own.
   * Either way no two workers or instances ever see the same state.
   */
  async withLockedState<R>(
    name: string,
    fn: (
      state: PoolState | null,
      definition: PoolDefinition,
    ) => Promise<LockedPoolUpdate<R>> | LockedPoolUpdate<R>,
  ): Promise<R> {
    return atomic(this.db, async (tx) => {
      const row = await tx
        .selectFrom('pool_state as s')
        .innerJoin('pools as p', 'p.name', 's.name')
        .select(['p.definition', 's.state', 's.version'])
        .where('s.name', '=', name)
        .forUpdate('s')
        .executeTakeFirst();
      if (!row) throw new PoolNotFoundError(name);
      const { result, newState } = await fn(row.state as PoolState | null, row.definition as PoolDefinition);
      if (newState !== undefined) {
        await tx
          .updateTable('pool_state')
          .set({
            state: newState === null ? null : toJson(newState),
            version: row.version + 1,
            updated_at: sql`now()`,
          })
          .where('name', '=', name)
          .execute();
      }
      return result;
    });
  }
}
