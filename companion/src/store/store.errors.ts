import { CodedError } from '../engine/coded-error.js';

/** Errors of the companion's store, each with a stable code and what to do next. */
export class StoreError extends CodedError {}

export class StoreLockedError extends StoreError {
  constructor(
    readonly lockPath: string,
    readonly holderPid: number | null,
    readonly holderHost: string | null,
  ) {
    const who =
      holderPid === null ? 'another process' : `process ${holderPid}${holderHost ? ` on ${holderHost}` : ''}`;
    super(
      'STORE_LOCKED',
      `The data folder is in use by ${who} (lock file ${lockPath}). Stop that process, or set ` +
        'SWITCHYARD_DATA_DIR to another folder, or set DATABASE_URL to share a PostgreSQL database between instances.',
    );
  }
}

export class StoreOpenError extends StoreError {
  constructor(what: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('STORE_UNAVAILABLE', `Could not open ${what}: ${reason}`, { cause });
  }
}

/** The store's tables are not this checkout's: none yet, or migrated by an older or newer Switchyard. */
export class StoreNotMigratedError extends StoreError {
  constructor(
    readonly state: 'empty' | 'older' | 'newer',
    /** This checkout's last migration. */
    readonly expected: string,
    /** The store's last migration; null when it has none. */
    readonly found: string | null,
  ) {
    super(
      'STORE_NOT_MIGRATED',
      state === 'empty'
        ? 'The database holds no Switchyard tables yet: the first start of the companion creates them.'
        : state === 'older'
          ? `The database's tables are older than this checkout's (its last migration is ${found}, this checkout's ${expected}): start the companion from this checkout to bring them up to date, or run this from the checkout the companion runs.`
          : `The database's tables are newer than this checkout's (its last migration is ${found}, this checkout knows up to ${expected}): run this from the checkout the companion runs, or update this checkout.`,
    );
  }
}
