import { CodedError } from '../engine/coded-error.js';

/** Errors of the routing service, each with a stable code and what to do next. */
export class RoutingError extends CodedError {}

export class LeadNotFoundError extends RoutingError {
  constructor(readonly leadId: string) {
    super(
      'NOT_FOUND',
      `There is no lead with Id ${leadId}, or it was deleted. Check the Id (15 or 18 characters) and try again.`,
    );
  }
}

/** No flow of the routing set handles this trigger (e.g. an update to a field no flow watches). */
export class NoFlowError extends RoutingError {
  constructor(readonly trigger: string) {
    super(
      'NO_FLOW',
      `No routing flow handles a '${trigger}' trigger. Publish a flow whose trigger includes it, or route the lead another way.`,
    );
  }
}

/** A request key already answered for another lead: keys must be unique per request. */
export class RequestKeyReusedError extends RoutingError {
  constructor(
    readonly requestKey: string,
    readonly otherLeadId: string,
  ) {
    super(
      'REQUEST_KEY_REUSED',
      `Request key "${requestKey}" was already used to route lead ${otherLeadId}. Use a new key for each routing request.`,
    );
  }
}

/** A simulation or backtest asked for something it cannot do; the message says what to change. */
export class WhatIfInputError extends RoutingError {
  constructor(message: string) {
    super('VALIDATION_FAILED', message);
  }
}

/**
 * A route-on-update whose decision would change nothing (a rep set a status, someone cleared the
 * Re-run Routing box): nothing is written and nothing is kept in the lead's history.
 */
export class NothingToChangeError extends RoutingError {
  constructor(readonly leadId: string) {
    super(
      'NOTHING_TO_CHANGE',
      `The change to lead ${leadId} leaves its routing as it is, so nothing was written. Nothing to do.`,
    );
  }
}
