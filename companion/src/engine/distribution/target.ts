import type { AssignTarget, DistributionProblem } from './distribution.types.js';

const KINDS = ['user', 'queue', 'pool'] as const;
export type TargetKind = (typeof KINDS)[number];

/** Display names for Ids, when the caller has them. */
export interface TargetNames {
  user?: (id: string) => string | undefined;
  queue?: (id: string) => string | undefined;
  pool?: (id: string) => string | undefined;
}

function setKinds(target: AssignTarget): TargetKind[] {
  return KINDS.filter((kind) => typeof target[kind] === 'string');
}

/** Problems with a target: it must name exactly one user, queue or pool, by a non-empty value. */
export function targetProblems(target: AssignTarget | undefined, path: string): DistributionProblem[] {
  if (!target || typeof target !== 'object') {
    return [{ path, message: 'names no target: set one of user, queue or pool' }];
  }
  const kinds = setKinds(target);
  if (kinds.length === 0) return [{ path, message: 'names no target: set one of user, queue or pool' }];
  if (kinds.length > 1) {
    const listed = kinds.length === 2 ? `both a ${kinds[0]} and a ${kinds[1]}` : 'a user, a queue and a pool';
    return [{ path, message: `names ${listed}: keep exactly one` }];
  }
  const kind = kinds[0]!;
  if (!target[kind]!.trim()) return [{ path: `${path}.${kind}`, message: `the ${kind} is empty: name one` }];
  return [];
}

/** The target in words: 'Jane Doe', 'user 005…', 'the Partner Queue', 'the hot-leads pool'. */
export function describeTarget(target: AssignTarget, names: TargetNames = {}): string {
  const parts = setKinds(target).map((kind) => {
    const id = target[kind]!;
    if (kind === 'user') return names.user?.(id) ?? `user ${id}`;
    const name = names[kind]?.(id) ?? id;
    return new RegExp(`\\b${kind}$`, 'i').test(name) ? `the ${name}` : `the ${name} ${kind}`;
  });
  return parts.length ? parts.join(' and ') : 'no one';
}
