import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import type { CatchUp } from '../engine/distribution/distribution.types.js';
import { awayProblem, catchUpProblems } from '../engine/distribution/pool.js';
import type { UserRecord } from '../engine/model.js';
import { RoutingError } from './routing.errors.js';

/** Member settings a manager changes; null takes the setting away (no cap, weight 1). */
export interface MemberSettings {
  weight?: number | null;
  capPerHour?: number | null;
  capPerDay?: number | null;
  maxOpenLoad?: number | null;
  paused?: boolean;
}

/** One change a manager makes to a pool, as data: `pools.yaml` is edited to say it. */
export type PoolChange =
  | { kind: 'add'; pool: string; user: UserRecord; settings: MemberSettings }
  | { kind: 'remove'; pool: string; user: UserRecord }
  | { kind: 'update'; pool: string; user: UserRecord; settings: MemberSettings }
  | { kind: 'away'; pool: string; user: UserRecord; from: string; to: string }
  | { kind: 'back'; pool: string; user: UserRecord }
  | { kind: 'pause'; pool: string }
  | { kind: 'resume'; pool: string }
  /** null: no catch-up (a returning member takes the next turn after everyone waiting). */
  | { kind: 'catch-up'; pool: string; catchUp: CatchUp | null };

/** A pool change that cannot be made: no such pool or member, or a setting that makes no sense. */
export class PoolChangeError extends RoutingError {
  constructor(
    code: 'NOT_FOUND' | 'VALIDATION_FAILED',
    message: string,
    readonly action: string,
  ) {
    super(code, message);
  }
}

const SETTINGS = ['weight', 'capPerHour', 'capPerDay', 'maxOpenLoad', 'paused'] as const;

/** "ava.patel@… (Ava Patel) out of office from 2026-12-10 to 2026-12-14 in amer-sdr". */
export function describePoolChange(change: PoolChange): string {
  const who = 'user' in change ? change.user.Name : '';
  switch (change.kind) {
    case 'add':
      return `${who} added to ${change.pool}${settingsWords(change.settings)}`;
    case 'remove':
      return `${who} removed from ${change.pool}`;
    case 'update':
      return `${who} in ${change.pool}:${settingsWords(change.settings)}`;
    case 'away':
      return `${who} out of office from ${change.from} to ${change.to} in ${change.pool}`;
    case 'back':
      return `${who} no longer out of office in ${change.pool}`;
    case 'pause':
      return `${change.pool} paused`;
    case 'resume':
      return `${change.pool} resumed`;
    case 'catch-up':
      return change.catchUp
        ? `${change.pool} gives back up to ${change.catchUp.leads} missed turns of the last ${change.catchUp.withinDays} days`
        : `${change.pool} gives back no missed turns`;
  }
}

function settingsWords(settings: MemberSettings): string {
  const words = SETTINGS.filter((key) => settings[key] !== undefined).map((key) =>
    settings[key] === null ? `no ${key}` : `${key} ${String(settings[key])}`,
  );
  return words.length > 0 ? ` ${words.join(', ')}` : '';
}

/**
 * `pools.yaml` with the change made, everything else as written (comments, order, layout). Throws
 * PoolChangeError when the pool or member is not there, or the member is there already; the set
 * check that follows catches the rest (a cap below one, a user the org lacks).
 */
export function editPools(text: string, change: PoolChange): string {
  const doc = parseDocument(text);
  const pool = findPool(doc, change.pool);
  if (change.kind === 'pause' || change.kind === 'resume') {
    if (change.kind === 'pause') pool.set('paused', true);
    else pool.delete('paused');
    return doc.toString({ lineWidth: 0 });
  }
  if (change.kind === 'catch-up') {
    if (!change.catchUp) pool.delete('catchUp');
    else {
      const problems = catchUpProblems(change.catchUp);
      if (problems.length > 0)
        throw new PoolChangeError(
          'VALIDATION_FAILED',
          `The catch-up cannot be used: ${problems.map((p) => p.message).join('; ')}.`,
          'Give the number of leads and the days again.',
        );
      const value = doc.createNode({ ...change.catchUp }, { flow: true });
      // Written above the members, with the pool's other settings.
      const at = pool.items.findIndex((pair) => isScalar(pair.key) && pair.key.value === 'members');
      if (pool.has('catchUp') || at < 0) pool.set('catchUp', value);
      else pool.items.splice(at, 0, doc.createPair('catchUp', value) as (typeof pool.items)[number]);
    }
    return doc.toString({ lineWidth: 0 });
  }
  const { user } = change;
  const members = pool.get('members');
  if (!isSeq(members)) throw notFound(`The pool ${change.pool} lists no members.`);
  const index = members.items.findIndex((item) => isMap(item) && names(item, user));
  if (change.kind === 'add') {
    if (!change.user.IsActive)
      throw new PoolChangeError(
        'VALIDATION_FAILED',
        `${change.user.Name} is inactive in the org, so routing would pass them over.`,
        'Reactivate them in Salesforce first, or add someone else.',
      );
    if (index >= 0)
      throw new PoolChangeError(
        'VALIDATION_FAILED',
        `${change.user.Name} is already a member of ${change.pool}.`,
        'Change their settings instead of adding them again.',
      );
    const entry: Record<string, unknown> = {
      user: change.user.Username ?? change.user.Email ?? change.user.Id,
    };
    for (const key of SETTINGS) if (change.settings[key] != null) entry[key] = change.settings[key];
    members.add(doc.createNode(entry, { flow: true }));
    return doc.toString({ lineWidth: 0 });
  }
  if (index < 0)
    throw notFound(
      `${user.Name} is not a member of ${change.pool}.`,
      'Check the pool (npm run cli -- pools list) or add them first.',
    );
  const member = members.items[index] as YAMLMap;
  switch (change.kind) {
    case 'remove':
      members.delete(index);
      break;
    case 'update':
      for (const key of SETTINGS) {
        const value = change.settings[key];
        if (value === undefined) continue;
        if (value === null || (key === 'paused' && value === false)) member.delete(key);
        else member.set(key, value);
      }
      break;
    case 'away': {
      const problem = awayProblem({ from: change.from, to: change.to });
      if (problem)
        throw new PoolChangeError('VALIDATION_FAILED', `Out of office ${problem}.`, 'Give the days again.');
      const away = member.get('away');
      const spell = doc.createNode({ from: change.from, to: change.to }, { flow: true });
      if (isSeq(away)) away.add(spell);
      else member.set('away', doc.createNode([{ from: change.from, to: change.to }], { flow: true }));
      break;
    }
    case 'back':
      member.delete('away');
      break;
  }
  return doc.toString({ lineWidth: 0 });
}

function findPool(doc: Document, name: string): YAMLMap {
  const pools = doc.get('pools') as YAMLSeq | undefined;
  const found = isSeq(pools) ? pools.items.find((p) => isMap(p) && p.get('name') === name) : undefined;
  if (!found)
    throw notFound(`There is no pool named ${name}.`, 'List the pools (npm run cli -- pools list).');
  return found as YAMLMap;
}

/** Whether a member entry names this user: by Id (15 or 18 characters), username or email. */
function names(member: YAMLMap, user: UserRecord): boolean {
  const written = member.get('user') ?? member.get('userId');
  if (typeof written !== 'string') return false;
  const w = written.trim().toLowerCase();
  return [user.Id, user.Id.slice(0, 15), user.Username, user.Email].some((n) => n?.toLowerCase() === w);
}

function notFound(message: string, action = 'Check the names and try again.'): PoolChangeError {
  return new PoolChangeError('NOT_FOUND', message, action);
}
