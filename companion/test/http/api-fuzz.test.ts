/**
 * Every operation of the OpenAPI document, sent malformed path parameters, query strings, bodies,
 * headers and encodings, drawn from a seeded generator (the same cases on every run; set FUZZ_SEED
 * to explore others). Whatever comes in, the answer is never a 5xx, never a stack trace, and never
 * a word from the database.
 */
import { request } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, demoQueueId, demoUserId } from '../../src/crm/local/demo-people.js';
import { DEMO_SCENARIO, scenario } from '../../src/crm/local/demo-scenarios.js';
import { API_KEY, startApi, type Json, type TestApi } from './api-fixture.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const CASES_PER_OPERATION = 48;

let api: TestApi;
let doc: Json;

beforeAll(async () => {
  api = await startApi();
  doc = (await api.call('GET', '/v1/openapi.json')).body;
}, 180_000);

afterAll(async () => {
  await api?.close();
});

/** mulberry32: a small seeded generator, so every run sends the same cases. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}
type Random = ReturnType<typeof generator>;

const seedOf = (text: string) => [...text].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), SEED);

const lead = scenario('reroute-eligible').lead.Id;
const account = DEMO_SCENARIO.accounts[0]!.Id;
const VALID: Record<string, string> = { leadId: lead, accountId: account };

/** Path segments as they arrive on the wire: bad escapes, overlong UTF-8, traversal, raw Latin-1 bytes. */
const PATH_VALUES = [
  '%zz',
  '%',
  '%c0%af',
  '%ED%A0%80',
  '%00',
  `${lead}%00`,
  '..%2f..',
  '%2e%2e',
  '..%5c..',
  '%25',
  '%F0%9F%92%A9',
  'caf\xe9',
  '%ff%fe',
  'x'.repeat(3000),
  lead.toLowerCase(),
  lead.slice(0, 17),
  demoUserId(1),
  account,
  lead,
  '%u0000',
  "'%20OR%201=1--",
];

/** Query string values: bad escapes, NUL, lone surrogates, numbers out of range, odd shapes. */
const QUERY_VALUES = [
  '%00',
  'acme%00',
  '%zz',
  '%ED%A0%80',
  '%c0%af',
  '%ff',
  '',
  '-1',
  '0',
  '1e309',
  '9999999999999999999999',
  '0x10',
  '2.5',
  'NaN',
  'x'.repeat(5000),
  "1'%20OR%20'1'='1",
  '%5B%5D',
  '+',
  'asc',
  'lastActivity',
];
const QUERY_SHAPES = ['__proto__', 'constructor[prototype]', 'a[b]', 'limit[]', 'q[0]', ''];

const USER_HEADERS = [
  '',
  ' ',
  'x'.repeat(500),
  demoUserId(1).toLowerCase(),
  demoQueueId(1),
  demoUserId(9999),
  demoUserId(4), // inactive
  `${demoUserId(1)}, ${demoUserId(2)}`,
  '005\xe9\xe9',
  lead,
];

const JUNK_BODIES: Array<{ body: Buffer | string; headers?: Record<string, string> }> = [
  { body: '{"dryRun": tru' },
  { body: '' },
  { body: 'null' },
  { body: '"text"' },
  { body: '12' },
  { body: '[]' },
  { body: '{"__proto__": {"dryRun": true}}' },
  { body: '{"constructor": {"prototype": {"dryRun": true}}}' },
  { body: '{"reason": "\\u0000"}' },
  { body: '{"reason": "\\udfff"}' },
  { body: '{"reason\\u0000": "x"}' },
  { body: '{"leadIds": ["\\ud800"]}' },
  { body: '['.repeat(20_000) + ']'.repeat(20_000) },
  { body: '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000) },
  { body: JSON.stringify({ reason: 'x'.repeat(200_000) }) },
  { body: '{"dryRun": true}', headers: { 'content-encoding': 'gzip' } },
  { body: '{"dryRun": true}', headers: { 'content-encoding': 'deflate' } },
  { body: '{"dryRun": true}', headers: { 'content-encoding': 'br' } },
  { body: '{"dryRun": true}', headers: { 'content-encoding': 'x-compress' } },
  { body: gzipSync('{"dryRun": true, "reason": "a\\u0000"}'), headers: { 'content-encoding': 'gzip' } },
  { body: deflateSync('not json'), headers: { 'content-encoding': 'deflate' } },
  { body: gzipSync('x'.repeat(2_000_000)), headers: { 'content-encoding': 'gzip' } },
  { body: '{"dryRun": true}', headers: { 'content-type': 'text/plain' } },
  { body: '{"dryRun": true}', headers: { 'content-type': 'application/json; charset=latin1' } },
  { body: '{"dryRun": true}', headers: { 'content-type': 'application/json; charset=bogus' } },
  { body: Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), headers: {} },
  { body: Buffer.from('{"reason": "\xc0\xaf"}', 'latin1') },
];

/** Values of the wrong type, or hostile values of the right one, for a body field. */
const FIELD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  true,
  'yes',
  '',
  [],
  {},
  [null],
  ['x'],
  [lead, lead],
  Array(300).fill(lead),
  'a\u0000b',
  'a\ud800b',
  '\udc00',
  'x'.repeat(1001),
  { $gt: '' },
];

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  what: string;
}

function paramsOf(operation: Json): Json[] {
  return ((operation.parameters ?? []) as Json[]).map((p) =>
    typeof p.$ref === 'string' ? doc.components.parameters[p.$ref.split('/').pop()] : p,
  );
}

function makeCase(random: Random, method: string, template: string, operation: Json): Case {
  const notes: string[] = [];
  const headers: Record<string, string> = {
    authorization: `Bearer ${API_KEY}`,
    'x-switchyard-user': DEMO_USERS.find((u) => u.Role__c === 'Leadership')!.Id,
  };
  const params = paramsOf(operation);
  const mutations = 1 + random.int(3);
  const kinds = Array.from({ length: mutations }, () =>
    random.pick(['path', 'query', 'body', 'header'] as const),
  );

  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (!kinds.includes('path')) return VALID[name]!;
    const value = random.pick(PATH_VALUES);
    notes.push(`path ${name}=${value.slice(0, 40)}`);
    return value;
  });

  const query: string[] = [];
  if (kinds.includes('query')) {
    const names = [...params.filter((p) => p.in === 'query').map((p) => p.name as string), ...QUERY_SHAPES];
    for (let i = 0, n = 1 + random.int(3); i < n; i++) {
      const name = random.pick(names);
      const value = random.pick(QUERY_VALUES);
      query.push(`${name}=${value}`);
    }
    notes.push(`query ${query.join('&').slice(0, 80)}`);
  }

  if (kinds.includes('header')) {
    const which = random.pick(['user', 'idempotency', 'auth', 'request-id'] as const);
    if (which === 'user') headers['x-switchyard-user'] = random.pick(USER_HEADERS);
    if (which === 'idempotency') {
      headers['idempotency-key'] = random.pick(['', ' ', 'a b', 'x'.repeat(300), '\xe9t\xe9', '%00']);
    }
    if (which === 'auth') {
      headers.authorization = random.pick([
        `Bearer`,
        `Bearer ${API_KEY} extra`,
        `Basic ${API_KEY}`,
        'Bearer \xff',
      ]);
    }
    if (which === 'request-id')
      headers['x-request-id'] = random.pick(['\xff\xfe', 'x'.repeat(5000), '<script>']);
    notes.push(`header ${which}`);
  }

  let body: Buffer | string | undefined;
  if (kinds.includes('body') || (method === 'post' && random.next() < 0.5)) {
    const schema = operation.requestBody?.content?.['application/json']?.schema;
    if (schema?.properties && random.next() < 0.5) {
      const fields: Record<string, unknown> = { leadIds: [lead], dryRun: true };
      const names = [...Object.keys(schema.properties as object), 'dryrun', 'extra'];
      for (let i = 0, n = 1 + random.int(2); i < n; i++)
        fields[random.pick(names)] = random.pick(FIELD_VALUES);
      // Only dry runs: the fuzz must not use up the pools the other cases route through.
      if (fields.dryRun !== true && random.next() < 0.9) fields.dryRun = true;
      body = JSON.stringify(fields);
      notes.push(`body ${body.slice(0, 80)}`);
    } else {
      const junk = random.pick(JUNK_BODIES);
      body = junk.body;
      Object.assign(headers, junk.headers);
      notes.push(`body ${String(junk.body).slice(0, 40)} ${JSON.stringify(junk.headers ?? {})}`);
    }
    headers['content-type'] ??= 'application/json';
    // Framed, so the body is the request's and not read as the next one on the connection.
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return {
    method: method.toUpperCase(),
    path: path + (query.length > 0 ? `?${query.join('&')}` : ''),
    headers,
    ...(body !== undefined ? { body } : {}),
    what: notes.join('; '),
  };
}

/** Sent with node:http, which passes on what fetch would refuse or rewrite (raw bytes, odd headers). */
function send(c: Case): Promise<{ status: number; type: string; text: string }> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: c.method, path: c.path, headers: c.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    // The server may answer (413, 400) and close before a large body is sent: that answer counts.
    req.on('error', reject);
    req.end(c.body);
  });
}

const STACK_TRACE = /\n\s+at |node_modules|\.ts:\d+|\.js:\d+/;
const DATABASE_WORDS =
  /invalid byte sequence|unicode escape|syntax error|relation "|violates|duplicate key|sqlstate|kysely|pglite|postgres|\bselect\b.*\bfrom\b|insert into/i;

describe('API fuzz (seeded)', () => {
  it(`answers ${CASES_PER_OPERATION} malformed requests to every documented operation without a server fault`, async () => {
    const problems: string[] = [];
    let sent = 0;
    for (const [template, operations] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const random = generator(seedOf(`${method} ${template}`));
        for (let i = 0; i < CASES_PER_OPERATION; i++) {
          const c = makeCase(random, method, template, operation);
          let answer: Awaited<ReturnType<typeof send>>;
          try {
            answer = await send(c);
          } catch (err) {
            // A connection reset after an early answer to a huge body: nothing was served wrong.
            if (
              (err as NodeJS.ErrnoException).code === 'ECONNRESET' ||
              (err as NodeJS.ErrnoException).code === 'EPIPE'
            )
              continue;
            throw err;
          }
          sent += 1;
          const where = `${c.method} ${template} [${c.what}] → ${answer.status}`;
          if (answer.status >= 500) problems.push(`${where}: a server fault: ${answer.text.slice(0, 200)}`);
          if (STACK_TRACE.test(answer.text)) problems.push(`${where}: a stack trace`);
          if (answer.status >= 400 && DATABASE_WORDS.test(answer.text))
            problems.push(`${where}: database words`);
          if (answer.status >= 400) {
            let error: Json = null;
            try {
              error = (JSON.parse(answer.text) as Json).error;
            } catch {
              error = null;
            }
            const shaped =
              answer.type.includes('application/json') &&
              typeof error?.code === 'string' &&
              typeof error?.message === 'string' &&
              typeof error?.action === 'string';
            if (!shaped) problems.push(`${where}: not the error shape: ${answer.text.slice(0, 120)}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    // Nearly every case reached the server and was answered (a few huge bodies are cut off early).
    expect(sent).toBeGreaterThan(Object.keys(doc.paths).length * CASES_PER_OPERATION * 0.9);
  }, 300_000);
});
