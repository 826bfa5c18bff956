import { CodedError } from '../coded-error.js';

/** Errors a caller of the distribution engine can cause; each says what to do next. */
export class DistributionError extends CodedError<'INVALID_TIME' | 'POOL_STATE_MISMATCH'> {}

export class InvalidTimeError extends DistributionError {
  constructor(value: unknown) {
    super(
      'INVALID_TIME',
      `'${String(value)}' is not a time: pass an ISO 8601 timestamp or epoch milliseconds.`,
    );
    this.name = 'InvalidTimeError';
  }
}

export class PoolStateMismatchError extends DistributionError {
  constructor(pool: string, statePool: string) {
    super(
      'POOL_STATE_MISMATCH',
      `The state belongs to pool '${statePool}', not '${pool}': load the state stored for '${pool}'.`,
    );
    this.name = 'PoolStateMismatchError';
  }
}
