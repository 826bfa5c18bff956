import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import { StoreLockedError } from './store.errors.js';

interface LockContent {
  pid: number;
  host: string;
  startedAt: string;
  /** The holder's start time in clock ticks since boot (Linux), to tell it from a later process with its pid. */
  procStart?: string | null;
}

/** Lock files this process holds: a second opener in the same process is refused too. */
const heldHere = new Set<string>();

/** A process's start time from /proc (Linux); null where there is no /proc. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; counted after the command name, which may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the lock's holder still runs. A restarted container often gets the same pid as before
 * (even our own), so a live pid counts only if it is the same process: same start time, or, for
 * our own pid, a lock this process really holds.
 */
function holderRuns(holder: LockContent, path: string): boolean {
  if (holder.pid === process.pid) return heldHere.has(path);
  if (!isAlive(holder.pid)) return false;
  const start = processStart(holder.pid);
  return !holder.procStart || !start || start === holder.procStart;
}

function readLock(path: string): LockContent | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' ? (parsed as LockContent) : null;
  } catch {
    return null;
  }
}

/**
 * A lock file holding the owner's pid, so two processes never open one PGlite data folder (they
 * would silently lose each other's writes). A lock left by a dead process on this host is taken
 * over; a live holder, or one on another host that we cannot check, makes `acquire` throw.
 */
export class LockFile {
  private held = false;
  private readonly releaseOnExit = () => this.release();

  constructor(readonly path: string) {}

  acquire(): void {
    // Two tries: the second follows the removal of a stale lock.
    for (let attempt = 0; attempt < 2; attempt++) {
      const content: LockContent = {
        pid: process.pid,
        host: os.hostname(),
        startedAt: new Date().toISOString(),
        procStart: processStart(process.pid),
      };
      try {
        const fd = openSync(this.path, 'wx');
        try {
          writeSync(fd, JSON.stringify(content));
        } finally {
          closeSync(fd);
        }
        this.held = true;
        heldHere.add(this.path);
        process.once('exit', this.releaseOnExit);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readLock(this.path);
      const stale = holder !== null && holder.host === os.hostname() && !holderRuns(holder, this.path);
      if (holder !== null && !stale) throw new StoreLockedError(this.path, holder.pid, holder.host);
      if (holder === null) {
        // Unreadable or half-written: another opener may be writing it right now.
        throw new StoreLockedError(this.path, null, null);
      }
      // Re-read just before removing, so we never remove a lock someone else has just taken over.
      if (readLock(this.path)?.pid === holder.pid) {
        try {
          unlinkSync(this.path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    }
    const holder = readLock(this.path);
    throw new StoreLockedError(this.path, holder?.pid ?? null, holder?.host ?? null);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    heldHere.delete(this.path);
    process.removeListener('exit', this.releaseOnExit);
    if (readLock(this.path)?.pid !== process.pid) return;
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
