import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import { loopShare } from './loop-share.js';

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
 * PGlite runs each call synchronously, and its promises resolve without giving the event loop back:
 * a chain of queries (a routing batch, its writes) would hold every socket of the process until it
 * ends. So each call first takes its share of the loop (`loopShare`): once the turn has been held
 * long enough, the next call waits one turn, in which the network is read and timers run.
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
  private parser = new Parser();

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

  sendCopyFromChunk(chunk: Buffer): void {
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
    // The pool reuses this connection for its next client: the ended client's listeners must go,
    // and so must any half-read reply.
    for (const event of this.eventNames()) {
      if (event !== 'newListener') this.removeAllListeners(event);
    }
    this.emitRaw = false;
    this.parser = new Parser();
  }

  private send(message: Uint8Array): void {
    this.pending.push(message);
    if (!this.corked) this.flushPending();
  }

  /** One PGlite call for everything written since the last; calls run one after another, in order. */
  private flushPending(): void {
    if (this.pending.length === 0) return;
    const message = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.queue = this.queue
      .then(async () => {
        await loopShare.take();
        // The raw reply, uncopied and unparsed by PGlite; read once PGlite has returned, so no
        // handler of pg's runs inside PGlite's call.
        const chunks: Buffer[] = [];
        await this.pglite.execProtocolRawStream(message, {
          onRawData: (bytes) => chunks.push(Buffer.from(bytes)),
        });
        for (const chunk of chunks) this.parser.parse(chunk, (msg) => this.receive(msg));
      })
      .catch((err: unknown) => {
        this.emit('error', err);
      });
  }

  private receive(msg: BackendMessage): void {
    if (this.emitRaw) this.emit('message', msg);
    // As pg's own connection does: an ErrorResponse is 'errorMessage'.
    this.emit(msg.name === 'error' ? 'errorMessage' : msg.name, msg);
  }
}
