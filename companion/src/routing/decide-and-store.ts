import { changesNothing } from '../engine/decide.js';
import type { Decision } from '../engine/decision.js';
import type { LeadRecord } from '../engine/model.js';
import type { Store } from '../store/store.js';
import type { LeadDecider } from './lead-decider.js';
import type { Planned } from './load-contexts.js';
import { keyOf } from './route-request.js';
import { storeDecisions, type DecisionInsert, type StoredDecision } from '../store/decision.repository.js';
import { claimKeys, releaseKeys, repointKey } from '../store/idempotency.repository.js';
import type { Effect, EffectRow } from './effect.js';
import { lockPools, type KnownPool, type LockedPool } from '../store/pool.repository.js';
import { loopShare } from './loop-share.js';

/** A request decided and committed, with its outbox rows, waiting for them to be applied. */
export interface Decided {
  plan: Planned;
  decision: StoredDecision;
  effects: EffectRow[];
}

export interface DecideAndStoreDeps {
  store: Store;
  decider: LeadDecider;
  /**
   * The pools' state as last read or written by this process, with its row version: a lock sends a
   * state again only when another transaction (another instance) has written it since. Kept up to
   * date here.
   */
  knownPools: Map<string, KnownPool>;
  /** How long the stored outbox rows stay reserved for this process's own apply. */
  leaseMs: number;
}

/**
 * One transaction: lock the pools the flows may pick from (in name order), claim the request keys,
 * decide each lead on the locked pool state, and store decisions, pool turns and outbox rows.
 * A plan whose key another transaction claimed first is not decided: it is returned in `lostRace`.
 * A route-on-update whose decision changes nothing is not stored: it is returned in `unchanged`.
 */
export async function decideAndStore(
  deps: DecideAndStoreDeps,
  plans: Planned[],
  now: string,
): Promise<{ decided: Decided[]; lostRace: Planned[]; unchanged: Planned[] }> {
  const { store, decider, knownPools, leaseMs } = deps;
  const outcome = await store.transaction(async (tx) => {
    const pools = await lockPools(tx.db, decider.poolsOf(plans), knownPools);
    // What was read under the lock is committed state, whatever becomes of this transaction.
    for (const [name, pool] of pools) knownPools.set(name, pool);
    const claims = new Map<string, string>();
    for (const plan of plans) {
      const key = keyOf(plan.item);
      if (key) claims.set(key, plan.id);
    }
    const claimed = await claimKeys(tx.db, claims);
    const lostRace: Planned[] = [];
    const go: Planned[] = [];
    for (const plan of plans) {
      const key = keyOf(plan.item);
      if (key && !claimed.has(key)) lostRace.push(plan);
      else go.push(plan);
    }

    const changed = new Map<string, LockedPool>();
    const rows: DecisionInsert[] = [];
    const effects: Array<{ decisionId: string; effect: Effect }> = [];
    const kept: Planned[] = [];
    const unchanged: Planned[] = [];
    // Leads of one company in this batch go to one person: each decision sees the ones before it.
    const batch = decider.batch();
    for (const plan of go) {
      // A batch of hundreds decides for a while: requests that arrive meanwhile are read (and
      // refused at once when the server is full) between two leads, not after the last.
      const turn = loopShare.take();
      if (turn) await turn;
      const decision: StoredDecision = decider.decide(
        plan,
        now,
        (name) => (changed.get(name) ?? pools.get(name))?.state ?? undefined,
        batch,
      );
      // Someone changed the lead and routing would leave it as it is: nothing to write or to keep.
      if (plan.item.request.trigger.kind === 'updated' && changesNothing(decision, plan.context.lead)) {
        unchanged.push(plan);
        continue;
      }
      kept.push(plan);
      for (const change of decision.poolChanges) {
        const locked = changed.get(change.pool) ?? pools.get(change.pool);
        if (locked) changed.set(change.pool, { state: change.state, version: locked.version });
        decider.assigned(change.userId);
      }
      if (plan.item.redecides) decision.redecides = plan.item.redecides.id;
      const own = effectsFor(decision, plan.context.lead);
      rows.push({
        id: plan.id,
        decision: keptDecision(decision),
        trigger: plan.item.request.trigger,
        status: own.length > 0 ? 'pending' : 'applied',
        requestKey: plan.item.request.requestKey ?? plan.item.redecides?.requestKey ?? null,
      });
      for (const effect of own) effects.push({ decisionId: plan.id, effect });
    }
    const stored = await storeDecisions(tx.db, rows, effects, changed, leaseMs);
    await releaseKeys(
      tx.db,
      unchanged.map((plan) => keyOf(plan.item)).filter((key): key is string => key !== null),
    );
    for (const plan of kept) {
      if (plan.item.redecides?.requestKey) await repointKey(tx.db, plan.item.redecides.requestKey, plan.id);
    }
    const byDecision = new Map<string, EffectRow[]>();
    for (const e of stored.effects)
      byDecision.set(e.decisionId, [...(byDecision.get(e.decisionId) ?? []), e]);
    return {
      decided: kept.map((plan, j) => ({
        plan,
        decision: rows[j]!.decision,
        effects: byDecision.get(plan.id) ?? [],
      })),
      lostRace,
      unchanged,
      saved: stored.pools,
    };
  });
  // The pools as this transaction wrote them, known only once it has committed.
  for (const [name, pool] of outcome.saved) knownPools.set(name, pool);
  return { decided: outcome.decided, lostRace: outcome.lostRace, unchanged: outcome.unchanged };
}

/** One outbox row per effect: the lead update (owner included), then the conversion. */
function effectsFor(decision: Decision, lead: LeadRecord): Effect[] {
  const expectedOwnerId = lead.OwnerId ?? null;
  const effects: Effect[] = [];
  if (Object.keys(decision.fieldUpdates).length > 0) {
    effects.push({
      kind: 'update-lead',
      payload: { id: lead.Id, fields: decision.fieldUpdates, expectedOwnerId },
    });
  }
  if (decision.conversion) {
    effects.push({
      kind: 'convert-lead',
      payload: { leadId: lead.Id, ...decision.conversion, expectedOwnerId },
    });
  }
  return effects;
}

/**
 * The decision as kept: each pool change names the pool, the person and the state's version; the
 * pool's whole state (every member's recent assignments) lives in pool_state, not in every decision.
 */
export function keptDecision<D extends Decision>(decision: D): D {
  if (decision.poolChanges.length === 0) return decision;
  return {
    ...decision,
    poolChanges: decision.poolChanges.map((change) => ({
      ...change,
      state: { ...change.state, members: {} },
    })),
  };
}
