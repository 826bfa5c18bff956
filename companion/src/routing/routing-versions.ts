import type { OrgCatalog, RoutingSet, SourceFile } from '../engine/flow/routing-set.js';
import {
  insertVersion,
  listVersions,
  liveVersionNumber,
  readVersion,
  type FileChange,
  type RoutingFiles,
  type StoredVersion,
  type VersionInfo,
} from '../store/routing-version.repository.js';
import type { RoutingVersionAction } from '../store/schema.js';
import type { StoreSession } from '../store/store.js';
import { FlowInvalidError } from '../engine/flow/flow-loader.js';
import {
  readFolderAliases,
  readRoutingFiles,
  routingSetFromFiles,
  RoutingSetInvalidError,
} from './flow-files.js';
import { RoutingService, type RoutingServiceOptions } from './routing.service.js';
import { RoutingError } from './routing.errors.js';
import { changesBetween, describeChanges } from './set-changes.js';

export type { FileChange, RoutingFiles, StoredVersion, VersionInfo };

/** Who made a change: a Salesforce user, or Switchyard itself at its first start. */
export interface Author {
  id: string;
  name: string;
}

/** What a publish, import, rollback or pool change did (or, as a dry run, would do). */
export interface VersionChange {
  /** The version live after it: the new one, or the same when nothing changed or on a dry run. */
  version: number;
  /** Whether a version was stored; false for a dry run and when the files are the live ones. */
  published: boolean;
  /** The live version it was measured against. */
  previous: number;
  /** What changed against that version, file by file, with the diff. */
  changes: FileChange[];
}

/**
 * An instant as a person reads it in a message (when a version was stored, when a backtest ran):
 * `2026-12-07 00:38 UTC`, not an ISO timestamp with milliseconds.
 */
export function whenStored(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Someone stored a version after the one a change started from: it would be undone without a word. */
export class VersionConflictError extends RoutingError {
  readonly action: string;
  constructor(
    readonly base: number,
    readonly live: VersionInfo,
    /** What was asked: a pool or territory change is previewed again, a set is exported and edited again. */
    asked: RoutingVersionAction = 'publish',
  ) {
    const tableChange = asked === 'pool-change' || asked === 'territory-change';
    super(
      'VERSION_CONFLICT',
      `Version ${live.version} of the routing set (${live.action} by ${live.author.name} at ${whenStored(live.createdAt)}: "${live.reason}"; ${describeChanges(live.changes)}) was stored after version ${base}, which your change started from; ${tableChange ? 'saving' : 'publishing'} would undo it.`,
    );
    this.action = tableChange
      ? `Look at your change again against version ${live.version} (preview it again, or send --base ${live.version}), then confirm it.`
      : `Export the live set (npm run cli -- export --folder <folder>), make your change there, and publish it with --base ${live.version}.`;
  }
}

export class VersionNotFoundError extends RoutingError {
  readonly action = 'List the versions (npm run cli -- versions) and give one of their numbers.';
  constructor(version: number) {
    super('NOT_FOUND', `The routing set has no version ${version}.`);
  }
}

/** A change asked of the routing set: its new files, or how to make them from the live ones. */
interface Proposal {
  author: Author;
  reason: string;
  action: RoutingVersionAction;
  /** The live version the change started from; without it, whatever is live (an import, a pool change). */
  baseVersion?: number;
  rolledBackTo?: number;
  dryRun?: boolean;
  files: (live: RoutingFiles) => RoutingFiles;
}

/** Runs `fn`, naming `origin` in the problems of a set that does not load. */
async function loading<T>(origin: string, fn: () => Promise<T>, action?: string): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof FlowInvalidError) throw new RoutingSetInvalidError(origin, error.issues, action);
    throw error;
  }
}

/** Pool changes and imports retry this often when another version lands between read and store. */
const RETRIES = 5;

export interface RoutingVersionsOptions {
  store: StoreSession;
  /** Checks files as a routing set against the org (throws FlowInvalidError with every problem). */
  load: (files: SourceFile[]) => RoutingSet;
  /** Makes a set the one the next decision uses. */
  use: (set: RoutingSet) => Promise<void>;
  /** The version the service decides with now. */
  inUse: number;
  /** A version another instance stored that does not load here (a name this org lacks). */
  onError?: (error: unknown, version: number) => void;
  /**
   * The store is this process's alone (the embedded one: its lock file refuses a second opener), so
   * every version it holds was stored through this process: `newer` knows them without a query.
   */
  exclusive?: boolean;
}

/**
 * The newest version each store got through this process. For an exclusive store that is the
 * newest version there is: asking the store before every batch would cost a query for nothing.
 */
const storedHere = new WeakMap<object, number>();

function noteStored(store: StoreSession, version: number): void {
  storedHere.set(store.db, Math.max(version, storedHere.get(store.db) ?? 0));
}

export const filesOf = (files: RoutingFiles): SourceFile[] =>
  Object.entries(files).map(([file, text]) => ({ file, text }));

const ALIASES_FILE = 'aliases.yaml';

/** The routing folder a store without versions starts from. */
interface RoutingFolder {
  origin: string;
  read: () => Promise<RoutingFiles>;
  /** Its `aliases.yaml`, if it has one (undefined when the folder or the file is not there). */
  aliases?: () => Promise<string | undefined>;
}

/**
 * Company aliases were read from the routing folder at every start before they were versioned: a
 * store none of whose versions ever held `aliases.yaml` takes the folder's once, as a new version,
 * so an upgrade keeps matching as it did. After that the versions decide (a version without it
 * means no aliases), and the folder is not read again.
 */
async function adoptFolderAliases(
  store: StoreSession,
  live: StoredVersion,
  folder: RoutingFolder,
  load: (files: SourceFile[]) => RoutingSet,
): Promise<StoredVersion> {
  if (!folder.aliases || live.files[ALIASES_FILE] !== undefined) return live;
  if ((await listVersions(store.db, 1, undefined, ALIASES_FILE)).length > 0) return live;
  const text = await loading(folder.origin, folder.aliases);
  if (text === undefined) return live;
  const files = { ...live.files, [ALIASES_FILE]: text };
  // A file that does not load is never stored: once live, no later start would read the folder's again.
  try {
    load(filesOf(files));
  } catch (error) {
    if (!(error instanceof FlowInvalidError)) throw error;
    const own = error.issues.filter((issue) => issue.file === ALIASES_FILE);
    if (own.length > 0) {
      throw new RoutingSetInvalidError(
        folder.origin,
        own,
        `Correct ${ALIASES_FILE} in the routing folder (or remove it) and start again: company aliases are now versioned with the routing set, and this file becomes their first version once it loads.`,
      );
    }
    // The live version's own problems are told by the start's load below, as without the aliases.
  }
  // False when another instance adopting them at the same moment stored its version first: that one is live.
  await insertVersion(store.db, {
    version: live.version + 1,
    files,
    action: 'import',
    author: { id: 'switchyard', name: 'Switchyard' },
    reason: `company aliases are versioned with the routing set: ${ALIASES_FILE} of the routing folder ${folder.origin}`,
    baseVersion: live.version,
    changes: changesBetween(live.files, files),
  });
  return (await readVersion(store.db))!;
}

/**
 * The routing set's versions (flows, pools, territory tables, SLAs and company aliases together), the newest one live:
 * publish a validated set over the version it started from, import one from another environment,
 * roll back to an earlier version as a new one, change a pool or a territory row; each is stored with who, when, why
 * and its diff, and the service switches to it for its next decision. Instances sharing the
 * database take a version another stored before their next batch (`newer`).
 */
export class RoutingVersions {
  private inUse: number;
  private checking: Promise<RoutingSet | null> | null = null;

  constructor(private readonly options: RoutingVersionsOptions) {
    this.inUse = options.inUse;
  }

  /**
   * The live routing set at start: the stored live version, or, on a database without one, the
   * folder's files stored as version 1.
   */
  static async start(
    store: StoreSession,
    folder: RoutingFolder,
    load: (files: SourceFile[]) => RoutingSet,
  ): Promise<{ version: StoredVersion; set: RoutingSet; firstStart: boolean }> {
    let live = await readVersion(store.db);
    if (!live) {
      const files = await loading(folder.origin, folder.read);
      const set = await loading(folder.origin, async () => load(filesOf(files)));
      const stored = await insertVersion(store.db, {
        version: 1,
        files,
        action: 'first-start',
        author: { id: 'switchyard', name: 'Switchyard' },
        reason: `first start: the routing folder ${folder.origin}`,
        baseVersion: null,
        changes: changesBetween({}, files),
      });
      live = (await readVersion(store.db))!;
      noteStored(store, live.version);
      if (stored) return { version: live, set, firstStart: true };
    }
    live = await adoptFolderAliases(store, live, folder, load);
    const version = live;
    noteStored(store, version.version);
    const set = await loading(
      `store:version-${version.version}`,
      async () => load(filesOf(version.files)),
      `The live version names people or queues the org does not have (or no longer lets routing use): fix them in the org, so the version loads.`,
    );
    return { version, set, firstStart: false };
  }

  /** The version the service decides with. */
  get versionInUse(): number {
    return this.inUse;
  }

  async live(): Promise<StoredVersion> {
    return (await readVersion(this.options.store.db))!;
  }

  async get(version: number): Promise<StoredVersion> {
    const found = await readVersion(this.options.store.db, version);
    if (!found) throw new VersionNotFoundError(version);
    return found;
  }

  /** The history, newest first; with `file`, the versions that changed that file (a flow's, the pools'). */
  list(limit: number, before?: number, file?: string): Promise<VersionInfo[]> {
    return listVersions(this.options.store.db, limit, before, file);
  }

  /** Publishes files edited from `baseVersion` (or imported from another environment, over whatever is live). */
  publish(request: {
    files: RoutingFiles;
    author: Author;
    reason: string;
    action: 'publish' | 'import';
    baseVersion?: number;
    dryRun?: boolean;
  }): Promise<VersionChange> {
    return this.propose({ ...request, files: () => request.files });
  }

  /** Makes an earlier version's files live again, as a new version. */
  async rollback(request: {
    to: number;
    author: Author;
    reason: string;
    baseVersion?: number;
    dryRun?: boolean;
  }): Promise<VersionChange> {
    const earlier = await this.get(request.to);
    return this.propose({
      ...request,
      action: 'rollback',
      rolledBackTo: request.to,
      files: () => earlier.files,
    });
  }

  /**
   * Stores the live files as `edit` changes them (a pool member's weight, a rep out of office, a
   * territory row). With `baseVersion`, refused when another version was stored since (a change by
   * row number means the rows the admin saw). Answers with the set the change makes, loaded to check
   * it (stored or not: a dry run's too), so a caller shows its effect from the change as made once.
   */
  async change(request: {
    author: Author;
    reason: string;
    action: 'pool-change' | 'territory-change';
    edit: (live: RoutingFiles) => RoutingFiles;
    baseVersion?: number;
    dryRun?: boolean;
  }): Promise<{ answer: VersionChange; changed: RoutingSet }> {
    return this.proposeWithSet({ ...request, files: request.edit });
  }

  /**
   * A version another instance stored since this one took its set, loaded; null when the set in use
   * is live. One check at a time: batches that ask together share it.
   */
  newer(): Promise<RoutingSet | null> {
    this.checking ??= this.checkNewer().finally(() => (this.checking = null));
    return this.checking;
  }

  private async checkNewer(): Promise<RoutingSet | null> {
    const { store, exclusive } = this.options;
    const live = exclusive ? (storedHere.get(store.db) ?? null) : await liveVersionNumber(store.db);
    if (live === null || live <= this.inUse) return null;
    const version = (await readVersion(this.options.store.db, live))!;
    try {
      const set = this.options.load(filesOf(version.files));
      this.inUse = version.version;
      return set;
    } catch (error) {
      // Told once; the set in use stays until a version that loads is stored.
      this.inUse = version.version;
      this.options.onError?.(error, version.version);
      return null;
    }
  }

  private async propose(p: Proposal): Promise<VersionChange> {
    return (await this.proposeWithSet(p)).answer;
  }

  /** The change asked, stored unless a dry run or the same files, with the set its files make. */
  private async proposeWithSet(p: Proposal): Promise<{ answer: VersionChange; changed: RoutingSet }> {
    for (let attempt = 0; ; attempt++) {
      const live = await this.live();
      if (p.baseVersion !== undefined && p.baseVersion !== live.version) {
        if (p.baseVersion > live.version) throw new VersionNotFoundError(p.baseVersion);
        throw new VersionConflictError(p.baseVersion, live, p.action);
      }
      const files = p.files(live.files);
      const set = this.options.load(filesOf(files));
      const changes = changesBetween(live.files, files);
      const answer = { previous: live.version, changes };
      if (p.dryRun || changes.length === 0)
        return { answer: { ...answer, version: live.version, published: false }, changed: set };
      const version = live.version + 1;
      const stored = await insertVersion(this.options.store.db, {
        version,
        files,
        action: p.action,
        author: p.author,
        reason: p.reason,
        baseVersion: live.version,
        rolledBackTo: p.rolledBackTo ?? null,
        changes,
      });
      if (stored) {
        noteStored(this.options.store, version);
        this.inUse = version;
        await this.options.use(set);
        return { answer: { ...answer, version, published: true }, changed: set };
      }
      // Someone stored a version between our read and our write.
      if (p.baseVersion !== undefined)
        throw new VersionConflictError(p.baseVersion, await this.live(), p.action);
      if (attempt >= RETRIES) throw new VersionConflictError(live.version, await this.live(), p.action);
    }
  }
}

/**
 * The routing service on the live version of the routing set (on a first start, the routing folder's
 * files, stored as version 1), and the versions that change it: what `npm start` composes.
 */
export async function startVersionedRouting(
  options: Omit<RoutingServiceOptions, 'routingSet' | 'liveSet'> & {
    routingDir: string;
    /** The org's people, as the set is checked against at start. */
    catalog: OrgCatalog;
    onVersionError?: RoutingVersionsOptions['onError'];
  },
): Promise<{ routing: RoutingService; versions: RoutingVersions; firstStart: boolean }> {
  const { routingDir, catalog, onVersionError, ...serviceOptions } = options;
  const started = await RoutingVersions.start(
    options.store,
    {
      read: () => readRoutingFiles(routingDir),
      aliases: () => readFolderAliases(routingDir),
      origin: routingDir,
    },
    (files) => routingSetFromFiles(files, catalog),
  );
  // The service asks the versions for a newer set; the versions switch the service to it.
  const made: { versions?: RoutingVersions } = {};
  const routing = await RoutingService.create({
    ...serviceOptions,
    routingSet: started.set,
    liveSet: { newer: () => made.versions?.newer() ?? Promise.resolve(null) },
  });
  const versions = new RoutingVersions({
    store: options.store,
    load: (files) => routing.candidateSet(files),
    use: (set) => routing.useSet(set),
    inUse: started.version.version,
    exclusive: options.store.backend === 'pglite',
    ...(onVersionError ? { onError: onVersionError } : {}),
  });
  made.versions = versions;
  return { routing, versions, firstStart: started.firstStart };
}
