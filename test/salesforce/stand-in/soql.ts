/**
 * The SOQL subset the adapter sends, and no more: SELECT fields, parent paths (Campaign.Name),
 * child subqueries, COUNT() and COUNT(Id) with GROUP BY, WHERE with AND of =, !=, <, <=, >, >=,
 * IN, NOT IN and LIKE (and parenthesised OR groups of those), date literals and LAST_N_DAYS:n,
 * ORDER BY … NULLS FIRST|LAST, LIMIT, OFFSET. Anything else is a MALFORMED_QUERY, so a query
 * the stand-in cannot answer fails loudly instead of answering wrongly.
 */

export type Literal = string | number | boolean | null | { lastNDays: number };

export interface Condition {
  field: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'NOT IN' | 'LIKE';
  value: Literal | Literal[];
  /** Set on a parenthesised group: true when any of these holds. */
  anyOf?: Condition[];
}

export type SelectItem =
  | { kind: 'field'; path: string }
  | { kind: 'count'; field: string | null; alias: string }
  | { kind: 'sub'; query: Query };

export interface Query {
  select: SelectItem[];
  from: string;
  where: Condition[];
  groupBy: string[];
  orderBy: Array<{ field: string; desc: boolean; nullsLast: boolean }>;
  limit: number | null;
  offset: number;
}

export class SoqlError extends Error {
  readonly code = 'MALFORMED_QUERY';
}

const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*')|(\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2}))?(?![\w-]))|(LAST_N_DAYS:\d+)|(-?\d+(?:\.\d+)?)|([A-Za-z_][\w.]*)|(!=|<=|>=|[(),=<>]))/y;

function tokenize(soql: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < soql.length) {
    if (/^\s*$/.test(soql.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(soql);
    if (!m) throw new SoqlError(`unexpected text at ${pos}: ${soql.slice(pos, pos + 20)}`);
    tokens.push(m.slice(1).find((g) => g !== undefined)!);
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly t: string[]) {}

  peek(): string | undefined {
    return this.t[this.i];
  }
  is(word: string): boolean {
    return this.peek()?.toUpperCase() === word;
  }
  next(): string {
    const tok = this.t[this.i++];
    if (tok === undefined) throw new SoqlError('unexpected end of query');
    return tok;
  }
  expect(word: string): void {
    const tok = this.next();
    if (tok.toUpperCase() !== word) throw new SoqlError(`expected ${word}, found ${tok}`);
  }
  done(): boolean {
    return this.i >= this.t.length;
  }

  query(): Query {
    this.expect('SELECT');
    const select: SelectItem[] = [];
    let exprN = 0;
    do {
      if (this.peek() === ',') this.next();
      if (this.peek() === '(') {
        this.next();
        select.push({ kind: 'sub', query: this.query() });
        this.expect(')');
      } else if (this.is('COUNT')) {
        this.next();
        this.expect('(');
        const field = this.peek() === ')' ? null : this.next();
        this.expect(')');
        const alias = this.peek() && !this.is('FROM') && this.peek() !== ',' ? this.next() : `expr${exprN++}`;
        select.push({ kind: 'count', field, alias });
      } else {
        select.push({ kind: 'field', path: this.next() });
      }
    } while (this.peek() === ',');
    this.expect('FROM');
    const from = this.next();
    const q: Query = { select, from, where: [], groupBy: [], orderBy: [], limit: null, offset: 0 };
    if (this.is('WHERE')) {
      this.next();
      q.where.push(this.condition());
      while (this.is('AND')) {
        this.next();
        q.where.push(this.condition());
      }
    }
    if (this.is('GROUP')) {
      this.next();
      this.expect('BY');
      q.groupBy.push(this.next());
      while (this.peek() === ',') {
        this.next();
        q.groupBy.push(this.next());
      }
    }
    if (this.is('ORDER')) {
      this.next();
      this.expect('BY');
      do {
        if (this.peek() === ',') this.next();
        const field = this.next();
        let desc = false;
        if (this.is('ASC')) this.next();
        else if (this.is('DESC')) {
          this.next();
          desc = true;
        }
        let nullsLast = !desc;
        if (this.is('NULLS')) {
          this.next();
          nullsLast = this.next().toUpperCase() === 'LAST';
        }
        q.orderBy.push({ field, desc, nullsLast });
      } while (this.peek() === ',');
    }
    if (this.is('LIMIT')) {
      this.next();
      q.limit = Number(this.next());
    }
    if (this.is('OFFSET')) {
      this.next();
      q.offset = Number(this.next());
    }
    return q;
  }

  condition(): Condition {
    if (this.peek() === '(') {
      this.next();
      const anyOf = [this.condition()];
      while (this.is('OR')) {
        this.next();
        anyOf.push(this.condition());
      }
      this.expect(')');
      return { field: '', op: '=', value: null, anyOf };
    }
    const field = this.next();
    let op = this.next().toUpperCase();
    // NOT IN excludes the listed values (SOQL and SOSL Reference, "Comparison Operators").
    if (op === 'NOT' && this.is('IN')) op = `NOT ${this.next().toUpperCase()}`;
    if (op === 'IN' || op === 'NOT IN') {
      this.expect('(');
      const values: Literal[] = [this.literal()];
      while (this.peek() === ',') {
        this.next();
        values.push(this.literal());
      }
      this.expect(')');
      return { field, op, value: values };
    }
    if (!['=', '!=', '<', '<=', '>', '>=', 'LIKE'].includes(op))
      throw new SoqlError(`unsupported operator ${op}`);
    return { field, op: op as Condition['op'], value: this.literal() };
  }

  literal(): Literal {
    const tok = this.next();
    if (tok.startsWith("'")) return unescapeSoql(tok.slice(1, -1));
    if (/^LAST_N_DAYS:/i.test(tok)) return { lastNDays: Number(tok.split(':')[1]) };
    if (/^\d{4}-\d{2}-\d{2}T/.test(tok)) return new Date(tok).toISOString();
    // A date field's literal is YYYY-MM-DD without quotes (SOQL and SOSL Reference, "Date Formats
    // and Date Literals"); it compares with the stored date as text.
    if (/^\d{4}-\d{2}-\d{2}$/.test(tok)) return tok;
    if (/^-?\d/.test(tok)) return Number(tok);
    const lower = tok.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    throw new SoqlError(`unsupported value ${tok}`);
  }
}

/**
 * SOQL and SOSL Reference, "Quoted String Escape Sequences": \n \r \t \b \f (either case), \" \' \\ and
 * \uXXXX; "if you use a backslash character in any other context, an error occurs". LIKE's escaped
 * wildcards (\% and \_) stay escaped for LIKE to read.
 */
const SOQL_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\u0007',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

function unescapeSoql(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|.)/gs, (escaped, sequence: string) => {
    if (sequence === '%' || sequence === '_') return escaped;
    if (sequence.length === 5) return String.fromCharCode(parseInt(sequence.slice(1), 16));
    const ch =
      SOQL_ESCAPES[sequence.length === 1 && /[A-Z]/.test(sequence) ? sequence.toLowerCase() : sequence];
    if (ch === undefined) throw new SoqlError(`invalid escape sequence ${escaped} in a quoted string`);
    return ch;
  });
}

export function parseSoql(soql: string): Query {
  const p = new Parser(tokenize(soql));
  const q = p.query();
  if (!p.done()) throw new SoqlError(`unexpected ${p.peek()} after the query`);
  return q;
}
