import { CodedError } from '../coded-error.js';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
  type Alias,
  type Scalar,
} from 'yaml';

export type PathSegment = string | number;

/** One problem in a YAML document people wrote, with its place. */
export interface SourceIssue {
  file: string;
  line: number;
  column: number;
  /** Path in the document, e.g. nodes.mql-only.branches[0].when.field */
  path: string;
  message: string;
}

export class DocumentInvalidError extends CodedError {
  constructor(
    readonly issues: SourceIssue[],
    what = 'document',
    code = 'DOCUMENT_INVALID',
  ) {
    super(
      code,
      `The ${what} has ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was loaded:\n` +
        issues.map(formatIssue).join('\n'),
    );
  }
}

export function formatIssue(issue: SourceIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.path || '(document)'}: ${issue.message}`;
}

/**
 * What one document may cost to read. Documents are written by people, so these are far above any real
 * flow; they keep a hostile or broken file from exhausting the stack, the memory or the terminal.
 */
export const YAML_LIMITS = {
  /** Maps and lists inside each other; the deepest shipped flow nests 9. */
  maxDepth: 64,
  /** Alias expansions, as yaml's `maxAliasCount` counts them (its default, stated here on purpose). */
  maxAliasCount: 100,
  /** Problems listed per file; the rest are counted. */
  maxIssues: 50,
  /** Characters of one message; longer ones (quoting a huge value) are cut. */
  maxMessageLength: 400,
} as const;

/** A message, or a function that builds it (for messages that cost work, such as a suggestion). */
export type IssueMessage = string | (() => string);

export interface YamlSource {
  /** The document as plain data, or undefined when the YAML itself is broken. */
  data: unknown;
  /** The problems found so far, at most YAML_LIMITS.maxIssues of them and then one that counts the rest. */
  issues: SourceIssue[];
  /** Records a problem at a path ("rows[2].assign" or segments); the line is that of the path's node. */
  report(path: PathSegment[] | string, message: IssueMessage): void;
  /** The problem a report at `path` would record, without recording it (a note kept for later). */
  issueAt(path: PathSegment[], message: string): SourceIssue;
}

/** Parses YAML keeping positions, so later checks can say on which line a problem is. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  // yaml's own duplicate-key check compares every key with every other (minutes for a 1 MB map).
  // logLevel 'error': yaml's warnings become problems below instead of lines on the console.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
  const issues: SourceIssue[] = [];
  let unlisted = 0;
  const push = (offset: number, path: string, message: string) => {
    const pos = lineCounter.linePos(offset);
    issues.push({ file, line: pos.line, column: pos.col, path, message: printable(message) });
  };
  let note: SourceIssue | undefined;
  /** Whether the list is full; past it, problems are only counted, in a note placed after the last one. */
  const full = () => {
    if (issues.length < YAML_LIMITS.maxIssues) return false;
    if (!note) {
      const line = Math.max(...issues.map((i) => i.line));
      const column = Math.max(...issues.filter((i) => i.line === line).map((i) => i.column)) + 1;
      note = { file, line, column, path: '', message: '' };
      issues.push(note);
    }
    unlisted++;
    note.message = `${unlisted} more problem${unlisted === 1 ? '' : 's'} not listed: fix these first`;
    return true;
  };
  for (const error of [...doc.errors, ...doc.warnings]) {
    if (full()) break;
    push(error.pos[0], '', yamlErrorMessage(error.message));
  }
  for (const key of duplicateKeys(doc.contents)) {
    if (full()) break;
    push(key.range?.[0] ?? 0, '', `YAML: the key '${String(key.value)}' appears twice in this map: keep one`);
  }
  let data: unknown;
  if (issues.length === 0) {
    const deep = tooDeep(doc.contents);
    if (deep) {
      push(
        deep.range?.[0] ?? 0,
        '',
        `nested more than ${YAML_LIMITS.maxDepth} levels deep: flatten the document`,
      );
    } else {
      data = toData(doc, (offset, message) => push(offset, '', message));
    }
  }
  return {
    data,
    issues,
    report(path, message) {
      if (full()) return;
      const segments = typeof path === 'string' ? parsePath(path) : path;
      push(
        locate(doc.contents, segments),
        formatPath(segments),
        typeof message === 'string' ? message : message(),
      );
    },
    issueAt(path, message) {
      const pos = lineCounter.linePos(locate(doc.contents, path));
      return { file, line: pos.line, column: pos.col, path: formatPath(path), message: printable(message) };
    },
  };
}

/** yaml's first line, with its stack-overflow error (a document nested thousands deep) in words. */
function yamlErrorMessage(message: string): string {
  const first = message.split('\n')[0]!;
  return /call stack/i.test(first)
    ? `YAML: nested too deeply to read (more than ${YAML_LIMITS.maxDepth} levels are refused): flatten the document`
    : `YAML: ${first}`;
}

/** The document as plain data with aliases expanded, or undefined after reporting why it cannot be. */
function toData(
  doc: ReturnType<typeof parseDocument>,
  fail: (offset: number, message: string) => void,
): unknown {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
  } catch (error) {
    // yaml refuses alias bombs (billion laughs) and aliases without an anchor by throwing.
    const message = error instanceof Error ? error.message : String(error);
    const bomb = /excessive alias count/i.test(message);
    const alias = firstAlias(doc.contents, (node) => bomb || message.endsWith(`: ${node.source}`));
    fail(
      alias?.range?.[0] ?? 0,
      bomb
        ? `aliases (*name) expand to more than ${YAML_LIMITS.maxAliasCount} copies: write the values out, or use fewer aliases`
        : `YAML: ${message}`,
    );
    return undefined;
  }
  // Aliases can nest what they name inside each other, or name the map they are in.
  const height = heightOf(data);
  if (height <= YAML_LIMITS.maxDepth) return data;
  fail(
    firstAlias(doc.contents)?.range?.[0] ?? 0,
    height === Infinity
      ? 'an alias (*name) refers to the map or list it is in, so the document would contain itself: write the values out'
      : `aliases (*name) nest the document more than ${YAML_LIMITS.maxDepth} levels deep: write the values out`,
  );
  return undefined;
}

/** How many maps and lists deep plain data goes (Infinity when it contains itself); without recursion. */
function heightOf(root: unknown): number {
  const heights = new Map<object, number>();
  const open = new Set<object>();
  const stack: object[] = typeof root === 'object' && root !== null ? [root] : [];
  while (stack.length > 0) {
    const node = stack.at(-1)!;
    if (heights.has(node)) {
      stack.pop();
      continue;
    }
    const children = Object.values(node).filter((v): v is object => typeof v === 'object' && v !== null);
    if (!open.has(node)) {
      open.add(node);
      for (const child of children) {
        if (open.has(child) && !heights.has(child)) return Infinity;
        if (!heights.has(child)) stack.push(child);
      }
      continue;
    }
    let height = 0;
    for (const child of children) height = Math.max(height, heights.get(child) ?? 0);
    heights.set(node, height + 1);
    stack.pop();
  }
  return typeof root === 'object' && root !== null ? heights.get(root)! : 0;
}

/** The children of a node in the document tree: a map's keys and values, a list's items. */
function childrenOf(node: unknown): unknown[] {
  if (isMap(node) || isSeq(node))
    return node.items.flatMap((item) => (isPair(item) ? [item.key, item.value] : [item]));
  return [];
}

/** The first node nested deeper than the limit, found without recursion (the input may be hostile). */
function tooDeep(root: unknown): YamlNode | undefined {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > YAML_LIMITS.maxDepth) return node as YamlNode;
    for (const child of childrenOf(node)) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** Keys that repeat an earlier key of the same map, in one pass over the document. */
function duplicateKeys(root: unknown): Scalar[] {
  const found: Scalar[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const { key } of node.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) found.push(key);
        seen.add(key.value);
      }
    }
    for (const child of childrenOf(node)) stack.push(child);
  }
  return found.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
}

function firstAlias(root: unknown, which: (alias: Alias) => boolean = () => true): Alias | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node) && which(node)) return node;
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return undefined;
}

/** Control characters escaped (a message quotes what the file says) and length bounded. */
function printable(message: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = message.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\t' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const max = YAML_LIMITS.maxMessageLength;
  return escaped.length > max ? `${escaped.slice(0, max)}… (cut at ${max} characters)` : escaped;
}

export function sortIssues(issues: SourceIssue[]): SourceIssue[] {
  return issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

export function formatPath(path: PathSegment[]): string {
  return path.reduce<string>(
    (out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg),
    '',
  );
}

function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const part of path.split('.')) {
    for (const [, name, index] of part.matchAll(/([^[\]]+)|\[(\d+)\]/g)) {
      segments.push(index !== undefined ? Number(index) : name!);
    }
  }
  return segments;
}

/** The offset of the node at `path`, or of its nearest existing ancestor. */
function locate(root: unknown, path: PathSegment[]): number {
  let node = root as YamlNode | null | undefined;
  let offset = node?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      // A problem with a whole block points at its key line; one with a value, at the value.
      const value = pair.value as YamlNode | null;
      const at = isMap(value) || isSeq(value) ? pair.key : value;
      offset = (at as YamlNode | null)?.range?.[0] ?? offset;
      node = pair.value as YamlNode | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** ", did you mean 'X'?" when a close name exists. */
export function suggest(name: string, candidates: readonly string[], prefix = ''): string {
  // A typo is short and its fix one of a few names; past these, comparing costs more than it helps.
  if (name.length > 64 || candidates.length > 1000) return '';
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : `; did you mean '${prefix}${best}'?`;
}

/** Optimal string alignment distance: a swap of two neighbours costs 1, as typos usually do. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
