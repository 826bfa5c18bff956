import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import express, {
  Router,
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { AppDeps } from './app-context.js';
import { requireActor, requireApiKey, userAssertionVerifier } from './auth.js';
import { ApiError, RateLimitedError, toErrorResponse, ValidationError } from './http.errors.js';
import { registerServiceGauges } from './metrics.js';
import { CallerGoneError, inFlightLimit } from './in-flight-limit.js';
import { openApiDocument } from './openapi.js';
import { TokenBuckets } from './rate-limit.js';
import { accountsRoute } from './routes/accounts.route.js';
import { healthz, opsRoute } from './routes/health.route.js';
import { leadsRoute } from './routes/leads.route.js';
import { matchedLeadsRoute } from './routes/matched-leads.route.js';
import { routeBatchRoute } from './routes/route-batch.route.js';
import { routeLeadRoute } from './routes/route-lead.route.js';
import { usersRoute } from './routes/users.route.js';
import { flowPictureRoute } from './routes/flow-picture.route.js';
import { jobsRoute } from './routes/jobs.route.js';
import { reassignmentsRoute } from './routes/reassignments.route.js';
import { slaRoute } from './routes/sla.route.js';
import { WHAT_IF_PATHS, whatIfBodyParser, whatIfRoute } from './routes/what-if.route.js';
import { flowVersionsRoute, VERSION_PATHS } from './routes/flow-versions.route.js';
import { poolsRoute } from './routes/pools.route.js';
import { territoriesRoute } from './routes/territories.route.js';
import { SECURITY_HEADERS, securityHeaders } from './security-headers.js';
import { storableTextOnly, wellFormedPath } from './validation.js';

export interface AppOptions {
  /**
   * Mounted before the API key check, for routes that must answer without a key (the preview's
   * static files). It sees the security headers and the request log like every other route.
   */
  public?: Router;
}

/**
 * The HTTP API v1 as an Express app. Builds everything from `deps` and starts nothing: the
 * caller listens (main.ts, or a test on port 0).
 */
export function createApp(deps: AppDeps, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  registerServiceGauges(deps.metrics, deps.store, deps.status);

  // First of all, so that under a flood a refusal costs next to nothing and the admitted keep the CPU.
  app.use(
    inFlightLimit({
      max: deps.maxInFlight ?? 64,
      headers: SECURITY_HEADERS,
      onRefused: refusalCount(deps),
    }),
  );
  app.use(requestLog(deps));
  app.use(securityHeaders);
  app.use(wellFormedPath);
  app.get('/healthz', healthz);
  if (options.public) app.use(options.public);

  app.use(
    requireApiKey(
      deps.config.previousApiKey ? [deps.config.apiKey, deps.config.previousApiKey] : [deps.config.apiKey],
    ),
  );
  app.use([...WHAT_IF_PATHS, ...VERSION_PATHS, '/v1/reassignments'], whatIfBodyParser);
  app.use(express.json({ limit: deps.bodyLimit ?? '100kb', strict: true, type: 'application/json' }));
  app.use(jsonBodiesOnly);
  app.use(storableTextOnly);

  // Real elapsed time refills the buckets, not the routing clock (which tests and benchmarks pin).
  const elapsed = () => performance.now();
  const buckets = new TokenBuckets(deps.rateLimit ?? { perSecond: 20, burst: 60 }, elapsed);
  const lookups = new TokenBuckets(deps.lookupBudget ?? { perSecond: 5, burst: 50 }, elapsed);
  // One key serves every Salesforce user; each acting user has a bucket of their own.
  const limit = (caller: string) => {
    const wait = buckets.take(caller);
    if (wait > 0) throw new RateLimitedError(wait);
  };
  const rateLimit: RequestHandler = (_req, _res, next) => {
    limit('(no user)');
    next();
  };

  app.use(['/readyz', '/metrics', '/v1/openapi.json'], rateLimit);
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use(opsRoute(deps));

  const v1 = Router();
  // The user's own limit runs on the Id they claim, before the org is asked who they are.
  // Beside a real org, the acting user must be proven by the org's signature, not only named.
  const verifyUser = deps.config.userAssertion ? userAssertionVerifier(deps.config.userAssertion) : undefined;
  v1.use(
    requireActor(deps.org, {
      nowMs: () => deps.clock().getTime(),
      ...(verifyUser ? { verifyUser } : {}),
      admit: limit,
      takeLookup: () => lookups.take('user lookups'),
    }),
  );
  v1.use(routeLeadRoute(deps));
  v1.use(routeBatchRoute(deps));
  v1.use(matchedLeadsRoute(deps));
  v1.use(leadsRoute(deps));
  v1.use(accountsRoute(deps));
  v1.use(usersRoute(deps));
  v1.use(whatIfRoute(deps));
  v1.use(reassignmentsRoute(deps));
  v1.use(slaRoute(deps));
  v1.use(flowPictureRoute(deps));
  if (deps.versions) {
    v1.use(flowVersionsRoute({ ...deps, versions: deps.versions }));
    v1.use(poolsRoute({ ...deps, versions: deps.versions }));
    v1.use(territoriesRoute({ ...deps, versions: deps.versions }));
  }
  v1.use(jobsRoute(deps));
  app.use('/v1', v1);

  app.use((req) => {
    throw new ApiError(
      'NOT_FOUND',
      `There is no ${req.method} ${req.path} in the Switchyard API.`,
      'Check the method and path against /v1/openapi.json.',
    );
  });
  app.use(errorHandler(deps));
  return app;
}

/**
 * A body in any other type would be skipped by the JSON parser and the request run with defaults
 * (a dry run becoming a real re-route): refuse it instead.
 */
const jsonBodiesOnly: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) {
    throw new ValidationError([
      { field: 'content-type', message: 'must be application/json when the request has a body' },
    ]);
  }
  next();
};

/** One JSON line per answered request: never headers or bodies, so the key never reaches the log. */
function requestLog(deps: AppDeps): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now: routers rewrite req.url while they handle the request.
    const path = req.path;
    const incoming = req.get('x-request-id');
    const id = incoming && /^[\w.:-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req.baseUrl, req.route as { path?: unknown } | undefined, res.statusCode);
      deps.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      deps.metrics.httpDuration.observe({ method: req.method, route }, seconds);
      const actor = res.locals.actor as { id: string } | undefined;
      const line = {
        reqId: id,
        method: req.method,
        path,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 10_000) / 10,
        ...(actor ? { user: actor.id } : {}),
        ...(res.locals.errorCode ? { code: res.locals.errorCode as string } : {}),
      };
      if (res.statusCode >= 500) deps.logger.error(line, 'request failed');
      else deps.logger.info(line, 'request');
    });
    next();
  };
}

/**
 * Refusals for overload go to the metrics one by one, as every answer does, but to the log as one
 * line a second: a flood must not become a flood of log lines.
 */
function refusalCount(deps: AppDeps): (req: Request, res: Response) => void {
  let refused = 0;
  return (req, res) => {
    deps.metrics.httpRequests.inc({
      method: req.method,
      route: '(middleware)',
      status: String(res.statusCode),
    });
    if (refused++ > 0) return;
    setTimeout(() => {
      deps.logger.warn(
        { code: 'OVERLOADED', refused, maxInFlight: deps.maxInFlight ?? 64 },
        'requests refused in the last second: too many in flight',
      );
      refused = 0;
    }, 1000).unref();
  };
}

/** The route pattern (`/v1/leads/:leadId/route`), so metrics have one series per endpoint, not per Id. */
function routeLabel(baseUrl: string, route: { path?: unknown } | undefined, status: number): string {
  if (route && typeof route.path === 'string') return `${baseUrl}${route.path}`;
  return status === 404 ? '(unknown)' : '(middleware)';
}

/**
 * Requests Node's HTTP parser refuses before Express sees them (raw bytes in the path, broken
 * framing, headers too large) are answered in the API's error shape too, instead of a bare 400.
 */
export function answerUnparseableRequests(server: Server): Server {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
      return;
    }
    const message =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 'has more header bytes than the server accepts (16 kB)'
        : 'is not a well-formed HTTP/1.1 request: escape every byte of the path outside ASCII as %XX, and frame the body with Content-Length or chunks';
    const { status, body } = toErrorResponse(new ValidationError([{ field: 'request', message }]));
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  });
  return server;
}

function errorHandler(deps: AppDeps): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    // No one is left to answer: the caller closed the connection.
    if (err instanceof CallerGoneError || res.destroyed) {
      deps.logger.info({ method: req.method, path: req.path }, 'the caller left before the answer');
      return;
    }
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500 && !(err instanceof ApiError && err.code !== 'INTERNAL')) {
      deps.logger.error({ err }, 'unexpected error');
    }
    res.locals.errorCode = body.error.code;
    res.status(status).set(headers).json(body);
  };
}
