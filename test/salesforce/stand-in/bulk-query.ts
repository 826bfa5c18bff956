/**
 * Bulk API 2.0 query jobs over the stand-in's org, as the Bulk API 2.0 and Bulk API Developer Guide
 * documents them: create a job, poll its state, read its results as CSV in sets named by a locator.
 * The server (`stand-in.server.ts`) checks the session and counts every request as an API call.
 */
import { COMPOUND, TOOLING_OBJECTS, type Org } from './org.js';
import { parseSoql, type Query } from './soql.js';

type JobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

interface Job {
  id: string;
  operation: 'query' | 'queryAll';
  query: Query;
  soql: string;
  object: string;
  apiVersion: string;
  createdDate: string;
  state: JobState;
  /** State checks left before the job completes. */
  checksLeft: number;
  rows: Array<Record<string, unknown>> | null;
  columns: string[];
}

/** What the server sends back: a JSON body, or CSV with the result headers. */
export type BulkAnswer =
  { status: number; json: unknown } | { status: number; csv: string; headers: Record<string, string> };

export interface BulkQueryOptions {
  /** State checks a job answers InProgress before JobComplete (default 1). */
  checksToComplete?: number;
  /** Records per result set when the request names no maxRecords (the server's own choice). */
  defaultMaxRecords?: number;
}

const refuse = (status: number, errorCode: string, message: string): BulkAnswer => ({
  status,
  json: [{ errorCode, message }],
});

export class BulkQueryJobs {
  private readonly jobs = new Map<string, Job>();
  private seq = 0;
  /** Query jobs created: Bulk API 2.0 allows 10,000 per rolling 24 hours (DailyBulkV2QueryJobs). */
  created = 0;

  constructor(
    private readonly org: Org,
    private readonly runningUser: string,
    private readonly options: BulkQueryOptions = {},
  ) {}

  /** `rest` is the path after /services/data/vXX.X; null when it is not a query-job resource. */
  answer(method: string, version: string, rest: string, url: URL, body: string): BulkAnswer | null {
    const m = /^\/jobs\/query(?:\/([^/]+)(\/results)?)?$/.exec(rest);
    if (!m) return null;
    const [, id, results] = m;
    if (!id)
      return method === 'POST' ? this.create(version, body) : refuse(405, 'METHOD_NOT_ALLOWED', method);
    const job = this.jobs.get(id);
    if (!job) return refuse(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (results)
      return method === 'GET' ? this.results(job, version, url) : refuse(405, 'METHOD_NOT_ALLOWED', method);
    if (method === 'GET') return { status: 200, json: this.check(job) };
    if (method === 'PATCH') return this.abort(job, body);
    if (method === 'DELETE') {
      // "Delete a Query Job": only a job that is no longer running can be deleted; 204 No Content.
      if (job.state === 'UploadComplete' || job.state === 'InProgress')
        return refuse(400, 'API_ERROR', 'Cannot delete a job that is in progress; abort it first');
      this.jobs.delete(id);
      return { status: 204, json: null };
    }
    return refuse(405, 'METHOD_NOT_ALLOWED', method);
  }

  /**
   * "Create a Query Job": a JSON body with operation (query or queryAll) and query; the job starts in
   * UploadComplete. "Understanding Bulk API 2.0 Query" (Limits): no GROUP BY, OFFSET or TYPEOF, no
   * aggregate functions such as COUNT(), no compound address or geolocation fields, no parent-to-child
   * relationship (sub)queries. Only CSV results, comma-separated, LF line endings are answered here.
   */
  private create(version: string, body: string): BulkAnswer {
    let input: {
      operation?: unknown;
      query?: unknown;
      contentType?: unknown;
      columnDelimiter?: unknown;
      lineEnding?: unknown;
    };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return refuse(400, 'JSON_PARSER_ERROR', 'The request body is not JSON');
    }
    if (input.operation !== 'query' && input.operation !== 'queryAll')
      return refuse(400, 'INVALIDJOB', `operation must be query or queryAll, not ${String(input.operation)}`);
    if (typeof input.query !== 'string' || input.query.trim() === '')
      return refuse(400, 'INVALIDJOB', 'query is required');
    if ((input.contentType ?? 'CSV') !== 'CSV') return refuse(400, 'INVALIDJOB', 'contentType must be CSV');
    if ((input.columnDelimiter ?? 'COMMA') !== 'COMMA' || (input.lineEnding ?? 'LF') !== 'LF')
      return refuse(400, 'INVALIDJOB', 'the stand-in answers COMMA and LF only');
    let query: Query;
    try {
      query = parseSoql(input.query);
    } catch (err) {
      return refuse(400, 'INVALIDJOB', (err as Error).message);
    }
    const unsupported = unsupportedInBulk(query, input.query);
    if (unsupported) return refuse(400, 'INVALIDJOB', `Bulk API 2.0 query does not support ${unsupported}`);
    if (TOOLING_OBJECTS.has(query.from) || !this.org.hasObject(query.from))
      return refuse(400, 'INVALIDJOB', `sObject type '${query.from}' is not supported.`);
    const now = new Date().toISOString();
    const job: Job = {
      id: `750SY${String(++this.seq).padStart(10, '0')}AAA`,
      operation: input.operation,
      query,
      soql: input.query,
      object: query.from,
      apiVersion: version,
      createdDate: now,
      state: 'UploadComplete',
      checksLeft: this.options.checksToComplete ?? 1,
      rows: null,
      columns: query.select.map((s) => (s.kind === 'field' ? s.path : '')),
    };
    this.jobs.set(job.id, job);
    this.created++;
    return { status: 200, json: this.info(job) };
  }

  /**
   * "Get Information About a Query Job": the state moves UploadComplete → InProgress → JobComplete
   * (or Failed, with errorMessage, when the query cannot run). The records are read when it runs.
   */
  private check(job: Job): unknown {
    if (job.state === 'UploadComplete') job.state = 'InProgress';
    else if (job.state === 'InProgress') {
      if (job.checksLeft > 0) job.checksLeft--;
      if (job.checksLeft === 0) {
        try {
          job.rows = this.org.run(job.soql, job.operation === 'queryAll', this.runningUser).rows;
          job.state = 'JobComplete';
        } catch (err) {
          job.state = 'Failed';
          return { ...this.info(job), errorMessage: (err as Error).message };
        }
      }
    }
    return this.info(job);
  }

  /** "Abort a Query Job": PATCH {"state": "Aborted"} on a job that has not finished. */
  private abort(job: Job, body: string): BulkAnswer {
    let state: unknown;
    try {
      state = (JSON.parse(body) as { state?: unknown }).state;
    } catch {
      return refuse(400, 'JSON_PARSER_ERROR', 'The request body is not JSON');
    }
    if (state !== 'Aborted') return refuse(400, 'INVALIDJOB', 'a query job can only be set to Aborted');
    if (job.state === 'JobComplete' || job.state === 'Failed')
      return refuse(400, 'INVALIDJOB', `the job is already ${job.state}`);
    job.state = 'Aborted';
    return { status: 200, json: this.info(job) };
  }

  /**
   * "Get Results for a Query Job": only a JobComplete job has results; with the API version it was
   * created with (otherwise 409); `locator` names a set (none: the first), `maxRecords` caps its size
   * (none: the server's own choice). The answer is CSV, a header row then one row per record, with
   * Sforce-NumberOfRecords (records in this set) and Sforce-Locator (the next set, or the string "null").
   */
  private results(job: Job, version: string, url: URL): BulkAnswer {
    if (version !== job.apiVersion)
      return refuse(409, 'API_ERROR', `Use API version ${job.apiVersion}, the job's own, to get its results`);
    if (job.state !== 'JobComplete' || !job.rows)
      return refuse(
        412,
        'JOB_NOT_COMPLETE',
        `can only download query results of successfully completed bulk job. Current state: ${job.state}`,
      );
    const locator = url.searchParams.get('locator');
    const offset = locator === null || locator === '' ? 0 : fromLocator(locator);
    if (offset === null || offset > job.rows.length)
      return refuse(400, 'INVALID_LOCATOR', `The locator ${String(locator)} does not name a set of results`);
    const max = url.searchParams.get('maxRecords');
    const size = max === null ? (this.options.defaultMaxRecords ?? 50_000) : Number(max);
    if (!Number.isInteger(size) || size < 1)
      return refuse(400, 'INVALID_MAX_RECORDS', `maxRecords must be a positive whole number, not ${max}`);
    const rows = job.rows.slice(offset, offset + size);
    const next = offset + rows.length;
    const lines = [job.columns.map(quote).join(',')];
    for (const row of rows) lines.push(job.columns.map((c) => csvValue(valueAt(row, c))).join(','));
    return {
      status: 200,
      csv: `${lines.join('\n')}\n`,
      headers: {
        'sforce-numberofrecords': String(rows.length),
        'sforce-locator': next < job.rows.length ? toLocator(next) : 'null',
      },
    };
  }

  private info(job: Job): Record<string, unknown> {
    return {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: this.runningUser,
      createdDate: job.createdDate,
      systemModstamp: new Date().toISOString(),
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.apiVersion),
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      ...(job.state === 'JobComplete' ? { numberRecordsProcessed: job.rows?.length ?? 0 } : {}),
    };
  }
}

/** What in a query Bulk API 2.0 refuses ("Understanding Bulk API 2.0 Query", Limits), or null. */
function unsupportedInBulk(q: Query, soql: string): string | null {
  if (q.groupBy.length > 0) return 'GROUP BY';
  if (/\bOFFSET\b/i.test(soql)) return 'OFFSET';
  if (/\bTYPEOF\b/i.test(soql)) return 'TYPEOF';
  if (q.select.some((s) => s.kind === 'count')) return 'aggregate functions such as COUNT()';
  if (q.select.some((s) => s.kind === 'sub')) return 'parent-to-child relationship queries';
  const compound = q.select.find((s) => s.kind === 'field' && COMPOUND[q.from]?.[s.path]);
  if (compound && compound.kind === 'field') return `the compound field ${compound.path}`;
  return null;
}

/** A field's value in a row, following a parent path (Owner.Name) through nested records. */
function valueAt(row: Record<string, unknown>, path: string): unknown {
  let v: unknown = row;
  for (const part of path.split('.'))
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : null;
  return v;
}

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Every value quoted, a null empty (the example results in "Get Results for a Query Job"). */
function csvValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  return quote(typeof v === 'object' ? JSON.stringify(v) : String(v));
}

/** Locators are opaque strings (since API 49.0 pseudo-random, such as MTAwMDA); here the offset in base64. */
const toLocator = (offset: number): string => Buffer.from(String(offset)).toString('base64url');

function fromLocator(locator: string): number | null {
  const n = Number(Buffer.from(locator, 'base64url').toString());
  return Number.isInteger(n) && n >= 0 ? n : null;
}
