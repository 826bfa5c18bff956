import type { Kysely } from 'kysely';
import { ReplayIdRepository } from './replay-id.repository.js';
import type { Database } from './schema.js';

/**
 * The store, or one transaction of it. Each table has one module under store/ (`*.repository.ts`)
 * whose functions take `db`; nothing else names a table. Inside `transaction(tx => …)` use only
 * `tx.db`: on the embedded store there is a single connection, so a query through the outer store
 * would wait for the transaction that waits for it.
 */
export class StoreSession {
  readonly replayIds: ReplayIdRepository;

  constructor(
    /** The query builder the repositories' functions take. */
    readonly db: Kysely<Database>,
  ) {
    this.replayIds = new ReplayIdRepository(db);
  }

  /**
   * Runs `fn` in one transaction: everything it does through `tx` commits together or not at all
   * (e.g. the pool pick, the decision and its outbox rows). Nested calls join the outer transaction.
   */
  transaction<T>(fn: (tx: StoreSession) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new StoreSession(trx)));
  }
}

export type StoreBackend = 'pglite' | 'postgres';

export interface SqlResult {
  rows: Record<string, unknown>[];
}

/** An open store. Close it to release the data folder. */
export class Store extends StoreSession {
  private closed = false;

  constructor(
    db: Kysely<Database>,
    readonly backend: StoreBackend,
    /** Raw SQL on the same connections (e.g. pg-boss's `db: { executeSql }`). */
    readonly executeSql: (text: string, values?: unknown[]) => Promise<SqlResult>,
    private readonly onClose: () => Promise<void>,
  ) {
    super(db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.onClose();
  }
}
