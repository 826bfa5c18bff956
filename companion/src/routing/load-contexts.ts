import type { CrmPort, LeadContext } from '../crm/crm.port.js';
import type { Flow } from '../engine/flow/flow-loader.js';
import { selectFlow, type RoutingSet } from '../engine/flow/routing-set.js';
import { routeFailure, type RouteFailure, type RouteItem } from './route-request.js';
import { LeadNotFoundError, NoFlowError } from './routing.errors.js';

/** A request ready to decide: its lead's context read from the CRM, its flow picked, its decision's id. */
export interface Planned {
  item: RouteItem;
  /** The request's index in its batch. */
  i: number;
  id: string;
  context: LeadContext;
  flow: Flow;
}

/**
 * Reads the leads' contexts from the CRM in one call (those a request does not carry) and picks each request's flow by its trigger.
 * A lead the CRM does not have, or a trigger no flow handles, fails that request alone.
 */
export async function loadContexts(
  crm: CrmPort,
  set: RoutingSet,
  todo: Array<{ item: RouteItem; i: number }>,
  newId: () => string,
): Promise<{ planned: Planned[]; failed: Array<{ i: number; failure: RouteFailure }> }> {
  const unread = todo.filter(({ item }) => !item.request.context).map(({ item }) => item.request.leadId);
  const contexts =
    unread.length > 0 ? await crm.getLeadContexts([...new Set(unread)]) : new Map<string, LeadContext>();
  const planned: Planned[] = [];
  const failed: Array<{ i: number; failure: RouteFailure }> = [];
  for (const { item, i } of todo) {
    const { leadId, trigger } = item.request;
    const context = item.request.context ?? contexts.get(leadId);
    const flow = context ? selectFlow(set, trigger) : null;
    if (!context) failed.push({ i, failure: routeFailure(new LeadNotFoundError(leadId)) });
    else if (!flow) failed.push({ i, failure: routeFailure(new NoFlowError(trigger.kind), leadId) });
    else planned.push({ item, i, id: newId(), context, flow });
  }
  return { planned, failed };
}
