import type { TieBreakPolicy, AccountLookup, LeadLookup } from './matching/matching.types.js';
import type {
  MemberStats,
  PoolDefinition,
  PoolState,
  TerritoryTable,
} from './distribution/distribution.types.js';
import type { LeadRecord, Membership, QueueRecord, Trigger, UserRecord } from './model.js';
import type { ConditionTrace } from './flow/conditions.js';
import type { Flow } from './flow/flow-loader.js';
import type { NodeDoc } from './flow/flow.schema.js';

export interface Directory {
  user(id: string): UserRecord | undefined;
  queue(id: string): QueueRecord | undefined;
}

export interface PoolSource {
  definition(name: string): PoolDefinition | undefined;
  state(name: string): PoolState | undefined;
  /** Open load and performance per user, for load- and performance-based pools. */
  stats?(userId: string): MemberStats | undefined;
}

/** Everything a flow may look at. Read-only; `now` is the decision's time. */
export interface RoutingContext {
  now: string;
  trigger: Trigger;
  /** The campaign membership being routed for (the trigger's, else the newest). */
  membership?: Membership | null;
  accounts: AccountLookup;
  leads: LeadLookup;
  directory: Directory;
  pools: PoolSource;
  territories(name: string): TerritoryTable | undefined;
  /** Other flows, for subflow nodes. */
  flows?(name: string): Flow | undefined;
  tieBreak?: TieBreakPolicy;
}

export interface OwnerRef {
  kind: 'user' | 'queue';
  id: string;
  name: string;
}

export interface PathStep {
  flow: string;
  node: string;
  type: NodeDoc['type'];
  /** What happened at this node, in plain words. */
  text: string;
  conditions?: ConditionTrace[];
}

export interface MatchedAccount {
  id: string;
  name: string;
  type: string | null;
  score: number;
  method: string;
  reason: string;
}

export interface PoolChange {
  pool: string;
  userId: string;
  /** The pool's state after the pick; `state.version - 1` is the version it was decided on. */
  state: PoolState;
}

export type Outcome = 'assigned' | 'converted' | 'queued' | 'unchanged' | 'refused';

export interface Decision {
  leadId: string;
  /** The flow routing started in; `path` shows any flow it handed over to. */
  flow: { name: string; version: number };
  /** The flow that made the final decision. */
  finalFlow: { name: string; version: number; label: string };
  decidedAt: string;
  trigger: Trigger['kind'];
  outcome: Outcome;
  owner: (OwnerRef & { via: string }) | null;
  previousOwner: OwnerRef | null;
  /** Lead fields to write, including OwnerId when the owner changes and the routing bookkeeping fields. */
  fieldUpdates: Partial<LeadRecord>;
  conversion: {
    accountId: string;
    ownerId: string;
    createOpportunity: boolean;
    convertedStatus?: string;
  } | null;
  matched: {
    account: MatchedAccount | null;
    candidates: MatchedAccount[];
    sameCompanyLeads: Array<{ id: string; ownerId: string | null; reason: string }>;
    opportunities: Array<{ id: string; name: string | null; stage: string }>;
  };
  poolChanges: PoolChange[];
  refusal: { code: string; message: string; action: string } | null;
  path: PathStep[];
  /** One sentence: where the lead went and why. */
  summary: string;
}
