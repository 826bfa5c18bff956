import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/**
 * Each table of the companion's database and the one place allowed to query it. The store's tables
 * each have a module under store/; the embedded demo org's records belong to its adapter. Tables
 * nothing queries (kept by migrations for later) have no owner. migrations.ts and schema.ts define
 * the tables and may name them all.
 */
const OWNERS: Record<string, string | null> = {
  decisions: 'store/decision.repository.ts',
  outbox: 'store/outbox.repository.ts',
  idempotency: 'store/idempotency.repository.ts',
  pools: 'store/pool.repository.ts',
  pool_state: 'store/pool.repository.ts',
  replay_ids: 'store/replay-id.repository.ts',
  sla_clocks: 'store/sla-clock.repository.ts',
  sla_steps: 'store/sla-clock.repository.ts',
  sla_cursor: 'store/sla-clock.repository.ts',
  handoffs: 'store/handoff.repository.ts',
  notifications: 'store/notification.repository.ts',
  routing_versions: 'store/routing-version.repository.ts',
  index_snapshots: 'store/org-snapshot.repository.ts',
  org_snapshot_records: 'store/org-snapshot.repository.ts',
  crm_records: 'crm/local/',
  crm_meta: 'crm/local/',
  job_runs: 'store/job-run.repository.ts',
  job_settings: 'store/job-run.repository.ts',
};
const DEFINITIONS = new Set(['store/migrations.ts', 'store/schema.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The code without its comments, so a doc comment may name a table. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** The tables a piece of code queries: in the query builder's calls or in SQL text. */
function tablesQueried(code: string): Set<string> {
  const names = Object.keys(OWNERS).join('|');
  const patterns = [
    new RegExp(
      `\\b(?:selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin|with)\\(\\s*'(${names})\\b`,
      'g',
    ),
    new RegExp(`\\b(?:from|into|update|join|table)\\s+(${names})\\b`, 'gi'),
  ];
  const found = new Set<string>();
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.add(m[1]!);
  return found;
}

describe('the tables of the companion', () => {
  it('are each queried in their one module only', () => {
    const strays: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const relative = path.relative(SRC, file).split(path.sep).join('/');
      if (DEFINITIONS.has(relative)) continue;
      for (const table of tablesQueried(withoutComments(readFileSync(file, 'utf8')))) {
        const owner = OWNERS[table];
        if (owner === null || owner === undefined || !relative.startsWith(owner)) {
          strays.push(`${relative} queries ${table}: only ${owner ?? 'no module (unused)'} may`);
        }
      }
    }
    expect(strays).toEqual([]);
  });

  it('recognises a table named in the query builder and in SQL text, not in prose', () => {
    expect(tablesQueried(`db.selectFrom('decisions').select('id')`)).toEqual(new Set(['decisions']));
    expect(tablesQueried('sql`update pool_state set state = ${s}`')).toEqual(new Set(['pool_state']));
    expect(tablesQueried('sql`select 1 from outbox o join idempotency k on true`')).toEqual(
      new Set(['outbox', 'idempotency']),
    );
    expect(tablesQueried(withoutComments('// the outbox worker applies what is left'))).toEqual(new Set());
    expect(tablesQueried('const text = "decisions made today";')).toEqual(new Set());
  });
});
