import type { PostgresCursor, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** Distinct statements kept prepared; the rest run unnamed, as every statement did before. */
const DEFAULT_MAX_STATEMENTS = 1000;
/** Statements seen once, remembered until this many, then forgotten (a one-off never takes a name). */
const SEEN_ONCE_LIMIT = 10_000;

/**
 * Names the statements the store runs again and again, so each connection parses and plans them
 * once (the store's sessions keep generic plans, see open-database.ts) and then only binds and
 * executes them: a server-side prepared statement per distinct SQL text with parameters. Routing a
 * lead is a handful of small statements whose parse and plan cost more than their execution.
 *
 * A text gets a name the second time it is seen (one-off statements such as migrations never do),
 * and at most `maxStatements` texts get one. Statements without parameters (BEGIN, COMMIT, DDL)
 * run as before. node-postgres prepares a named statement on each connection the first time that
 * connection runs it, and forgets it with the connection. A pooler that hands one client several
 * server sessions (PgBouncer in transaction mode without prepared-statement support) would lose
 * them: point DATABASE_URL at PostgreSQL or at a session-mode pooler.
 */
export class PreparedStatementPool implements PostgresPool {
  private readonly names = new Map<string, string>();
  private readonly seenOnce = new Set<string>();
  private readonly clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxStatements = DEFAULT_MAX_STATEMENTS,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    let wrapped = this.clients.get(client);
    if (!wrapped) {
      wrapped = this.wrap(client);
      this.clients.set(client, wrapped);
    }
    return wrapped;
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  /** The name for this text, or undefined to run it unnamed. */
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= this.maxStatements) return known;
    if (!this.seenOnce.has(text)) {
      if (this.seenOnce.size >= SEEN_ONCE_LIMIT) this.seenOnce.clear();
      this.seenOnce.add(text);
      return undefined;
    }
    this.seenOnce.delete(text);
    const name = `sy_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }

  private wrap(client: pg.PoolClient): PostgresPoolClient {
    const query = (textOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) => {
      if (typeof textOrCursor !== 'string') return client.query(textOrCursor as never);
      const values = parameters ? [...parameters] : [];
      const name = values.length > 0 ? this.nameOf(textOrCursor) : undefined;
      return client.query(name ? { name, text: textOrCursor, values } : { text: textOrCursor, values });
    };
    return {
      query: query as unknown as PostgresPoolClient['query'],
      release: () => client.release(),
    };
  }
}
