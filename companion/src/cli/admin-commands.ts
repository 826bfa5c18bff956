/**
 * `simulate` and `backtest`: the admin CLI asks the running companion (its HTTP API), which decides on
 * the org it already holds; nothing is stored or written to the org.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backtestCsv, type BacktestSummary } from '../engine/backtest.js';
import type { ReassignmentReport } from '../routing/reassignment.js';
import type { BacktestResult } from '../routing/what-if.js';
import { isRoutingFile } from '../routing/flow-files.js';

export const WHAT_IF_HELP = {
  simulate: `Usage: npm run cli -- simulate <leadId> [--trigger created|updated|campaign-member|reroute|scheduled|inactive-owner]
                                   [--changed Field,Field] [--candidate <folder>] [--json]
Decides the lead as routing would now, with the live routing set or the candidate folder, and prints
where it would go and every step of the path with its conditions. Nothing is stored or written.`,
  backtest: `Usage: npm run cli -- backtest --candidate <folder> (--days <n> | --ids <file>) [--trigger <kind>]
                                   [--csv <file>] [--json]
Replays real leads (created in the last n days, or the Ids in the file, one per line) through the live
routing set and the candidate folder, and prints how many would change owner, from whom to whom, by
path, the load per owner and pool, leads left with no owner and conversions gained or lost.
--csv writes one row per lead. Nothing is written to the org; the run is kept, under the id it prints,
so the admin page shows it and npm run cli -- backtest publish <id> --reason <text> publishes its
candidate.`,
  reassign: `Usage: npm run cli -- reassign <which leads> --reason <text>
                                   [--trigger <kind>] [--dry-run] [--run-id <id>] [--json]
Which leads, one way:
  --owner <user or queue Id>          the open leads of a rep who left (or a queue)
  --ids <file>                        the lead Ids in the file, one per line
  --pool <name>                       the open leads of the pool's members (npm run cli -- pools list)
  --territory <table> --row <n>       the open leads that row of the territory table takes now
                                      (rows as npm run cli -- territories list numbers them)
  a filter, every criterion given must hold (lists: comma-separated, or the flag again):
  --status <s,…> --country <c,…> --state <s,…> --lead-source <s,…>
  --created-since <day|instant> --created-before <day|instant> [--owner <Id>]
                                      countries as ISO codes or names (DE takes Germany too), US,
                                      Canadian and Australian states likewise (CA takes California);
                                      text compares without regard to case; a day is from its start, UTC
Moves them through the flows (trigger inactive-owner unless --trigger says otherwise), in batches of
200; each lead's history says why. --dry-run prints where each would go against its owner today and
writes nothing; the real run then does the same. A run that stopped resumes when started again with
the same --run-id (printed at the start): leads it already moved are not routed twice.`,
  connection: `simulate, backtest, reassign and flows render ask the running companion:
  --url  <url>   its address (or SWITCHYARD_URL; default http://127.0.0.1:$PORT, PORT default 4600)
  --key  <key>   its API key (or SWITCHYARD_API_KEY)
  --user <Id>    the Salesforce user Id of the admin asking (or SWITCHYARD_USER)`,
};

/** What a person typed wrong, or what the companion refused; printed as is, exit 2 or 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const connectionOptions = {
  url: { type: 'string' },
  key: { type: 'string' },
  user: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Connection {
  url: string;
  key: string;
  user: string;
}

export function connection(
  values: { url?: string; key?: string; user?: string },
  env: NodeJS.ProcessEnv,
): Connection {
  const url = values.url ?? env.SWITCHYARD_URL ?? `http://127.0.0.1:${env.PORT ?? '4600'}`;
  const key = values.key ?? env.SWITCHYARD_API_KEY;
  const user = values.user ?? env.SWITCHYARD_USER;
  if (!key) {
    throw new CliError(
      'No API key: give --key or set SWITCHYARD_API_KEY to the key the companion printed when it started.',
      2,
    );
  }
  if (!user) {
    throw new CliError(
      'Say who is asking: give --user or set SWITCHYARD_USER to your Salesforce user Id.',
      2,
    );
  }
  return { url: url.replace(/\/+$/, ''), key, user };
}

export async function post(
  c: Connection,
  path: string,
  body: unknown,
  accept = 'application/json',
): Promise<Response> {
  return call(c, 'POST', path, accept, body);
}

/** A GET to the companion; a refusal becomes a CliError with the companion's own words. */
export async function get(c: Connection, path: string, accept = 'application/json'): Promise<Response> {
  return call(c, 'GET', path, accept);
}

/** One call to the companion; a refusal becomes a CliError with the companion's own words. */
export async function call(
  c: Connection,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  accept: string,
  body?: unknown,
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(c.url + path, {
      method,
      headers: {
        authorization: `Bearer ${c.key}`,
        'x-switchyard-user': c.user,
        accept,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new CliError(
      `The companion does not answer at ${c.url}: start it (npm start), or give its address with --url.`,
    );
  }
  if (res.ok) return res;
  const text = await res.text();
  let error: { message?: string; action?: string; details?: Array<{ message: string }> } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  const lines = [
    error?.message ?? `The companion answered ${res.status}.`,
    ...(error?.details ?? []).map((d) => `  ${d.message}`),
    ...(error?.action ? [error.action] : []),
  ];
  throw new CliError(lines.join('\n'));
}

/** Lead Ids from a file, one per line; blank lines and lines starting with # are skipped. */
async function idsFrom(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliError(`${file}: cannot read it: give a file with one lead Id per line.`, 2);
  });
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** A routing set's files from a folder, by bare name, as the API takes them. */
export async function folderFiles(dir: string): Promise<Array<{ name: string; text: string }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new CliError(
      `${dir}: no such folder: give the folder that holds the candidate's *.flow.yaml files.`,
      2,
    );
  }
  const wanted = names.filter(isRoutingFile);
  return Promise.all(wanted.map(async (name) => ({ name, text: await readFile(join(dir, name), 'utf8') })));
}

export async function simulateCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...connectionOptions,
      trigger: { type: 'string' },
      changed: { type: 'string' },
      candidate: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(`${WHAT_IF_HELP.simulate}\n\n${WHAT_IF_HELP.connection}`);
    return 0;
  }
  const leadId = positionals[0];
  if (!leadId || positionals.length > 1) throw new CliError(`Give one lead Id.\n${WHAT_IF_HELP.simulate}`, 2);
  const c = connection(values, env);
  const trigger = {
    kind: values.trigger ?? 'created',
    ...(values.changed ? { changedFields: values.changed.split(',').map((f) => f.trim()) } : {}),
  };
  const body = { trigger, ...(values.candidate ? { candidate: await folderFiles(values.candidate) } : {}) };
  const answer = (await (await post(c, `/v1/leads/${encodeURIComponent(leadId)}/simulate`, body)).json()) as {
    set: string;
    summary: string;
    path: Array<{ flow: string; node: string; text: string }>;
  };
  if (values.json) {
    console.log(JSON.stringify(answer, null, 2));
    return 0;
  }
  console.log(`With the ${answer.set} routing set (${trigger.kind}): ${answer.summary}`);
  answer.path.forEach((step, i) =>
    console.log(`  ${String(i + 1).padStart(2)}. [${step.flow}/${step.node}] ${step.text}`),
  );
  return 0;
}

export async function backtestCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...connectionOptions,
      candidate: { type: 'string' },
      days: { type: 'string' },
      ids: { type: 'string' },
      trigger: { type: 'string' },
      csv: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(`${WHAT_IF_HELP.backtest}\n\n${WHAT_IF_HELP.connection}`);
    return 0;
  }
  if (!values.candidate)
    throw new CliError(`Give the candidate folder with --candidate.\n${WHAT_IF_HELP.backtest}`, 2);
  if ((values.days === undefined) === (values.ids === undefined)) {
    throw new CliError(`Give either --days <n> or --ids <file>.\n${WHAT_IF_HELP.backtest}`, 2);
  }
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !(Number.isInteger(days) && days >= 1)) {
    throw new CliError(`--days must be a whole number of days, not '${values.days}'.`, 2);
  }
  const leadIds = values.ids === undefined ? undefined : await idsFrom(values.ids);
  const c = connection(values, env);
  const body = {
    candidate: await folderFiles(values.candidate),
    ...(days !== undefined ? { days } : {}),
    ...(leadIds ? { leadIds } : {}),
    ...(values.trigger ? { trigger: values.trigger } : {}),
  };
  const result = await streamResult<BacktestResult & { backtestId: number }>(
    await post(c, '/v1/backtests', body, 'application/x-ndjson'),
  );
  if (values.csv) await writeFile(values.csv, backtestCsv(result.rows));
  if (values.json) {
    console.log(JSON.stringify({ ...result, rows: undefined }, null, 2));
    return 0;
  }
  console.log(formatSummary(result.summary, values.candidate));
  if (result.missing.length > 0) {
    console.log(
      `\n${result.missing.length} lead Ids were not found or are converted: ${result.missing.slice(0, 5).join(', ')}${result.missing.length > 5 ? ', …' : ''}`,
    );
  }
  if (values.csv) console.log(`\nOne row per lead: ${values.csv}`);
  // By its id: --latest would publish whichever backtest is newest by then, perhaps another admin's.
  console.log(
    `\nKept as backtest ${result.backtestId}. To publish this candidate as it was backtested: npm run cli -- backtest publish ${result.backtestId} --reason "…" (--dry-run first says what changes).`,
  );
  return 0;
}

/** Reads the NDJSON answer, drawing a progress bar on a terminal. */
async function streamResult<T>(res: Response): Promise<T> {
  const decoder = new TextDecoder();
  let buffered = '';
  let result: T | undefined;
  const bar = process.stderr.isTTY;
  const handle = (line: string) => {
    if (!line.trim()) return;
    const message = JSON.parse(line) as {
      progress?: { done: number; total: number };
      result?: T;
      error?: { message: string; action?: string };
    };
    if (message.error)
      throw new CliError([message.error.message, message.error.action].filter(Boolean).join('\n'));
    if (message.result) result = message.result;
    if (message.progress && bar) {
      const { done, total } = message.progress;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} leads`);
    }
  };
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      handle(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  }
  handle(buffered);
  if (bar) process.stderr.write('\n');
  if (!result)
    throw new CliError('The companion stopped before the run finished: run the same command again.');
  return result;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The summary as an admin reads it. */
export function formatSummary(
  s: BacktestSummary,
  candidate: string,
  against = 'the live routing set',
): string {
  const lines = [
    `${candidate === 'the flows' ? 'Dry run: the flows' : `Backtest of ${candidate}`} against ${against} over ${plural(s.leads, 'lead')}:`,
    `  ${plural(s.ownerChanged, 'lead')} would change owner.`,
  ];
  if (s.moves.length > 0) {
    lines.push('', 'From whom to whom:');
    for (const m of s.moves.slice(0, 15))
      lines.push(`  ${String(m.count).padStart(6)}  ${m.key.from} → ${m.key.to}`);
    if (s.moves.length > 15) lines.push(`          … and ${plural(s.moves.length - 15, 'other move')}`);
  }
  if (s.paths.length > 0) {
    lines.push('', 'By path (live → candidate):');
    for (const p of s.paths.slice(0, 10))
      lines.push(`  ${String(p.count).padStart(6)}  ${p.key.live} → ${p.key.candidate}`);
  }
  if (s.owners.length > 0) {
    lines.push('', 'Leads per owner (live → candidate):');
    for (const o of s.owners.slice(0, 15)) lines.push(`  ${o.owner}: ${o.live} → ${o.candidate}`);
  }
  if (s.pools.length > 0) {
    lines.push('', 'Picks per pool (live → candidate):');
    for (const p of s.pools) lines.push(`  ${p.pool}: ${p.live} → ${p.candidate}`);
  }
  lines.push(
    '',
    `Leads with no owner: ${s.noOwner.live} live, ${s.noOwner.candidate} with the candidate.`,
    `Conversions: ${s.conversions.live} live, ${s.conversions.candidate} with the candidate (${s.conversions.gained} gained, ${s.conversions.lost} lost).`,
  );
  if (s.errors.live + s.errors.candidate > 0) {
    lines.push(
      `Leads that could not be decided: ${s.errors.live} live, ${s.errors.candidate} with the candidate (see the CSV).`,
    );
  }
  return lines.join('\n');
}

/** The filter flags of `reassign`, each with the filter field it fills. */
const REASSIGN_FILTER_FLAGS = {
  status: 'statuses',
  country: 'countries',
  state: 'states',
  'lead-source': 'leadSources',
} as const;

/** A list flag's values: given again or comma-separated. */
const listOf = (given: string[] | undefined): string[] | undefined =>
  given
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

/** The one way of choosing leads the flags say, as the API takes it; a CliError when they say none or two. */
async function leadChoiceOf(values: {
  owner?: string;
  ids?: string;
  pool?: string;
  territory?: string;
  row?: string;
  status?: string[];
  country?: string[];
  state?: string[];
  'lead-source'?: string[];
  'created-since'?: string;
  'created-before'?: string;
}): Promise<Record<string, unknown>> {
  const filter: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(REASSIGN_FILTER_FLAGS)) {
    const list = listOf(values[flag as keyof typeof REASSIGN_FILTER_FLAGS]);
    if (list === undefined) continue;
    if (list.length === 0) throw new CliError(`--${flag} needs at least one value.`, 2);
    filter[field] = list;
  }
  if (values['created-since'] !== undefined) filter.createdSince = values['created-since'];
  if (values['created-before'] !== undefined) filter.createdBefore = values['created-before'];
  if (Object.keys(filter).length > 0 && values.owner !== undefined) filter.ownerId = values.owner;
  const ways = [
    Object.keys(filter).length > 0 ? 'a filter' : null,
    values.owner !== undefined && Object.keys(filter).length === 0 ? '--owner' : null,
    values.ids !== undefined ? '--ids' : null,
    values.pool !== undefined ? '--pool' : null,
    values.territory !== undefined ? '--territory' : null,
  ].filter((w) => w !== null);
  if (ways.length !== 1) {
    throw new CliError(
      `${ways.length === 0 ? 'Say which leads to move' : `Choose the leads one way, not ${ways.join(' and ')}`}: --owner, --ids, --pool, --territory with --row, or filter flags.\n${WHAT_IF_HELP.reassign}`,
      2,
    );
  }
  if (values.row !== undefined && values.territory === undefined)
    throw new CliError('--row goes with --territory <table>.', 2);
  if (values.territory !== undefined) {
    const row = Number(values.row);
    if (values.row === undefined || !Number.isInteger(row) || row < 1) {
      throw new CliError(
        `Give the territory row with --row <n>, a whole number from 1 (npm run cli -- territories list numbers them).`,
        2,
      );
    }
    return { territory: { table: values.territory, row } };
  }
  if (values.pool !== undefined) return { pool: values.pool };
  if (values.ids !== undefined) return { leadIds: await idsFrom(values.ids) };
  if (Object.keys(filter).length > 0) return { filter };
  return { ownerId: values.owner };
}

export async function reassignCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...connectionOptions,
      owner: { type: 'string' },
      ids: { type: 'string' },
      pool: { type: 'string' },
      territory: { type: 'string' },
      row: { type: 'string' },
      status: { type: 'string', multiple: true },
      country: { type: 'string', multiple: true },
      state: { type: 'string', multiple: true },
      'lead-source': { type: 'string', multiple: true },
      'created-since': { type: 'string' },
      'created-before': { type: 'string' },
      reason: { type: 'string' },
      trigger: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'run-id': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(`${WHAT_IF_HELP.reassign}\n\n${WHAT_IF_HELP.connection}`);
    return 0;
  }
  const choice = await leadChoiceOf(values);
  if (!values.reason?.trim()) throw new CliError('Say why the leads move with --reason "…".', 2);
  const c = connection(values, env);
  const runId =
    values['run-id'] ??
    `reassign-${new Date()
      .toISOString()
      .replace(/[-:.TZ]/g, '')
      .slice(0, 14)}`;
  const body = {
    ...choice,
    ...(values.trigger ? { trigger: values.trigger } : {}),
    reason: values.reason,
    ...(values['dry-run'] ? { dryRun: true } : { runId }),
  };
  if (!values['dry-run'] && !values.json) console.error(`Run ${runId} (to resume it: --run-id ${runId})`);
  const res = await post(c, '/v1/reassignments', body, 'application/x-ndjson');
  if (values['dry-run']) {
    const result = await streamResult<BacktestResult & { chosen: string }>(res);
    if (values.json) console.log(JSON.stringify({ ...result, rows: undefined }, null, 2));
    else
      console.log(
        `Chosen: ${result.chosen}.\n${formatSummary(result.summary, 'the flows', 'their owners today')}`,
      );
    return 0;
  }
  const report = await streamResult<ReassignmentReport>(res);
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return report.failed.length > 0 ? 1 : 0;
  }
  console.log(
    [
      `Reassignment ${report.runId}: ${plural(report.leads, 'lead')}, ${report.chosen}.`,
      `  moved ${report.moved}${report.pending > 0 ? ` (and ${report.pending} Salesforce has not taken yet; Switchyard keeps trying)` : ''}, stayed ${report.unchanged}, refused by the flows ${report.refused}, failed ${report.failed.length}` +
        (report.alreadyDone > 0 ? `; ${report.alreadyDone} done by the earlier run` : ''),
      ...report.moves.slice(0, 15).map((m) => `  ${String(m.count).padStart(6)}  ${m.from} → ${m.to}`),
      ...report.failed.slice(0, 10).map((f) => `  failed ${f.leadId}: ${f.message}`),
    ].join('\n'),
  );
  return report.failed.length > 0 ? 1 : 0;
}
