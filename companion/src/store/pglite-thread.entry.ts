/**
 * What the embedded store's worker thread runs (started by `pglite-thread.ts`): the one PGlite
 * instance of the process, off the thread whose event loop serves requests. It takes wire-protocol
 * bytes, one message per corked query of `pg`, runs them one after another in arrival order, and
 * posts back each call's reply bytes whole, unparsed.
 *
 * Node runs this file itself in every way the companion starts (tsx, vitest, the CLI's bin, the
 * benchmarks' `--import tsx`): it imports only packages, and its types are only ones Node can strip,
 * so it needs no loader.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** What the thread is started with (`workerData`). */
export interface PgliteThreadStart {
  /** The PostgreSQL data folder; null keeps the database in memory. */
  dataDir: string | null;
  /** Start parameters of PostgreSQL's, after PGlite's own (`PGlite.defaultStartParams`). */
  startParams: string[];
}

/** Main thread to worker: run these bytes (`id` counts calls from 1), or close the database. */
export type PgliteThreadCall = { id: number; bytes: Uint8Array } | { close: true };

/** Worker to main thread: open, a call's reply bytes or its failure, or closed. */
export type PgliteThreadAnswer =
  | { ready: true }
  | { id: number; reply: Uint8Array }
  | { id: number; failed: string }
  | { openFailed: string }
  | { closed: true };

const port = parentPort!;
const { dataDir, startParams } = workerData as PgliteThreadStart;
const post = (answer: PgliteThreadAnswer, transfer: ArrayBuffer[] = []) => port.postMessage(answer, transfer);

async function open(): Promise<PGlite> {
  const options = { startParams: [...PGlite.defaultStartParams, ...startParams] };
  const pglite = dataDir === null ? new PGlite(options) : new PGlite(dataDir, options);
  await pglite.waitReady;
  return pglite;
}

/** One call: the reply's chunks copied out of PGlite's memory into one buffer the main thread takes over. */
async function run(pglite: PGlite, bytes: Uint8Array): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  await pglite.execProtocolRawStream(bytes, {
    onRawData: (chunk) => {
      chunks.push(chunk.slice());
      length += chunk.length;
    },
  });
  if (chunks.length === 1) return chunks[0]!;
  const reply = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    reply.set(chunk, at);
    at += chunk.length;
  }
  return reply;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

const opened = open();
opened.then(
  () => post({ ready: true }),
  (err: unknown) => post({ openFailed: message(err) }),
);

// Calls run strictly one after another, as on the single session PGlite is. The main thread sends
// none before `ready`; if it closes a database that did not open, the thread just ends.
let queue: Promise<unknown> = opened.catch(() => null);
port.on('message', (call: PgliteThreadCall) => {
  queue = queue.then(async () => {
    const pglite = await opened.catch(() => null);
    if ('close' in call) {
      await pglite?.close();
      post({ closed: true });
      port.close();
      return;
    }
    try {
      if (!pglite) throw new Error('the database is not open');
      const reply = await run(pglite, call.bytes);
      post({ id: call.id, reply }, [reply.buffer as ArrayBuffer]);
    } catch (err) {
      post({ id: call.id, failed: message(err) });
    }
  });
});
