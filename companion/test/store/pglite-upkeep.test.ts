import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/open-database.js';
import { analyzeWhereDue } from '../../src/store/pglite-upkeep.js';
import type { Store } from '../../src/store/store.js';

const MB = 1024 * 1024;
/** max_wal_size as the embedded store is started with it (open-database.ts). */
const MAX_WAL_SIZE = 64 * MB;

let store: Store | null = null;
let dataDir = '';
afterEach(async () => {
  await store?.close();
  store = null;
  rmSync(dataDir, { recursive: true, force: true });
});

async function openInFolder(): Promise<Store> {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-wal-'));
  store = await openDatabase({ databaseUrl: null, dataDir });
  await store.executeSql('create table wal_filler (id serial primary key, body text not null)');
  return store;
}

/** The blocks pg_wal takes on disk, in bytes. */
function walOnDisk(): number {
  const folder = path.join(dataDir, 'pgdata', 'pg_wal');
  return Number(execFileSync('du', ['-sk', folder], { encoding: 'utf8' }).split('\t')[0]) * 1024;
}

async function walSinceCheckpoint(db: Store): Promise<number> {
  const { rows } = await db.executeSql(
    'select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::bigint as written from pg_control_checkpoint()',
  );
  return Number(rows[0]!.written);
}

async function walPosition(db: Store): Promise<bigint> {
  const { rows } = await db.executeSql(
    "select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint as at",
  );
  return BigInt(rows[0]!.at as string);
}

/** About 1.3 MB of log: a thousand rows of a kilobyte. */
function writeSome(db: Store): Promise<unknown> {
  return db.executeSql(
    'insert into wal_filler (body) select repeat(md5(g::text), 32) from generate_series(1, 1000) g',
  );
}

describe('the embedded store write-ahead log', () => {
  it('stays bounded on disk while five times max_wal_size is written, and reads keep being answered', async () => {
    const db = await openInFolder();
    await db.replayIds.set('/data/LeadChangeEvent', 'AAAB');
    const start = await walPosition(db);

    // A reader asks again as soon as it is answered, as requests would while the writes go on.
    let writing = true;
    const answers: string[] = [];
    const reader = (async () => {
      while (writing) answers.push((await db.replayIds.get('/data/LeadChangeEvent')) ?? 'missing');
    })();

    let largest = 0;
    const answeredAt: number[] = [];
    while ((await walPosition(db)) - start < BigInt(5 * MAX_WAL_SIZE)) {
      await writeSome(db);
      largest = Math.max(largest, walOnDisk());
      answeredAt.push(answers.length);
    }
    writing = false;
    await reader;

    // Unchecked, the folder holds every byte written (330 MB seen). Checked, it holds what was
    // written since the last checkpoint or the old segments kept to reuse (87 MB seen).
    expect(largest / MB).toBeLessThan((2 * MAX_WAL_SIZE) / MB);
    expect(new Set(answers)).toEqual(new Set(['AAAB']));
    // Answered all along, not only once the writes had finished: in every tenth of the writes.
    const tenth = Math.floor(answeredAt.length / 10);
    for (let i = tenth; i < answeredAt.length; i += tenth) {
      expect(answeredAt[i]!, `reads answered by write ${i}`).toBeGreaterThan(answeredAt[i - tenth]!);
    }
  }, 300_000);

  it('checkpoints once idle after half of max_wal_size, not waiting for all of it', async () => {
    const db = await openInFolder();
    const start = await walSinceCheckpoint(db);
    while ((await walSinceCheckpoint(db)) - start < 0.6 * MAX_WAL_SIZE) await writeSome(db);
    expect(await walSinceCheckpoint(db)).toBeLessThan(MAX_WAL_SIZE);

    // Nothing else runs now: the next look (once a second) finds the store idle and checkpoints.
    const deadline = Date.now() + 30_000;
    let written = await walSinceCheckpoint(db);
    while (written >= MAX_WAL_SIZE / 4 && Date.now() < deadline) {
      await sleep(200);
      written = await walSinceCheckpoint(db);
    }
    expect(written / MB).toBeLessThan(1);
  }, 120_000);
});

describe("the embedded store's table statistics", () => {
  it("analyzes a table once its rows changed since the last ANALYZE exceed 50 + 10 % of its rows, autovacuum's rule", async () => {
    // A PGlite of its own, with no upkeep running beside the test's calls.
    const pglite = new PGlite();
    const query = async (text: string) => ({
      rows: (await pglite.query(text)).rows as Record<string, unknown>[],
    });
    // Changes reach the counts at most once a second; here, before each look.
    const look = async () => {
      await query('select pg_stat_force_next_flush()');
      return analyzeWhereDue(query);
    };
    const analyzedRows = async () =>
      (await query(`select reltuples from pg_class where relname = 'stats_probe'`)).rows[0]!.reltuples;
    try {
      await query('create table stats_probe (id integer primary key, body text)');
      // As the start-up clean-up leaves a new store: vacuumed empty, so the table has no rows.
      await query('vacuum stats_probe');
      await query(`insert into stats_probe select g, 'a' from generate_series(1, 50) g`);
      expect(await look()).toEqual([]);
      await query(`insert into stats_probe values (51, 'a')`);
      expect(await look()).toEqual(['public.stats_probe']);
      expect(await analyzedRows()).toBe(51);
      expect(await look()).toEqual([]);

      // 51 rows: more than 55.1 changes are due, updates and deletes as well as inserts.
      await query(`update stats_probe set body = 'b' where id <= 40`);
      await query(`delete from stats_probe where id > 40 and id <= 45`);
      await query(`insert into stats_probe select g, 'a' from generate_series(100, 109) g`);
      expect(await look()).toEqual([]);
      await query(`delete from stats_probe where id = 100`);
      expect(await look()).toEqual(['public.stats_probe']);
      expect(await analyzedRows()).toBe(55);
    } finally {
      await pglite.close();
    }
  });
});
