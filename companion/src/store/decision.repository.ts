import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Trigger } from '../engine/model.js';
import { toCount, toJson } from './json.js';
import type { Database, DecisionStatus, DecisionsTable } from './schema.js';

export interface NewDecision<D = unknown> {
  /** Give one to reference the decision before it is stored (e.g. an idempotency key); else generated. */
  id?: string;
  leadId: string;
  flowName: string | null;
  flowVersion: number | null;
  trigger: Trigger;
  /** A short word, e.g. 'assigned', 'converted', 'queued', 'no-change', 'refused'. */
  outcome: string;
  ownerId: string | null;
  ownerKind: 'user' | 'queue' | null;
  /** One sentence a person reads in the routing history. */
  summary: string;
  /** The whole decision (path, reasons, updates) as the engine made it. */
  decision: D;
  status: DecisionStatus;
  statusDetail?: string | null;
  requestKey?: string | null;
}

export interface DecisionRow<D = unknown> extends Omit<NewDecision<D>, 'id' | 'statusDetail' | 'requestKey'> {
  id: string;
  statusDetail: string | null;
  requestKey: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function toRow<D>(r: Selectable<DecisionsTable>): DecisionRow<D> {
  return {
    id: r.id,
    leadId: r.lead_id,
    flowName: r.flow_name,
    flowVersion: r.flow_version,
    trigger: r.trigger as Trigger,
    outcome: r.outcome,
    ownerId: r.owner_id,
    ownerKind: r.owner_kind as 'user' | 'queue' | null,
    summary: r.summary,
    decision: r.decision as D,
    status: r.status,
    statusDetail: r.status_detail,
    requestKey: r.request_key,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The audit trail: every routing decision, newest first per lead. */
export class DecisionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert<D>(d: NewDecision<D>): Promise<DecisionRow<D>> {
    const [row] = await this.insertMany([d]);
    return row!;
  }

  /** Stores many decisions in one statement (batch routing); rows come back in the order given. */
  async insertMany<D>(decisions: NewDecision<D>[]): Promise<DecisionRow<D>[]> {
    if (decisions.length === 0) return [];
    const values = decisions.map((d) => ({
      id: d.id ?? randomUUID(),
      lead_id: d.leadId,
      flow_name: d.flowName,
      flow_version: d.flowVersion,
      trigger: toJson(d.trigger),
      outcome: d.outcome,
      owner_id: d.ownerId,
      owner_kind: d.ownerKind,
      summary: d.summary,
      decision: toJson(d.decision),
      status: d.status,
      status_detail: d.statusDetail ?? null,
      request_key: d.requestKey ?? null,
    }));
    const rows = await this.db.insertInto('decisions').values(values).returningAll().execute();
    const byId = new Map(rows.map((r) => [r.id, toRow<D>(r)]));
    return values.map((v) => byId.get(v.id)!);
  }

  async get<D = unknown>(id: string): Promise<DecisionRow<D> | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.selectFrom('decisions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRow<D>(row) : null;
  }

  /** The lead's decisions, newest first. */
  async historyForLead<D = unknown>(leadId: string, limit = 20): Promise<DecisionRow<D>[]> {
    const rows = await this.db
      .selectFrom('decisions')
      .selectAll()
      .where('lead_id', '=', leadId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => toRow<D>(r));
  }

  /** The newest decision of each lead that has one (dry runs excluded: they changed nothing). */
  async latestForLeads<D = unknown>(leadIds: string[]): Promise<Map<string, DecisionRow<D>>> {
    const result = new Map<string, DecisionRow<D>>();
    if (leadIds.length === 0) return result;
    const rows = await this.db
      .selectFrom('decisions')
      .selectAll()
      .distinctOn('lead_id')
      .where('lead_id', 'in', leadIds)
      .where('status', '!=', 'dry-run')
      .orderBy('lead_id')
      .orderBy('seq', 'desc')
      .execute();
    for (const r of rows) result.set(r.lead_id, toRow<D>(r));
    return result;
  }

  /** Newest first, across all leads (for admins and the preview). */
  async recent<D = unknown>(limit = 50): Promise<DecisionRow<D>[]> {
    const rows = await this.db
      .selectFrom('decisions')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => toRow<D>(r));
  }

  /** Returns false when there is no such decision. */
  async setStatus(id: string, status: DecisionStatus, detail: string | null = null): Promise<boolean> {
    const res = await this.db
      .updateTable('decisions')
      .set({ status, status_detail: detail, updated_at: sql`clock_timestamp()` })
      .where('id', '=', id)
      .executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  async countByStatus(): Promise<Record<DecisionStatus, number>> {
    const rows = await this.db
      .selectFrom('decisions')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('status')
      .execute();
    const counts: Record<DecisionStatus, number> = {
      pending: 0,
      applied: 0,
      failed: 0,
      stale: 0,
      'dry-run': 0,
    };
    for (const r of rows) counts[r.status] = toCount(r.n);
    return counts;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id is simply not found, rather than a database error. */
function isUuid(id: string): boolean {
  return UUID.test(id);
}
