import { EventEmitter } from 'node:events';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { PgliteThread } from './pglite-thread.js';

/**
 * The connection node-postgres (`pg`) talks to when the store is the embedded PGlite: PGlite in
 * place of a socket. `pg` writes wire-protocol messages with its own serializer, PGlite runs them,
 * and its reply bytes are read back with pg's own parser, exactly as from a server's socket.
 *
 * PGlite's adapter (`@electric-sql/pglite/node-postgres`) differs in three ways that cost routing
 * dearly: it makes one PGlite call per message, so a query with parameters (Parse, Bind, Describe,
 * Execute, Sync) is five trips into the WebAssembly backend; its serializer copies large parameters
 * (the JSON of a batch of decisions) many times over; and its parser is slower than pg's. Here, pg
 * corks its stream around the messages of one query, as it does on a socket to send them in one
 * packet, and PGlite gets them in one call, which it runs message by message like a server reading
 * its socket.
 *
 * PGlite runs in a worker thread of its own (`PgliteThread`): a call's bytes are posted there and its
 * reply's bytes come back as a message of the event loop, so a chain of queries (a routing batch, its
 * writes) gives the loop a turn between each two, in which requests are read, as a socket's would.
 */
/** The prepared statements' names of the one PGlite session, as pg keeps them on a connection. */
export type PgliteStatements = Pick<PgliteConnection, 'parsedStatements' | 'submittedNamedStatements'>;

export class PgliteConnection extends EventEmitter {
  /** Read by pg's Client.end(), which skips connection.end() without it. */
  _connecting = false;
  /** pg keeps its prepared statements' names here; they live as long as the PGlite session. */
  readonly parsedStatements: Record<string, string>;
  readonly submittedNamedStatements: Record<string, string>;

  /** Settles once the last call posted has been answered and its reply read (or its failure told). */
  private queue: Promise<void>;
  private pending: Uint8Array[] = [];
  private corked = false;
  private emitRaw = false;
  private readonly parser = new Parser();

  /** What pg touches of a socket: it corks around the messages of one query, and destroys it to end. */
  readonly stream = {
    cork: () => {
      this.corked = true;
    },
    uncork: () => {
      this.corked = false;
      this.flushPending();
    },
    destroy: () => this.end(),
  };

  /**
   * One per pg client, as a socket would be; `statements` is the one session's, shared by them all,
   * so a statement one client prepared is not prepared again by the next.
   */
  constructor(
    private readonly thread: PgliteThread,
    statements: PgliteStatements,
  ) {
    super();
    this.parsedStatements = statements.parsedStatements;
    this.submittedNamedStatements = statements.submittedNamedStatements;
    this.queue = thread.ready.catch(() => undefined);
    this.on('newListener', (event) => {
      if (event === 'message') this.emitRaw = true;
    });
  }

  async connect(): Promise<void> {
    this._connecting = true;
    try {
      await this.thread.ready;
      // A client is refused at once, holding nothing, once the thread has stopped.
      this.thread.assertServing();
    } catch (err) {
      this.fail(err);
      return;
    }
    process.nextTick(() => this.emit('readyForQuery'));
  }

  // A session in-process: no TLS, no startup packet, no password, nothing to cancel over a socket.
  requestSsl(): void {}
  startup(): void {}
  cancel(): void {}
  password(): void {}
  ref(): void {}
  unref(): void {}

  query(text: string): void {
    this.send(serialize.query(text));
  }

  parse(query: Parameters<typeof serialize.parse>[0]): void {
    this.send(serialize.parse(query));
  }

  bind(config: Parameters<typeof serialize.bind>[0]): void {
    this.send(serialize.bind(config));
  }

  describe(message: Parameters<typeof serialize.describe>[0]): void {
    this.send(serialize.describe(message));
  }

  execute(config: Parameters<typeof serialize.execute>[0]): void {
    this.send(serialize.execute(config));
  }

  close(message: Parameters<typeof serialize.close>[0]): void {
    this.send(serialize.close(message));
  }

  flush(): void {
    this.send(serialize.flush());
  }

  sync(): void {
    this.send(serialize.sync());
  }

  sendCopyFromChunk(chunk: Buffer): void {
    this.send(serialize.copyData(chunk));
  }

  endCopyFrom(): void {
    this.send(serialize.copyDone());
  }

  sendCopyFail(message: string): void {
    this.send(serialize.copyFail(message));
  }

  /**
   * Like a socket closing, once the calls already posted are answered; the PGlite thread belongs to
   * the store and stays open. The pool's next client gets a connection of its own, so this one's
   * 'end', coming later, reaches only the client that ended.
   */
  end(): void {
    this.queue = this.queue.then(() => {
      this.emit('end');
    });
  }

  private send(message: Uint8Array): void {
    this.pending.push(message);
    if (!this.corked) this.flushPending();
  }

  /**
   * One PGlite call for everything written since the last. The thread runs calls one after another
   * and answers them in the order they were posted, so replies are read in that order too.
   */
  private flushPending(): void {
    if (this.pending.length === 0) return;
    const message = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.queue = this.thread
      .exec(message)
      .then((reply) => {
        const bytes = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
        this.parser.parse(bytes, (msg) => this.receive(msg));
      })
      .catch((err: unknown) => this.fail(err));
  }

  /**
   * As a socket's error: pg's client fails every query it has sent or queued with `err` (a
   * StoreError saying why), then emits it again on itself, where nothing may listen (a client the
   * pool has handed out); that re-emit throwing is no news to anyone.
   */
  private fail(err: unknown): void {
    try {
      this.emit('error', err);
    } catch {
      // Told already: the queries waiting on this connection were failed with `err`.
    }
  }

  private receive(msg: BackendMessage): void {
    if (this.emitRaw) this.emit('message', msg);
    // As pg's own connection does: an ErrorResponse is 'errorMessage'.
    this.emit(msg.name === 'error' ? 'errorMessage' : msg.name, msg);
  }
}
