import { CodedError } from '../engine/coded-error.js';
import { isRouteFailure, type RouteManyResult } from '../routing/routing.service.js';
import type { RouteRequest, RouteResult, RoutingPort } from './app-context.js';
import { isUpstreamError } from './http.errors.js';
import { CallerGoneError } from './in-flight-limit.js';

/** A lead routing could not route, with the routing service's code (NOT_FOUND, NO_FLOW). */
export class RouteFailedError extends CodedError {}

/** The lead's previous re-route is still being written to the CRM; routing it again now would race it. */
export class RerouteInProgressError extends CodedError<'REROUTE_IN_PROGRESS'> {
  readonly action = 'Wait a minute, reload the lead, and re-route it again if it still needs it.';

  constructor(readonly leadId: string) {
    super(
      'REROUTE_IN_PROGRESS',
      `Lead ${leadId} was just re-routed and Salesforce is still saving that change, so Switchyard did not route it again.`,
    );
  }
}

export interface RouteCoalescerOptions {
  /** Requests per batch (one transaction). Default 50. */
  maxBatch?: number;
  /**
   * How long a request waits for its decision's writes before it is answered with status
   * 'pending' (the writes go on, and the outbox finishes them). Default 3 s: well inside the
   * 20 s the Apex callout waits.
   */
  answerWithinMs?: number;
  /** Told when applying a batch failed after its commit (the outbox retries those effects). */
  onApplyError?: (error: unknown) => void;
}

interface Waiting {
  request: RouteRequest;
  /** Aborted when the caller left: the request is dropped unless its batch has begun. */
  gone: AbortSignal | undefined;
  resolve(result: RouteResult): void;
  reject(error: unknown): void;
  /** True once the request waited because its lead's previous decision was being applied. */
  held?: boolean;
}

/**
 * Group commit for re-routes: the requests that arrive together go to the routing service as one
 * batch (one transaction), so under load ten re-routes cost little more than one.
 *
 * A batch starts one turn of the event loop after its first request (setImmediate), so every
 * request whose bytes have already arrived joins it; requests that arrive while a batch is being
 * decided wait for the next. The turn matters on the embedded store: its queries run in-process and
 * resolve without ever giving the event loop back to the network, so a batch started at once would
 * finish before the next request was even read, and every batch would hold a single request.
 * A lone request waits only that one turn. A request whose caller has left before its batch is cut
 * is dropped, not routed.
 *
 * Only deciding is done one batch at a time. A batch's writes to the CRM run on their own, so a
 * slow write never holds up the batches after it, and each request is answered when its writes are
 * done or after `answerWithinMs`, whichever comes first (status 'pending': the decision is stored
 * and the outbox finishes it). A lead is never decided while its previous decision is being
 * applied: the request waits for that, and if it would wait longer than `answerWithinMs` it is
 * refused with REROUTE_IN_PROGRESS. A retry with that decision's request key does not wait: routing
 * answers it with the stored decision.
 */
export class RouteCoalescer {
  private waiting: Waiting[] = [];
  private draining = false;
  /** Leads whose decision is being applied, and the request keys those decisions answer. */
  private readonly applying = new Tally();
  private readonly applyingKeys = new Tally();
  private readonly maxBatch: number;
  private readonly answerWithinMs: number;

  constructor(
    private readonly routing: Pick<RoutingPort, 'decideMany'>,
    private readonly options: RouteCoalescerOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 50;
    this.answerWithinMs = options.answerWithinMs ?? 3000;
  }

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
        const batch = this.cut();
        if (batch.length === 0) break;
        await this.routeBatch(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  /** The next batch: one request per lead, none for a lead being applied, at most `maxBatch`. */
  private cut(): Waiting[] {
    const batch: Waiting[] = [];
    const later: Waiting[] = [];
    const leads = new Set<string>();
    const left: Waiting[] = [];
    for (const w of this.waiting) {
      const { leadId } = w.request;
      if (w.gone?.aborted) {
        w.reject(new CallerGoneError());
        left.push(w);
        continue;
      }
      if (this.busy(w)) {
        if (!w.held) this.holdOrRefuse(w);
        continue;
      }
      if (batch.length < this.maxBatch && !leads.has(leadId)) {
        leads.add(leadId);
        batch.push(w);
      } else {
        later.push(w);
      }
    }
    this.waiting = [...later, ...this.waiting.filter((w) => !left.includes(w) && this.busy(w))];
    return batch;
  }

  /** The request's lead is being applied, and the request is not a retry of that decision's key. */
  private busy(w: Waiting): boolean {
    const { leadId, requestKey } = w.request;
    return this.applying.has(leadId) && !(requestKey !== undefined && this.applyingKeys.has(requestKey));
  }

  /** A request held for its busy lead gets a timer: past the bound it is refused instead. */
  private holdOrRefuse(w: Waiting): void {
    w.held = true;
    setTimeout(() => {
      const at = this.waiting.indexOf(w);
      if (at < 0 || !this.busy(w)) return;
      this.waiting.splice(at, 1);
      w.reject(new RerouteInProgressError(w.request.leadId));
    }, this.answerWithinMs).unref();
  }

  /** Decides the batch (awaited: the next batch waits for this commit), then lets its writes run. */
  private async routeBatch(batch: Waiting[]): Promise<void> {
    let staged: Awaited<ReturnType<RoutingPort['decideMany']>>;
    try {
      staged = await this.routing.decideMany(batch.map((w) => w.request));
    } catch (err) {
      // One request the routing service chokes on (text the store refuses, a bug) must not fail the
      // others: decide them one by one so only the culprit fails. Salesforce being down would fail
      // each alike, so that fails the batch at once.
      if (batch.length === 1 || isUpstreamError(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      for (const w of batch) {
        if (w.gone?.aborted) w.reject(new CallerGoneError());
        else await this.routeBatch([w]);
      }
      return;
    }
    const open: Array<{ w: Waiting; i: number }> = [];
    batch.forEach((w, i) => {
      const now = staged.decided[i];
      if (now && !isRouteFailure(now) && now.status === 'pending') open.push({ w, i });
      else settle(w, now);
    });
    if (open.length === 0) {
      staged.applied.catch((error: unknown) => this.options.onApplyError?.(error));
      return;
    }

    const leads = open.map(({ w }) => w.request.leadId);
    const keys = open.flatMap(({ w }) => (w.request.requestKey !== undefined ? [w.request.requestKey] : []));
    this.applying.add(leads);
    this.applyingKeys.add(keys);
    const answerPending = () => {
      for (const { w, i } of open) settle(w, staged.decided[i]);
    };
    const timer = setTimeout(answerPending, this.answerWithinMs);
    timer.unref();
    void staged.applied
      .then(
        (results) => {
          for (const { w, i } of open) settle(w, results[i]);
        },
        (error: unknown) => {
          answerPending();
          this.options.onApplyError?.(error);
        },
      )
      .finally(() => {
        clearTimeout(timer);
        this.applying.remove(leads);
        this.applyingKeys.remove(keys);
        if (this.waiting.length > 0 && !this.draining) void this.drain();
      });
  }
}

/** Counts of names in use (a lead or a key may be in more than one batch being applied). */
class Tally {
  private readonly counts = new Map<string, number>();

  has(name: string): boolean {
    return this.counts.has(name);
  }

  add(names: string[]): void {
    for (const n of names) this.counts.set(n, (this.counts.get(n) ?? 0) + 1);
  }

  remove(names: string[]): void {
    for (const n of names) {
      const left = (this.counts.get(n) ?? 1) - 1;
      if (left > 0) this.counts.set(n, left);
      else this.counts.delete(n);
    }
  }
}

/** Answers a request once; later answers to it are ignored. */
function settle(w: Waiting, result: RouteManyResult | undefined): void {
  if (!result) w.reject(new RouteFailedError('INTERNAL', 'Routing answered no result for this lead.'));
  else if (isRouteFailure(result)) w.reject(new RouteFailedError(result.error.code, result.error.message));
  else w.resolve(result);
}
