import { decide } from './decide.js';
import type { Decision, OwnerRef, RoutingContext } from './decision.js';
import type { MemberStats, PoolState } from './distribution/distribution.types.js';
import { selectFlow, type RoutingSet } from './flow/routing-set.js';
import type { LeadRecord, Membership, Trigger } from './model.js';
import { BatchLeads } from './matching/lead-index.js';
import type { LeadLookup } from './matching/matching.types.js';
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
 * lead one after the other on the same snapshot, so the second asks exactly what the first did.
 */
class LastAnswer {
  private accountsKey: unknown[] = [];
  private accountsAnswer: ReturnType<RoutingContext['accounts']['lookup']> | undefined;
  private leadsKey: { lead: LeadRecord | null; limit: number | undefined } = { lead: null, limit: undefined };
  private leadsAnswer: ReturnType<LeadLookup['sameCompany']> = [];
  readonly accounts: RoutingContext['accounts'];
  /** The stored leads (`org.leads`) as each set's batch reads them under its own decided leads. */
  readonly leads: LeadLookup;

  constructor(org: OrgSnapshot) {
    const same = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    this.accounts = {
      lookup: (lead, options) => {
        const key = [lead, options?.limit, options?.policy, options?.aliases];
        if (!this.accountsAnswer || !same(key, this.accountsKey)) {
          this.accountsAnswer = org.accounts.lookup(lead, options);
          this.accountsKey = key;
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

  constructor(
    private readonly set: RoutingSet,
    private readonly input: BacktestInput,
    lookups: LastAnswer,
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

  decide(c: BacktestCase): BacktestSide {
    const flow = this.flowFor(c.trigger);
    if (!flow) return errorSide(`No flow takes a ${c.trigger.kind} trigger`, c.lead);
    let decision: Decision;
    try {
      decision = decide(flow, c.lead, {
        ...routingContext(this.set, this.input.org, {
          now: c.now,
          trigger: c.trigger,
          membership: c.membership,
          poolState: (name) => this.pools.get(name) ?? this.input.poolState(name),
          stats: (userId) => this.stats(userId),
        }),
        accounts: this.accounts,
        leads: this.leads,
      });
    } catch (error) {
      return errorSide(error instanceof Error ? error.message : String(error), c.lead);
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
  readonly rows: BacktestRow[] = [];

  constructor(private readonly input: BacktestInput) {
    const lookups = new LastAnswer(input.org);
    this.live = input.live === 'as-is' ? null : new Replay(input.live, input, lookups);
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
    const candidate = this.candidate.decide(c);
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
