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
