import type { Kysely } from 'kysely';
import { DecisionRepository } from './decision.repository.js';
import { FlowVersionRepository } from './flow-version.repository.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { OutboxRepository } from './outbox.repository.js';
import { PoolRepository } from './pool.repository.js';
import type { Database } from './schema.js';
import { IndexSnapshotRepository, ReplayIdRepository } from './sync-state.repository.js';

/**
 * The repositories, bound to the store or to one transaction. Inside `transaction(tx => …)` use
 * only `tx`: on the embedded store there is a single connection, so a query through the outer
 * store would wait for the transaction that waits for it.
 */
export class StoreSession {
  readonly flows: FlowVersionRepository;
  readonly pools: PoolRepository;
  readonly decisions: DecisionRepository;
  readonly outbox: OutboxRepository;
  readonly idempotency: IdempotencyRepository;
  readonly indexSnapshots: IndexSnapshotRepository;
  readonly replayIds: ReplayIdRepository;

  constructor(
    /** The query builder, for what the repositories do not cover (e.g. the local CRM). */
    readonly db: Kysely<Database>,
  ) {
    this.flows = new FlowVersionRepository(db);
    this.pools = new PoolRepository(db);
    this.decisions = new DecisionRepository(db);
    this.outbox = new OutboxRepository(db);
    this.idempotency = new IdempotencyRepository(db);
    this.indexSnapshots = new IndexSnapshotRepository(db);
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
