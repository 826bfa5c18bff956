import type { LeadRecord, UserRecord } from '../model.js';

/** Where an assignment can send a lead. Exactly one is set. */
export interface AssignTarget {
  user?: string;
  queue?: string;
  pool?: string;
}

export interface PoolMember {
  userId: string;
  /** Share of leads relative to other members; default 1. */
  weight?: number;
  capPerHour?: number;
  capPerDay?: number;
  /** Skip the member while their load (see the pool's `load`) is this or more. */
  maxOpenLoad?: number;
  paused?: boolean;
  /** Days away from this pool (out of office), each from and to a UTC calendar day (YYYY-MM-DD), both included. */
  away?: AwaySpell[];
}

export interface AwaySpell {
  from: string;
  to: string;
}

export interface PoolDefinition {
  name: string;
  label?: string;
  /** round-robin: weighted, fair turns; load: lightest load (see `load`); performance: best conversion rate. */
  strategy: 'round-robin' | 'load' | 'performance';
  /** Skip members outside their working hours (default true). */
  respectWorkingHours?: boolean;
  /**
   * What a member's load counts, for the load strategy and `maxOpenLoad` (the Distribute Lead
   * action's "# of opportunities and/or # of leads they're managing"): open leads (the default),
   * open opportunities, or both added together.
   */
  load?: LoadMeasure;
  /** A paused pool gives nobody a lead: an assignment tries its next target. */
  paused?: boolean;
  /**
   * What a member who comes back (from out of office, a pause, a cap, hours off) gets for the turns
   * they missed. Absent: nothing (they rejoin the rotation level with everyone, no catch-up flood).
   * Set: up to `leads` missed turns of the last `withinDays` days are given back. A joiner missed
   * no turns: they start level either way.
   */
  catchUp?: CatchUp;
  members: PoolMember[];
}

/** Catch-up credits: at most `leads` missed turns, counted over the last `withinDays` days. */
export interface CatchUp {
  leads: number;
  withinDays: number;
}

export type LoadMeasure = 'leads' | 'opportunities' | 'both';

export interface MemberState {
  /** Virtual finishing time (stride scheduling): the lowest eligible pass picks next. */
  pass: number;
  assignedTotal: number;
  /** ISO timestamps of the newest assignments of the last 24 hours its caps need (none without caps), oldest first. */
  recent: string[];
}

export interface PoolState {
  pool: string;
  /** Bumped on every pick; stores use it for optimistic checks. */
  version: number;
  /** The pass of the last pick; joiners start here so nobody jumps the queue. */
  virtualTime: number;
  members: Record<string, MemberState>;
  /**
   * The virtual time at the first pick of each UTC day (YYYY-MM-DD), oldest first, for the last
   * CATCH_UP_MAX_DAYS days: how a catch-up counts the turns missed within its window.
   */
  checkpoints?: Array<{ day: string; virtualTime: number }>;
}

/** Live figures about a user that load- and performance-based picking need. */
export interface MemberStats {
  /** Unconverted leads the user owns in a status someone works (not `NOT_WORKED_STATUSES`). */
  openLeads: number;
  /** Opportunities the user owns that are not closed. */
  openOpportunities: number;
  /** 0..1, e.g. conversion rate over the last 90 days. */
  performance: number;
}

/** Why a member was passed over, as a stable code (the words are in `reason`). */
export type SkipCode =
  | 'unknown-user'
  | 'inactive'
  | 'paused'
  | 'no-weight'
  | 'out-of-office'
  | 'outside-hours'
  | 'day-cap'
  | 'hour-cap'
  | 'max-load'
  | 'excluded';

export interface PoolSkip {
  userId: string;
  reason: string;
  code?: SkipCode;
}

export interface PoolPick {
  /** null when nobody can take the lead now; `reason` says why. */
  userId: string | null;
  reason: string;
  skipped: PoolSkip[];
  /** The state after the pick (unchanged when nobody was picked). */
  state: PoolState;
}

export interface TerritoryRow {
  /**
   * Sales regions (AMER, EMEA, APJ): the lead's country places it in one through the full country
   * table. A row naming the lead's country is more specific than a row naming only its region.
   */
  region?: string[];
  country?: string[];
  state?: string[];
  /** Prefixes: '94' matches 94105. */
  postalCode?: string[];
  employees?: { min?: number; max?: number };
  industry?: string[];
  assign: AssignTarget;
}

export interface TerritoryTable {
  name: string;
  rows: TerritoryRow[];
}

export interface TerritoryHit {
  row: number;
  assign: AssignTarget;
  reason: string;
}

export type TerritoryLead = Pick<
  LeadRecord,
  'Country' | 'State' | 'PostalCode' | 'NumberOfEmployees' | 'Industry'
>;
export type UserLookup = (userId: string) => UserRecord | undefined;

/** One thing wrong with a pool or territory table: where (`rows[2].assign`) and what to do. */
export interface DistributionProblem {
  path: string;
  message: string;
}
