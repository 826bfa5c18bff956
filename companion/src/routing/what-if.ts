import type { CrmPort, LeadContext } from '../crm/crm.port.js';
import { Backtest, type BacktestRow, type BacktestSummary } from '../engine/backtest.js';
import { decide } from '../engine/decide.js';
import type { Decision } from '../engine/decision.js';
import type { MemberStats, PoolDefinition, PoolState } from '../engine/distribution/distribution.types.js';
import { statsUsersOf } from './lead-decider.js';
import { TRIGGER_KINDS } from '../engine/flow/flow.schema.js';
import { selectFlow, type RoutingSet } from '../engine/flow/routing-set.js';
import type { Trigger } from '../engine/model.js';
import { routingContext, type OrgSnapshot } from '../engine/routing-context.js';
import { LeadNotFoundError, NoFlowError, WhatIfInputError } from './routing.errors.js';
import { readPools } from '../store/pool.repository.js';
import type { Store } from '../store/store.js';

/** Which real leads a backtest replays, and as what. */
export interface BacktestScope {
  /** Leads created in the last this many days… */
  days?: number;
  /** …or exactly these leads. */
  leadIds?: string[];
  /**
   * Compare with each lead as it is now (its current owner) instead of the live set's decision: what a
   * reassignment would change. Leads are then taken in Id order, the order a reassignment routes them.
   */
  asIs?: boolean;
  /** The trigger each lead is replayed with. Default: `created` (inbound routing). */
  trigger?: Trigger['kind'];
  /** For the `scheduled` trigger: the job whose run is replayed. */
  job?: string;
}

export interface BacktestResult {
  /** When the backtest ran and over what. */
  ranAt: string;
  scope: { days: number | null; leadIds: number | null; trigger: Trigger['kind'] };
  summary: BacktestSummary;
  rows: BacktestRow[];
  /** Lead Ids asked for that the org does not have (or that are converted). */
  missing: string[];
}

export interface BacktestProgress {
  done: number;
  total: number;
}

/** The most leads one backtest replays; beyond it, narrow the days or split the Ids. */
export const BACKTEST_MAX_LEADS = 200_000;
/** Leads read from the CRM per call, and decided between two yields to the event loop. */
const CHUNK = 200;

/** What a what-if run reads: the org and stored pool state the live service decides on. Nothing is written. */
export interface WhatIfDeps {
  crm: Pick<CrmPort, 'findLeads' | 'getLeadContexts'>;
  /** Open load and performance as routing would use them now (`LeadDecider.statsNow`). */
  stats(userIds: string[]): Promise<Map<string, MemberStats>>;
  store: Store;
  org: OrgSnapshot;
  live: RoutingSet;
  now: Date;
}

/** Every trigger a what-if run may replay: the flows' own list. */
export const TRIGGERS: ReadonlySet<Trigger['kind']> = new Set(TRIGGER_KINDS);

/** Throws WhatIfInputError naming the triggers there are, unless `trigger` is one. */
export function checkTrigger(trigger: string): asserts trigger is Trigger['kind'] {
  if (!TRIGGERS.has(trigger as Trigger['kind'])) {
    throw new WhatIfInputError(`'${trigger}' is not a trigger: use one of ${[...TRIGGERS].join(', ')}.`);
  }
}

/** The stored state of the pools and the open load of the members of load and performance pools. */
async function startingPoint(deps: WhatIfDeps, sets: RoutingSet[]) {
  const definitions: PoolDefinition[] = sets.flatMap((set) => [...set.pools.values()]);
  const stored = await readPools(deps.store.db, [...new Set(definitions.map((p) => p.name))]);
  const statsUsers = statsUsersOf(definitions);
  const stats = statsUsers.length > 0 ? await deps.stats(statsUsers) : new Map<string, MemberStats>();
  return {
    poolState: (name: string): PoolState | undefined => stored.get(name)?.state ?? undefined,
    stats: (userId: string) => stats.get(userId),
  };
}

/**
 * Decides one lead as routing would now, with the live set or a candidate, and returns the decision with
 * its whole path. Nothing is written: no decision is stored, no pool turn taken, nothing sent to the org.
 */
export async function simulate(
  deps: WhatIfDeps,
  leadId: string,
  trigger: Trigger,
  candidate?: RoutingSet,
): Promise<Decision> {
  checkTrigger(trigger.kind);
  const context = (await deps.crm.getLeadContexts([leadId])).get(leadId);
  if (!context) throw new LeadNotFoundError(leadId);
  return simulateContext(deps, context, trigger, candidate);
}

/** `simulate` for a lead's context in hand (one the org need not hold): nothing is written. */
export async function simulateContext(
  deps: WhatIfDeps,
  context: LeadContext,
  trigger: Trigger,
  candidate?: RoutingSet,
): Promise<Decision> {
  const set = candidate ?? deps.live;
  const flow = selectFlow(set, trigger);
  if (!flow) throw new NoFlowError(trigger.kind);
  const start = await startingPoint(deps, [set]);
  return decide(
    flow,
    context.lead,
    routingContext(set, deps.org, {
      now: deps.now.toISOString(),
      trigger,
      membership: context.memberships[0] ?? null,
      ...start,
    }),
  );
}

function checkScope(scope: BacktestScope): Required<Pick<BacktestScope, 'trigger'>> & BacktestScope {
  const trigger = scope.trigger ?? 'created';
  checkTrigger(trigger);
  if ((scope.days === undefined) === (scope.leadIds === undefined)) {
    throw new WhatIfInputError('Give either the number of days to look back or a list of lead Ids.');
  }
  if (scope.days !== undefined && !(Number.isInteger(scope.days) && scope.days >= 1 && scope.days <= 3660)) {
    throw new WhatIfInputError(`days must be a whole number from 1 to 3660, not ${String(scope.days)}.`);
  }
  if (scope.leadIds && scope.leadIds.length > BACKTEST_MAX_LEADS) {
    throw new WhatIfInputError(
      `${scope.leadIds.length} lead Ids is more than the ${BACKTEST_MAX_LEADS} one backtest replays: split the list.`,
    );
  }
  return { ...scope, trigger };
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Replays real leads through the live routing set and a candidate one, on the service's org snapshot
 * and the stored pool state, and reports the difference. Nothing is written: not to the org, not to the
 * store (no decision, no pool turn). Yields to the event loop between chunks so the service keeps
 * answering while a long backtest runs.
 */
export async function runBacktest(
  deps: WhatIfDeps,
  candidate: RoutingSet,
  asked: BacktestScope,
  onProgress?: (progress: BacktestProgress) => void,
): Promise<BacktestResult> {
  const scope = checkScope(asked);
  const ids =
    scope.leadIds ??
    (await deps.crm.findLeads({
      createdSince: new Date(deps.now.getTime() - scope.days! * 86_400_000).toISOString(),
    }));
  if (ids.length > BACKTEST_MAX_LEADS) {
    throw new WhatIfInputError(
      `${ids.length} leads were found, more than the ${BACKTEST_MAX_LEADS} one run takes: look back fewer days.`,
    );
  }
  const backtest = new Backtest({
    live: scope.asIs ? 'as-is' : deps.live,
    candidate,
    org: deps.org,
    ...(await startingPoint(deps, scope.asIs ? [candidate] : [deps.live, candidate])),
  });

  const now = deps.now.toISOString();
  const contexts = [];
  const missing: string[] = [];
  const page = (from: number) => {
    const chunk = [...new Set(ids.slice(from, from + CHUNK))];
    const read = deps.crm.getLeadContexts(chunk);
    // Asked for ahead, it may fail before it is awaited: the failure is thrown there, not left unhandled.
    read.catch(() => undefined);
    return { chunk, read };
  };
  for (let i = 0, next = ids.length > 0 ? page(0) : null; next !== null; i += CHUNK) {
    const { chunk, read } = next;
    // The next page is asked for before this one is taken apart: a store in a thread of its own (or a
    // remote org) reads it meanwhile.
    next = i + CHUNK < ids.length ? page(i + CHUNK) : null;
    const found = await read;
    for (const id of chunk) {
      const context = found.get(id);
      if (context && !context.lead.IsConverted) contexts.push(context);
      else missing.push(id);
    }
  }
  // In arrival order, so each set takes its pool turns as the leads came in; a reassignment's in Id order.
  if (scope.asIs) contexts.sort((a, b) => (a.lead.Id < b.lead.Id ? -1 : a.lead.Id > b.lead.Id ? 1 : 0));
  else contexts.sort((a, b) => (a.lead.CreatedDate ?? '').localeCompare(b.lead.CreatedDate ?? ''));
  for (let i = 0; i < contexts.length; i++) {
    const { lead, memberships } = contexts[i]!;
    backtest.add({
      lead,
      trigger: {
        kind: scope.trigger,
        reason: 'Backtest',
        actorId: null,
        ...(scope.job ? { job: scope.job } : {}),
      },
      membership: memberships[0] ?? null,
      now: scope.trigger === 'created' && lead.CreatedDate ? lead.CreatedDate : now,
    });
    if ((i + 1) % CHUNK === 0) {
      onProgress?.({ done: i + 1, total: contexts.length });
      await nextTick();
    }
  }
  onProgress?.({ done: contexts.length, total: contexts.length });
  return {
    ranAt: now,
    scope: {
      days: scope.days ?? null,
      leadIds: scope.leadIds?.length ?? null,
      trigger: scope.trigger,
    },
    summary: backtest.summary(),
    rows: backtest.rows,
    missing,
  };
}
