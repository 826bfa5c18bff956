import type { ColumnType, Generated } from 'kysely';

/**
 * The tables of the companion's own database, as Kysely sees them. The DDL is in migrations.ts.
 * JSON columns hold `unknown` here; each repository gives them their real type.
 */

/** Timestamps come back as Date; callers may write a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: pass objects as JSON text on write (`toJson` in sql-values.ts); parsed on read. */
type Json<T = unknown> = ColumnType<T, string, string>;
type NullableJson<T = unknown> = ColumnType<T | null, string | null | undefined, string | null>;

export type RoutingVersionAction =
  'first-start' | 'publish' | 'import' | 'rollback' | 'pool-change' | 'territory-change';

/** One version of the routing set: its files as written, who made it, when and why. The newest is live. */
export interface RoutingVersionsTable {
  version: number;
  /** File name → its text (`*.flow.yaml`, `pools.yaml`, `territories.yaml`). */
  files: Json;
  action: RoutingVersionAction;
  author_id: string;
  author_name: string;
  reason: string;
  /** The version the change started from (the live one when it was made). */
  base_version: number | null;
  /** A rollback: the earlier version whose files it made live again. */
  rolled_back_to: number | null;
  /** What changed against the version before, file by file, with the diff. */
  changes: Json;
  created_at: Timestamp;
}

export interface PoolsTable {
  name: string;
  definition: Json;
  updated_at: Timestamp;
}

export interface PoolStateTable {
  name: string;
  state: NullableJson;
  /** Bumped on every write. */
  version: Generated<number>;
  updated_at: Timestamp;
}

export type DecisionStatus = 'pending' | 'applied' | 'failed' | 'stale' | 'dry-run';

export interface DecisionsTable {
  id: Generated<string>;
  lead_id: string;
  flow_name: string | null;
  flow_version: number | null;
  /** The Trigger that started routing. */
  trigger: Json;
  /** A short machine word, e.g. 'assigned', 'converted', 'no-change', 'refused'. */
  outcome: string;
  owner_id: string | null;
  owner_kind: string | null;
  /** One sentence for people. */
  summary: string;
  /** The whole Decision: path, reasons, updates (json, not jsonb: it is kept compressed). */
  decision: Json;
  status: DecisionStatus;
  /** Why the status is what it is, when it is not obvious (e.g. why it went stale). */
  status_detail: string | null;
  request_key: string | null;
  /** Insertion order (bigint, read as a string); "newest" means the highest. */
  seq: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type OutboxKind = 'update-lead' | 'convert-lead';
export type OutboxStatus = 'pending' | 'applied' | 'failed';

export interface OutboxTable {
  id: Generated<string>;
  decision_id: string;
  kind: OutboxKind;
  payload: Json;
  status: OutboxStatus;
  attempts: Generated<number>;
  last_error: string | null;
  /** When a worker may try it (again); later than now while backing off. */
  next_attempt_at: Timestamp;
  /** A worker that claimed the row holds it until then; after a crash it becomes claimable again. */
  locked_until: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  applied_at: NullableTimestamp;
}

export interface IdempotencyTable {
  key: string;
  decision_id: string;
  created_at: Timestamp;
}

export interface IndexSnapshotsTable {
  name: string;
  /** The highest SystemModstamp the snapshot includes: fetch what changed after it. */
  last_modstamp: NullableTimestamp;
  record_count: number;
  /** Whatever the index serialises to start without a full read; may be null. */
  snapshot: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  meta: NullableJson;
  updated_at: Timestamp;
}

/** The org snapshot's accounts by Id, fields by API name in `data`. */
export interface OrgSnapshotRecordsTable {
  /** Account, Opportunity or Lead. */
  object: string;
  id: string;
  data: Json;
}

export interface ReplayIdsTable {
  topic: string;
  /** The Pub/Sub API replay id, base64 of its bytes. */
  replay_id: string;
  updated_at: Timestamp;
}

/** The embedded demo org (local mode): one row per record, fields by API name in `data`. */
export interface CrmRecordsTable {
  object: string;
  id: string;
  data: Json;
  modstamp: Timestamp;
  /** Lower-case text the pickers search (name, email, company, website), kept by the database. */
  search: ColumnType<string, never, never>;
}

export interface CrmMetaTable {
  key: string;
  value: Json;
}

export interface JobRunsTable {
  id: string;
  job: string;
  /** The day (UTC) the run counts for. */
  day: string;
  dry_run: boolean;
  /** The admin who ran it by hand; null for the schedule. */
  started_by: string | null;
  started_at: Timestamp;
  /** Null while it runs. */
  finished_at: NullableTimestamp;
  candidates: number | null;
  moved: number | null;
  unchanged: number | null;
  failed: number | null;
  api_calls: number | null;
  /** Why the run stopped, when it failed as a whole. */
  error: string | null;
}

export interface JobSettingsTable {
  job: string;
  paused: boolean;
  changed_by: string | null;
  changed_at: Timestamp;
}

export interface BacktestRunsTable {
  id: Generated<number>;
  ran_at: Timestamp;
  author_id: string;
  author_name: string;
  /** The live version the candidate was compared with. */
  live_version: number | null;
  /** sha256 of the candidate's files, by name: equal to a version's when that version holds them. */
  candidate_hash: string;
  scope: Json;
  summary: Json;
  /** Lead Ids asked for that the org does not have. */
  missing: number;
  /** The candidate's files by name; kept on the newest run only (null on older ones). */
  candidate: NullableJson<Record<string, string>>;
}

export interface Database {
  routing_versions: RoutingVersionsTable;
  pools: PoolsTable;
  pool_state: PoolStateTable;
  decisions: DecisionsTable;
  outbox: OutboxTable;
  idempotency: IdempotencyTable;
  index_snapshots: IndexSnapshotsTable;
  org_snapshot_records: OrgSnapshotRecordsTable;
  replay_ids: ReplayIdsTable;
  crm_records: CrmRecordsTable;
  crm_meta: CrmMetaTable;
  job_runs: JobRunsTable;
  job_settings: JobSettingsTable;
  backtest_runs: BacktestRunsTable;
}
