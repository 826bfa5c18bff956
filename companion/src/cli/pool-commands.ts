/**
 * `pools`: the pools as data a manager changes, through the running companion's API (admins only):
 * each change is stored as the next version of the routing set, with who, when, why and the diff.
 */
import { parseArgs } from 'node:util';
import type { VersionChange } from '../routing/routing-versions.js';
import { call, CliError, connection, connectionOptions, get, post, WHAT_IF_HELP } from './admin-commands.js';

export const POOLS_HELP = `Usage: npm run cli -- pools <subcommand> …
  pools list                                       the pools, their members and settings, who is next,
                                                   leads given (today too), open leads, who is passed over and why
  pools add <pool> <user> --reason text [--weight n] [--cap-hour n] [--cap-day n] [--max-load n]
  pools remove <pool> <user> --reason text
  pools set <pool> <user> --reason text [--weight n|none] [--cap-hour n|none] [--cap-day n|none]
                                        [--max-load n|none] [--paused true|false]
  pools away <pool> <user> --from YYYY-MM-DD --to YYYY-MM-DD --reason text   out of office, days included
  pools back <pool> <user> --reason text          no longer out of office
  pools pause <pool> --reason text / pools resume <pool> --reason text
  pools catch-up <pool> --leads n --within-days n --reason text   a rep back from time off gets up to n
                                        of the turns they missed in the last n days (1–14); --off: none
Each change is checked with the whole routing set and stored as its next version (npm run cli --
versions --diff shows it); routing uses it for its next decision, and who gets the pool's next
leads now and with the change is printed. --dry-run prints the diff and those leads only, and the
version it was computed on: confirm with --base n, which refuses the change when someone stored
another version since.
<user> is the person's username or email, as pools.yaml names people, or their user Id (005…).`;

const options = {
  ...connectionOptions,
  reason: { type: 'string' },
  weight: { type: 'string' },
  'cap-hour': { type: 'string' },
  'cap-day': { type: 'string' },
  'max-load': { type: 'string' },
  paused: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  leads: { type: 'string' },
  'within-days': { type: 'string' },
  off: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  base: { type: 'string' },
} as const;

/** A number flag; 'none' takes the setting away. */
function setting(flag: string, value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new CliError(`--${flag} must be a number or none, not '${value}'.`, 2);
  return n;
}

export function whole(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min)
    throw new CliError(
      `--${flag} must be a whole number${min > 0 ? ` from ${min}` : ''}, not '${value}'.`,
      2,
    );
  return n;
}

export async function poolsCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n${POOLS_HELP}`, 2);
  }
  const { values, positionals } = parsed;
  const [sub, pool, userId] = positionals;
  if (values.help || !sub) {
    console.log(`${POOLS_HELP}\n\n${WHAT_IF_HELP.connection}`);
    return sub || values.help ? 0 : 2;
  }
  const c = connection(values, env);
  if (sub === 'list') {
    const list = (await (await get(c, '/v1/pools')).json()) as {
      version: number;
      items: Array<{
        name: string;
        strategy: string;
        paused: boolean;
        next: string | null;
        nextName: string | null;
        nextReason: string | null;
        members: Array<Record<string, unknown>>;
      }>;
    };
    if (values.json) {
      console.log(JSON.stringify(list, null, 2));
      return 0;
    }
    console.log(`Pools of version ${list.version}:`);
    for (const p of list.items) {
      console.log(
        `${p.name} (${p.strategy})${p.paused ? ' — paused' : ''}: next ${p.next ? `${p.nextName ?? p.next} (${p.next})` : `nobody (${p.nextReason ?? ''})`}`,
      );
      for (const m of p.members) {
        const away = (m['away'] as Array<{ from: string; to: string }>).map((a) => `away ${a.from}…${a.to}`);
        const extras = [
          `weight ${String(m['weight'])}`,
          ...(['capPerHour', 'capPerDay', 'maxOpenLoad'] as const)
            .filter((k) => m[k] !== null)
            .map((k) => `${k} ${String(m[k])}`),
          ...(m['paused'] ? ['paused'] : []),
          ...(m['active'] ? [] : ['inactive']),
          ...away,
          `${String(m['assigned'])} leads given, ${String(m['turnsToday'])} today`,
          ...(m['openLeads'] !== null ? [`${String(m['openLeads'])} open`] : []),
          ...(m['skipped'] ? [`passed over: ${String(m['skipped'])}`] : []),
        ];
        console.log(`  ${String(m['userId'])}  ${String(m['name'] ?? '?')}: ${extras.join(', ')}`);
      }
    }
    return 0;
  }
  if (!pool) throw new CliError(`Name the pool.\n${POOLS_HELP}`, 2);
  const reason = values.reason?.trim();
  if (!reason) throw new CliError(`Say why with --reason "…".\n${POOLS_HELP}`, 2);
  const base = whole('base', values.base, 1);
  const flags = {
    ...(values['dry-run'] ? { dryRun: true } : {}),
    ...(base !== undefined ? { baseVersion: base } : {}),
  };
  const member = () => {
    if (!userId) throw new CliError(`Name the member by username, email or user Id.\n${POOLS_HELP}`, 2);
    return `/v1/pools/${encodeURIComponent(pool)}/members/${encodeURIComponent(userId)}`;
  };
  const settings = () => {
    const s: Record<string, unknown> = {};
    const pairs = [
      ['weight', 'weight'],
      ['capPerHour', 'cap-hour'],
      ['capPerDay', 'cap-day'],
      ['maxOpenLoad', 'max-load'],
    ] as const;
    for (const [key, flag] of pairs) {
      const v = setting(flag, values[flag]);
      if (v !== undefined) s[key] = v;
    }
    if (values.paused !== undefined) {
      if (values.paused !== 'true' && values.paused !== 'false')
        throw new CliError(`--paused must be true or false, not '${values.paused}'.`, 2);
      s['paused'] = values.paused === 'true';
    }
    return s;
  };
  let res: Response;
  switch (sub) {
    case 'add':
      if (!userId) throw new CliError(`Name the rep by username, email or user Id.\n${POOLS_HELP}`, 2);
      res = await post(c, `/v1/pools/${encodeURIComponent(pool)}/members`, {
        // A username or email has an @; an Id does not.
        ...(userId.includes('@') ? { user: userId } : { userId }),
        ...settings(),
        reason,
        ...flags,
      });
      break;
    case 'remove': {
      // A DELETE has no body: the dry run and the base version go in the query, as the reason does.
      const query = new URLSearchParams({ reason });
      if (flags.dryRun) query.set('dryRun', 'true');
      if (flags.baseVersion !== undefined) query.set('baseVersion', String(flags.baseVersion));
      res = await call(c, 'DELETE', `${member()}?${query.toString()}`, 'application/json');
      break;
    }
    case 'set':
      res = await call(c, 'PATCH', member(), 'application/json', { ...settings(), reason, ...flags });
      break;
    case 'away':
      if (!values.from || !values.to)
        throw new CliError(`Give --from and --to (YYYY-MM-DD).\n${POOLS_HELP}`, 2);
      res = await call(c, 'PATCH', member(), 'application/json', {
        away: { from: values.from, to: values.to },
        reason,
        ...flags,
      });
      break;
    case 'back':
      res = await call(c, 'PATCH', member(), 'application/json', { away: null, reason, ...flags });
      break;
    case 'pause':
    case 'resume':
      res = await call(c, 'PATCH', `/v1/pools/${encodeURIComponent(pool)}`, 'application/json', {
        paused: sub === 'pause',
        reason,
        ...flags,
      });
      break;
    case 'catch-up': {
      let catchUp: { leads: number; withinDays: number } | null = null;
      if (!values.off) {
        const leads = setting('leads', values.leads);
        const withinDays = setting('within-days', values['within-days']);
        if (typeof leads !== 'number' || typeof withinDays !== 'number')
          throw new CliError(`Give --leads and --within-days as numbers, or --off.\n${POOLS_HELP}`, 2);
        catchUp = { leads, withinDays };
      }
      res = await call(c, 'PATCH', `/v1/pools/${encodeURIComponent(pool)}`, 'application/json', {
        catchUp,
        reason,
        ...flags,
      });
      break;
    }
    default:
      throw new CliError(`Unknown pools command '${sub}'.\n${POOLS_HELP}`, 2);
  }
  return printChange(res, values.json);
}

/** A pool or territory change as the companion answered it: stored, nothing to change, or a dry run's diff. */
export async function printChange(res: Response, json: boolean | undefined): Promise<number> {
  const answer = (await res.json()) as VersionChange & {
    summary: string;
    nextAssignments?: Record<'before' | 'after', Array<{ userId: string; name: string | null }>>;
  };
  if (json) {
    console.log(JSON.stringify(answer, null, 2));
    return 0;
  }
  console.log(
    answer.published
      ? `${answer.summary}: stored as version ${answer.version}; routing uses it from its next decision.`
      : answer.changes.length === 0
        ? `${answer.summary}: nothing changes.`
        : `Dry run: ${answer.summary} would change version ${answer.previous} (confirm with --base ${answer.previous}):`,
  );
  for (const change of answer.changes) console.log(change.diff.replace(/^/gm, '  '));
  if (answer.nextAssignments) {
    const line = (people: Array<{ userId: string; name: string | null }>) =>
      people.length > 0 ? people.map((p) => p.name ?? p.userId).join(', ') : 'nobody can take a lead now';
    console.log(`The next leads now:         ${line(answer.nextAssignments.before)}`);
    console.log(`The next leads with it:     ${line(answer.nextAssignments.after)}`);
  }
  return 0;
}
