/**
 * `versions`, `export`, `import`, `publish` and `rollback`: the routing set's versions, through the
 * running companion's API (admins only), so staging and production are two companions the same
 * commands point at with --url.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  whenStored,
  type FileChange,
  type VersionChange,
  type VersionInfo,
} from '../routing/routing-versions.js';
import { EXPORT_FORMAT } from '../http/routes/flow-versions.route.js';
import {
  CliError,
  connection,
  connectionOptions,
  folderFiles,
  get,
  post,
  WHAT_IF_HELP,
} from './admin-commands.js';

type Files = Array<{ name: string; text: string }>;

export const VERSION_HELP: Record<string, string> = {
  versions: `Usage: npm run cli -- versions [<version>] [--file <name>] [--limit <n>] [--diff] [--json]
Lists the routing set's versions, newest first: who stored each, when, why, and what it changed
(--diff prints the changed lines); --file keeps the versions that changed that file (a flow's history:
--file reroute.flow.yaml; the pools': --file pools.yaml). With a version number, prints that version
and its diff.`,
  export: `Usage: npm run cli -- export (--out <file.json> | --folder <folder>) [--json]
Writes the live routing set: as one file another companion imports (--out), or as a folder of
*.flow.yaml, pools.yaml, territories.yaml, sla.yaml and aliases.yaml to edit, simulate, backtest and publish (--folder, a new
or empty folder).`,
  import: `Usage: npm run cli -- import <file.json | folder> --reason <text> [--base <n>] [--dry-run] [--json]
Stores a routing set exported from another companion (staging to production) as this one's next
version, after checking it against this org, and prints what changed against the live set.
--base <n> refuses the import when this companion stored a version after n; --dry-run only prints
what would change.`,
  publish: `Usage: npm run cli -- publish <folder | file.json> --base <n> --reason <text> [--dry-run] [--json]
Checks the routing set (every problem as file:line:column: reason) and stores it as the next version
over version n, the one it was edited from (export prints it); refused, naming the other version, when
someone stored another version since. Routing uses it for its next decision, without a restart.`,
  rollback: `Usage: npm run cli -- rollback <version> --reason <text> [--base <n>] [--dry-run] [--json]
Makes an earlier version's files live again, stored as a new version.`,
  'backtest publish': `Usage: npm run cli -- backtest publish (<backtest id> | --latest) --reason <text> [--dry-run] [--json]
Publishes the candidate of a backtest you ran (npm run cli -- backtest --candidate <folder>), as it was
backtested: over the version it was compared with. Only the newest backtest keeps its candidate's files;
--latest publishes that one and names it. Refused, naming the other version, when a version was stored
since the backtest (its figures say nothing about publishing over that one), and with every problem as
file:line:column: reason when the org no longer takes the candidate. --dry-run only prints what would
change.`,
};

const options = {
  ...connectionOptions,
  reason: { type: 'string' },
  base: { type: 'string' },
  'dry-run': { type: 'boolean' },
  out: { type: 'string' },
  folder: { type: 'string' },
  limit: { type: 'string' },
  diff: { type: 'boolean' },
  file: { type: 'string' },
  latest: { type: 'boolean' },
} as const;

function parse(command: string, args: string[]) {
  try {
    return parseArgs({ args, options, allowPositionals: true });
  } catch (error) {
    throw new CliError(
      `${error instanceof Error ? error.message : String(error)}\n${VERSION_HELP[command]}`,
      2,
    );
  }
}

const wholeNumber = (
  flag: string,
  value: string | undefined,
  what = 'a version number',
): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,9}$/.test(value)) throw new CliError(`${flag} must be ${what}, not '${value}'.`, 2);
  return Number(value);
};

/** The files of a folder, or of a file `export --out` wrote. */
async function setAt(path: string): Promise<{ files: Files; version?: number }> {
  const found = await stat(path).catch(() => null);
  if (!found)
    throw new CliError(`${path}: no such file or folder: give a routing folder or a file export wrote.`, 2);
  if (found.isDirectory()) return { files: await folderFiles(path) };
  let bundle: { format?: unknown; version?: unknown; files?: unknown };
  try {
    bundle = JSON.parse(await readFile(path, 'utf8')) as typeof bundle;
  } catch {
    throw new CliError(`${path}:1: is not JSON: give a file \`export --out\` wrote, or a routing folder.`, 2);
  }
  const files = bundle?.files;
  if (
    bundle?.format !== EXPORT_FORMAT ||
    !Array.isArray(files) ||
    !files.every(
      (f: { name?: unknown; text?: unknown }) => typeof f?.name === 'string' && typeof f?.text === 'string',
    )
  ) {
    throw new CliError(
      `${path}:1: is not an export of a routing set (it needs "format": "${EXPORT_FORMAT}" and its files): give a file \`export --out\` wrote.`,
      2,
    );
  }
  return {
    files: files as Files,
    ...(typeof bundle.version === 'number' ? { version: bundle.version } : {}),
  };
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function changeLines(changes: FileChange[], diff: boolean): string[] {
  return changes.flatMap((c) => [
    `  ${c.file} ${c.change} (+${c.added} −${c.removed})`,
    ...(diff ? c.diff.split('\n').map((line) => `      ${line}`) : []),
  ]);
}

/** `done`: what happened, e.g. "Published"; the new version's number follows it. */
function describeChange(answer: VersionChange, done: string): string {
  if (answer.changes.length === 0)
    return `Nothing changed: version ${answer.previous}, the live one, already holds these files.`;
  const head = answer.published
    ? `${done} as version ${answer.version} (over version ${answer.previous}); routing uses it from its next decision. Changed:`
    : `Dry run: against version ${answer.previous}, the live one, this would change:`;
  return [head, ...changeLines(answer.changes, true)].join('\n');
}

function needReason(reason: string | undefined, command: string): string {
  if (!reason?.trim()) throw new CliError(`Say why with --reason "…".\n${VERSION_HELP[command]}`, 2);
  return reason;
}

export async function versionsCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse('versions', args);
  if (values.help) return help('versions');
  const c = connection(values, env);
  const one = wholeNumber('the version', positionals[0]);
  if (one !== undefined) {
    const v = (await (await get(c, `/v1/flows/versions/${one}`)).json()) as VersionInfo;
    if (values.json) console.log(JSON.stringify(v, null, 2));
    else console.log([versionLine(v), ...changeLines(v.changes, true)].join('\n'));
    return 0;
  }
  const limit = wholeNumber('--limit', values.limit) ?? 20;
  const list = (await (
    await get(
      c,
      `/v1/flows/versions?limit=${Math.min(limit, 200)}${values.file ? `&file=${encodeURIComponent(values.file)}` : ''}`,
    )
  ).json()) as {
    live: number;
    items: VersionInfo[];
  };
  if (values.json) {
    console.log(JSON.stringify(list, null, 2));
    return 0;
  }
  console.log(`Version ${list.live} is live.`);
  for (const v of list.items) {
    console.log(versionLine(v));
    console.log(changeLines(v.changes, values.diff ?? false).join('\n'));
  }
  return 0;
}

function versionLine(v: VersionInfo): string {
  const what = v.action === 'rollback' ? `rollback to version ${v.rolledBackTo}` : v.action;
  return `${String(v.version).padStart(4)}  ${v.createdAt}  ${what} by ${v.author.name}: ${v.reason}`;
}

export async function exportCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parse('export', args);
  if (values.help) return help('export');
  if ((values.out === undefined) === (values.folder === undefined))
    throw new CliError(`Give either --out <file.json> or --folder <folder>.\n${VERSION_HELP['export']}`, 2);
  const c = connection(values, env);
  const bundle = (await (await get(c, '/v1/flows/export')).json()) as VersionInfo & { files: Files };
  if (values.out !== undefined) {
    await writeFile(values.out, JSON.stringify(bundle, null, 2) + '\n');
  } else {
    const folder = values.folder!;
    const existing = await readdir(folder).catch(() => []);
    if (existing.length > 0)
      throw new CliError(
        `${folder} already holds files: give a new or empty folder, so nothing is overwritten.`,
        2,
      );
    await mkdir(folder, { recursive: true });
    for (const f of bundle.files) await writeFile(join(folder, f.name), f.text, { flag: 'wx' });
  }
  if (values.json) console.log(JSON.stringify({ version: bundle.version, to: values.out ?? values.folder }));
  else
    console.log(
      `Exported version ${bundle.version} of ${c.url} (${plural(bundle.files.length, 'file')}) to ${values.out ?? values.folder}. Publish edits to it with --base ${bundle.version}.`,
    );
  return 0;
}

export async function publishCommand(
  command: 'publish' | 'import',
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parse(command, args);
  if (values.help) return help(command);
  const path = positionals[0];
  if (!path || positionals.length > 1)
    throw new CliError(`Give one routing folder or export file.\n${VERSION_HELP[command]}`, 2);
  const reason = needReason(values.reason, command);
  const base = wholeNumber('--base', values.base);
  if (command === 'publish' && base === undefined) {
    throw new CliError(
      'Say which version your files were edited from with --base <n> (export prints it; `versions` lists them): publishing over a version you have not seen is refused.',
      2,
    );
  }
  const c = connection(values, env);
  const { files } = await setAt(path);
  const body = {
    files,
    reason,
    ...(base !== undefined ? { baseVersion: base } : {}),
    ...(values['dry-run'] ? { dryRun: true } : {}),
  };
  const answer = (await (await post(c, `/v1/flows/${command}`, body)).json()) as VersionChange;
  console.log(
    values.json
      ? JSON.stringify(answer, null, 2)
      : describeChange(answer, command === 'publish' ? 'Published' : 'Imported'),
  );
  return 0;
}

export async function rollbackCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse('rollback', args);
  if (values.help) return help('rollback');
  const to = wholeNumber('the version', positionals[0]);
  if (to === undefined || positionals.length > 1)
    throw new CliError(`Give the version to roll back to.\n${VERSION_HELP['rollback']}`, 2);
  const reason = needReason(values.reason, 'rollback');
  const base = wholeNumber('--base', values.base);
  const c = connection(values, env);
  const answer = (await (
    await post(c, `/v1/flows/versions/${to}/rollback`, {
      reason,
      ...(base !== undefined ? { baseVersion: base } : {}),
      ...(values['dry-run'] ? { dryRun: true } : {}),
    })
  ).json()) as VersionChange;
  console.log(
    values.json ? JSON.stringify(answer, null, 2) : describeChange(answer, `Version ${to} made live again`),
  );
  return 0;
}

/** `backtest publish`: the candidate of a kept backtest, by its id or the newest, over the version it was backtested against. */
export async function backtestPublishCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const command = 'backtest publish';
  const { values, positionals } = parse(command, args);
  if (values.help) return help(command);
  if (positionals.length > 1 || (positionals.length === 1) === Boolean(values.latest)) {
    throw new CliError(
      `Say which backtest to publish: its id, or --latest for the newest (the one that keeps its candidate's files).\n${VERSION_HELP[command]}`,
      2,
    );
  }
  const given =
    positionals[0] === undefined
      ? undefined
      : wholeNumber(
          'The backtest id',
          positionals[0],
          'the number the backtest was kept as (GET /v1/backtests/latest answers it as backtest.id; or give --latest, which names it)',
        );
  const reason = needReason(values.reason, command);
  const c = connection(values, env);
  let id = given;
  if (id === undefined) {
    const { backtest } = (await (await get(c, '/v1/backtests/latest')).json()) as {
      backtest: { id: number; ranAt: string; author: { name: string }; liveVersion: number | null } | null;
    };
    if (!backtest) {
      throw new CliError(
        'No backtest has been run here yet: run npm run cli -- backtest --candidate <folder> first, then publish it.',
      );
    }
    id = backtest.id;
    if (!values.json) {
      console.log(
        `Backtest ${id}, run by ${backtest.author.name} at ${whenStored(backtest.ranAt)}${backtest.liveVersion === null ? '' : ` against version ${backtest.liveVersion}`}.`,
      );
    }
  }
  const answer = (await (
    await post(c, `/v1/backtests/${id}/publish`, { reason, ...(values['dry-run'] ? { dryRun: true } : {}) })
  ).json()) as VersionChange & { backtest: number };
  console.log(
    values.json
      ? JSON.stringify(answer, null, 2)
      : describeChange(answer, `The candidate of backtest ${id} published`),
  );
  return 0;
}

function help(command: string): number {
  console.log(`${VERSION_HELP[command]}\n\n${WHAT_IF_HELP.connection}`);
  return 0;
}
