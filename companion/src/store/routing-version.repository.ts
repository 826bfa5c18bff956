import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RoutingVersionAction, RoutingVersionsTable } from './schema.js';
import { toJson } from './sql-values.js';

/**
 * The routing_versions table: every version of the routing set (flows, pools, territory tables) with
 * who made it, when, why and what changed. The newest version is the live one; a version is never
 * changed or deleted, so the table is also the audit trail of every routing change.
 */

/** File name → text. */
export type RoutingFiles = Record<string, string>;

export interface FileChange {
  file: string;
  change: 'added' | 'removed' | 'changed';
  /** Lines added and removed. */
  added: number;
  removed: number;
  /** The changed lines with a little context, `+`/`-`/` ` prefixed, hunks headed `@@ line n @@`. */
  diff: string;
}

export interface VersionInfo {
  version: number;
  action: RoutingVersionAction;
  author: { id: string; name: string };
  reason: string;
  baseVersion: number | null;
  rolledBackTo: number | null;
  changes: FileChange[];
  createdAt: string;
}

export interface StoredVersion extends VersionInfo {
  files: RoutingFiles;
}

export interface NewVersion {
  version: number;
  files: RoutingFiles;
  action: RoutingVersionAction;
  author: { id: string; name: string };
  reason: string;
  baseVersion: number | null;
  rolledBackTo?: number | null;
  changes: FileChange[];
}

const INFO_COLUMNS = [
  'version',
  'action',
  'author_id',
  'author_name',
  'reason',
  'base_version',
  'rolled_back_to',
  'changes',
  'created_at',
] as const;

type InfoRow = Omit<Selectable<RoutingVersionsTable>, 'files'>;

function info(row: InfoRow): VersionInfo {
  return {
    version: row.version,
    action: row.action,
    author: { id: row.author_id, name: row.author_name },
    reason: row.reason,
    baseVersion: row.base_version,
    rolledBackTo: row.rolled_back_to,
    changes: row.changes as FileChange[],
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The number of the live version; null before the first. One index read: checked before each batch. */
export async function liveVersionNumber(db: Kysely<Database>): Promise<number | null> {
  const row = await db
    .selectFrom('routing_versions')
    .select('version')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.version ?? null;
}

/** One version with its files; the live one when `version` is not given. */
export async function readVersion(db: Kysely<Database>, version?: number): Promise<StoredVersion | null> {
  let query = db.selectFrom('routing_versions').select([...INFO_COLUMNS, 'files']);
  query =
    version === undefined ? query.orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  return row ? { ...info(row), files: row.files as RoutingFiles } : null;
}

/** Versions newest first, without their files: `before` pages back; `file` keeps those that changed it. */
export async function listVersions(
  db: Kysely<Database>,
  limit: number,
  before?: number,
  file?: string,
): Promise<VersionInfo[]> {
  let query = db.selectFrom('routing_versions').select(INFO_COLUMNS).orderBy('version', 'desc').limit(limit);
  if (before !== undefined) query = query.where('version', '<', before);
  if (file !== undefined) query = query.where(sql<boolean>`changes @> ${toJson([{ file }])}::jsonb`);
  return (await query.execute()).map(info);
}

/**
 * Stores a new version under its number. False when that number is taken: someone else stored a
 * version since the caller read the live one (the primary key is the optimistic lock).
 */
export async function insertVersion(db: Kysely<Database>, v: NewVersion): Promise<boolean> {
  const inserted = await db
    .insertInto('routing_versions')
    .values({
      version: v.version,
      files: toJson(v.files),
      action: v.action,
      author_id: v.author.id,
      author_name: v.author.name,
      reason: v.reason,
      base_version: v.baseVersion,
      rolled_back_to: v.rolledBackTo ?? null,
      changes: toJson(v.changes),
    })
    .onConflict((oc) => oc.column('version').doNothing())
    .returning('version')
    .executeTakeFirst();
  return inserted !== undefined;
}
