/**
 * `territories`: the territory tables as data a manager changes, through the running companion's API
 * (admins only): each change is stored as the next version of the routing set, with who, when, why and the diff.
 */
import { parseArgs } from 'node:util';
import { call, CliError, connection, connectionOptions, get, post, WHAT_IF_HELP } from './admin-commands.js';
import { printChange, whole } from './pool-commands.js';

export const TERRITORIES_HELP = `Usage: npm run cli -- territories <subcommand> …
  territories list                                   the tables, each row numbered from 1, in words
  territories add <table> --reason text <row> [--at n]   a new row (at the end, or as row n)
  territories set <table> <row number> --reason text <row>   the row replaced by the one given
  territories remove <table> <row number> --reason text
A row: criteria, any of --region AMER,EMEA --country DE,AT --state CA,WA --postal 94,95
--industry Banking,Retail --employees-min n --employees-max n, and one target: --pool <name>,
--queue <DeveloperName> or --person <username, email or user Id>.
Each change is checked (an unknown country or region, a row overlapping another, a person missing or
inactive, a pool or queue the set lacks) with the whole routing set and stored as its next version
(npm run cli -- versions --diff shows it); routing uses it for its next decision. --base n refuses the
change when another version was stored after version n; --dry-run prints the diff only.`;

const options = {
  ...connectionOptions,
  reason: { type: 'string' },
  region: { type: 'string' },
  country: { type: 'string' },
  state: { type: 'string' },
  postal: { type: 'string' },
  industry: { type: 'string' },
  'employees-min': { type: 'string' },
  'employees-max': { type: 'string' },
  pool: { type: 'string' },
  queue: { type: 'string' },
  person: { type: 'string' },
  at: { type: 'string' },
  base: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

interface ListedRow {
  row: number;
  words: string;
  target: { kind: string; written: string; name: string | null; active?: boolean };
}

const list = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);

export async function territoriesCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n${TERRITORIES_HELP}`, 2);
  }
  const { values, positionals } = parsed;
  const [sub, table, rowNumber] = positionals;
  if (values.help || !sub) {
    console.log(`${TERRITORIES_HELP}\n\n${WHAT_IF_HELP.connection}`);
    return sub || values.help ? 0 : 2;
  }
  const c = connection(values, env);
  if (sub === 'list') {
    const answer = (await (await get(c, '/v1/territories')).json()) as {
      version: number;
      items: Array<{ name: string; rows: ListedRow[] }>;
    };
    if (values.json) {
      console.log(JSON.stringify(answer, null, 2));
      return 0;
    }
    console.log(`Territory tables of version ${answer.version}:`);
    for (const t of answer.items) {
      console.log(`${t.name}:`);
      for (const r of t.rows) {
        const who =
          r.target.name === null
            ? ' (names nobody in the org)'
            : r.target.name !== r.target.written
              ? ` (${r.target.name})`
              : '';
        console.log(
          `  ${String(r.row).padStart(3)}  ${r.words}${who}${r.target.active === false ? ', inactive' : ''}`,
        );
      }
    }
    return 0;
  }
  if (!table) throw new CliError(`Name the territory table.\n${TERRITORIES_HELP}`, 2);
  const reason = values.reason?.trim();
  if (!reason) throw new CliError(`Say why with --reason "…".\n${TERRITORIES_HELP}`, 2);
  const base = whole('base', values.base, 1);
  const extra = {
    reason,
    ...(base !== undefined ? { baseVersion: base } : {}),
    ...(values['dry-run'] ? { dryRun: true } : {}),
  };
  const rowPath = () => {
    const n = whole('row number', rowNumber, 1);
    if (n === undefined)
      throw new CliError(`Give the row's number (territories list shows them).\n${TERRITORIES_HELP}`, 2);
    return `/v1/territories/${encodeURIComponent(table)}/rows/${n}`;
  };
  const row = () => {
    const targets = (
      [
        ['pool', values.pool],
        ['queue', values.queue],
        ['user', values.person],
      ] as const
    ).filter(([, v]) => v !== undefined);
    if (targets.length !== 1)
      throw new CliError(
        `Give the row exactly one target: --pool, --queue or --person.\n${TERRITORIES_HELP}`,
        2,
      );
    const min = whole('employees-min', values['employees-min'], 0);
    const max = whole('employees-max', values['employees-max'], 0);
    const criteria = {
      region: list(values.region),
      country: list(values.country),
      state: list(values.state),
      postalCode: list(values.postal),
      industry: list(values.industry),
      employees: min === undefined && max === undefined ? undefined : { min, max },
    };
    const [kind, name] = targets[0]!;
    return JSON.parse(JSON.stringify({ ...criteria, assign: { [kind]: name } })) as unknown;
  };
  let res: Response;
  switch (sub) {
    case 'add': {
      const at = whole('at', values.at, 1);
      res = await post(c, `/v1/territories/${encodeURIComponent(table)}/rows`, {
        row: row(),
        ...(at !== undefined ? { at } : {}),
        ...extra,
      });
      break;
    }
    case 'set':
      res = await call(c, 'PUT', rowPath(), 'application/json', { row: row(), ...extra });
      break;
    case 'remove': {
      const query = `?reason=${encodeURIComponent(reason)}${base !== undefined ? `&baseVersion=${base}` : ''}`;
      if (values['dry-run'])
        throw new CliError('remove has no --dry-run: versions --diff shows what it did.', 2);
      res = await call(c, 'DELETE', `${rowPath()}${query}`, 'application/json');
      break;
    }
    default:
      throw new CliError(`Unknown territories command '${sub}'.\n${TERRITORIES_HELP}`, 2);
  }
  return printChange(res, values.json);
}
