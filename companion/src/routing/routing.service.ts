import { randomUUID } from 'node:crypto';
import type { CallMeter } from '../crm/call-meter.js';
import type { ContactPort, CrmPort } from '../crm/crm.port.js';
import type { AccountIndexOptions } from '../engine/matching/account-index.js';
import type { RoutingSet, SourceFile } from '../engine/flow/routing-set.js';
import type { Decision } from '../engine/decision.js';
import type { PoolDefinition } from '../engine/distribution/distribution.types.js';
import type { LeadRecord, Trigger } from '../engine/model.js';
import { OrgPeople, rebindPeople, type Rebinding } from '../engine/flow/org-people.js';
import { formatIssue } from '../engine/flow/yaml-source.js';
import type { OrgSnapshot } from '../engine/routing-context.js';
import type { Store } from '../store/store.js';
import { ContactRouter, type ContactRouting } from './contact-router.js';
import { decideAndStore, type Decided } from './decide-and-store.js';
import { dryRun } from './dry-run.js';
import { EffectApplier } from './effect-applier.js';
import { LeadDecider } from './lead-decider.js';
import { LiveOrgSnapshot, type OrgChanges } from './live-org-snapshot.js';
import { loadContexts, type Planned } from './load-contexts.js';
import { redecideStale } from './redecide-stale.js';
import { RequestKeys } from './request-keys.js';
import {
  isRouteFailure,
  keyOf,
  publicDecision,
  routeFailure,
  type HistoryItem,
  type RouteItem,
  type RouteManyResult,
  type RouteRequest,
  type RouteResult,
} from './route-request.js';
import { LeadNotFoundError, NoFlowError, NothingToChangeError, RoutingError } from './routing.errors.js';
import { routingHistory } from './routing-history.js';
import { decisionsById } from '../store/decision.repository.js';
import { claimDue } from '../store/outbox.repository.js';
import type { Effect } from './effect.js';
import { upsertPools, type KnownPool } from '../store/pool.repository.js';
import { routingSetFromFiles } from './flow-files.js';
import { poolLines, poolStatus, type PoolStatus } from './pool-status.js';
import { livePicture, type PictureRequest } from './flow-picture.js';
import {
  reassign,
  type Reassignment,
  type ReassignmentProgress,
  type ReassignmentReport,
} from './reassignment.js';
import type { BacktestSummary } from '../engine/backtest.js';
import { findKeys } from '../store/idempotency.repository.js';
import { filesHash } from './set-changes.js';
import { insertBacktestRun, readBacktestRun, type StoredBacktest } from '../store/backtest-run.repository.js';
import { chooseLeads, type LeadChoice } from './lead-choice.js';
import {
  checkTrigger,
  runBacktest,
  simulate,
  simulateContext,
  type BacktestProgress,
  type BacktestResult,
  type BacktestScope,
  type WhatIfDeps,
} from './what-if.js';

/** The made-up lead `warmUp` decides: a well-formed lead Id of zeros, which no record has. */
const WARM_UP_LEAD_ID = '00Q000000000000AAA';
export type { OrgChanges } from './live-org-snapshot.js';
export {
  isRouteFailure,
  type HistoryItem,
  type RouteManyResult,
  type RouteRequest,
  type RouteResult,
} from './route-request.js';

/** The service's clock: tests pin it. */
export type Clock = () => Date;

export interface RoutingServiceOptions {
  crm: CrmPort;
  store: Store;
  routingSet: RoutingSet;
  clock?: Clock;
  /** The org snapshot to decide on; read from the CRM by `create` when not given. */
  org?: OrgSnapshot;
  /**
   * `create` keeps the snapshot's accounts, open opportunities and unconverted leads in the store: a
   * restart loads them and asks the CRM only for the records changed since (`LiveOrgSnapshot.read`).
   * Off unless set.
   */
  keepOrgSnapshot?: boolean;
  /** Writing a change through to the kept snapshot failed (the next start catches up anyway). */
  onSnapshotKeepError?: (error: unknown) => void;
  /** How `create` builds the account index (accept score, tie-break policy); its aliases are the routing set's. */
  indexOptions?: Omit<AccountIndexOptions, 'aliases'>;
  /** How long effects stored by a route stay reserved for its own apply before the worker may take them. Default 60 s. */
  applyLeaseMs?: number;
  /** Leads per transaction in routeMany. Default 500. */
  batchSize?: number;
  /** How old open-load figures for load and performance pools may get before a read starts in the background. Default 60 s. */
  statsMaxAgeMs?: number;
  /** A background read of open-load figures failed: decisions keep the figures held, the next one tries again. */
  onStatsError?: (err: unknown) => void;
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
  /**
   * The org's users or queues changed and the routing set's names were resolved again: names that now
   * stand for another record, and problems not reported before (a name that names nobody any more
   * keeps its last Id; an inactive user is passed over).
   */
  onPeopleChanged?: (rebinding: Rebinding) => void;
  /**
   * Where a routing set published elsewhere comes from (another instance on the same database):
   * asked before each batch, it answers the newer set, or null when the one in use is still live.
   */
  liveSet?: { newer(): Promise<RoutingSet | null> };
}

/** A batch decided and committed, waiting for its effects to be applied. */
interface DecidedBatch {
  items: RouteItem[];
  /** The answers known so far: failures and dry runs. */
  results: Array<RouteManyResult | undefined>;
  keys: RequestKeys;
  decided: Decided[];
}

/** A batch routed in two stages: each request's answer at the commit, and once its effects are applied. */
export interface StagedRoute {
  /**
   * The answers as decided and committed: a decision with effects still to apply has status
   * 'pending' (failures, dry runs and decisions without effects are final here).
   */
  decided: RouteManyResult[];
  /** The answers once the effects were tried (and stale decisions made again). */
  applied: Promise<RouteManyResult[]>;
}

const DEFAULT_LEASE_MS = 60_000;

/**
 * Routing as a use case. For each batch of requests: claim the request keys (a retried request gets
 * its first answer) → load the leads' contexts → decide and store, in one transaction with the pools
 * locked, the decisions, pool turns and an outbox row per effect → apply the effects through the CRM
 * → re-decide what the org refused as stale. A crash after the commit loses nothing: the outbox
 * worker applies what is left (`applyPending`), through the same `EffectApplier`.
 */
export class RoutingService {
  readonly org: LiveOrgSnapshot;
  /** Contact ownership over this service's org; null without a contact port. */
  readonly contacts: ContactRouter | null;
  private readonly crm: CrmPort;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly afterCommit: RoutingServiceOptions['afterCommit'];
  private readonly meter: CallMeter | undefined;
  private decider: LeadDecider;
  private readonly liveSet: RoutingServiceOptions['liveSet'];
  private readonly applier: EffectApplier;
  private readonly knownPools = new Map<string, KnownPool>();
  private readonly onPeopleChanged: RoutingServiceOptions['onPeopleChanged'];
  /** Problems with the set's names already reported, so each is told once. */
  private readonly peopleProblems: Set<string>;

  constructor(options: RoutingServiceOptions & { org: OrgSnapshot }) {
    this.crm = options.crm;
    this.store = options.store;
    this.liveSet = options.liveSet;
    this.clock = options.clock ?? (() => new Date());
    this.org = options.org instanceof LiveOrgSnapshot ? options.org : new LiveOrgSnapshot(options.org);
    this.org.useAliases(options.routingSet.aliases);
    this.leaseMs = options.applyLeaseMs ?? DEFAULT_LEASE_MS;
    this.batchSize = options.batchSize ?? 500;
    this.afterCommit = options.afterCommit;
    this.meter = options.meter;
    this.onPeopleChanged = options.onPeopleChanged;
    this.peopleProblems = new Set(options.routingSet.people.warnings.map(formatIssue));
    this.contacts = options.contacts
      ? new ContactRouter({
          contacts: options.contacts,
          org: this.org,
          ...(options.onContactsRouted ? { onRouted: options.onContactsRouted } : {}),
        })
      : null;
    this.decider = new LeadDecider({
      crm: this.crm,
      set: options.routingSet,
      org: this.org,
      statsMaxAgeMs: options.statsMaxAgeMs ?? 60_000,
      ...(options.onStatsError ? { onStatsError: options.onStatsError } : {}),
    });
    this.applier = new EffectApplier({
      crm: this.crm,
      store: this.store,
      org: this.org,
      contacts: this.contacts,
      ...(options.onContactsError ? { onContactsError: options.onContactsError } : {}),
    });
  }

  /** Reads the org snapshot from the CRM (unless given; kept in the store with `keepOrgSnapshot`) and makes sure every pool has a state row. */
  static async create(options: RoutingServiceOptions): Promise<RoutingService> {
    const keeping = options.keepOrgSnapshot
      ? {
          store: options.store,
          ...(options.onSnapshotKeepError ? { onError: options.onSnapshotKeepError } : {}),
        }
      : undefined;
    const org =
      options.org ??
      (await LiveOrgSnapshot.read(
        options.crm,
        { ...options.indexOptions, aliases: options.routingSet.aliases },
        keeping,
      ));
    await upsertPools(options.store.db, [...options.routingSet.pools.values()]);
    return new RoutingService({ ...options, org });
  }

  /** The routing set the next decision uses. */
  get routingSet(): RoutingSet {
    return this.decider.set;
  }

  /**
   * Makes `set` the one the next decision uses, without a restart (a version published or rolled
   * back): its pools get their state rows first, and the matcher takes its company aliases. Batches
   * already deciding finish with the set they began with (a changed alias list reaches their lookups
   * still to come).
   */
  async useSet(set: RoutingSet): Promise<void> {
    if (set === this.decider.set) return;
    await upsertPools(this.store.db, [...set.pools.values()]);
    this.decider = this.decider.withSet(set);
    this.org.useAliases(set.aliases);
    for (const warning of set.people.warnings) this.peopleProblems.add(formatIssue(warning));
  }

  /** The decider of the live set, after taking a set published by another instance. */
  private async currentDecider(): Promise<LeadDecider> {
    const newer = await this.liveSet?.newer();
    if (newer) await this.useSet(newer);
    return this.decider;
  }

  /**
   * Keeps the snapshot fresh: changed accounts, opportunities, leads, users and queues; when users or
   * queues changed, the routing set's names are resolved again against them.
   */
  applyChanges(changes: OrgChanges): void {
    this.org.apply(changes);
    if (!changes.users?.length && !changes.queues?.length) return;
    const { directory } = this.org;
    const rebinding = rebindPeople(
      this.routingSet.people.refs,
      new OrgPeople(directory.users(), directory.queues()),
    );
    const fresh = rebinding.problems.filter((p) => !this.peopleProblems.has(formatIssue(p)));
    fresh.forEach((p) => this.peopleProblems.add(formatIssue(p)));
    if (rebinding.moved.length > 0 || fresh.length > 0)
      this.onPeopleChanged?.({ moved: rebinding.moved, problems: fresh });
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

  /**
   * Routes one batch in two stages, for a caller that must not wait on the CRM: resolves once the
   * decisions are committed, with the answers so far and the promise of the applied ones. Whatever
   * becomes of that promise, the committed effects are in the outbox, which finishes them.
   */
  async decideMany(requests: RouteRequest[]): Promise<StagedRoute> {
    const run = async (): Promise<StagedRoute> => {
      const batch = await this.decideBatch(requests.map((request) => ({ request })));
      const decided = await this.answersAtCommit(batch);
      return { decided, applied: this.applyBatch(batch) };
    };
    if (!this.meter) return run();
    return (await this.meter.track('route', run, requests.length)).result;
  }

  /** Each live pool now: who is next, who is passed over and why, leads given (no turn is taken). */
  async poolStatus(): Promise<PoolStatus[]> {
    const now = this.clock();
    const decider = await this.currentDecider();
    return poolStatus(
      this.store,
      this.routingSet,
      (id) => this.org.directory.user(id),
      now,
      (ids) => decider.statsNow(now, ids),
    );
  }

  /** Who would get a pool's next `count` leads from now, under each definition (live or about to change). */
  poolLines(pools: readonly PoolDefinition[], count: number): Promise<string[][]> {
    return poolLines(this.store, pools, (id) => this.org.directory.user(id), this.clock(), count);
  }

  /** A live flow as SVG: optionally leads per edge over the last `days` days and one lead's newest path. */
  flowPicture(request: Omit<PictureRequest, 'now'>): Promise<string> {
    return livePicture(this.routingSet, this.store, { ...request, now: this.clock() });
  }

  /**
   * Checks a candidate routing set sent as files against the org, as the live set was checked at
   * start; throws FlowInvalidError with every problem.
   */
  candidateSet(files: SourceFile[]): RoutingSet {
    return routingSetFromFiles(files, {
      users: this.org.directory.users(),
      queues: this.org.directory.queues(),
    });
  }

  /**
   * Decides a made-up lead once, storing and writing nothing, so the first request does not pay for
   * what the first decision builds (the country-name table, the matcher's first lookups, the open-load
   * figures' first read). Call it before the server listens.
   */
  async warmUp(): Promise<void> {
    const deps = await this.whatIf();
    await this.decider.refreshStats(deps.now);
    const lead: LeadRecord = {
      Id: WARM_UP_LEAD_ID,
      Company: 'Warm-up Example GmbH',
      Email: 'warm.up@example.com',
      Country: 'Germany',
      LeadSource: 'Web',
    };
    await simulateContext(deps, { lead, memberships: [] }, { kind: 'created' });
  }

  /** Where the lead would go now, with the live set or a candidate. Nothing is stored or written. */
  async simulate(leadId: string, trigger: Trigger, candidate?: RoutingSet): Promise<Decision> {
    return simulate(await this.whatIf(), leadId, trigger, candidate);
  }

  /** A candidate set against the live one over real leads, with the diff. Nothing is stored or written. */
  async backtest(
    candidate: RoutingSet,
    scope: BacktestScope,
    onProgress?: (progress: BacktestProgress) => void,
  ): Promise<BacktestResult> {
    return runBacktest(await this.whatIf(), candidate, scope, onProgress);
  }

  /**
   * Keeps a backtest's summary with who ran it and over which live version, so the admin page shows it,
   * and the candidate's files, so the page can publish exactly what was backtested; answers the run's id.
   */
  keepBacktest(
    result: BacktestResult,
    run: {
      author: { id: string; name: string };
      liveVersion: number | null;
      candidate: Record<string, string>;
    },
  ): Promise<number> {
    return insertBacktestRun(this.store.db, {
      ranAt: result.ranAt,
      author: run.author,
      liveVersion: run.liveVersion,
      candidateHash: filesHash(run.candidate),
      candidate: run.candidate,
      scope: result.scope,
      summary: result.summary,
      missing: result.missing.length,
    });
  }

  /**
   * The newest backtest kept (its summary, who ran it, when, against which live version), or with `id`
   * that run; null when it is not kept.
   */
  backtestRun(id?: number): Promise<StoredBacktest<BacktestSummary, BacktestResult['scope']> | null> {
    return readBacktestRun(this.store.db, id) as Promise<StoredBacktest<
      BacktestSummary,
      BacktestResult['scope']
    > | null>;
  }

  /**
   * Moves a set of leads through the flows (a rep left, territories changed), in batches, resumable by
   * its run id. `reassignmentPreview` is its dry run: the same leads, decided the same way, nothing written.
   */
  reassign(
    asked: Reassignment,
    onProgress?: (progress: ReassignmentProgress) => void,
  ): Promise<ReassignmentReport> {
    return reassign(
      {
        choose: async (choice) => chooseLeads(this.crm, (await this.currentDecider()).set, choice),
        routeMany: (requests) => this.routeMany(requests),
        answered: async (keys) => new Set((await findKeys(this.store.db, keys)).keys()),
      },
      asked,
      onProgress,
    );
  }

  /**
   * The dry run of a reassignment: where the flows would send each lead now, against its owner today,
   * for the leads the run would choose (`chosen` says which, in words).
   */
  async reassignmentPreview(
    selection: LeadChoice & Pick<Reassignment, 'trigger'> & { job?: string },
    onProgress?: (progress: BacktestProgress) => void,
  ): Promise<BacktestResult & { chosen: string }> {
    const whatIf = await this.whatIf();
    if (selection.trigger !== undefined) checkTrigger(selection.trigger);
    const { ids, chosen } = await chooseLeads(this.crm, whatIf.live, selection);
    const result = await runBacktest(
      whatIf,
      whatIf.live,
      {
        leadIds: ids,
        trigger: selection.trigger ?? 'inactive-owner',
        ...(selection.job !== undefined ? { job: selection.job } : {}),
        asIs: true,
      },
      onProgress,
    );
    return { chosen, ...result };
  }

  private async whatIf(): Promise<WhatIfDeps> {
    const decider = await this.currentDecider();
    const now = this.clock();
    return {
      crm: this.crm,
      stats: (userIds) => decider.statsNow(now, userIds),
      store: this.store,
      org: this.org,
      live: decider.set,
      now,
    };
  }

  /** The lead's decisions, newest first, with the errors the org gave. */
  history(leadId: string, limit: number): Promise<HistoryItem[]> {
    return routingHistory(this.store.db, leadId, limit);
  }

  /**
   * The outbox worker's step: claims effects that are due (left by a crash, or waiting to retry),
   * applies them, re-decides what went stale, and returns how many it handled. Safe to run on every
   * instance at once.
   */
  async applyPending(limit = 200): Promise<number> {
    const claimed = await claimDue<Effect>(this.store.db, limit, this.leaseMs);
    if (claimed.length === 0) return 0;
    const applied = await this.applier.apply(claimed);
    const staleIds = [...applied].filter(([, a]) => a.ownerChanged !== null).map(([id]) => id);
    const records = await decisionsById(this.store.db, staleIds);
    await redecideStale(
      this.store.db,
      [...records.values()]
        .filter((r) => r.decision.redecides === undefined)
        .map((r) => ({ decisionId: r.id, leadId: r.leadId, trigger: r.trigger, requestKey: r.requestKey })),
      (items) => this.routeItems(items),
    );
    return claimed.length;
  }

  private async routeBatches(requests: RouteRequest[]): Promise<RouteManyResult[]> {
    const results: RouteManyResult[] = [];
    let applying: Promise<RouteManyResult[]> | null = null;
    try {
      for (let i = 0; i < requests.length; i += this.batchSize) {
        const batch = await this.decideBatch(
          requests.slice(i, i + this.batchSize).map((request) => ({ request })),
        );
        if (applying) results.push(...(await applying));
        applying = this.applyBatch(batch);
      }
      if (applying) results.push(...(await applying));
    } catch (error) {
      await applying?.catch(() => []);
      throw error;
    }
    return results;
  }

  private async routeItems(items: RouteItem[]): Promise<RouteManyResult[]> {
    return this.applyBatch(await this.decideBatch(items));
  }

  /** Claim keys → load contexts → decide and store in one transaction (dry runs: decide and keep). */
  private async decideBatch(items: RouteItem[]): Promise<DecidedBatch> {
    const results: Array<RouteManyResult | undefined> = new Array(items.length);
    // The whole batch decides with one set, even if another is published meanwhile.
    const decider = await this.currentDecider();
    const keys = await RequestKeys.read(this.store.db, items);
    const { planned, failed } = await loadContexts(
      this.crm,
      decider.set,
      items.map((item, i) => ({ item, i })).filter(({ i }) => !keys.answers(i)),
      randomUUID,
    );
    for (const { i, failure } of failed) results[i] = failure;

    await decider.refreshStats(this.clock());
    const now = this.clock().toISOString();
    const dry = planned.filter((plan) => plan.item.request.dryRun);
    const real = planned.filter((plan) => !plan.item.request.dryRun);
    if (dry.length > 0) {
      const answers = await dryRun({ store: this.store, decider }, dry, now);
      dry.forEach((plan, j) => (results[plan.i] = answers[j]));
    }
    let decided: Decided[] = [];
    if (real.length > 0) {
      const stored = await decideAndStore(
        { store: this.store, decider, knownPools: this.knownPools, leaseMs: this.leaseMs },
        real,
        now,
      );
      decided = stored.decided;
      for (const plan of stored.lostRace) await keys.lostRace(plan.i);
      for (const { i, item } of stored.unchanged)
        results[i] = routeFailure(new NothingToChangeError(item.request.leadId), item.request.leadId);
    }
    return { items, results, keys, decided };
  }

  /** A batch's answers right after its commit, before any effect is applied. */
  private async answersAtCommit({ items, results, keys, decided }: DecidedBatch): Promise<RouteManyResult[]> {
    const answers = [...results];
    for (const { plan, decision, effects } of decided) {
      answers[plan.i] = {
        decisionId: plan.id,
        decision: publicDecision(decision),
        status: effects.length > 0 ? 'pending' : 'applied',
        errors: [],
      };
    }
    await keys.answer(answers);
    return answers.map(
      (r, i) => r ?? routeFailure(new LeadNotFoundError(items[i]!.request.leadId), items[i]!.request.leadId),
    );
  }

  /** Apply → re-decide what went stale → answer every request of the batch. */
  private async applyBatch({ items, results, keys, decided }: DecidedBatch): Promise<RouteManyResult[]> {
    if (decided.length > 0) {
      await this.afterCommit?.(decided.map((d) => d.plan.id));
      const applied = await this.applier.apply(
        decided.flatMap((d) => d.effects),
        { leads: new Map(decided.map((d) => [d.plan.id, d.plan.context.lead])), fresh: true },
      );
      const stale: Planned[] = [];
      for (const { plan, decision } of decided) {
        const outcome = applied.get(plan.id) ?? { status: 'applied', errors: [], ownerChanged: null };
        results[plan.i] = {
          decisionId: plan.id,
          decision: publicDecision(decision),
          status: outcome.status,
          errors: outcome.errors,
        };
        if (outcome.ownerChanged !== null && !plan.item.redecides) stale.push(plan);
      }
      const replacements = await redecideStale(
        this.store.db,
        stale.map((plan) => ({
          decisionId: plan.id,
          leadId: plan.item.request.leadId,
          trigger: plan.item.request.trigger,
          requestKey: keyOf(plan.item),
        })),
        (again) => this.routeItems(again),
      );
      stale.forEach((plan, j) => {
        const replacement = replacements[j];
        if (replacement) results[plan.i] = replacement;
      });
    }
    await keys.answer(results);
    return results.map(
      (r, i) => r ?? routeFailure(new LeadNotFoundError(items[i]!.request.leadId), items[i]!.request.leadId),
    );
  }
}
