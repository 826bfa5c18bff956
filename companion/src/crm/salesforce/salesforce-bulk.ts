import { HttpApi } from 'jsforce/lib/http-api.js';
import type { FieldType } from '../../engine/flow/fields.js';
import type { SalesforceApi } from './salesforce-api.js';
import { SalesforceBulkQueryError, SalesforceMalformedAnswerError } from './salesforce.errors.js';

// Bulk API 2.0 query jobs (Bulk API 2.0 and Bulk API Developer Guide, "Query Jobs"): for reading a
// whole large object at once, which REST reads in pages of 2,000 records. jsforce's `bulk2.query`
// is not used: it pipes every result set into one CSV stream that the first set ends ("write after
// end" from the second set on), polls on its own timer outside the service's call budget, and hands
// every value back as a string.

interface QueryJobInfo {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'Aborted' | 'JobComplete' | 'Failed';
  errorMessage?: string;
}

export interface BulkQueryOptions {
  /** Records per result set (`maxRecords`); Salesforce picks its own size when absent. */
  maxRecords?: number;
  /** Longest a job may take before it is abandoned (default 30 minutes). */
  maxWaitMs?: number;
  /** First pause between state checks (default 1 s); doubles up to `maxPollMs` (default 15 s). */
  pollMs?: number;
  maxPollMs?: number;
}

/**
 * Every record a SOQL query matches, a result set at a time: "Create a Query Job", "Get Information
 * About a Query Job" until JobComplete, then "Get Results for a Query Job" following Sforce-Locator
 * until it says "null". Values come typed by `types` (CSV has only text; an empty value is null).
 */
export async function* bulkQuery<T>(
  api: SalesforceApi,
  soql: string,
  types: Readonly<Record<string, FieldType>>,
  options: BulkQueryOptions = {},
): AsyncGenerator<T[]> {
  const created = await api.rest<QueryJobInfo>(
    'bulkQuery',
    {
      method: 'POST',
      url: '/jobs/query',
      body: JSON.stringify({
        operation: 'query',
        query: soql,
        contentType: 'CSV',
        columnDelimiter: 'COMMA',
        lineEnding: 'LF',
      }),
      headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    },
    // A second job for the same query is harmless; the first is left to expire.
    true,
  );
  const job = await untilDone(api, created, options);
  let locator: string | null = null;
  do {
    const params = new URLSearchParams();
    if (locator) params.set('locator', locator);
    if (options.maxRecords) params.set('maxRecords', String(options.maxRecords));
    const query = params.toString() ? `?${params.toString()}` : '';
    const page = await api.call('bulkResults', () => resultSet(api, `${job.id}/results${query}`), true);
    yield page.rows.map((row) => typed<T>(page.header, row, types));
    locator = page.locator;
  } while (locator);
}

async function untilDone(
  api: SalesforceApi,
  created: QueryJobInfo,
  options: BulkQueryOptions,
): Promise<QueryJobInfo> {
  const maxWait = options.maxWaitMs ?? 30 * 60_000;
  let pause = options.pollMs ?? 1_000;
  let waited = 0;
  let job = created;
  for (;;) {
    if (typeof job?.id !== 'string' || typeof job.state !== 'string')
      throw new SalesforceMalformedAnswerError('a Bulk API 2.0 query job', 'no id or state');
    if (job.state === 'JobComplete') return job;
    if (job.state === 'Failed' || job.state === 'Aborted') {
      const why = job.errorMessage ? `: ${job.errorMessage}` : '';
      throw new SalesforceBulkQueryError(job.id, 'failed', `ended ${job.state}${why}`);
    }
    if (waited >= maxWait) {
      const after = `${Math.round(waited / 1000)} s`;
      throw new SalesforceBulkQueryError(job.id, 'timeout', `was still ${job.state} after ${after}`);
    }
    await api.policy.sleep(pause);
    waited += pause;
    pause = Math.min(pause * 2, options.maxPollMs ?? 15_000);
    job = await api.rest<QueryJobInfo>('bulkQuery', { method: 'GET', url: `/jobs/query/${job.id}` });
  }
}

/** One result set: CSV rows with its header row, and the locator of the next set (null after the last). */
async function resultSet(
  api: SalesforceApi,
  path: string,
): Promise<{ header: string[]; rows: string[][]; locator: string | null }> {
  const http = new HttpApi(api.conn, { responseType: 'text/plain' });
  let headers: Record<string, string | string[] | undefined> = {};
  http.on('response', (res: { headers?: typeof headers }) => {
    headers = res.headers ?? {};
  });
  const url = `${api.conn.instanceUrl}/services/data/v${api.apiVersion}/jobs/query/${path}`;
  const body = await http.request<string>({ method: 'GET', url, headers: { Accept: 'text/csv' } });
  if (typeof body !== 'string') throw new SalesforceMalformedAnswerError('Bulk API 2.0 results', 'not CSV');
  const [header, ...rows] = readCsv(body);
  const next = headers['sforce-locator'];
  const count = Number(headers['sforce-numberofrecords']);
  if (!header || (Number.isInteger(count) && count !== rows.length))
    throw new SalesforceMalformedAnswerError(
      'Bulk API 2.0 results',
      `${rows.length} rows where Sforce-NumberOfRecords says ${String(headers['sforce-numberofrecords'])}`,
    );
  const locator = typeof next === 'string' && next !== '' && next !== 'null' ? next : null;
  return { header, rows, locator };
}

/**
 * RFC 4180 CSV as Bulk API 2.0 writes it (comma, LF): fields optionally in double quotes, a quote
 * inside one doubled, line breaks allowed inside quotes. A quote left open is refused.
 */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
    i++;
  }
  if (quoted) throw new SalesforceMalformedAnswerError('Bulk API 2.0 results', 'a quoted value never closes');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A CSV row as a record: empty is null, booleans and numbers as such, the rest text. */
function typed<T>(header: string[], row: string[], types: Readonly<Record<string, FieldType>>): T {
  const out: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const raw = row[i] ?? '';
    const type = types[name];
    out[name] =
      raw === '' ? null : type === 'boolean' ? raw === 'true' : type === 'number' ? Number(raw) : raw;
  });
  return out as T;
}
