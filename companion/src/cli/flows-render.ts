/**
 * `flows render <flow> --out <file.svg>`: a flow as a picture. From the running companion (the live
 * flow, with leads per edge and one lead's path on request), or offline from a routing folder.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { flowPicture } from '../engine/flow/flow-picture.js';
import { flowSchema } from '../engine/flow/flow.schema.js';
import { formatIssue, parseYamlSource } from '../engine/flow/yaml-source.js';
import { CliError, connection, connectionOptions, get, WHAT_IF_HELP } from './admin-commands.js';

const RENDER_HELP = `Usage: npm run cli -- flows render <flow> --out <file.svg> [--days <n>] [--lead <leadId>]
                                   [--folder <folder>]
Draws the flow as SVG: its nodes top to bottom, each edge with its condition in words. From the running
companion, the live flow; --days n adds how many leads took each edge over the last n days, --lead
highlights that lead's newest way through the flow. --folder draws the flow as written in a routing
folder instead, without asking the companion (no counts, no lead).

${WHAT_IF_HELP.connection}`;

export async function renderCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...connectionOptions,
      out: { type: 'string' },
      days: { type: 'string' },
      lead: { type: 'string' },
      folder: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(RENDER_HELP);
    return 0;
  }
  const [name] = positionals;
  if (!name || !values.out)
    throw new CliError(`Give the flow's name and --out <file.svg>.\n\n${RENDER_HELP}`, 2);
  let svg: string;
  if (values.folder) {
    if (values.days || values.lead) {
      throw new CliError('--days and --lead need the running companion: leave out --folder.', 2);
    }
    svg = await fromFolder(values.folder, name);
  } else {
    const query = new URLSearchParams();
    if (values.days) query.set('days', values.days);
    if (values.lead) query.set('leadId', values.lead);
    const path = `/v1/flows/${encodeURIComponent(name)}/picture.svg${query.size > 0 ? `?${query}` : ''}`;
    svg = await (await get(connection(values, env), path, 'image/svg+xml')).text();
  }
  await writeFile(values.out, svg);
  console.log(
    `Wrote ${values.out}: flow ${name}${values.days ? `, leads per edge over ${values.days} days` : ''}.`,
  );
  return 0;
}

async function fromFolder(folder: string, name: string): Promise<string> {
  const file = join(folder, `${name}.flow.yaml`);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliError(`${file}: no such flow file: give the folder that holds ${name}.flow.yaml.`, 2);
  });
  const source = parseYamlSource(text, file);
  const parsed = flowSchema.safeParse(source.data);
  if (source.issues.length > 0 || !parsed.success) {
    const problems = source.issues.map(formatIssue);
    throw new CliError(
      [`${file} is not a valid flow; check it with: npm run cli -- validate ${folder}`, ...problems].join(
        '\n',
      ),
    );
  }
  return flowPicture(parsed.data);
}
