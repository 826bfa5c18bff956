import { CodedError } from '../engine/coded-error.js';

/** Errors of the SLA clocks, each with a stable code and what to do next. */
export class SlaError extends CodedError {}

export class NoClockError extends SlaError {
  constructor(readonly leadId: string) {
    super(
      'SLA_NO_CLOCK',
      `Lead ${leadId} has no open SLA clock: it is not waiting for its owner to take it (already accepted, moved, or never assigned by routing). Nothing to accept or reject.`,
    );
  }
}

export class NotTheOwnerError extends SlaError {
  constructor(readonly leadId: string) {
    super(
      'SLA_NOT_OWNER',
      `Only the lead's owner can accept or reject lead ${leadId}. Ask its owner, or re-route it.`,
    );
  }
}

export class NoPoolError extends SlaError {
  constructor(readonly leadId: string) {
    super(
      'SLA_NO_POOL',
      `Lead ${leadId} did not come from a pool, so there is nobody next in line to pass it to. Ask your manager to reassign it, or re-route it.`,
    );
  }
}
