import { CodedError } from '../coded-error.js';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

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

export interface YamlSource {
  /** The document as plain data, or undefined when the YAML itself is broken. */
  data: unknown;
  issues: SourceIssue[];
  /** Records a problem at a path ("rows[2].assign" or segments); the line is that of the path's node. */
  report(path: PathSegment[] | string, message: string): void;
}

/** Parses YAML keeping positions, so later checks can say on which line a problem is. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const issues: SourceIssue[] = [];
  const push = (offset: number, path: string, message: string) => {
    const pos = lineCounter.linePos(offset);
    issues.push({ file, line: pos.line, column: pos.col, path, message });
  };
  for (const error of doc.errors) push(error.pos[0], '', `YAML: ${error.message.split('\n')[0]}`);
  return {
    data: doc.errors.length > 0 ? undefined : doc.toJS(),
    issues,
    report(path, message) {
      const segments = typeof path === 'string' ? parsePath(path) : path;
      push(locate(doc.contents, segments), formatPath(segments), message);
    },
  };
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
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
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
