import type { LeadContext } from '../crm/crm.port.js';
import type { Decision } from '../engine/decision.js';
import type { Trigger } from '../engine/model.js';
import type { DecisionStatus } from '../store/schema.js';
import type { RoutingError } from './routing.errors.js';
import { type DecisionRecord } from '../store/decision.repository.js';

/** A request to route one lead. */
export interface RouteRequest {
  leadId: string;
  /** `{ kind: 'reroute', reason, actorId }` for a person's re-route. */
  trigger: Trigger;
  /** Decide only: stored with status 'dry-run', no pool turn used, nothing written to the CRM. */
  dryRun?: boolean;
  /** Idempotency: the same key returns the same stored decision and never picks twice. */
  requestKey?: string;
  /**
   * The lead as its caller read it from the CRM a moment ago (a change event's trigger reads it to tell
   * what changed): routing decides on it instead of reading the lead again.
   */
  context?: LeadContext;
}

/** A request as routing carries it: set `redecides` when it re-makes a decision the org refused as stale. */
export interface RouteItem {
  request: RouteRequest;
  redecides?: { id: string; requestKey: string | null };
}

export interface RouteResult {
  decisionId: string;
  decision: Decision;
  /** 'pending' until every effect is applied in the CRM (the outbox finishes what is left). */
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

export interface HistoryItem extends RouteResult {
  createdAt: string;
  /** What started the decision: for a person's re-route, who asked and the reason they gave. */
  trigger: Trigger;
}

export function isRouteFailure(result: RouteManyResult): result is RouteFailure {
  return 'error' in result;
}

export function routeFailure(error: RoutingError, leadId?: string): RouteFailure {
  return {
    leadId: leadId ?? (error as { leadId?: string }).leadId ?? '',
    error: { code: error.code, message: error.message },
  };
}

/** A stored decision as routing answers it. */
export function toResult(
  record: DecisionRecord,
  errors: Array<{ code: string; message: string }>,
): RouteResult {
  return {
    decisionId: record.id,
    decision: publicDecision(record.decision),
    status: record.status,
    errors,
  };
}

/** The decision without what only routing reads (the decision it re-made). */
export function publicDecision(decision: Decision & { redecides?: string }): Decision {
  const { redecides: _internal, ...rest } = decision;
  return rest;
}

/** The idempotency key a request claims: dry runs and re-made decisions claim none. */
export function keyOf(item: RouteItem): string | null {
  return !item.request.dryRun && !item.redecides ? (item.request.requestKey ?? null) : null;
}
