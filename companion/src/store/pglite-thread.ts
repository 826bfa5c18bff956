import { Worker } from 'node:worker_threads';
import type { PgliteThreadAnswer, PgliteThreadCall, PgliteThreadStart } from './pglite-thread.entry.js';
import { StoreError } from './store.errors.js';

interface Waiting {
  resolve: (reply: Uint8Array) => void;
  reject: (err: StoreError) => void;
}

/**
 * The embedded store's PGlite, in a worker thread of its own (`pglite-thread.entry.ts`). PGlite runs
 * each call synchronously in WebAssembly, a CHECKPOINT for a tenth of a second: on the thread that
 * serves requests, every call held the event loop where requests are read, admitted and refused, and
 * the store's share of a re-route's CPU kept one core busy while the other idled. Here the main
 * thread only posts a call's bytes and takes back its reply's; the worker runs them in order.
 *
 * A call that fails, or a thread that stops, fails what waits on it with a StoreError saying so,
 * and every call after a stop too: nothing waits forever.
 */
export class PgliteThread {
  private nextId = 1;
  /** Calls posted and not yet answered, by id; the worker answers them in the order they were posted. */
  private readonly waiting = new Map<number, Waiting>();
  /** Why no call can run any more; null while the thread serves. */
  private stopped: StoreError | null = null;
  private exited = false;
  private closing: Promise<void> | null = null;
  private lastError: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    /** Resolves once the database is open in the thread; rejects with why it did not open. */
    readonly ready: Promise<void>,
  ) {}

  /** Starts the thread and opens the database in it; rejects with why it could not, the thread ended. */
  static async start(options: PgliteThreadStart): Promise<PgliteThread> {
    const worker = new Worker(new URL('./pglite-thread.entry.ts', import.meta.url), {
      workerData: options satisfies PgliteThreadStart,
      // Node strips the entry's types itself; the loaders the main thread runs with (tsx) are not needed.
      execArgv: [],
    });
    let opened: (() => void) | undefined;
    let notOpened: ((err: Error) => void) | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      opened = resolve;
      notOpened = reject;
    });
    const thread = new PgliteThread(worker, ready);
    worker.on('message', (answer: PgliteThreadAnswer) => {
      if ('ready' in answer) opened!();
      else if ('openFailed' in answer) notOpened!(new Error(answer.openFailed));
      else if ('id' in answer) thread.answer(answer);
    });
    worker.on('error', (err) => {
      thread.lastError = err;
      notOpened!(err);
    });
    worker.on('exit', (code) => {
      thread.exit(code);
      notOpened!(thread.stopped ?? new Error(`the thread ended (exit code ${code})`));
    });
    try {
      await ready;
    } catch (err) {
      await thread.close();
      throw err;
    }
    // Idle, the thread keeps the process alive no more than the store did on the main thread.
    worker.unref();
    return thread;
  }

  /** Throws the StoreError saying why no call can run, once the thread has stopped or is closing. */
  assertServing(): void {
    if (this.stopped) throw this.stopped;
    if (this.closing)
      throw new StoreError('STORE_UNAVAILABLE', 'The embedded store is closed: this query was not run.');
  }

  /** Runs one call's wire-protocol bytes; resolves with the reply's bytes. */
  exec(bytes: Uint8Array): Promise<Uint8Array> {
    try {
      this.assertServing();
    } catch (err) {
      return Promise.reject(err as StoreError);
    }
    const id = this.nextId++;
    // A buffer of its own, handed over to the thread uncopied (a pooled Buffer's memory cannot be).
    const own = new Uint8Array(bytes);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // A call under way keeps the process alive until it is answered, as an open socket would.
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage({ id, bytes: own } satisfies PgliteThreadCall, [own.buffer]);
    });
  }

  /** Closes the database after the calls already posted, and ends the thread. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      this.worker.once('exit', () => resolve());
      this.worker.ref();
      this.worker.postMessage({ close: true } satisfies PgliteThreadCall);
    });
    return this.closing;
  }

  private answer(answer: Extract<PgliteThreadAnswer, { id: number }>): void {
    const waiting = this.waiting.get(answer.id);
    if (!waiting) return;
    this.waiting.delete(answer.id);
    if (this.waiting.size === 0) this.worker.unref();
    if ('reply' in answer) waiting.resolve(answer.reply);
    else {
      waiting.reject(
        new StoreError(
          'STORE_UNAVAILABLE',
          `The embedded store could not run a query: ${answer.failed}. If this repeats, restart the companion.`,
        ),
      );
    }
  }

  private exit(code: number): void {
    this.exited = true;
    if (this.closing && this.waiting.size === 0) return;
    const why = this.lastError ? `: ${this.lastError.message}` : '';
    this.stopped = new StoreError(
      'STORE_UNAVAILABLE',
      `The embedded store's thread stopped (exit code ${code}${why}), so the query was not answered. ` +
        'Restart the companion: what had committed is kept in its data folder.',
      ...(this.lastError ? [{ cause: this.lastError }] : []),
    );
    for (const { reject } of this.waiting.values()) reject(this.stopped);
    this.waiting.clear();
  }
}
