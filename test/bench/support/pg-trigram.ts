/**
 * What a team would otherwise use: PostgreSQL's pg_trgm over the same account names. The names go
 * into a schema of this run's own (dropped afterwards) with a GiST trigram index; each query takes
 * the 20 nearest names by trigram distance and ranks them by similarity, +0.1 in the lead's country.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { AccountRecord } from '../../../companion/src/engine/model.js';
import type { CompanyName } from './name-matching-data.js';

export interface TrigramFigures {
  buildSeconds: number;
  typedTop1: number;
  exactTop1: number;
  times: number[];
}

const BATCH = 50_000;

/** Query i of each list belongs to account `H${i}`. */
export async function trigramBaseline(
  databaseUrl: string,
  accounts: readonly AccountRecord[],
  queries: { typed: readonly CompanyName[]; exact: readonly CompanyName[] },
): Promise<TrigramFigures> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const schema = `bench_trgm_${process.pid}`;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}, public`);
    await client.query(`SET maintenance_work_mem TO '512MB'`);
    await client.query('CREATE TABLE account (id text PRIMARY KEY, name text NOT NULL, country text)');
    const started = performance.now();
    for (let at = 0; at < accounts.length; at += BATCH) {
      const batch = accounts.slice(at, at + BATCH);
      await client.query(
        'INSERT INTO account (id, name, country) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])',
        [batch.map((a) => a.Id), batch.map((a) => a.Name), batch.map((a) => a.BillingCountry ?? null)],
      );
    }
    await client.query('CREATE INDEX account_name_trgm ON account USING gist (name gist_trgm_ops)');
    await client.query('ANALYZE account');
    const buildSeconds = (performance.now() - started) / 1000;
    const times: number[] = [];
    const top1 = async (list: readonly CompanyName[]): Promise<number> => {
      let right = 0;
      for (const [i, query] of list.entries()) {
        const t0 = performance.now();
        const result = await client.query<{ id: string }>(
          `SELECT id FROM (
             SELECT id, similarity(name, $1) + CASE WHEN country = $2 THEN 0.1 ELSE 0 END AS score
             FROM account ORDER BY name <-> $1 LIMIT 20
           ) nearest ORDER BY score DESC, id LIMIT 1`,
          [query.name, query.country],
        );
        times.push(performance.now() - t0);
        if (result.rows[0]?.id === `H${i}`) right += 1;
      }
      return right;
    };
    const typedTop1 = await top1(queries.typed);
    const exactTop1 = await top1(queries.exact);
    return { buildSeconds, typedTop1, exactTop1, times };
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
  }
}
