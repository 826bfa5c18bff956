import { sql, type Kysely, type Selectable } from 'kysely';
import type { LeadConversion, LeadUpdate } from '../crm/crm.port.js';
import { atomic, toCount, toJson } from './json.js';
import type { Database, OutboxStatus, OutboxTable } from './schema.js';

/** One effect of a decision, to apply through the CRM port. */
export type OutboxEffect =
  { kind: 'update-lead'; payload: LeadUpdate } | { kind: 'convert-lead'; payload: LeadConversion };

export type NewOutboxRow = OutboxEffect & { decisionId: string };

export type OutboxRow = OutboxEffect & {
  /** A bigint, as text. */
  id: string;
  decisionId: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  createdAt: Date;
  updatedAt: Date;
  appliedAt: Date | null;
};

/**
 * Pending rows due now and not held by a live worker's lease, oldest first. The status is a literal
 * so that a prepared (generic) plan can use the partial index of pending rows.
 */
function due(db: Kysely<Database>, limit: number) {
  return db
    .selectFrom('outbox')
    .where(sql<boolean>`status = 'pending'`)
    .where('next_attempt_at', '<=', sql<Date>`now()`)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit);
}

export interface MarkFailedOptions {
  /** After this many failed attempts a retryable error fails the row for good. Default 8. */
  maxAttempts?: number;
  /** Wait before the next try; default doubles per attempt from 1 s up to 5 minutes. */
  retryAfterMs?: number;
}

function toRow(r: Selectable<OutboxTable>): OutboxRow {
  return {
    id: String(r.id),
    decisionId: r.decision_id,
    kind: r.kind,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    appliedAt: r.applied_at,
  } as OutboxRow;
}

/** Effects waiting to be applied to the CRM: written with their decision, retried until applied. */
export class OutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Adds effects, pending. With `claimForMs` the writer holds them for that long, so it can apply
   * them right after its commit while retry workers leave them alone; if it dies, they become
   * claimable when the time runs out.
   */
  async add(rows: NewOutboxRow[], options: { claimForMs?: number } = {}): Promise<OutboxRow[]> {
    if (rows.length === 0) return [];
    const lockedUntil =
      options.claimForMs === undefined
        ? null
        : sql<Date>`now() + ${options.claimForMs} * interval '1 millisecond'`;
    const inserted = await this.db
      .insertInto('outbox')
      .values(
        rows.map((r) => ({
          decision_id: r.decisionId,
          kind: r.kind,
          payload: toJson(r.payload),
          status: 'pending' as const,
          locked_until: lockedUntil,
        })),
      )
      .returningAll()
      .execute();
    return inserted.map(toRow);
  }

  /** Pending rows due now and not claimed by a live worker, oldest first. Reads only; see claim(). */
  async pending(limit = 100): Promise<OutboxRow[]> {
    const rows = await due(this.db, limit).selectAll().execute();
    return rows.map(toRow);
  }

  /**
   * Takes up to `limit` due rows for this worker for `leaseMs`: other workers and instances skip
   * them meanwhile (FOR UPDATE SKIP LOCKED). A worker that dies lets the lease run out, and the rows
   * become claimable again: nothing is lost.
   */
  async claim(limit = 100, leaseMs = 30_000): Promise<OutboxRow[]> {
    return atomic(this.db, async (tx) => {
      const ids = due(tx, limit).select('id').forUpdate().skipLocked();
      const rows = await tx
        .updateTable('outbox')
        .set({ locked_until: sql`now() + ${leaseMs} * interval '1 millisecond'`, updated_at: sql`now()` })
        .where('id', 'in', ids)
        .returningAll()
        .execute();
      return rows.map(toRow).sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
    });
  }

  async markApplied(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('outbox')
      .set({
        status: 'applied',
        attempts: sql`attempts + 1`,
        last_error: null,
        locked_until: null,
        applied_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .execute();
  }

  /**
   * Records a failed attempt. A retryable error leaves the row pending until `maxAttempts`, due
   * again after a back-off; anything else fails it for good. Returns the row's new status.
   */
  async markFailed(
    id: string,
    error: string,
    retryable: boolean,
    options: MarkFailedOptions = {},
  ): Promise<OutboxStatus | null> {
    const maxAttempts = options.maxAttempts ?? 8;
    const row = await this.db
      .updateTable('outbox')
      .set({
        attempts: sql`attempts + 1`,
        last_error: error,
        locked_until: null,
        updated_at: sql`now()`,
        status: retryable
          ? sql<OutboxStatus>`case when attempts + 1 >= ${maxAttempts} then 'failed' else 'pending' end`
          : 'failed',
        next_attempt_at:
          options.retryAfterMs !== undefined
            ? sql`now() + ${options.retryAfterMs} * interval '1 millisecond'`
            : sql`now() + least(power(2, attempts), 300) * interval '1 second'`,
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returning('status')
      .executeTakeFirst();
    return row?.status ?? null;
  }

  async forDecision(decisionId: string): Promise<OutboxRow[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('decision_id', '=', decisionId)
      .orderBy('id')
      .execute();
    return rows.map(toRow);
  }

  async countByStatus(): Promise<Record<OutboxStatus, number>> {
    const rows = await this.db
      .selectFrom('outbox')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('status')
      .execute();
    const counts: Record<OutboxStatus, number> = { pending: 0, applied: 0, failed: 0 };
    for (const r of rows) counts[r.status] = toCount(r.n);
    return counts;
  }
}
