import { isUtf8 } from 'node:buffer';
import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowInvalidError, type FlowIssue } from '../engine/flow/flow-loader.js';
import {
  loadRoutingSet,
  type OrgCatalog,
  type RoutingSet,
  type SourceFile,
} from '../engine/flow/routing-set.js';
import { CodedError } from '../engine/coded-error.js';
import { formatIssue } from '../engine/flow/yaml-source.js';

/** The flows, pools and territory tables shipped with Switchyard. */
export const SHIPPED_FLOWS_DIR = fileURLToPath(new URL('../../flows/', import.meta.url));

/**
 * What a flow folder may hold. The largest shipped file is 8 KB; these bounds keep a wrong or hostile
 * folder (a huge file, thousands of files) from holding up `validate` or the service's start.
 */
export const FLOW_FOLDER_LIMITS = {
  maxFileBytes: 512 * 1024,
  maxFlowFiles: 200,
  maxTotalBytes: 2 * 1024 * 1024,
} as const;

const MB = 1024 * 1024;

function size(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(1).replace(/\.0$/, '')} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Files a routing set may go without: the SLA policies (none without it), the company aliases (none). */
const OPTIONAL_FILES = { sla: 'sla.yaml', aliases: 'aliases.yaml' } as const;

/** Whether a file of that name belongs to a routing set (a flow, the pools, territories, SLAs or aliases). */
export function isRoutingFile(name: string): boolean {
  return (
    name.endsWith('.flow.yaml') ||
    name === 'pools.yaml' ||
    name === 'territories.yaml' ||
    Object.values(OPTIONAL_FILES).includes(name as never)
  );
}

/** The optional files of a set that has them, as `loadRoutingSet` takes them. */
function optionalFiles(has: (name: string) => SourceFile | undefined): {
  sla?: SourceFile;
  aliases?: SourceFile;
} {
  const found: { sla?: SourceFile; aliases?: SourceFile } = {};
  for (const [key, name] of Object.entries(OPTIONAL_FILES) as Array<[keyof typeof OPTIONAL_FILES, string]>) {
    const file = has(name);
    if (file) found[key] = file;
  }
  return found;
}

/**
 * Reads `*.flow.yaml`, `pools.yaml`, `territories.yaml` and, when there, `sla.yaml` and `aliases.yaml`
 * from a folder and validates them as one set.
 * Throws FlowInvalidError naming each file that cannot be read (and why) or each problem in them.
 */
export async function readRoutingSet(dir: string, org: OrgCatalog): Promise<RoutingSet> {
  const files = await readRoutingFiles(dir);
  const source = (file: string): SourceFile | undefined =>
    files[file] === undefined ? undefined : { file, text: files[file] };
  const flows = Object.keys(files).filter((name) => name.endsWith('.flow.yaml'));
  return loadRoutingSet(
    {
      flows: flows.map((file) => source(file)!),
      pools: source('pools.yaml')!,
      territories: source('territories.yaml')!,
      ...optionalFiles(source),
    },
    org,
  );
}

/**
 * The texts of a routing folder's files by name (flows in name order, then pools.yaml,
 * territories.yaml, and sla.yaml and aliases.yaml when there), held to the folder limits. Throws
 * FlowInvalidError naming each file that cannot be read, and why.
 */
export async function readRoutingFiles(dir: string): Promise<Record<string, string>> {
  const names = await flowFileNames(dir);
  const files: Record<string, string> = {};
  const issues: FlowIssue[] = [];
  let total = 0;
  const listed = await readdir(dir);
  const optional = Object.values(OPTIONAL_FILES).filter((name) => listed.includes(name));
  // One at a time, so the total is known before the next file is read.
  for (const name of [...names, 'pools.yaml', 'territories.yaml', ...optional]) {
    const read = await readSourceFile(dir, name, names.includes(name));
    if ('message' in read) {
      issues.push(read);
      continue;
    }
    total += Buffer.byteLength(read.text);
    if (total > FLOW_FOLDER_LIMITS.maxTotalBytes) {
      issues.push(
        fileIssue(
          name,
          `the files read so far pass ${size(FLOW_FOLDER_LIMITS.maxTotalBytes)} together, the most Switchyard reads from one folder: move flows that are not used out of the folder`,
        ),
      );
      break;
    }
    files[name] = read.text;
  }
  if (issues.length > 0) throw new FlowInvalidError(issues);
  return files;
}

/**
 * A routing set sent as files (a candidate uploaded for a simulation or a backtest), held to the same
 * limits as a folder on disk: which files, how large, how many. Throws FlowInvalidError naming each
 * problem, with its file and line.
 */
export function routingSetFromFiles(sent: SourceFile[], org: OrgCatalog): RoutingSet {
  const issues: FlowIssue[] = [];
  const files = new Map<string, SourceFile>();
  let total = 0;
  for (const file of sent) {
    if (!isRoutingFile(file.file) || file.file.includes('/') || file.file.includes('\\')) {
      issues.push(
        fileIssue(
          file.file,
          'is not a file of a flow folder: send *.flow.yaml files, pools.yaml, territories.yaml, sla.yaml and aliases.yaml by their bare names',
        ),
      );
      continue;
    }
    if (files.has(file.file)) {
      issues.push(fileIssue(file.file, 'is sent twice: send each file once'));
      continue;
    }
    const bytes = Buffer.byteLength(file.text);
    if (bytes > FLOW_FOLDER_LIMITS.maxFileBytes) {
      issues.push(
        fileIssue(
          file.file,
          `is ${size(bytes)}; Switchyard reads files of at most ${size(FLOW_FOLDER_LIMITS.maxFileBytes)}: split a large flow into flows that hand over with subflow nodes`,
        ),
      );
      continue;
    }
    total += bytes;
    files.set(file.file, file);
  }
  const flows = [...files.keys()].filter((name) => name.endsWith('.flow.yaml')).sort();
  if (flows.length > FLOW_FOLDER_LIMITS.maxFlowFiles) {
    issues.push(
      fileIssue(
        flows[0]!,
        `${flows.length} flow files were sent; Switchyard reads at most ${FLOW_FOLDER_LIMITS.maxFlowFiles}: leave out flows that are not used`,
      ),
    );
  }
  if (total > FLOW_FOLDER_LIMITS.maxTotalBytes) {
    issues.push(
      fileIssue(
        flows[0] ?? 'pools.yaml',
        `the files pass ${size(FLOW_FOLDER_LIMITS.maxTotalBytes)} together, the most Switchyard reads as one set: leave out flows that are not used`,
      ),
    );
  }
  for (const name of ['pools.yaml', 'territories.yaml']) {
    if (!files.has(name)) {
      issues.push(
        fileIssue(
          name,
          `is missing: every routing set has a ${name} (send '${name.replace('.yaml', '')}: []' when there are none)`,
        ),
      );
    }
  }
  if (issues.length > 0) throw new FlowInvalidError(issues);
  return loadRoutingSet(
    {
      flows: flows.map((name) => files.get(name)!),
      pools: files.get('pools.yaml')!,
      territories: files.get('territories.yaml')!,
      ...optionalFiles((name) => files.get(name)),
    },
    org,
  );
}

async function flowFileNames(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const reason =
      errorCode(error) === 'ENOENT'
        ? 'no such folder: give the folder that holds the *.flow.yaml files'
        : errorCode(error) === 'ENOTDIR'
          ? 'is a file, not a folder: give the folder that holds the *.flow.yaml files'
          : readFailure(error);
    throw new FlowInvalidError([fileIssue(dir, reason)]);
  }
  const flows = names.filter((name) => name.endsWith('.flow.yaml')).sort();
  if (flows.length > FLOW_FOLDER_LIMITS.maxFlowFiles) {
    throw new FlowInvalidError([
      fileIssue(
        dir,
        `holds ${flows.length} flow files; Switchyard reads at most ${FLOW_FOLDER_LIMITS.maxFlowFiles}: move flows that are not used out of the folder`,
      ),
    ]);
  }
  return flows;
}

/** A file's text, or the reason it cannot be used, as a problem on its first (or offending) line. */
async function readSourceFile(dir: string, name: string, listed: boolean): Promise<SourceFile | FlowIssue> {
  let handle;
  try {
    // Non-blocking, so a pipe named like a flow cannot stall the read; checked as opened, not before.
    handle = await open(join(dir, name), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') return fileIssue(name, readFailure(error));
    return fileIssue(
      name,
      listed
        ? 'is a symbolic link to a file that does not exist: fix the link or remove it'
        : `is missing: every flow folder has a ${name} (write '${name.replace('.yaml', '')}: []' when there are none)`,
    );
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory())
      return fileIssue(name, 'is a folder, not a file: rename or move it out of the flow folder');
    if (!stat.isFile())
      return fileIssue(
        name,
        'is not a regular file (a pipe, socket or device): replace it with the YAML file',
      );
    const max = FLOW_FOLDER_LIMITS.maxFileBytes;
    const tooLarge = (actual: string) =>
      fileIssue(
        name,
        `is ${actual}; Switchyard reads files of at most ${size(max)}: split a large flow into flows that hand over with subflow nodes`,
      );
    if (stat.size > max) return tooLarge(size(stat.size));
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > max) return tooLarge(`more than ${size(max)}`);
    }
    const bytes = buffer.subarray(0, length);
    if (!isUtf8(bytes)) return notUtf8(name, bytes);
    return { file: name, text: bytes.toString('utf8') };
  } catch (error) {
    return fileIssue(name, readFailure(error));
  } finally {
    await handle.close();
  }
}

/** The first line that is not UTF-8 (a newline byte never occurs inside a UTF-8 character). */
function notUtf8(name: string, bytes: Buffer): FlowIssue {
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    if (!isUtf8(bytes.subarray(start, stop))) break;
    line++;
    start = stop + 1;
  }
  return {
    ...fileIssue(name, 'is not UTF-8 text (binary data, or another encoding): save it as UTF-8 YAML'),
    line,
  };
}

function fileIssue(file: string, message: string): FlowIssue {
  return { file, line: 1, column: 1, path: '', message };
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function readFailure(error: unknown): string {
  switch (errorCode(error)) {
    case 'ELOOP':
      return 'is a symbolic link that loops back on itself: point it at a file or remove it';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied): let the user running Switchyard read it';
    case 'EISDIR':
      return 'is a folder, not a file: rename or move it out of the flow folder';
    default:
      return `cannot be read (${error instanceof Error ? error.message : String(error)}): check the file`;
  }
}

/** A routing folder that does not load against the org it is to route: each problem, with its file. */
export class RoutingSetInvalidError extends CodedError {
  constructor(
    readonly dir: string,
    readonly issues: FlowIssue[],
    action = 'Fix each (`npm run cli -- init-routing --out <folder>` writes a folder from the org), or set SWITCHYARD_ROUTING_DIR to the org’s own routing folder.',
  ) {
    super(
      'ROUTING_SET_INVALID',
      `The routing set in ${dir} has ${issues.length} problem${issues.length === 1 ? '' : 's'} against this org; nothing was loaded:\n` +
        issues.map((issue) => `  ${formatIssue(inFolder(dir, issue))}`).join('\n') +
        `\n${action}`,
    );
  }
}

/** An issue with its file named by its path in the folder. */
export function inFolder(dir: string, issue: FlowIssue): FlowIssue {
  return issue.file === dir ? issue : { ...issue, file: join(dir, issue.file) };
}

/**
 * @internal `readRoutingSet` whose problems name the folder and what to do; the Salesforce tests and
 * benches read an org's routing folder with it (the service now starts from its stored versions).
 */
export async function readOrgRoutingSet(dir: string, org: OrgCatalog): Promise<RoutingSet> {
  try {
    return await readRoutingSet(dir, org);
  } catch (error) {
    if (error instanceof FlowInvalidError) throw new RoutingSetInvalidError(dir, error.issues);
    throw error;
  }
}

/**
 * The routing folder's `aliases.yaml` as text, read as carefully as the flows; undefined when the
 * folder or the file is not there. Throws FlowInvalidError when it cannot be read.
 */
export async function readFolderAliases(dir: string): Promise<string | undefined> {
  const name = OPTIONAL_FILES.aliases;
  const names = await readdir(dir).catch((): string[] => []);
  if (!names.includes(name)) return undefined;
  const read = await readSourceFile(dir, name, true);
  if ('message' in read) throw new FlowInvalidError([read]);
  return read.text;
}
