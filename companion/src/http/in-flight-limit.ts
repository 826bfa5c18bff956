import type { Request, RequestHandler, Response } from 'express';
import { CodedError } from '../engine/coded-error.js';
import { ApiError, toErrorResponse } from './http.errors.js';

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

export interface InFlightLimitOptions {
  /** Requests under /v1 served at once. */
  max: number;
  /** Headers every answer carries (the security headers); the refusal carries them too. */
  headers: Readonly<Record<string, string>>;
  /** Told of each refusal, once it is sent (metrics, a log summary). */
  onRefused(req: Request, res: Response): void;
}

/**
 * Bounds the requests under /v1 being served at once. Beyond `max`, a request is refused with 503
 * and Retry-After the moment it is seen: it must be the first handler, ahead of the request log, the
 * key check and the body parser. The refusal is written straight to the socket, its bytes made
 * once, because under a flood refusals are most of the work: each one costs what a bare Node server
 * spends, and the server keeps serving what it has admitted. Callers get a fast answer they can act
 * on instead of a queue that outlives their timeout. A slot is freed when the answer is sent or the
 * caller leaves.
 */
export function inFlightLimit(options: InFlightLimitOptions): RequestHandler {
  const { status, body, headers } = toErrorResponse(new OverloadedError());
  const bytes = Buffer.from(JSON.stringify(body));
  const refusal = {
    ...options.headers,
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(bytes.length),
  };
  let inFlight = 0;
  return (req, res, next) => {
    if (!underV1(req.url)) {
      next();
      return;
    }
    if (inFlight >= options.max) {
      res.writeHead(status, refusal).end(bytes);
      options.onRefused(req, res);
      return;
    }
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

/** `/v1`, `/v1/…` or `/v1?…`, in any case: what Express's `/v1` mount (case-insensitive) serves. */
function underV1(url: string): boolean {
  if (url.length < 3 || url.slice(0, 3).toLowerCase() !== '/v1') return false;
  return url.length === 3 || url[3] === '/' || url[3] === '?';
}

/** Aborts when the caller closes the connection before the answer is sent. */
export function callerGone(res: Response): AbortSignal {
  const controller = new AbortController();
  if (res.destroyed) controller.abort();
  else res.once('close', () => !res.writableFinished && controller.abort());
  return controller.signal;
}
