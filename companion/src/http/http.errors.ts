import { CodedError } from '../engine/coded-error.js';
import { formatIssue, type SourceIssue } from '../engine/flow/yaml-source.js';

/** One bad field of a request: where it is (`body.reason`, `query.limit`, `path.leadId`) and what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The codes the API answers with; the Lightning components turn each into its own message. */
export type ApiErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'VALIDATION_FAILED'
  | 'LEAD_NOT_ELIGIBLE'
  | 'STALE_DECISION'
  | 'REROUTE_IN_PROGRESS'
  | 'VERSION_CONFLICT'
  | 'SLA_NO_CLOCK'
  | 'SLA_NOT_OWNER'
  | 'SLA_NO_POOL'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UPSTREAM_UNAVAILABLE'
  | 'OVERLOADED'
  | 'INTERNAL';

/** The one place codes become statuses. */
export const STATUS_BY_CODE: Record<ApiErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_FAILED: 400,
  LEAD_NOT_ELIGIBLE: 409,
  STALE_DECISION: 409,
  REROUTE_IN_PROGRESS: 409,
  VERSION_CONFLICT: 409,
  SLA_NO_CLOCK: 409,
  SLA_NOT_OWNER: 403,
  SLA_NO_POOL: 409,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UPSTREAM_UNAVAILABLE: 503,
  OVERLOADED: 503,
  INTERNAL: 500,
};

/** An error a caller can act on: a stable code, what went wrong, and what to do next. */
export class ApiError extends CodedError<ApiErrorCode> {
  constructor(
    code: ApiErrorCode,
    message: string,
    readonly action: string,
    readonly details: FieldProblem[] = [],
    /** Response headers that go with it, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message);
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}

export class ValidationError extends ApiError {
  constructor(details: FieldProblem[]) {
    super(
      'VALIDATION_FAILED',
      details.length === 1
        ? `The request has a bad field: ${details[0]!.field}.`
        : `The request has ${details.length} bad fields: ${details.map((d) => d.field).join(', ')}.`,
      'Correct the fields listed in details and send the request again.',
      details,
    );
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string, action: string) {
    super('NOT_FOUND', message, action);
    this.name = 'NotFoundError';
  }
}

export class UnauthenticatedError extends ApiError {
  constructor(message: string, action: string) {
    super('UNAUTHENTICATED', message, action);
    this.name = 'UnauthenticatedError';
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string, action: string) {
    super('FORBIDDEN', message, action);
    this.name = 'ForbiddenError';
  }
}

export class RateLimitedError extends ApiError {
  constructor(retryAfterSeconds: number, message = 'Too many requests for this API key and user.') {
    super(
      'RATE_LIMITED',
      message,
      `Wait ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'} and try again.`,
      [],
      { 'Retry-After': String(retryAfterSeconds) },
    );
    this.name = 'RateLimitedError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; action: string; details?: FieldProblem[] };
}

/** Codes of the Salesforce adapter that mean the org cannot be reached or used for now. */
const UPSTREAM_CODES = new Set([
  'SF_AUTH_FAILED',
  'SF_REQUEST_LIMIT',
  'SF_BUDGET_EXHAUSTED',
  'SF_TIMEOUT',
  'SF_API_ERROR',
]);

/** True for an error that means Salesforce cannot be used now: it would fail any request alike. */
export const isUpstreamError = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UPSTREAM_CODES.has(code);
};

const isApiCode = (code: unknown): code is ApiErrorCode =>
  typeof code === 'string' && Object.hasOwn(STATUS_BY_CODE, code);

/**
 * Any thrown value as status + body. ApiErrors keep their words; errors from other layers with a
 * known `code` (e.g. the routing service's NOT_FOUND) keep their message; Express's own body-parser
 * errors become 400/413; everything else is a 500 that says nothing about internals.
 */
export function toErrorResponse(err: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  if (err instanceof ApiError) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message, action: err.action };
    if (err.details.length > 0) error.details = err.details;
    return { status: err.status, body: { error }, headers: err.headers };
  }
  const e = err as { code?: unknown; type?: unknown; message?: unknown; action?: unknown; status?: unknown };
  if (e?.type === 'entity.too.large') {
    return toErrorResponse(
      new ApiError(
        'PAYLOAD_TOO_LARGE',
        'The request body is larger than the API accepts.',
        'Send a smaller body (at most 100 kB); split a large batch into several requests.',
      ),
    );
  }
  if (e?.type === 'entity.parse.failed') {
    return toErrorResponse(new ValidationError([{ field: 'body', message: 'is not valid JSON' }]));
  }
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
    return toErrorResponse(new ValidationError([{ field: 'body', message: 'must be JSON in UTF-8' }]));
  }
  const clientMistake = clientMistakeOf(err);
  if (clientMistake) return toErrorResponse(clientMistake);
  if (isUpstreamError(err)) {
    return toErrorResponse(
      new ApiError(
        'UPSTREAM_UNAVAILABLE',
        'Salesforce is not answering Switchyard right now.',
        'Try again in a few minutes; if it keeps happening, ask your admin to run `npm run doctor`.',
      ),
    );
  }
  if (e?.code === 'NO_FLOW' && typeof e.message === 'string') {
    return toErrorResponse(
      new ApiError(
        'LEAD_NOT_ELIGIBLE',
        e.message,
        'Ask your RevOps admin to publish a flow for this kind of routing.',
      ),
    );
  }
  if (isApiCode(e?.code) && typeof e.message === 'string' && e.code !== 'INTERNAL') {
    return toErrorResponse(
      new ApiError(e.code, e.message, typeof e.action === 'string' ? e.action : defaultAction(e.code)),
    );
  }
  return toErrorResponse(
    new ApiError(
      'INTERNAL',
      'Something went wrong inside Switchyard.',
      'Try again; if it keeps happening, ask your admin to check the companion logs.',
    ),
  );
}

/**
 * Errors Express and its parsers raise for what the caller sent (a path that does not decode, a
 * body that is not compressed as its Content-Encoding says, a static file path that leaves its
 * folder), as the API's own errors. http-errors marks them `expose`; an error from elsewhere that
 * merely carries a 4xx `status` (e.g. a Salesforce answer) stays a server fault.
 */
function clientMistakeOf(err: unknown): ApiError | null {
  const e = err as { status?: unknown; expose?: unknown; code?: unknown; message?: unknown };
  if (err instanceof URIError && e.status === 400) {
    return new ValidationError([
      {
        field: 'path',
        message: 'has a malformed %-escape: encode each part of the path as UTF-8 (encodeURIComponent)',
      },
    ]);
  }
  if (e?.expose !== true || typeof e.status !== 'number' || e.status < 400 || e.status >= 500) return null;
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return new ValidationError([
      {
        field: 'content-encoding',
        message:
          'names a compression the body is not in: send the body uncompressed, or compressed as the header says',
      },
    ]);
  }
  if (e.status === 403 || e.status === 404) {
    return new NotFoundError(
      'There is no file at this path.',
      'Check the path: files are served by name from their folder, never from outside it.',
    );
  }
  const message = typeof e.message === 'string' && e.message ? e.message : 'could not be read';
  return new ValidationError([
    { field: 'request', message: message.charAt(0).toLowerCase() + message.slice(1) },
  ]);
}

function defaultAction(code: ApiErrorCode): string {
  switch (code) {
    case 'NOT_FOUND':
      return 'Check the Id and try again.';
    case 'UPSTREAM_UNAVAILABLE':
      return 'Try again in a few minutes.';
    case 'STALE_DECISION':
      return 'Reload the record and try again.';
    default:
      return 'Try again; if it keeps happening, ask your admin.';
  }
}

/**
 * A change to the live set (a pool member, a territory row) the set check refused: the problems said in
 * the message, so a page that shows only the message still says what is wrong, and each with its
 * file:line in details.
 */
export function changeRefused(issues: readonly SourceIssue[], action: string): ApiError {
  const said = issues.slice(0, 5).map((issue) => issue.message);
  const more = issues.length > said.length ? ` (and ${issues.length - said.length} more)` : '';
  return new ApiError(
    'VALIDATION_FAILED',
    `The change was refused: ${said.join('; ')}${more}.`,
    action,
    issues.map((issue) => ({ field: `files/${issue.file}`, message: formatIssue(issue) })),
  );
}
