import { CodedError } from '../engine/coded-error.js';

/** Errors of the triggers and schedules, each with a stable code and what to do next. */
export class JobError extends CodedError {}

export class UnknownJobError extends JobError {
  constructor(
    readonly job: string,
    known: readonly string[],
  ) {
    super('JOB_UNKNOWN', `There is no scheduled job named '${job}'. Use one of: ${known.join(', ')}.`);
  }
}

export class SchedulerNotStartedError extends JobError {
  constructor() {
    super('SCHEDULER_NOT_STARTED', 'The job scheduler is not running: start it before queueing a job.');
  }
}

export class NoSlaSweepError extends JobError {
  constructor() {
    super(
      // The API's code for "not here, try where it runs" (503).
      'UPSTREAM_UNAVAILABLE',
      'This instance keeps no SLA clocks, so it cannot run the sla-sweep job. Run it on an instance started with npm start.',
    );
  }
}
