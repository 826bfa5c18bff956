import { isRouteFailure } from '../routing/routing.service.js';
import type { RouteRequest, RouteResult, RoutingPort } from './app-context.js';

/** A lead routeMany could not route, with the routing service's code (NOT_FOUND, NO_FLOW). */
export class RouteFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RouteFailedError';
  }
}

interface Waiting {
  request: RouteRequest;
  resolve(result: RouteResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for re-routes: a request that arrives while a batch is being routed waits for the
 * next one, and each batch goes to the routing service as one routeMany (one transaction). Nothing
 * waits when routing is idle, so a lone request is as fast as before; under load, ten re-routes
 * cost about what one does. A lead is never in one batch twice: the second request waits a batch.
 */
export class RouteCoalescer {
  private waiting: Waiting[] = [];
  private draining = false;

  constructor(
    private readonly routing: Pick<RoutingPort, 'routeMany'>,
    private readonly maxBatch = 50,
  ) {}

  route(request: RouteRequest): Promise<RouteResult> {
    return new Promise<RouteResult>((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const batch: Waiting[] = [];
        const later: Waiting[] = [];
        const leads = new Set<string>();
        for (const w of this.waiting) {
          if (batch.length < this.maxBatch && !leads.has(w.request.leadId)) {
            leads.add(w.request.leadId);
            batch.push(w);
          } else {
            later.push(w);
          }
        }
        this.waiting = later;
        await this.routeBatch(batch);
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
      for (const w of batch) w.reject(err);
    }
  }
}
