import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LockFile } from '../../src/store/lock-file.js';
import { openDatabase } from '../../src/store/open-database.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the embedded store in a data folder', () => {
  it('keeps what was written across a reopen, and refuses a second opener while open', async () => {
    const dataDir = tempDir();
    const first = await openDatabase({ databaseUrl: null, dataDir });
    await first.replayIds.set('/data/LeadChangeEvent', 'AAAB');

    const lockPath = path.join(dataDir, 'switchyard.lock');
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    const second = openDatabase({ databaseUrl: null, dataDir });
    await expect(second).rejects.toMatchObject({ code: 'STORE_LOCKED', holderPid: process.pid });
    await expect(second).rejects.toThrow(/in use by process \d+.*SWITCHYARD_DATA_DIR/s);

    await first.close();
    expect(existsSync(lockPath)).toBe(false);

    const reopened = await openDatabase({ databaseUrl: null, dataDir });
    try {
      expect(await reopened.replayIds.get('/data/LeadChangeEvent')).toBe('AAAB');
    } finally {
      await reopened.close();
    }
  }, 90_000);

  it('does not fill each new segment of its write-ahead log with zeroes while a query waits', async () => {
    const store = await openDatabase({ databaseUrl: null, dataDir: tempDir() });
    try {
      const { rows } = await store.executeSql('show wal_init_zero');
      expect(rows).toEqual([{ wal_init_zero: 'off' }]);
    } finally {
      await store.close();
    }
  }, 90_000);

  it('logs a changed row, not its whole page, after a checkpoint (full_page_writes off)', async () => {
    const store = await openDatabase({ databaseUrl: null, dataDir: tempDir() });
    try {
      await store.executeSql(
        `create table wal_probe (id int primary key, v text);
         insert into wal_probe select g, repeat('x', 200) from generate_series(1, 20000) g;
         checkpoint`,
      );
      const before = await store.executeSql(`select pg_current_wal_lsn()::text as lsn`);
      const lsn = (before.rows[0] as { lsn: string }).lsn;
      // One row in each of 600 pages: with whole pages logged this is at least 600 x 8 kB.
      await store.executeSql(`update wal_probe set v = repeat('y', 200) where id % 32 = 0`);
      const { rows } = await store.executeSql(
        `select pg_wal_lsn_diff(pg_current_wal_lsn(), '${lsn}')::float8 as bytes`,
      );
      expect((rows[0] as { bytes: number }).bytes).toBeLessThan(1_000_000);
    } finally {
      await store.close();
    }
  }, 90_000);

  it('runs its queries in a thread of its own: the event loop keeps turning while one works', async () => {
    const store = await openDatabase({ databaseUrl: null, dataDir: tempDir() });
    try {
      let working = true;
      let turns = 0;
      const query = store
        .executeSql('select count(*)::int as n from generate_series(1, 3000000)')
        .finally(() => (working = false));
      while (working) {
        await nextTurn();
        turns += 1;
      }
      expect((await query).rows).toEqual([{ n: 3_000_000 }]);
      // On the event loop's own thread the query would take every turn until it ends: none, or
      // the one store calls used to yield before they started.
      expect(turns).toBeGreaterThan(10);
    } finally {
      await store.close();
    }
  }, 90_000);

  it('fails the queries waiting on a stopped store thread, and every one after, with a StoreError; still closes', async () => {
    const dataDir = tempDir();
    const store = await openDatabase({ databaseUrl: null, dataDir });
    // The thread stops (as on a crash of PGlite's WebAssembly) as a query is posted to it.
    const postMessage = Worker.prototype.postMessage;
    const post = vi.spyOn(Worker.prototype, 'postMessage').mockImplementationOnce(function (
      this: Worker,
      ...args
    ) {
      void this.terminate();
      postMessage.apply(this, args);
    });
    try {
      const waiting = store.executeSql('select 1');
      await expect(waiting).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringMatching(/thread stopped.*Restart the companion/s),
      });
      await expect(store.replayIds.get('/data/LeadChangeEvent')).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
      await expect(store.executeSql('select 1')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      post.mockRestore();
      await store.close();
    }
    expect(existsSync(path.join(dataDir, 'switchyard.lock'))).toBe(false);
  }, 90_000);

  it('rejects a schema name that could inject SQL', async () => {
    await expect(
      openDatabase({ databaseUrl: 'postgres://nobody@127.0.0.1:1/x', dataDir: '' }, { schema: 'a"; drop' }),
    ).rejects.toMatchObject({ code: 'STORE_SCHEMA_INVALID' });
  });

  it('names the database it could not reach, without the password', async () => {
    const err = await openDatabase({ databaseUrl: 'postgres://u:secret@127.0.0.1:1/x', dataDir: '' }).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(err.message).toContain('127.0.0.1:1');
    expect(err.message).not.toContain('secret');
  });
});

describe('the lock file', () => {
  it('takes over a lock left by a process that has died', () => {
    const lockPath = path.join(tempDir(), 'switchyard.lock');
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: deadPid(), host: os.hostname(), startedAt: '2026-01-01T00:00:00Z' }),
    );
    const lock = new LockFile(lockPath);
    lock.acquire();
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock with its own pid left by an earlier run, as after a container restart', () => {
    const lockPath = path.join(tempDir(), 'switchyard.lock');
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00Z' }),
    );
    const lock = new LockFile(lockPath);
    lock.acquire();
    expect(() => new LockFile(lockPath).acquire()).toThrow(expect.objectContaining({ code: 'STORE_LOCKED' }));
    lock.release();
  });

  it('takes over a lock whose pid now belongs to a different, later process', () => {
    const lockPath = path.join(tempDir(), 'switchyard.lock');
    // pid 1 is alive, but it started long before this lock's holder claims to have started.
    writeFileSync(
      lockPath,
      JSON.stringify({
        pid: 1,
        host: os.hostname(),
        startedAt: '2026-01-01T00:00:00Z',
        procStart: '999999999999',
      }),
    );
    const lock = new LockFile(lockPath);
    lock.acquire();
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('refuses a lock held by a live process and leaves it in place', () => {
    const lockPath = path.join(tempDir(), 'switchyard.lock');
    // pid 1 is always alive.
    const held = JSON.stringify({ pid: 1, host: os.hostname(), startedAt: '2026-01-01T00:00:00Z' });
    writeFileSync(lockPath, held);
    expect(() => new LockFile(lockPath).acquire()).toThrow(
      expect.objectContaining({ code: 'STORE_LOCKED', holderPid: 1 }),
    );
    expect(readFileSync(lockPath, 'utf8')).toBe(held);
  });

  it('refuses a lock held on another host, whose pid it cannot check', () => {
    const lockPath = path.join(tempDir(), 'switchyard.lock');
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: deadPid(), host: 'another-host.example', startedAt: '2026-01-01T00:00:00Z' }),
    );
    expect(() => new LockFile(lockPath).acquire()).toThrow(/another-host\.example/);
  });
});
