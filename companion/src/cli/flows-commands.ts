/**
 * `flows list` and `flows show`: the live routing set's flows, from the running companion's export
 * (admins only). The other `flows` subcommands are the top-level commands under the names.
 */
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { CliError, connection, connectionOptions, get, WHAT_IF_HELP } from './admin-commands.js';

export const FLOWS_HELP = `Usage: npm run cli -- flows <subcommand> …
  flows list                       the live flows: name, file and triggers
  flows show <flow>                the live flow's YAML, as stored
  flows history <flow> [--diff]    the versions that changed the flow (as versions --file <flow>.flow.yaml)
  flows render <flow> --out <file.svg>   the flow as a picture (flows render --help)
  flows validate [folder] / export / import / publish / rollback   the same as those commands

${WHAT_IF_HELP.connection}`;

/** A stored flow file's name and triggers (it loaded when it was stored, so it parses). */
function flowOf(file: { name: string; text: string }): { name: string; triggers: string[] } {
  const data = parse(file.text) as { flow?: unknown; trigger?: { on?: unknown } } | null;
  return {
    name: typeof data?.flow === 'string' ? data.flow : file.name.replace(/\.flow\.yaml$/, ''),
    triggers: Array.isArray(data?.trigger?.on) ? data.trigger.on.map(String) : [],
  };
}

interface Bundle {
  version: number;
  files: Array<{ name: string; text: string }>;
}

export async function flowsCommand(
  sub: 'list' | 'show',
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: connectionOptions, allowPositionals: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n${FLOWS_HELP}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(FLOWS_HELP);
    return 0;
  }
  const bundle = (await (await get(connection(values, env), '/v1/flows/export')).json()) as Bundle;
  const flows = bundle.files
    .filter((f) => f.name.endsWith('.flow.yaml'))
    .map((f) => ({ ...flowOf(f), file: f.name, text: f.text }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (sub === 'list') {
    if (values.json) {
      console.log(
        JSON.stringify({ version: bundle.version, flows: flows.map(({ text: _, ...f }) => f) }, null, 2),
      );
      return 0;
    }
    console.log(`Live flows of version ${bundle.version}:`);
    for (const f of flows)
      console.log(
        `  ${f.name.padEnd(28)} ${f.file.padEnd(34)} ${f.triggers.join(', ') || '(no trigger listed)'}`,
      );
    return 0;
  }
  const wanted = positionals[0];
  if (!wanted) throw new CliError(`Name the flow (flows list shows them).\n${FLOWS_HELP}`, 2);
  const flow = flows.find((f) => f.name === wanted || f.file === wanted);
  if (!flow)
    throw new CliError(
      `Version ${bundle.version} has no flow named ${wanted}: it has ${flows.map((f) => f.name).join(', ')}.`,
      1,
    );
  process.stdout.write(flow.text.endsWith('\n') ? flow.text : `${flow.text}\n`);
  return 0;
}
