import { EventEmitter } from 'node:events';
import { protocol, type PGlite } from '@electric-sql/pglite';

const { serialize } = protocol;

/**
 * The connection node-postgres (`pg`) talks to when the store is the embedded PGlite: it hands the
 * wire-protocol messages to PGlite in-process instead of writing them to a socket.
 *
 * PGlite's own adapter (`@electric-sql/pglite/node-postgres`) makes one PGlite call per message,
 * so a query with parameters (Parse, Bind, Describe, Execute, Sync) costs five trips into the
 * WebAssembly backend, each with its own bookkeeping. `pg` corks its stream around those messages,
 * as it does on a socket to send them in one packet; this connection honours the cork and gives
 * PGlite the whole query in one call, which PGlite runs message by message like a server reading
 * its socket. Replies go back to `pg` as the same parsed messages a server's would.
 */
export class PgliteConnection extends EventEmitter {
  /** Read by pg's Client.end(), which skips connection.end() without it. */
  _connecting = false;
  /** pg keeps its prepared statements' names here, per connection (the PGlite session). */
  parsedStatements: Record<string, string> = {};
  submittedNamedStatements: Record<string, string> = {};

  private queue: Promise<void>;
  private pending: Uint8Array[] = [];
  private corked = false;
  private emitRaw = false;

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

  constructor(private readonly pglite: PGlite) {
    super();
    this.queue = pglite.waitReady;
    this.on('newListener', (event) => {
      if (event === 'message') this.emitRaw = true;
    });
  }

  async connect(): Promise<void> {
    this._connecting = true;
    await this.pglite.waitReady;
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

  sendCopyFromChunk(chunk: Parameters<typeof serialize.copyData>[0]): void {
    this.send(serialize.copyData(chunk));
  }

  endCopyFrom(): void {
    this.send(serialize.copyDone());
  }

  sendCopyFail(message: string): void {
    this.send(serialize.copyFail(message));
  }

  /** Like a socket closing; the PGlite instance belongs to the store and stays open. */
  end(): void {
    this.queue = this.queue.then(() => {
      this.emit('end');
    });
    // The pool reuses this connection for its next client: the ended client's listeners must go.
    for (const event of this.eventNames()) {
      if (event !== 'newListener') this.removeAllListeners(event);
    }
    this.emitRaw = false;
  }

  private send(message: Uint8Array): void {
    this.pending.push(message);
    if (!this.corked) this.flushPending();
  }

  /** One PGlite call for everything written since the last; calls run one after another, in order. */
  private flushPending(): void {
    if (this.pending.length === 0) return;
    const message = this.pending.length === 1 ? this.pending[0]! : concat(this.pending);
    this.pending = [];
    this.queue = this.queue
      .then(() => this.pglite.execProtocolStream(message, { throwOnError: false }))
      .then((replies) => {
        for (const reply of replies) {
          if (this.emitRaw) this.emit('message', reply);
          // pg expects an ErrorResponse as 'errorMessage'.
          this.emit(reply.name === 'error' ? 'errorMessage' : reply.name, reply);
        }
      })
      .catch((err: unknown) => {
        this.emit('error', err);
      });
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
