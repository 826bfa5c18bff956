/**
 * What a team would otherwise use: PostgreSQL's pg_trgm over the same account names. The names go
 * into a schema named after them, with a GiST trigram index, kept between runs (a later run with the
 * same names reuses it; other such schemas are dropped). Each query takes the 20 nearest names by
 * trigram distance and ranks them by similarity, +0.1 in the lead's country. A nearest-neighbour
 * query over a million names takes most of a second, so a sample of the queries is asked, over two
 * connections.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { AccountRecord } from '../../../companion/src/engine/model.js';
import type { CompanyName } from './name-matching-data.js';

export interface TrigramFigures {
  /** Seconds to load the names and build the index; null when a previous run's were reused. */
  buildSeconds: number | null;
  /** Indexes (into each query list) of the queries asked. */
  sample: number[];
  typedTop1: number;
  exactTop1: number;
  times: number[];
}

const BATCH = 50_000;
const CONNECTIONS = 2;

/** Every `every`-th index of a list of `length`. */
export function sampleOf(length: number, every: number): number[] {
  const sample: number[] = [];
  for (let i = 0; i < length; i += Math.max(1, every)) sample.push(i);
  return sample;
}

/** FNV-1a over the names and countries, so a schema is reused only for the very same accounts. */
function fingerprint(accounts: readonly AccountRecord[]): string {
  let hash = 0x811c9dc5;
  const mix = (text: string): void => {
    for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ 0x1f, 0x01000193);
  };
  for (const a of accounts) {
    mix(a.Id);
    mix(a.Name);
    mix(a.BillingCountry ?? '');
  }
  return `${(hash >>> 0).toString(16)}_${accounts.length}`;
}

async function prepare(
  client: pg.Client,
  schema: string,
  accounts: readonly AccountRecord[],
): Promise<number | null> {
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  const ready = await client.query(
    `SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'account_name_trgm'`,
    [schema],
  );
  if (ready.rowCount === 1) return null;
  const stale = await client.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_trgm\\_%'`,
  );
  for (const { nspname } of stale.rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
  const started = performance.now();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET maintenance_work_mem TO '512MB'`);
  await client.query(
    `CREATE TABLE ${schema}.account (id text PRIMARY KEY, name text NOT NULL, country text)`,
  );
  for (let at = 0; at < accounts.length; at += BATCH) {
    const batch = accounts.slice(at, at + BATCH);
    await client.query(
      `INSERT INTO ${schema}.account (id, name, country) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
      [batch.map((a) => a.Id), batch.map((a) => a.Name), batch.map((a) => a.BillingCountry ?? null)],
    );
  }
  // Built last, in one pass, rather than kept up row by row.
  await client.query(`CREATE INDEX account_name_trgm ON ${schema}.account USING gist (name gist_trgm_ops)`);
  await client.query(`ANALYZE ${schema}.account`);
  return (performance.now() - started) / 1000;
}

/** Query i of each list belongs to account `H${i}`; the queries at the `sample` indexes are asked. */
export async function trigramBaseline(
  databaseUrl: string,
  accounts: readonly AccountRecord[],
  queries: { typed: readonly CompanyName[]; exact: readonly CompanyName[] },
  sample: readonly number[],
): Promise<TrigramFigures> {
  const schema = `bench_trgm_${fingerprint(accounts)}`;
  const clients = Array.from({ length: CONNECTIONS }, () => new pg.Client({ connectionString: databaseUrl }));
  try {
    for (const client of clients) await client.connect();
    const buildSeconds = await prepare(clients[0] as pg.Client, schema, accounts);
    const times: number[] = [];
    const top1 = async (list: readonly CompanyName[]): Promise<number> => {
      let right = 0;
      let next = 0;
      await Promise.all(
        clients.map(async (client) => {
          while (next < sample.length) {
            const i = sample[next] as number;
            next += 1;
            const query = list[i] as CompanyName;
            const t0 = performance.now();
            const result = await client.query<{ id: string }>(
              `SELECT id FROM (
                 SELECT id, similarity(name, $1) + CASE WHEN country = $2 THEN 0.1 ELSE 0 END AS score
                 FROM ${schema}.account ORDER BY name <-> $1 LIMIT 20
               ) nearest ORDER BY score DESC, id LIMIT 1`,
              [query.name, query.country],
            );
            times.push(performance.now() - t0);
            if (result.rows[0]?.id === `H${i}`) right += 1;
          }
        }),
      );
      return right;
    };
    const typedTop1 = await top1(queries.typed);
    const exactTop1 = await top1(queries.exact);
    return { buildSeconds, sample: [...sample], typedTop1, exactTop1, times };
  } finally {
    for (const client of clients) await client.end().catch(() => undefined);
  }
}
