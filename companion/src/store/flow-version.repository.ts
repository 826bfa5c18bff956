import { sql, type Kysely, type Selectable } from 'kysely';
import { atomic, toJson } from './json.js';
import type { Database, FlowStage, FlowVersionsTable } from './schema.js';
import { FlowVersionNotFoundError } from './store.errors.js';

export interface FlowVersionRow<F = unknown> {
  name: string;
  version: number;
  stage: FlowStage;
  /** The document as the admin wrote it (YAML or JSON). */
  document: string;
  /** The validated flow. */
  json: F;
  createdAt: Date;
  /** When it went to production; null while in staging. */
  publishedAt: Date | null;
}

export interface NewFlowVersion<F = unknown> {
  name: string;
  document: string;
  json: F;
  /** Default 'staging': nothing goes live until promoted. */
  stage?: FlowStage;
}

function toRow<F>(r: Selectable<FlowVersionsTable>): FlowVersionRow<F> {
  return {
    name: r.name,
    version: r.version,
    stage: r.stage,
    document: r.document,
    json: r.json as F,
    createdAt: r.created_at,
    publishedAt: r.published_at,
  };
}

/**
 * Versioned flow documents. Each save makes the next version of that flow; a version moves from
 * staging to production by `promote`, and the live production version of a flow is the one
 * promoted last (so promoting an older version rolls back).
 */
export class FlowVersionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async save<F>(flow: NewFlowVersion<F>): Promise<FlowVersionRow<F>> {
    const stage = flow.stage ?? 'staging';
    return atomic(this.db, async (tx) => {
      // Serialises saves of one flow so two admins never get the same version number.
      await sql`select pg_advisory_xact_lock(hashtext(${'switchyard-flow:' + flow.name}))`.execute(tx);
      const row = await tx
        .insertInto('flow_versions')
        .values((eb) => ({
          name: flow.name,
          version: eb
            .selectFrom('flow_versions')
            .select(sql<number>`coalesce(max(version), 0) + 1`.as('next'))
            .where('name', '=', flow.name),
          stage,
          document: flow.document,
          json: toJson(flow.json),
          published_at: stage === 'production' ? sql`now()` : null,
        }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRow<F>(row);
    });
  }

  async get<F = unknown>(name: string, version: number): Promise<FlowVersionRow<F> | null> {
    const row = await this.db
      .selectFrom('flow_versions')
      .selectAll()
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return row ? toRow<F>(row) : null;
  }

  /** The live version of one flow in a stage: the newest staging version, or the last promoted. */
  async current<F = unknown>(name: string, stage: FlowStage): Promise<FlowVersionRow<F> | null> {
    const rows = await this.currentRows<F>(stage, name);
    return rows[0] ?? null;
  }

  /** The live version of every flow in a stage, by name. */
  async currentAll<F = unknown>(stage: FlowStage): Promise<FlowVersionRow<F>[]> {
    return this.currentRows<F>(stage);
  }

  /** Every version of a flow, newest first. */
  async history<F = unknown>(name: string): Promise<FlowVersionRow<F>[]> {
    const rows = await this.db
      .selectFrom('flow_versions')
      .selectAll()
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => toRow<F>(r));
  }

  /**
   * Puts a version live in production. Throws FlowVersionNotFoundError when it does not exist.
   * The live version is the one published last, so each promotion is stamped after every earlier
   * one of the flow: two promotions within one clock tick (PGlite's clock counts milliseconds)
   * would otherwise tie, and the rollback would not take.
   */
  async promote<F = unknown>(name: string, version: number): Promise<FlowVersionRow<F>> {
    const row = await this.db
      .updateTable('flow_versions')
      .set({
        stage: 'production',
        published_at: sql`greatest(clock_timestamp(), (
          select max(f.published_at) + interval '1 millisecond' from flow_versions f where f.name = ${name}
        ))`,
      })
      .where('name', '=', name)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new FlowVersionNotFoundError(name, version);
    return toRow<F>(row);
  }

  private async currentRows<F>(stage: FlowStage, name?: string): Promise<FlowVersionRow<F>[]> {
    let query = this.db.selectFrom('flow_versions').selectAll().distinctOn('name').where('stage', '=', stage);
    if (name !== undefined) query = query.where('name', '=', name);
    query = query.orderBy('name');
    query =
      stage === 'production'
        ? query.orderBy('published_at', 'desc').orderBy('version', 'desc')
        : query.orderBy('version', 'desc');
    const rows = await query.execute();
    return rows.map((r) => toRow<F>(r));
  }
}
