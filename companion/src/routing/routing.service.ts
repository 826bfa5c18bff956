import { randomUUID } from 'node:crypto';
import type { CallMeter } from '../crm/call-meter.js';
import type { ContactPort, CrmPort, LeadContext, WriteResult } from '../crm/crm.port.js';
import { decide } from '../engine/decide.js';
import type { Decision } from '../engine/decision.js';
import type { MemberStats, PoolState } from '../engine/distribution/distribution.types.js';
import type { Flow } from '../engine/flow/flow-loader.js';
import type { AccountIndexOptions } from '../engine/matching/account-index.js';
import { selectFlow, type RoutingSet } from '../engine/flow/routing-set.js';
import type { LeadRecord, Trigger } from '../engine/model.js';
import { routingContext, type OrgSnapshot } from '../engine/routing-context.js';
import { toId18 } from '../engine/salesforce-id.js';
import type { DecisionStatus, OutboxStatus } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { ContactRouter, type ContactRouting } from './contact-router.js';
import { poolsOfFlow } from './flow-pools.js';
import { LiveOrg, type OrgChanges } from './live-org.js';
import { LeadNotFoundError, NoFlowError, RequestKeyReusedError, RoutingError } from './routing.errors.js';
import {
  claimKeys,
  decisionsById,
  decisionsOfLead,
  effectsOf,
  errorsOf,
  findKeys,
  formatError,
  insertDecisions,
  lockPools,
  markApplied,
  readPools,
  recordOutcomes,
  repointKey,
  setStatuses,
  storeDecisions,
  type DecisionInsert,
  type DecisionRecord,
  type Effect,
  type EffectRow,
  type KnownPool,
  type LockedPool,
  WAITING_FOR_UPDATE,
} from './routing.store.js';

export type { DecisionStatus } from '../store/schema.js';
export type { OrgChanges } from './live-org.js';

export interface RouteRequest {
  leadId: string;
  /** `{ kind: 'reroute', reason, actorId }` for a person's re-route. */
  trigger: Trigger;
  /** Decide only: stored with status 'dry-run', no pool turn used, nothing written to the CRM. */
  dryRun?: boolean;
  /** Idempotency: the same key returns the same stored decision and never picks twice. */
  requestKey?: string;
}

export interface RouteResult {
  decisionId: string;
  decision: Decision;
  status: DecisionStatus;
  /** Per-record write errors, with the org's words. */
  errors: Array<{ code: string; message: string }>;
}

/** A lead routeMany could not route at all (not found, no flow for the trigger). */
export interface RouteFailure {
  leadId: string;
  error: { code: string; message: string };
}

export type RouteManyResult = RouteResult | RouteFailure;

export function isRouteFailure(result: RouteManyResult): result is RouteFailure {
  return 'error' in result;
}

export interface HistoryItem extends RouteResult {
  createdAt: string;
}

/** The service's clock: tests pin it. */
export type Clock = () => Date;

export interface RoutingServiceOptions {
  crm: CrmPort;
  store: Store;
  routingSet: RoutingSet;
  clock?: Clock;
  /** The org snapshot to decide on; read from the CRM by `create` when not given. */
  org?: OrgSnapshot;
  /** How `create` builds the account index (accept score, tie-break policy). */
  indexOptions?: AccountIndexOptions;
  /** How long effects stored by a route stay reserved for its own apply before the worker may take them. Default 60 s. */
  applyLeaseMs?: number;
  /** Leads per transaction in routeMany. Default 500. */
  batchSize?: number;
  /** How old open-load figures for load and performance pools may get. Default 60 s. */
  statsMaxAgeMs?: number;
  /** Runs after a batch commits and before its effects are applied (tests stop the process here). */
  afterCommit?: (decisionIds: string[]) => void | Promise<void>;
  /** Counts the CRM calls of routing under 'route', one piece of work per request. */
  meter?: CallMeter;
  /**
   * The org's contacts: after a lead converts into an account, the account's contacts follow contact
   * ownership (handbook: all of them to the SMB account owner); `contacts` also serves account changes.
   */
  contacts?: ContactPort;
  onContactsRouted?: (routing: ContactRouting) => void;
  /** Contact ownership failed after a conversion; the conversion itself stands. */
  onContactsError?: (error: unknown) => void;
}

interface Item {
  request: RouteRequest;
  /** Set when this re-makes a decision the org refused because the owner changed meanwhile. */
  redecides?: { id: string; requestKey: string | null };
}

interface Planned {
  item: Item;
  id: string;
  context: LeadContext;
  flow: Flow;
}

interface Decided {
  plan: Planned;
  decision: Decision;
  effects: EffectRow[];
}

/** A batch decided and committed, waiting for its effects to be applied. */
interface Prepared {
  items: Item[];
  results: Array<RouteManyResult | undefined>;
  /** Request index → the stored decision that answers it. */
  answered: Map<number, string>;
  /** Request index → the index of the first request with the same key. */
  repeats: Array<[number, number]>;
  decided: Decided[];
  byPlan: Map<Planned, number>;
}

interface Applied {
  status: DecisionStatus;
  errors: Array<{ code: string; message: string }>;
  ownerChanged: string | null;
}

type Failure = Extract<WriteResult, { ok: false }>;

const DEFAULT_LEASE_MS = 60_000;

/**
 * Routing as a use case: load the lead's context, pick the flow, decide with the pools locked, store
 * the decision, the pool turns and an outbox row per effect in one transaction, then apply the
 * effects through the CRM port and record how that went. A crash after the commit loses nothing:
 * the outbox worker applies what is left (see `applyPending`).
 */
export class RoutingService {
  readonly org: LiveOrg;
  private readonly crm: CrmPort;
  private readonly store: Store;
  private readonly set: RoutingSet;
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly statsMaxAgeMs: number;
  private readonly afterCommit: RoutingServiceOptions['afterCommit'];
  private readonly meter: CallMeter | undefined;
  /** Contact ownership over this service's org; null without a contact port. */
  readonly contacts: ContactRouter | null;
  private readonly onContactsError: RoutingServiceOptions['onContactsError'];
  private readonly statsUsers: string[];
  private stats = new Map<string, MemberStats>();
  /**
   * The pools' state as last read or written here, with its row version: a lock sends a state
   * again only when another transaction (another instance) has written it since.
   */
  private readonly knownPools = new Map<string, KnownPool>();
  private statsReadAt = -Infinity;

  constructor(options: RoutingServiceOptions & { org: OrgSnapshot }) {
    this.crm = options.crm;
    this.store = options.store;
    this.set = options.routingSet;
    this.clock = options.clock ?? (() => new Date());
    this.org = options.org instanceof LiveOrg ? options.org : new LiveOrg(options.org);
    this.leaseMs = options.applyLeaseMs ?? DEFAULT_LEASE_MS;
    this.batchSize = options.batchSize ?? 500;
    this.statsMaxAgeMs = options.statsMaxAgeMs ?? 60_000;
    this.afterCommit = options.afterCommit;
    this.meter = options.meter;
    this.contacts = options.contacts
      ? new ContactRouter({
          contacts: options.contacts,
          org: this.org,
          ...(options.onContactsRouted ? { onRouted: options.onContactsRouted } : {}),
        })
      : null;
    this.onContactsError = options.onContactsError;
    this.statsUsers = [
      ...new Set(
        [...this.set.pools.values()]
          .filter((p) => p.strategy !== 'round-robin')
          .flatMap((p) => p.members.map((m) => m.userId)),
      ),
    ];
  }

  /** Reads the org snapshot from the CRM (unless given) and makes sure every pool has a state row. */
  static async create(options: RoutingServiceOptions): Promise<RoutingService> {
    const org = options.org ?? (await LiveOrg.read(options.crm, options.indexOptions));
    await options.store.pools.upsert([...options.routingSet.pools.values()]);
    return new RoutingService({ ...options, org });
  }

  /** Keeps the snapshot fresh: changed accounts, opportunities, leads, users and queues. */
  applyChanges(changes: OrgChanges): void {
    this.org.apply(changes);
  }

  /** Routes one lead. Throws LeadNotFoundError (NOT_FOUND) or NoFlowError (NO_FLOW). */
  async route(request: RouteRequest): Promise<RouteResult> {
    const [result] = await this.routeMany([request]);
    if (!result) throw new LeadNotFoundError(request.leadId);
    if (isRouteFailure(result)) {
      switch (result.error.code) {
        case 'NO_FLOW':
          throw new NoFlowError(request.trigger.kind);
        case 'NOT_FOUND':
          throw new LeadNotFoundError(request.leadId);
        default:
          throw new RoutingError(result.error.code, result.error.message);
      }
    }
    return result;
  }

  /**
   * Routes many leads, a batch per transaction; one result per request, in order, failures per lead.
   * A batch's effects are applied while the next batch is decided (two stages in flight at most).
   */
  async routeMany(requests: RouteRequest[]): Promise<RouteManyResult[]> {
    if (!this.meter) return this.routeBatches(requests);
    return (await this.meter.track('route', () => this.routeBatches(requests), requests.length)).result;
  }

  private async routeBatches(requests: RouteRequest[]): Promise<RouteManyResult[]> {
    const results: RouteManyResult[] = [];
    let applying: Promise<RouteManyResult[]> | null = null;
    try {
      for (let i = 0; i < requests.length; i += this.batchSize) {
        const prepared = await this.prepare(
          requests.slice(i, i + this.batchSize).map((request) => ({ request })),
        );
        if (applying) results.push(...(await applying));
        applying = this.finish(prepared);
      }
      if (applying) results.push(...(await applying));
    } catch (error) {
      await applying?.catch(() => []);
      throw error;
    }
    return results;
  }

  /**
   * The contacts of accounts that leads were just converted into follow contact ownership, whether
   * the conversion was applied right after deciding or later by the outbox worker.
   */
  private async contactsAfterConversions(accountIds: string[]): Promise<void> {
    if (!this.contacts || accountIds.length === 0) return;
    try {
      await this.contacts.routeAccounts(accountIds);
    } catch (error) {
      this.onContactsError?.(error);
    }
  }

  /** The lead's decisions, newest first, with the errors the org gave. */
  async history(leadId: string, limit: number): Promise<HistoryItem[]> {
    const records = await decisionsOfLead(this.store.db, toId18(leadId) ?? leadId, limit);
    const errors = await errorsOf(
      this.store.db,
      records.map((r) => r.id),
    );
    return records.map((r) => ({
      ...toResult(r, errors.get(r.id) ?? []),
      createdAt: r.createdAt.toISOString(),
    }));
  }

  /**
   * The outbox worker's step: claims effects that are due (left by a crash, or waiting to retry),
   * applies them, and returns how many it handled. Safe to run on every instance at once.
   */
  async applyPending(limit = 200): Promise<number> {
    const claimed = await this.store.outbox.claim(limit, this.leaseMs);
    if (claimed.length === 0) return 0;
    const rows: EffectRow[] = claimed.map((r) => ({
      id: r.id,
      decisionId: r.decisionId,
      effect: { kind: r.kind, payload: r.payload } as Effect,
      status: r.status,
    }));
    const applied = await this.apply(rows, new Map());
    const stale = [...applied].filter(([, a]) => a.ownerChanged !== null).map(([id]) => id);
    if (stale.length > 0) {
      const records = await decisionsById(this.store.db, stale);
      const again = [...records.values()].filter((r) => r.decision.redecides === undefined);
      if (again.length > 0) {
        await this.redecide(
          again.map((r, i) => ({
            i,
            item: {
              request: { leadId: r.leadId, trigger: r.trigger },
              redecides: { id: r.id, requestKey: r.requestKey },
            },
          })),
          [],
        );
      }
    }
    return claimed.length;
  }

  private async routeBatch(items: Item[]): Promise<RouteManyResult[]> {
    return this.finish(await this.prepare(items));
  }

  /** Everything up to the commit: answered keys, contexts, flows, dry runs, and the routing transaction. */
  private async prepare(items: Item[]): Promise<Prepared> {
    const results: Array<RouteManyResult | undefined> = new Array(items.length);

    // Keys answered before, and repeats of a key within the batch, take the first answer.
    const firstWithKey = new Map<string, number>();
    const repeats: Array<[number, number]> = [];
    items.forEach((item, i) => {
      const key = keyOf(item);
      if (key === null) return;
      const first = firstWithKey.get(key);
      if (first === undefined) firstWithKey.set(key, i);
      else repeats.push([i, first]);
    });
    const known = await findKeys(this.store.db, [...firstWithKey.keys()]);
    const answered = new Map<number, string>();
    for (const [key, i] of firstWithKey) {
      const id = known.get(key);
      if (id) answered.set(i, id);
    }
    const skip = new Set([...answered.keys(), ...repeats.map(([i]) => i)]);

    const todo = items.map((item, i) => ({ item, i })).filter(({ i }) => !skip.has(i));
    const contexts = await this.crm.getLeadContexts([
      ...new Set(todo.map(({ item }) => item.request.leadId)),
    ]);
    const planned: Array<{ i: number; plan: Planned }> = [];
    for (const { item, i } of todo) {
      const context = contexts.get(item.request.leadId);
      const flow = context ? selectFlow(this.set, item.request.trigger) : null;
      if (!context) results[i] = failure(new LeadNotFoundError(item.request.leadId));
      else if (!flow) results[i] = failure(new NoFlowError(item.request.trigger.kind), item.request.leadId);
      else planned.push({ i, plan: { item, id: randomUUID(), context, flow } });
    }

    await this.refreshStats();
    const now = this.clock().toISOString();
    const dry = planned.filter(({ plan }) => plan.item.request.dryRun);
    const real = planned.filter(({ plan }) => !plan.item.request.dryRun);
    if (dry.length > 0) {
      const dryResults = await this.dryRun(
        dry.map(({ plan }) => plan),
        now,
      );
      dry.forEach(({ i }, j) => (results[i] = dryResults[j]));
    }

    const byPlan = new Map(real.map(({ i, plan }) => [plan, i]));
    let decided: Decided[] = [];
    if (real.length > 0) {
      const stored = await this.decideAndStore(
        real.map(({ plan }) => plan),
        now,
      );
      decided = stored.decided;
      for (const plan of stored.lostRace) {
        const key = keyOf(plan.item)!;
        const id = (await findKeys(this.store.db, [key])).get(key);
        if (id) answered.set(byPlan.get(plan)!, id);
      }
    }
    return { items, results, answered, repeats, decided, byPlan };
  }

  /** After the commit: apply the effects, make again what the org refused as stale, gather the answers. */
  private async finish(prepared: Prepared): Promise<RouteManyResult[]> {
    const { items, results, answered, repeats, decided, byPlan } = prepared;
    {
      if (decided.length > 0) {
        await this.afterCommit?.(decided.map((d) => d.plan.id));
        const leads = new Map(decided.map((d) => [d.plan.id, d.plan.context.lead]));
        const applied = await this.apply(
          decided.flatMap((d) => d.effects),
          leads,
          true,
        );
        const again: Array<{ i: number; item: Item }> = [];
        for (const d of decided) {
          const i = byPlan.get(d.plan)!;
          const outcome = applied.get(d.plan.id) ?? { status: 'applied', errors: [], ownerChanged: null };
          results[i] = {
            decisionId: d.plan.id,
            decision: publicDecision(d.decision),
            status: outcome.status,
            errors: outcome.errors,
          };
          if (outcome.ownerChanged !== null && !d.plan.item.redecides) {
            again.push({
              i,
              item: {
                request: { leadId: d.plan.item.request.leadId, trigger: d.plan.item.request.trigger },
                redecides: { id: d.plan.id, requestKey: keyOf(d.plan.item) },
              },
            });
          }
        }
        if (again.length > 0) await this.redecide(again, results);
      }
    }

    if (answered.size > 0) {
      const stored = await this.results([...new Set(answered.values())]);
      for (const [i, id] of answered) {
        const result = stored.get(id);
        const leadId = items[i]!.request.leadId;
        results[i] =
          result && result.decision.leadId !== (toId18(leadId) ?? leadId)
            ? failure(
                new RequestKeyReusedError(items[i]!.request.requestKey!, result.decision.leadId),
                leadId,
              )
            : result;
      }
    }
    for (const [i, first] of repeats) {
      const leadId = items[i]!.request.leadId;
      const result = results[first];
      results[i] =
        result && !isRouteFailure(result) && result.decision.leadId !== (toId18(leadId) ?? leadId)
          ? failure(new RequestKeyReusedError(items[i]!.request.requestKey!, result.decision.leadId), leadId)
          : result;
    }
    return results.map(
      (r, i) => r ?? failure(new LeadNotFoundError(items[i]!.request.leadId), items[i]!.request.leadId),
    );
  }

  /** Makes refused decisions again on fresh context, once; the refused ones stay visible as stale. */
  private async redecide(
    again: Array<{ i: number; item: Item }>,
    results: Array<RouteManyResult | undefined>,
  ): Promise<void> {
    const remade = await this.routeBatch(again.map((a) => a.item));
    const notes: Array<{ id: string; status: DecisionStatus; detail: string | null }> = [];
    again.forEach((a, j) => {
      const result = remade[j]!;
      if (isRouteFailure(result)) return;
      results[a.i] = result;
      const previous = a.item.redecides!.id;
      notes.push({
        id: previous,
        status: 'stale',
        detail: `The lead's owner changed before this decision was applied, so it was made again (decision ${result.decisionId}).`,
      });
    });
    await setStatuses(this.store.db, notes);
  }

  /** Decides with the stored pool state and keeps the decision for the audit trail, changing nothing. */
  private async dryRun(plans: Planned[], now: string): Promise<RouteResult[]> {
    const pools = await readPools(this.store.db, [...this.poolsFor(plans)]);
    const rows: DecisionInsert[] = plans.map((plan) => ({
      id: plan.id,
      decision: slim(this.decideOne(plan, now, (name) => pools.get(name)?.state ?? undefined)),
      trigger: plan.item.request.trigger,
      status: 'dry-run',
      requestKey: null,
    }));
    await insertDecisions(this.store.db, rows);
    return rows.map((r) => ({ decisionId: r.id, decision: r.decision, status: 'dry-run', errors: [] }));
  }

  /**
   * One transaction: lock the pools the flows may pick from (in name order), claim the request
   * keys, decide each lead on the locked pool state, and store decisions, pool turns and outbox rows.
   */
  private async decideAndStore(
    plans: Planned[],
    now: string,
  ): Promise<{
    decided: Array<{ plan: Planned; decision: Decision; effects: EffectRow[] }>;
    lostRace: Planned[];
  }> {
    const outcome = await this.store.transaction(async (tx) => {
      const pools = await lockPools(tx.db, [...this.poolsFor(plans)], this.knownPools);
      // What was read under the lock is committed state, whatever becomes of this transaction.
      for (const [name, pool] of pools) this.knownPools.set(name, pool);
      const claims = new Map<string, string>();
      for (const plan of plans) {
        const key = plan.item.redecides ? null : plan.item.request.requestKey;
        if (key) claims.set(key, plan.id);
      }
      const claimed = await claimKeys(tx.db, claims);
      const lostRace: Planned[] = [];
      const go: Planned[] = [];
      for (const plan of plans) {
        const key = plan.item.redecides ? null : plan.item.request.requestKey;
        if (key && !claimed.has(key)) lostRace.push(plan);
        else go.push(plan);
      }

      const changed = new Map<string, LockedPool>();
      const rows: DecisionInsert[] = [];
      const effects: Array<{ decisionId: string; effect: Effect }> = [];
      for (const plan of go) {
        const decision: Decision & { redecides?: string } = this.decideOne(
          plan,
          now,
          (name) => (changed.get(name) ?? pools.get(name))?.state ?? undefined,
        );
        for (const change of decision.poolChanges) {
          const locked = changed.get(change.pool) ?? pools.get(change.pool);
          if (locked) changed.set(change.pool, { state: change.state, version: locked.version });
          const stats = this.stats.get(change.userId);
          if (stats) stats.openLoad += 1;
        }
        if (plan.item.redecides) decision.redecides = plan.item.redecides.id;
        const own = effectsFor(decision, plan.context.lead);
        rows.push({
          id: plan.id,
          decision: slim(decision),
          trigger: plan.item.request.trigger,
          status: own.length > 0 ? 'pending' : 'applied',
          requestKey: plan.item.request.requestKey ?? plan.item.redecides?.requestKey ?? null,
        });
        for (const effect of own) effects.push({ decisionId: plan.id, effect });
      }
      const stored = await storeDecisions(tx.db, rows, effects, changed, this.leaseMs);
      for (const plan of go) {
        if (plan.item.redecides?.requestKey) await repointKey(tx.db, plan.item.redecides.requestKey, plan.id);
      }
      const byDecision = groupBy(stored.effects, (e) => e.decisionId);
      return {
        decided: go.map((plan, j) => ({
          plan,
          decision: rows[j]!.decision,
          effects: byDecision.get(plan.id) ?? [],
        })),
        lostRace,
        saved: stored.pools,
      };
    });
    // The pools as this transaction wrote them, known only once it has committed.
    for (const [name, pool] of outcome.saved) this.knownPools.set(name, pool);
    return { decided: outcome.decided, lostRace: outcome.lostRace };
  }

  private decideOne(
    plan: Planned,
    now: string,
    poolState: (name: string) => PoolState | undefined,
  ): Decision {
    const context = routingContext(this.set, this.org, {
      now,
      trigger: plan.item.request.trigger,
      membership: plan.context.memberships[0] ?? null,
      poolState,
      stats: (userId) => this.stats.get(userId),
    });
    return decide(plan.flow, plan.context.lead, context);
  }

  private poolsFor(plans: Planned[]): Set<string> {
    const pools = new Set<string>();
    for (const flow of new Set(plans.map((p) => p.flow))) {
      for (const pool of poolsOfFlow(this.set, flow)) pools.add(pool);
    }
    return pools;
  }

  private async refreshStats(): Promise<void> {
    const at = this.clock().getTime();
    if (this.statsUsers.length === 0 || at - this.statsReadAt < this.statsMaxAgeMs) return;
    this.stats = await this.crm.userStats(this.statsUsers);
    this.statsReadAt = at;
  }

  /**
   * Applies effects through the CRM port: lead updates in one batch, then conversions whose lead
   * update went through. A refusal that shows the effect already happened (a retry after a crash)
   * counts as applied. Records every row's outcome and each decision's status.
   */
  private async apply(
    rows: EffectRow[],
    leads: Map<string, LeadRecord>,
    /** True when `rows` are all the effects of their decisions, none tried before (right after deciding). */
    complete = false,
  ): Promise<Map<string, Applied>> {
    const outcomes = new Map<string, WriteResult>();
    const updates = rows.filter((r) => r.effect.kind === 'update-lead');
    const updateResults = await unlessDown(updates, () =>
      this.crm.updateLeads(
        updates.map((r) => (r.effect as Extract<Effect, { kind: 'update-lead' }>).payload),
      ),
    );
    updates.forEach((r, j) => outcomes.set(r.id, updateResults[j] ?? missing(r)));

    // Conversions go after their decision's update; one waiting on an update not yet applied waits.
    const all = complete ? rows : await effectsOf(this.store.db, [...new Set(rows.map((r) => r.decisionId))]);
    const updateOf = new Map<string, EffectRow[]>();
    for (const r of all) {
      if (r.effect.kind === 'update-lead')
        updateOf.set(r.decisionId, [...(updateOf.get(r.decisionId) ?? []), r]);
    }
    const conversions: EffectRow[] = [];
    for (const r of rows.filter((x) => x.effect.kind === 'convert-lead')) {
      const blocking = (updateOf.get(r.decisionId) ?? [])
        .map((u) => outcomes.get(u.id) ?? (u.status === 'applied' ? { id: u.id, ok: true as const } : null))
        .find((o) => o === null || !o.ok);
      if (blocking === undefined) conversions.push(r);
      else if (blocking === null)
        outcomes.set(r.id, {
          id: r.id,
          ok: false,
          code: WAITING_FOR_UPDATE,
          message: 'The lead update of this decision has not been applied yet.',
          retryable: true,
        });
      else outcomes.set(r.id, blocking);
    }
    const conversionResults = await unlessDown(conversions, () =>
      this.crm.convertLeads(
        conversions.map((r) => (r.effect as Extract<Effect, { kind: 'convert-lead' }>).payload),
      ),
    );
    conversions.forEach((r, j) => outcomes.set(r.id, conversionResults[j] ?? missing(r)));

    await this.recogniseApplied(rows, outcomes);

    const appliedIds = rows.filter((r) => outcomes.get(r.id)?.ok).map((r) => r.id);
    // Right after deciding, the statuses follow from this attempt alone, so the rows are marked
    // applied together with them below; the worker reads the rows' statuses back, after marking.
    if (!complete) await markApplied(this.store.db, appliedIds);
    for (const r of rows) {
      const outcome = outcomes.get(r.id);
      if (!outcome || outcome.ok) continue;
      const retryable = outcome.retryable && outcome.code !== 'OWNER_CHANGED';
      await this.store.outbox.markFailed(
        r.id,
        formatError(outcome),
        retryable,
        outcome.code === WAITING_FOR_UPDATE ? { retryAfterMs: 1000, maxAttempts: 1000 } : {},
      );
    }

    // Each decision's status follows all its rows, including ones applied before.
    const decisionIds = [...new Set(rows.map((r) => r.decisionId))];
    const after = groupBy(
      complete
        ? rows.map((r) => ({ ...r, status: statusAfter(outcomes.get(r.id)) }))
        : await effectsOf(this.store.db, decisionIds),
      (r) => r.decisionId,
    );
    const byDecision = groupBy(rows, (r) => r.decisionId);
    const applied = new Map<string, Applied>();
    const statuses: Array<{ id: string; status: DecisionStatus; detail: string | null }> = [];
    for (const id of decisionIds) {
      const mine = byDecision.get(id) ?? [];
      const failures = mine
        .map((r) => outcomes.get(r.id))
        .filter((o): o is Failure => o !== undefined && !o.ok);
      const ownerChanged = failures.find((f) => f.code === 'OWNER_CHANGED') ?? null;
      const states = (after.get(id) ?? []).map((r) => r.status);
      const status: DecisionStatus = ownerChanged
        ? 'stale'
        : states.every((s) => s === 'applied')
          ? 'applied'
          : states.includes('failed')
            ? 'failed'
            : 'pending';
      const errors = failures
        .filter((f) => f.code !== WAITING_FOR_UPDATE)
        .map((f) => ({ code: f.code, message: f.message }));
      applied.set(id, { status, errors, ownerChanged: ownerChanged?.message ?? null });
      statuses.push({
        id,
        status,
        detail: ownerChanged
          ? `Not applied: ${ownerChanged.message}`
          : errors.length > 0
            ? errors.map(formatError).join('; ')
            : null,
      });
    }
    await recordOutcomes(this.store.db, complete ? appliedIds : [], statuses);
    this.keepIndexFresh(rows, outcomes, leads);
    await this.contactsAfterConversions(
      conversions
        .filter((r) => outcomes.get(r.id)?.ok)
        .map((r) => (r.effect as Extract<Effect, { kind: 'convert-lead' }>).payload.accountId),
    );
    return applied;
  }

  /**
   * After a crash the org may already hold an effect whose row was never marked: the lead has the
   * update's values, or was converted onto the same account. Those refusals count as applied.
   */
  private async recogniseApplied(rows: EffectRow[], outcomes: Map<string, WriteResult>): Promise<void> {
    const doubtful = rows.filter((r) => {
      const o = outcomes.get(r.id);
      return o && !o.ok && (o.code === 'OWNER_CHANGED' || o.code === 'CANNOT_UPDATE_CONVERTED_LEAD');
    });
    if (doubtful.length === 0) return;
    const ids = doubtful.map((r) =>
      r.effect.kind === 'update-lead' ? r.effect.payload.id : r.effect.payload.leadId,
    );
    // Unable to look (the org is away): the refusals stand, and the worker looks again later.
    const current = await this.crm
      .getLeadContexts([...new Set(ids)])
      .catch(() => new Map<string, LeadContext>());
    doubtful.forEach((r, j) => {
      const lead = current.get(ids[j]!)?.lead;
      if (!lead) return;
      const done =
        r.effect.kind === 'update-lead'
          ? Object.entries(r.effect.payload.fields).every(([f, v]) => same(lead[f], v))
          : lead.IsConverted === true && lead.ConvertedAccountId === r.effect.payload.accountId;
      if (done) outcomes.set(r.id, { id: r.id, ok: true });
    });
  }

  private keepIndexFresh(
    rows: EffectRow[],
    outcomes: Map<string, WriteResult>,
    leads: Map<string, LeadRecord>,
  ): void {
    for (const r of rows) {
      if (!outcomes.get(r.id)?.ok) continue;
      if (r.effect.kind === 'convert-lead') {
        this.org.leads.remove(r.effect.payload.leadId);
        continue;
      }
      const base = leads.get(r.decisionId) ?? this.org.leads.get(r.effect.payload.id);
      if (base) this.org.leads.upsert({ ...base, ...r.effect.payload.fields } as LeadRecord);
    }
  }

  private async results(ids: string[]): Promise<Map<string, RouteResult>> {
    const records = await decisionsById(this.store.db, ids);
    const errors = await errorsOf(this.store.db, ids);
    const results = new Map<string, RouteResult>();
    for (const [id, record] of records) results.set(id, toResult(record, errors.get(id) ?? []));
    return results;
  }
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

function toResult(record: DecisionRecord, errors: Array<{ code: string; message: string }>): RouteResult {
  return {
    decisionId: record.id,
    decision: publicDecision(record.decision),
    status: record.status,
    errors,
  };
}

/**
 * The decision as kept: each pool change names the pool, the person and the state's version; the
 * pool's whole state (every member's recent assignments) lives in pool_state, not in every decision.
 */
function slim<D extends Decision>(decision: D): D {
  if (decision.poolChanges.length === 0) return decision;
  return {
    ...decision,
    poolChanges: decision.poolChanges.map((change) => ({
      ...change,
      state: { ...change.state, members: {} },
    })),
  };
}

function publicDecision(decision: Decision & { redecides?: string }): Decision {
  const { redecides: _internal, ...rest } = decision;
  return rest;
}

function failure(error: RoutingError, leadId?: string): RouteFailure {
  return {
    leadId: leadId ?? (error as { leadId?: string }).leadId ?? '',
    error: { code: error.code, message: error.message },
  };
}

/**
 * Calls the CRM for a batch of rows; when the call itself fails (the org unreachable, a session that
 * cannot be renewed), every row gets a retryable failure with the reason, so the worker tries again.
 */
async function unlessDown(rows: EffectRow[], call: () => Promise<WriteResult[]>): Promise<WriteResult[]> {
  if (rows.length === 0) return [];
  try {
    return await call();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return rows.map((r) => ({
      id: r.id,
      ok: false,
      code: typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : 'CRM_UNAVAILABLE',
      message: `The CRM could not be reached: ${message}`,
      retryable: true,
    }));
  }
}

function missing(row: EffectRow): Failure {
  return {
    id: row.id,
    ok: false,
    code: 'NO_RESULT',
    message: 'The CRM returned no result for this record.',
    retryable: true,
  };
}

/** A row's status after this attempt, as markApplied and markFailed leave it (first attempt). */
function statusAfter(outcome: WriteResult | undefined): OutboxStatus {
  if (!outcome || outcome.ok) return outcome ? 'applied' : 'pending';
  return outcome.retryable && outcome.code !== 'OWNER_CHANGED' ? 'pending' : 'failed';
}

/** The idempotency key a request claims: dry runs and re-made decisions claim none. */
function keyOf(item: Item): string | null {
  return !item.request.dryRun && !item.redecides ? (item.request.requestKey ?? null) : null;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
