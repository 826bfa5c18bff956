import { decide } from './decide.js';
import type { Decision, OwnerRef, PoolSource, RoutingContext } from './decision.js';
import type {
  MemberStats,
  PoolDefinition,
  PoolState,
  TerritoryTable,
} from './distribution/distribution.types.js';
import type { Flow } from './flow/flow-loader.js';
import { selectFlow, type RoutingSet } from './flow/routing-set.js';
import type { AccountRecord, LeadRecord, Membership, OpportunityRecord, Trigger } from './model.js';
import { BatchLeads } from './matching/lead-index.js';
import type {
  AccountCandidate,
  AccountLookup,
  AccountMatch,
  LeadForMatching,
  LeadLookup,
  MatchOptions,
} from './matching/matching.types.js';
import { routingContext, type OrgSnapshot } from './routing-context.js';

/** One lead to decide twice: the trigger it is replayed with and the campaign membership it had. */
export interface BacktestCase {
  lead: LeadRecord;
  trigger: Trigger;
  membership: Membership | null;
  /** The decision's moment (a new lead is decided at its creation time). */
  now: string;
}

/** Where one routing set sends a lead. */
export interface BacktestSide {
  owner: OwnerRef | null;
  outcome: Decision['outcome'] | 'error';
  /** The flow that decided and the node that placed the lead, e.g. "inbound/round-robin-sdr". */
  path: string;
  converts: boolean;
  summary: string;
  /** The pool a member was picked from, if any. */
  pool: string | null;
}

export interface BacktestRow {
  leadId: string;
  lead: string;
  company: string | null;
  trigger: Trigger['kind'];
  live: BacktestSide;
  candidate: BacktestSide;
  ownerChanged: boolean;
}

export interface Count<K> {
  key: K;
  count: number;
}

export interface BacktestSummary {
  leads: number;
  /** Leads the candidate sends to another owner than the live set does. */
  ownerChanged: number;
  /** From whom to whom, most leads first. */
  moves: Array<Count<{ from: string; to: string }>>;
  /** Which path the moved leads took under each set, most leads first. */
  paths: Array<Count<{ live: string; candidate: string }>>;
  /** Leads each owner receives under each set (only owners whose count differs). */
  owners: Array<{ owner: string; live: number; candidate: number }>;
  /** Picks from each pool under each set (only pools whose count differs). */
  pools: Array<{ pool: string; live: number; candidate: number }>;
  /** Leads left with no owner at all (refused or errored with none to keep). */
  noOwner: { live: number; candidate: number };
  conversions: { live: number; candidate: number; gained: number; lost: number };
  /** Leads a set could not decide (no flow takes the trigger, or the decision failed). */
  errors: { live: number; candidate: number };
}

export interface BacktestInput {
  /** The set to compare with, or 'as-is': each lead as it is now (its current owner), as a reassignment compares. */
  live: RoutingSet | 'as-is';
  candidate: RoutingSet;
  org: OrgSnapshot;
  /** The stored state of each pool: both sets start from it and carry their own picks forward. */
  poolState(name: string): PoolState | undefined;
  /** Open load and performance as read from the org; each set counts its own assignments on top. */
  stats?(userId: string): MemberStats | undefined;
}

/**
 * The account index and the stored leads, each remembering its last answer: both sets decide the same
 * lead one after the other on the same snapshot, so the second asks what the first did. A candidate
 * with other company aliases asks the account index with its own, and is still given the live set's
 * answer when they name the same other names for the lead's company (all a lookup reads of them).
 */
class LastAnswer {
  private accountsAsked: {
    lead: LeadForMatching;
    options: MatchOptions | undefined;
    names: readonly string[];
  } | null = null;
  private accountsAnswer: AccountMatch | undefined;
  private leadsKey: { lead: LeadRecord | null; limit: number | undefined } = { lead: null, limit: undefined };
  private leadsAnswer: ReturnType<LeadLookup['sameCompany']> = [];
  readonly accounts: RoutingContext['accounts'];
  /** The stored leads (`org.leads`) as each set's batch reads them under its own decided leads. */
  readonly leads: LeadLookup;

  constructor(org: OrgSnapshot) {
    this.accounts = {
      lookup: (lead, options) => {
        const names = org.accounts.alternatives(lead.Company ?? '', options);
        const asked = this.accountsAsked;
        if (
          this.accountsAnswer === undefined ||
          asked === null ||
          asked.lead !== lead ||
          !sameLookup(asked.options, options) ||
          !sameList(asked.names, names)
        ) {
          this.accountsAnswer = org.accounts.lookup(lead, options);
          this.accountsAsked = { lead, options, names };
        }
        return this.accountsAnswer;
      },
      match: (lead, options) => org.accounts.match(lead, options),
      get: (id) => org.accounts.get(id),
      openOpportunities: (id) => org.accounts.openOpportunities(id),
    };
    this.leads = {
      sameCompany: (lead, options) => {
        const asked = this.leadsKey;
        if (asked.lead !== lead || asked.limit !== options?.limit) {
          this.leadsAnswer = org.leads.sameCompany(lead, options);
          this.leadsKey = { lead, limit: options?.limit };
        }
        return this.leadsAnswer;
      },
    };
  }
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

/** Whether two lookups' options ask the same, their aliases aside (`LastAnswer` compares the names they give). */
/** Whether `x` asks anything `y` does not, its aliases and tie-break policy aside. */
function asksOtherwise(x: MatchOptions, y: MatchOptions): boolean {
  for (const key in x) {
    if (key === 'aliases' || key === 'policy') continue;
    if (x[key as keyof MatchOptions] !== y[key as keyof MatchOptions]) return true;
  }
  return false;
}

function sameLookup(a: MatchOptions = {}, b: MatchOptions = {}): boolean {
  if (asksOtherwise(a, b) || asksOtherwise(b, a)) return false;
  const p = a.policy;
  const q = b.policy;
  return (
    p === q ||
    (p !== undefined && q !== undefined && sameList(p.typeOrder, q.typeOrder) && sameList(p.then, q.then))
  );
}

/**
 * One thing a decision read from the parts of its context that may differ between two sets: a pool,
 * its state and a member's load, a territory table, another flow, an account or same-company answer.
 */
type Read =
  | { kind: 'lookup' | 'match'; lead: LeadForMatching; options: MatchOptions | undefined; answer: unknown }
  | { kind: 'sameCompany'; lead: LeadRecord; options: { limit?: number } | undefined; answer: unknown }
  | { kind: 'definition' | 'state' | 'stats' | 'territories' | 'flows'; name: string; answer: unknown };

/** The same question asked of another context. */
function askAgain(ctx: RoutingContext, read: Read): unknown {
  switch (read.kind) {
    case 'lookup':
      return ctx.accounts.lookup(read.lead, read.options);
    case 'match':
      return ctx.accounts.match(read.lead, read.options);
    case 'sameCompany':
      return ctx.leads.sameCompany(read.lead, read.options);
    case 'definition':
      return ctx.pools.definition(read.name);
    case 'state':
      return ctx.pools.state(read.name);
    case 'stats':
      return ctx.pools.stats?.(read.name);
    case 'territories':
      return ctx.territories(read.name);
    case 'flows':
      return ctx.flows?.(read.name);
  }
}

/**
 * A decision's context that notes in `reads` what the decision read of the parts that may differ
 * between sets. Made for each decision, so a class (arrow functions would each be named at run time).
 * Its `pools.stats` is always there: the backtest's contexts always have one.
 */
class Recorder implements RoutingContext, AccountLookup, LeadLookup, PoolSource {
  readonly reads: Read[] = [];
  readonly now: string;
  readonly trigger: Trigger;
  readonly membership: Membership | null;
  readonly directory: RoutingContext['directory'];
  readonly tieBreak: RoutingContext['tieBreak'];
  readonly accounts: AccountLookup = this;
  readonly leads: LeadLookup = this;
  readonly pools: PoolSource = this;

  constructor(private readonly ctx: RoutingContext) {
    this.now = ctx.now;
    this.trigger = ctx.trigger;
    this.membership = ctx.membership ?? null;
    this.directory = ctx.directory;
    this.tieBreak = ctx.tieBreak;
  }

  private kept<T>(read: Read & { answer: T }): T {
    this.reads.push(read);
    return read.answer;
  }

  // The account answers the sets share (`LastAnswer`): by Id they are the same index's.
  lookup(lead: LeadForMatching, options?: MatchOptions): AccountMatch {
    return this.kept({ kind: 'lookup', lead, options, answer: this.ctx.accounts.lookup(lead, options) });
  }
  match(lead: LeadForMatching, options?: MatchOptions): AccountCandidate[] {
    return this.kept({ kind: 'match', lead, options, answer: this.ctx.accounts.match(lead, options) });
  }
  get(accountId: string): AccountRecord | undefined {
    return this.ctx.accounts.get(accountId);
  }
  openOpportunities(accountId: string): OpportunityRecord[] {
    return this.ctx.accounts.openOpportunities(accountId);
  }
  sameCompany(lead: LeadRecord, options?: { limit?: number }): Array<{ lead: LeadRecord; reason: string }> {
    return this.kept({
      kind: 'sameCompany',
      lead,
      options,
      answer: this.ctx.leads.sameCompany(lead, options),
    });
  }
  definition(name: string): PoolDefinition | undefined {
    return this.kept({ kind: 'definition', name, answer: this.ctx.pools.definition(name) });
  }
  state(name: string): PoolState | undefined {
    return this.kept({ kind: 'state', name, answer: this.ctx.pools.state(name) });
  }
  stats(userId: string): MemberStats | undefined {
    return this.kept({ kind: 'stats', name: userId, answer: this.ctx.pools.stats?.(userId) });
  }
  territories(name: string): TerritoryTable | undefined {
    return this.kept({ kind: 'territories', name, answer: this.ctx.territories(name) });
  }
  flows(name: string): Flow | undefined {
    return this.kept({ kind: 'flows', name, answer: this.ctx.flows?.(name) });
  }
}

/** A decision one set made, with what it read, for the other set to take when its context answers alike. */
interface Made {
  flow: Flow;
  /** The context it was decided in, without the recorder. */
  context: RoutingContext;
  decision: Decision;
  reads: Read[];
}

/**
 * Plain data (what flows, pools, territory tables, pool states and records are) alike throughout;
 * anything else is alike only when it is the same object. A key holding undefined differs from no key.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (
    Array.isArray(b) ||
    Object.getPrototypeOf(a) !== Object.prototype ||
    Object.getPrototypeOf(b) !== Object.prototype
  )
    return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (x !== y && (!Object.hasOwn(b, key) || !sameData(x, y))) return false;
    if (y === undefined && !Object.hasOwn(b, key)) return false;
  }
  return true;
}

/**
 * When the candidate may take the live set's decision instead of deciding the lead again: it starts in
 * a flow alike in all but its nodes, every node the decision passed is alike, and everything it read
 * that may differ between the sets reads alike in the candidate's context. `decide` is pure (the same
 * flow, lead and context give the same decision) and the rest of the context (the lead, the trigger,
 * the moment, the people, the accounts by Id) is the same objects for both, so the candidate would
 * decide exactly the same. The sets' own parts are compared once per pair.
 */
class Alike {
  private readonly known = new Map<unknown, Map<unknown, boolean>>();

  /** `sameData`, remembered: for the sets' parts, which do not change during a backtest. */
  private once(a: unknown, b: unknown, compare: (a: unknown, b: unknown) => boolean = sameData): boolean {
    if (a === b) return true;
    let row = this.known.get(a);
    if (row === undefined) this.known.set(a, (row = new Map()));
    let same = row.get(b);
    if (same === undefined) row.set(b, (same = compare(a, b)));
    return same;
  }

  /** Flows alike in everything but their nodes (which are compared one by one as decisions pass them). */
  private flows(a: Flow | undefined, b: Flow | undefined): boolean {
    if (a === undefined || b === undefined) return a === b;
    return this.once(a, b, sameFlowHead);
  }

  private same(read: Read, again: unknown): boolean {
    switch (read.kind) {
      // One answer object for both sets, when the candidate's aliases give the same (`LastAnswer`).
      case 'lookup':
      case 'match':
        return read.answer === again;
      case 'definition':
      case 'territories':
        return this.once(read.answer, again);
      case 'flows':
        return this.flows(read.answer as Flow | undefined, again as Flow | undefined);
      case 'sameCompany':
      case 'state':
      case 'stats':
        return sameData(read.answer, again);
    }
  }

  takes(made: Made, flow: Flow, ctx: RoutingContext): boolean {
    const before = made.context;
    if (
      ctx.now !== before.now ||
      ctx.trigger !== before.trigger ||
      (ctx.membership ?? null) !== (before.membership ?? null) ||
      ctx.directory !== before.directory ||
      !sameData(ctx.tieBreak, before.tieBreak) ||
      !this.flows(made.flow, flow)
    )
      return false;
    const flows = new Map<string, [Flow, Flow]>([[flow.flow, [made.flow, flow]]]);
    for (const read of made.reads) {
      const again = askAgain(ctx, read);
      if (!this.same(read, again)) return false;
      if (read.kind === 'flows' && again !== undefined)
        flows.set(read.name, [read.answer as Flow, again as Flow]);
    }
    // Every node a decision runs adds one step to its path.
    for (const step of made.decision.path) {
      const pair = flows.get(step.flow);
      if (pair === undefined || !this.once(pair[0].nodes[step.node], pair[1].nodes[step.node])) return false;
    }
    return true;
  }
}

/** Flows alike but for their nodes and the file each was read from (which no decision reads). */
function sameFlowHead(a: unknown, b: unknown): boolean {
  const { nodes: _a, file: _fa, ...headA } = a as Flow;
  const { nodes: _b, file: _fb, ...headB } = b as Flow;
  return sameData(headA, headB);
}

/** One routing set's running state over a backtest: its pool turns and the load it has added. */
class Replay {
  private readonly pools = new Map<string, PoolState>();
  private readonly added = new Map<string, number>();
  /** Later leads see the earlier ones as this set decided them, as one routing batch does. */
  private readonly leads: BatchLeads;
  /** The flow each trigger starts in: the set does not change during a backtest. */
  private readonly flows = new Map<string, ReturnType<typeof selectFlow>>();
  /** The shared account answers, asked with this set's company aliases (its own when they differ from live). */
  private readonly accounts: RoutingContext['accounts'];
  /** The last lead's decision and what it read, when another set may take it (`recording`). */
  made: Made | null = null;

  constructor(
    private readonly set: RoutingSet,
    private readonly input: BacktestInput,
    lookups: LastAnswer,
    /** Keep each decision with what it read (`made`), for another set to take. */
    private readonly recording = false,
  ) {
    this.leads = new BatchLeads(lookups.leads, input.org.leads);
    this.accounts = input.org.accounts.withAliases(set.aliases, lookups.accounts);
  }

  /** `selectFlow`, once per kind of trigger (and job) a backtest replays with. */
  private flowFor(trigger: Trigger): ReturnType<typeof selectFlow> {
    // An SLA step's flow is the step's own, and which flows an update starts depends on the fields it
    // changed: those are not remembered.
    if (trigger.kind === 'sla' || trigger.changedFields !== undefined || trigger.previous !== undefined)
      return selectFlow(this.set, trigger);
    const key = `${trigger.kind}\u0000${trigger.job ?? ''}`;
    let flow = this.flows.get(key);
    if (flow === undefined) {
      flow = selectFlow(this.set, trigger);
      this.flows.set(key, flow);
    }
    return flow;
  }

  private context(c: BacktestCase): RoutingContext {
    return routingContext(this.set, this.input.org, {
      now: c.now,
      trigger: c.trigger,
      membership: c.membership,
      poolState: this.poolState,
      stats: this.statsOf,
      accounts: this.accounts,
      leads: this.leads,
    });
  }

  // Made once, not for every decision.
  private readonly poolState = (name: string): PoolState | undefined =>
    this.pools.get(name) ?? this.input.poolState(name);
  private readonly statsOf = (userId: string): MemberStats | undefined => this.stats(userId);

  /** Decides the lead, or takes `other`'s decision of it when `alike` finds this set would decide the same. */
  decide(c: BacktestCase, other: { made: Made | null; alike: Alike } | null = null): BacktestSide {
    this.made = null;
    const flow = this.flowFor(c.trigger);
    if (!flow) return errorSide(`No flow takes a ${c.trigger.kind} trigger`, c.lead);
    const ctx = this.context(c);
    let decision: Decision;
    if (other?.made && other.alike.takes(other.made, flow, ctx)) decision = other.made.decision;
    else {
      const recorder = this.recording ? new Recorder(ctx) : null;
      try {
        decision = decide(flow, c.lead, recorder ?? ctx);
      } catch (error) {
        return errorSide(error instanceof Error ? error.message : String(error), c.lead);
      }
      if (recorder) this.made = { flow, context: ctx, decision, reads: recorder.reads };
    }
    this.leads.record(c.lead, decision);
    // Each pick adds to the member's open load until the next read, as routing counts it.
    for (const change of decision.poolChanges) {
      this.pools.set(change.pool, change.state);
      this.added.set(change.userId, (this.added.get(change.userId) ?? 0) + 1);
    }
    return sideOf(decision, c.lead);
  }

  private stats(userId: string): MemberStats | undefined {
    const read = this.input.stats?.(userId);
    const added = this.added.get(userId) ?? 0;
    if (!read) return added > 0 ? { openLeads: added, openOpportunities: 0, performance: 0 } : undefined;
    return added > 0 ? { ...read, openLeads: read.openLeads + added } : read;
  }
}

function leadName(lead: LeadRecord): string {
  return [lead.FirstName, lead.LastName].filter(Boolean).join(' ') || lead.Id;
}

/** The owner a lead ends with: the one the decision names, else the one it keeps. */
function finalOwner(decision: Decision, lead: LeadRecord): OwnerRef | null {
  if (decision.owner) return decision.owner;
  if (decision.outcome === 'refused' || !lead.OwnerId) return decision.previousOwner;
  return decision.previousOwner ?? { kind: 'user', id: lead.OwnerId, name: lead.OwnerId };
}

function sideOf(decision: Decision, lead: LeadRecord): BacktestSide {
  const placed = [...decision.path].reverse().find((step) => step.type !== 'end') ?? decision.path.at(-1);
  return {
    owner: finalOwner(decision, lead),
    outcome: decision.outcome,
    path: `${decision.finalFlow.name}/${placed?.node ?? '?'}`,
    converts: decision.conversion !== null,
    summary: decision.summary,
    pool: decision.poolChanges.at(-1)?.pool ?? null,
  };
}

function errorSide(message: string, lead: LeadRecord): BacktestSide {
  return {
    owner: lead.OwnerId ? { kind: 'user', id: lead.OwnerId, name: lead.OwnerId } : null,
    outcome: 'error',
    path: '(none)',
    converts: false,
    summary: message,
    pool: null,
  };
}

function ownerLabel(owner: OwnerRef | null): string {
  return owner ? owner.name : '(no owner)';
}

/**
 * Decides each case with the live set and with the candidate set, on the same org snapshot and the
 * same starting pool state, and compares where each sends the lead. Nothing is written anywhere: the
 * pool turns each set takes are its own and are dropped when the backtest ends.
 */
export class Backtest {
  private readonly live: Replay | null;
  private readonly candidate: Replay;
  private readonly alike = new Alike();
  readonly rows: BacktestRow[] = [];

  constructor(private readonly input: BacktestInput) {
    const lookups = new LastAnswer(input.org);
    this.live = input.live === 'as-is' ? null : new Replay(input.live, input, lookups, true);
    this.candidate = new Replay(input.candidate, input, lookups);
  }

  /** The lead as it is now: its current owner, by name. */
  private asIs(lead: LeadRecord): BacktestSide {
    const id = lead.OwnerId ?? null;
    const user = id ? this.input.org.directory.user(id) : undefined;
    const queue = id && !user ? this.input.org.directory.queue(id) : undefined;
    return {
      owner: id ? { kind: queue ? 'queue' : 'user', id, name: user?.Name ?? queue?.Name ?? id } : null,
      outcome: 'unchanged',
      path: '(as it is)',
      converts: false,
      summary: user || queue ? `Owned by ${user?.Name ?? queue?.Name}` : 'No owner Switchyard knows',
      pool: null,
    };
  }

  add(c: BacktestCase): BacktestRow {
    const live = this.live ? this.live.decide(c) : this.asIs(c.lead);
    const candidate = this.candidate.decide(
      c,
      this.live ? { made: this.live.made, alike: this.alike } : null,
    );
    const row: BacktestRow = {
      leadId: c.lead.Id,
      lead: leadName(c.lead),
      company: c.lead.Company ?? null,
      trigger: c.trigger.kind,
      live,
      candidate,
      ownerChanged: (live.owner?.id ?? null) !== (candidate.owner?.id ?? null),
    };
    this.rows.push(row);
    return row;
  }

  summary(): BacktestSummary {
    const moves = new Counter<string>();
    const paths = new Counter<string>();
    const owners = new Map<string, { live: number; candidate: number }>();
    const pools = new Map<string, { live: number; candidate: number }>();
    const tally = (map: typeof owners, key: string | null, side: 'live' | 'candidate') => {
      if (key === null) return;
      const entry = map.get(key) ?? { live: 0, candidate: 0 };
      entry[side] += 1;
      map.set(key, entry);
    };
    const summary: BacktestSummary = {
      leads: this.rows.length,
      ownerChanged: 0,
      moves: [],
      paths: [],
      owners: [],
      pools: [],
      noOwner: { live: 0, candidate: 0 },
      conversions: { live: 0, candidate: 0, gained: 0, lost: 0 },
      errors: { live: 0, candidate: 0 },
    };
    for (const row of this.rows) {
      for (const side of ['live', 'candidate'] as const) {
        const s = row[side];
        tally(owners, s.owner ? ownerLabel(s.owner) : null, side);
        tally(pools, s.pool, side);
        if (!s.owner) summary.noOwner[side] += 1;
        if (s.converts) summary.conversions[side] += 1;
        if (s.outcome === 'error') summary.errors[side] += 1;
      }
      if (row.candidate.converts && !row.live.converts) summary.conversions.gained += 1;
      if (row.live.converts && !row.candidate.converts) summary.conversions.lost += 1;
      if (!row.ownerChanged) continue;
      summary.ownerChanged += 1;
      moves.add(JSON.stringify([ownerLabel(row.live.owner), ownerLabel(row.candidate.owner)]));
      paths.add(JSON.stringify([row.live.path, row.candidate.path]));
    }
    summary.moves = moves.sorted().map(({ key, count }) => {
      const [from, to] = JSON.parse(key) as [string, string];
      return { key: { from, to }, count };
    });
    summary.paths = paths.sorted().map(({ key, count }) => {
      const [live, candidate] = JSON.parse(key) as [string, string];
      return { key: { live, candidate }, count };
    });
    const differing = (map: typeof owners) =>
      [...map]
        .filter(([, v]) => v.live !== v.candidate)
        .sort((a, b) => Math.abs(b[1].candidate - b[1].live) - Math.abs(a[1].candidate - a[1].live))
        .map(([key, v]) => ({ key, ...v }));
    summary.owners = differing(owners).map(({ key, live, candidate }) => ({ owner: key, live, candidate }));
    summary.pools = differing(pools).map(({ key, live, candidate }) => ({ pool: key, live, candidate }));
    return summary;
  }
}

class Counter<K> {
  private readonly counts = new Map<K, number>();
  add(key: K): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  /** Most first; ties in the order first seen. */
  sorted(): Array<Count<K>> {
    return [...this.counts].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count);
  }
}

const CSV_COLUMNS = [
  'Lead Id',
  'Lead',
  'Company',
  'Trigger',
  'Live owner',
  'Candidate owner',
  'Owner changed',
  'Live path',
  'Candidate path',
  'Live outcome',
  'Candidate outcome',
  'Live converts',
  'Candidate converts',
  'Candidate summary',
];

function csvCell(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  // A cell a spreadsheet would run as a formula is quoted with a leading apostrophe (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The full diff, one row per lead, as CSV (RFC 4180) for a spreadsheet. */
export function backtestCsv(rows: Iterable<BacktestRow>): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.leadId,
        r.lead,
        r.company,
        r.trigger,
        ownerLabel(r.live.owner),
        ownerLabel(r.candidate.owner),
        r.ownerChanged,
        r.live.path,
        r.candidate.path,
        r.live.outcome,
        r.candidate.outcome,
        r.live.converts,
        r.candidate.converts,
        r.candidate.summary,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
