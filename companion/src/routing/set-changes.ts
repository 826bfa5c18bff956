import { createHash } from 'node:crypto';
import type { FileChange, RoutingFiles } from '../store/routing-version.repository.js';

/** Lines of context around each change in a diff. */
const CONTEXT = 2;
/** Past this many lines on each side of the changed middle, the middle is shown as replaced whole. */
const MAX_MIDDLE = 4000;

/** What changed from one routing set's files to another's, file by file, in name order. */
export function changesBetween(before: RoutingFiles, after: RoutingFiles): FileChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: FileChange[] = [];
  for (const file of names) {
    const a = before[file];
    const b = after[file];
    if (a === b) continue;
    const diff = lineDiff(a === undefined ? [] : lines(a), b === undefined ? [] : lines(b));
    changes.push({
      file,
      change: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed',
      added: diff.added,
      removed: diff.removed,
      diff: diff.text,
    });
  }
  return changes;
}

/** "reroute.flow.yaml changed (+3 −1), pools.yaml changed (+1 −1)", or "nothing". */
export function describeChanges(changes: readonly FileChange[]): string {
  if (changes.length === 0) return 'nothing';
  return changes.map((c) => `${c.file} ${c.change} (+${c.added} −${c.removed})`).join(', ');
}

function lines(text: string): string[] {
  const split = text.split(/\r?\n/);
  if (split.at(-1) === '') split.pop();
  return split;
}

type Op = { kind: ' ' | '-' | '+'; text: string; line: number };

/**
 * A line diff: the common start and end are taken off, the middle is compared by longest common
 * subsequence (or, past MAX_MIDDLE lines, shown removed and added whole), and changes are printed
 * with CONTEXT lines around them.
 */
function lineDiff(a: string[], b: string[]): { text: string; added: number; removed: number } {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: Op[] = [];
  for (let i = 0; i < start; i++) ops.push({ kind: ' ', text: a[i]!, line: i + 1 });
  ops.push(...middle(a.slice(start, endA), b.slice(start, endB), start));
  for (let i = endB; i < b.length; i++) ops.push({ kind: ' ', text: b[i]!, line: i + 1 });

  const added = ops.filter((o) => o.kind === '+').length;
  const removed = ops.filter((o) => o.kind === '-').length;
  const shown = new Set<number>();
  ops.forEach((op, i) => {
    if (op.kind === ' ') return;
    for (let j = Math.max(0, i - CONTEXT); j <= Math.min(ops.length - 1, i + CONTEXT); j++) shown.add(j);
  });
  const out: string[] = [];
  let last = -2;
  for (const i of [...shown].sort((x, y) => x - y)) {
    if (i !== last + 1) out.push(`@@ line ${ops[i]!.line} @@`);
    out.push(`${ops[i]!.kind}${ops[i]!.text}`);
    last = i;
  }
  return { text: out.join('\n'), added, removed };
}

/** The changed middle as operations; `offset` lines come before it in both files. */
function middle(a: string[], b: string[], offset: number): Op[] {
  if (a.length > MAX_MIDDLE || b.length > MAX_MIDDLE || a.length * b.length > MAX_MIDDLE * 250) {
    return [
      ...a.map((text, i) => ({ kind: '-' as const, text, line: offset + i + 1 })),
      ...b.map((text, i) => ({ kind: '+' as const, text, line: offset + i + 1 })),
    ];
  }
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', text: b[j]!, line: offset + j + 1 });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      ops.push({ kind: '-', text: a[i]!, line: offset + i + 1 });
      i++;
    } else {
      ops.push({ kind: '+', text: b[j]!, line: offset + j + 1 });
      j++;
    }
  }
  return ops;
}

/** One name for a routing set's files: equal for equal files, whatever their order. */
export function filesHash(files: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(`${name}\0${files[name]}\0`);
  return hash.digest('hex');
}
