import { CodedError } from '../engine/coded-error.js';
import { isRouteFailure } from '../routing/routing.service.js';
import type { RouteRequest, RouteResult, RoutingPort } from './app-context.js';
import { isUpstreamError } from './http.errors.js';
import { CallerGoneError } from './in-flight-limit.js';

/** A lead routeMany could not route, with the routing service's code (NOT_FOUND, NO_FLOW). */
export class RouteFailedError extends CodedError {}

interface Waiting {
  request: RouteRequest;
  /** Aborted when the caller left: the request is dropped unless its batch has begun. */
  gone: AbortSignal | undefined;
  resolve(result: RouteResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for re-routes: the requests that arrive together go to the routing service as one
 * routeMany (one transaction), so under load ten re-routes cost little more than one.
 *
 * A batch starts one turn of the event loop after its first request (setImmediate), so every
 * request whose bytes have already arrived joins it; requests that arrive while a batch is being
 * routed wait for the next. The turn matters on the embedded store: its queries run in-process and
 * resolve without ever giving the event loop back to the network, so a batch started at once would
 * finish before the next request was even read, and every batch would hold a single request.
 * A lone request waits only that one turn. A lead is never in one batch twice: the second request
 * waits a batch. A request whose caller has left before its batch is cut is dropped, not routed.
 */
export class RouteCoalescer {
  private waiting: Waiting[] = [];
  private draining = false;

  constructor(
    private readonly routing: Pick<RoutingPort, 'routeMany'>,
    private readonly maxBatch = 50,
  ) {}

  route(request: RouteRequest, gone?: AbortSignal): Promise<RouteResult> {
    return new Promise<RouteResult>((resolve, reject) => {
      this.waiting.push({ request, gone, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        // Let the requests already received reach the queue before the batch is cut.
        await new Promise((resolve) => setImmediate(resolve));
        const batch: Waiting[] = [];
        const later: Waiting[] = [];
        const leads = new Set<string>();
        for (const w of this.waiting) {
          if (w.gone?.aborted) w.reject(new CallerGoneError());
          else if (batch.length < this.maxBatch && !leads.has(w.request.leadId)) {
            leads.add(w.request.leadId);
            batch.push(w);
          } else {
            later.push(w);
          }
        }
        this.waiting = later;
        if (batch.length > 0) await this.routeBatch(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  private async routeBatch(batch: Waiting[]): Promise<void> {
    try {
      const results = await this.routing.routeMany(batch.map((w) => w.request));
      batch.forEach((w, i) => {
        const result = results[i];
        if (!result) w.reject(new RouteFailedError('INTERNAL', 'Routing answered no result for this lead.'));
        else if (isRouteFailure(result))
          w.reject(new RouteFailedError(result.error.code, result.error.message));
        else w.resolve(result);
      });
    } catch (err) {
      // One request the routing service chokes on (text the store refuses, a bug) must not fail the
      // others: route them one by one so only the culprit fails. Salesforce being down would fail
      // each alike, so that fails the batch at once.
      if (batch.length === 1 || isUpstreamError(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      for (const w of batch) {
        if (w.gone?.aborted) w.reject(new CallerGoneError());
        else await this.routeBatch([w]);
      }
    }
  }
}
