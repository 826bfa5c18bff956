import type { RequestHandler, Response } from 'express';
import { CodedError } from '../engine/coded-error.js';
import { ApiError } from './http.errors.js';

/** What a refused caller is told to wait: the work in flight takes well under a second to drain. */
const RETRY_AFTER_SECONDS = 1;

export class OverloadedError extends ApiError {
  constructor() {
    super(
      'OVERLOADED',
      'Switchyard is serving as many requests as it can take right now.',
      `Wait ${RETRY_AFTER_SECONDS} second and try again.`,
      [],
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
    this.name = 'OverloadedError';
  }
}

/** The caller closed the connection before the work began: there is no one left to answer. */
export class CallerGoneError extends CodedError {
  constructor() {
    super('CALLER_GONE', 'The caller closed the connection before its request was routed.');
    this.name = 'CallerGoneError';
  }
}

/**
 * Bounds the requests being served at once. Beyond `max`, a request is refused at once with 503 and
 * Retry-After, before its body is read or its user looked up: under a flood, callers get a fast
 * answer they can act on instead of a queue that outlives their timeout. A slot is freed when the
 * answer is sent or the caller leaves.
 */
export function inFlightLimit(max: number): RequestHandler {
  let inFlight = 0;
  return (_req, res, next) => {
    if (inFlight >= max) throw new OverloadedError();
    inFlight += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight -= 1;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}

/** Aborts when the caller closes the connection before the answer is sent. */
export function callerGone(res: Response): AbortSignal {
  const controller = new AbortController();
  if (res.destroyed) controller.abort();
  else res.once('close', () => !res.writableFinished && controller.abort());
  return controller.signal;
}
