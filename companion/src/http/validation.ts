import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { KEY_PREFIX, toId18 } from '../engine/salesforce-id.js';
import { ValidationError, type FieldProblem } from './http.errors.js';

const OBJECT_LABEL: Record<string, string> = {
  [KEY_PREFIX.lead]: 'lead',
  [KEY_PREFIX.account]: 'account',
  [KEY_PREFIX.user]: 'user',
  [KEY_PREFIX.queue]: 'queue',
};

/** Why `value` is not a Salesforce Id with this key prefix, or null when it is one. */
export function salesforceIdProblem(value: string, keyPrefix: string): string | null {
  const what = OBJECT_LABEL[keyPrefix] ?? 'record';
  if (value.length !== 15 && value.length !== 18) {
    return `must be a 15- or 18-character Salesforce ${what} Id (it has ${value.length} characters)`;
  }
  if (!/^[a-zA-Z0-9]+$/.test(value)) return 'must hold only letters and digits';
  if (toId18(value) === null) {
    return 'is not a valid Salesforce Id: its last three characters do not match the first fifteen (check the case of each letter)';
  }
  if (!value.startsWith(keyPrefix)) {
    return `must be a ${what} Id, starting with ${keyPrefix}`;
  }
  return null;
}

/** A Salesforce Id of one object, checked (length, characters, checksum, key prefix) and turned into its 18-character form. */
export const salesforceId = (keyPrefix: string) =>
  z.string().transform((value, ctx) => {
    const problem = salesforceIdProblem(value, keyPrefix);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return toId18(value)!;
  });

/** Path parameters of the routes under a lead and an account, built once: a schema made per request costs more than the check it makes. */
export const leadParams = z.object({ leadId: salesforceId(KEY_PREFIX.lead) });
export const accountParams = z.object({ accountId: salesforceId(KEY_PREFIX.account) });

/** A whole number in a query string, with its default and bounds in the message. */
export const queryInt = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const n = Number(value);
      if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** Free text in a query string; absent is ''. */
export const queryText = (max: number) =>
  z
    .string({ error: 'must be given once, as text' })
    .max(max, `must be at most ${max} characters`)
    .optional()
    .transform((v) => v?.trim() ?? '');

/** true or false in a query string (a DELETE's `dryRun`); absent is false. */
export const queryBoolean = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .optional()
  .transform((value) => value === 'true');

export const queryEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` }).optional();

interface Schemas<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, H extends z.ZodType> {
  params?: P;
  query?: Q;
  body?: B;
  /** Header names in lower case, as Node gives them. */
  headers?: H;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * Checks path, query, body and headers together, so one 400 lists every bad field. Field names are
 * as the caller wrote them: a parameter or header by its name, a body field by its path (`leadIds.3`).
 */
export function parseRequest<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
  H extends z.ZodType = z.ZodUndefined,
>(
  req: Request,
  schemas: Schemas<P, Q, B, H>,
): { params: Out<P>; query: Out<Q>; body: Out<B>; headers: Out<H> } {
  const problems: FieldProblem[] = [];
  const check = <S extends z.ZodType>(schema: S | undefined, value: unknown, whole: string) => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const at = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          problems.push({ field: [...at, key].join('.'), message: issue.message });
      } else {
        problems.push({ field: at.length > 0 ? at.join('.') : whole, message: issue.message });
      }
    }
    return undefined;
  };
  const params = check(schemas.params, req.params, 'path');
  const query = check(schemas.query, req.query ?? {}, 'query');
  const body = check(schemas.body, req.body === undefined ? {} : req.body, 'body');
  const headers = check(schemas.headers, req.headers, 'headers');
  if (problems.length > 0) throw new ValidationError(problems);
  return { params, query, body, headers } as {
    params: Out<P>;
    query: Out<Q>;
    body: Out<B>;
    headers: Out<H>;
  };
}

/** Unknown body fields are refused by name, so a typo ("dryrun") never passes silently. */
export function strictBody<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? 'is not a field this endpoint accepts' : 'must be a JSON object',
  });
}

/** A NUL, or half of a surrogate pair without its other half: text PostgreSQL refuses to store. */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL could not store this text, or null when it can. */
export function unstorableTextProblem(text: string): string | null {
  const found = UNSTORABLE.exec(text)?.[0];
  if (found === undefined) return null;
  return found === '\u0000'
    ? 'must not contain a NUL character (\\u0000)'
    : 'must be valid Unicode: it holds half of a surrogate pair (e.g. \\ud800) without the other half';
}

/** Every string (and object key) in `value` that cannot be stored, named by its path (`leadIds.3`). */
function unstorableText(value: unknown, at: string[], problems: FieldProblem[], whole: string): void {
  // Deeper than any field of the API: the route's own schema refuses it.
  if (at.length > 32 || problems.length >= 20) return;
  const name = () => (at.length > 0 ? at.join('.') : whole);
  if (typeof value === 'string') {
    const problem = unstorableTextProblem(value);
    if (problem) problems.push({ field: name(), message: problem });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unstorableText(item, [...at, String(i)], problems, whole));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableTextProblem(key);
      if (problem) problems.push({ field: name(), message: `has a field name that ${problem}` });
      else unstorableText(item, [...at, key], problems, whole);
    }
  }
}

/**
 * Refuses, at the edge and for every route, query strings and JSON bodies holding text PostgreSQL
 * cannot store: one such field would otherwise become a database error, and in a coalesced batch
 * fail the requests beside it. Headers need no check: Node refuses NUL in them, and they are Latin-1.
 */
export const storableTextOnly: RequestHandler = (req, _res, next) => {
  const problems: FieldProblem[] = [];
  unstorableText(req.query ?? {}, [], problems, 'query');
  if (req.body !== undefined) unstorableText(req.body, [], problems, 'body');
  if (problems.length > 0) throw new ValidationError(problems);
  next();
};

/**
 * Refuses a path with a malformed %-escape (`%zz`, or `%c0%af`, which is not UTF-8) before any route
 * tries to decode it.
 */
export const wellFormedPath: RequestHandler = (req, _res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    throw new ValidationError([
      {
        field: 'path',
        message: 'has a malformed %-escape: encode each part of the path as UTF-8 (encodeURIComponent)',
      },
    ]);
  }
  next();
};
