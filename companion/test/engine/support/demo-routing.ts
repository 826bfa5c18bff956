import { DEMO_CATALOG, DEMO_QUEUES, DEMO_USERS } from '../../../src/crm/local/demo-people.js';
import { DEMO_SCENARIO, scenario, scenarioMembership } from '../../../src/crm/local/demo-scenarios.js';
import type { Decision } from '../../../src/engine/decision.js';
import { decide } from '../../../src/engine/decide.js';
import type { PoolState } from '../../../src/engine/distribution/distribution.types.js';
import { selectFlow, type RoutingSet } from '../../../src/engine/flow/routing-set.js';
import type { AccountIndexOptions } from '../../../src/engine/matching/account-index.js';
import type { LeadRecord, Membership, Trigger } from '../../../src/engine/model.js';
import { buildOrgSnapshot, routingContext, type OrgSnapshot } from '../../../src/engine/routing-context.js';
import { readRoutingSet, SHIPPED_FLOWS_DIR } from '../../../src/routing/flow-files.js';

/** A Monday afternoon in Europe, morning in the Americas, night in Japan. */
export const MONDAY = '2026-11-23T15:00:00.000Z';

export async function shippedRoutingSet(): Promise<RoutingSet> {
  return readRoutingSet(SHIPPED_FLOWS_DIR, DEMO_CATALOG);
}

export function demoOrg(options: AccountIndexOptions = {}): OrgSnapshot {
  return buildOrgSnapshot({ ...DEMO_SCENARIO, users: DEMO_USERS, queues: DEMO_QUEUES }, options);
}

export interface RouteOptions {
  trigger?: Trigger;
  now?: string;
  /** Changes to the scenario lead, e.g. to make the negative case of a rule. */
  lead?: Partial<LeadRecord>;
  poolState?: (pool: string) => PoolState | undefined;
  /** The campaign the lead joins, by the demo campaign's name, with the member's status; null for none. */
  joins?: { campaign: string; status: string } | null;
}

/** Routes a demo scenario lead with the shipped flows, as the routing service would choose them. */
export function routeScenario(
  set: RoutingSet,
  org: OrgSnapshot,
  key: string,
  options: RouteOptions = {},
): Decision {
  const lead = { ...scenario(key).lead, ...options.lead };
  const trigger = options.trigger ?? { kind: 'created' };
  const flow = selectFlow(set, trigger);
  if (!flow) throw new Error(`no flow accepts trigger ${trigger.kind}`);
  const context = routingContext(set, org, {
    now: options.now ?? MONDAY,
    trigger,
    membership: options.joins !== undefined ? joining(lead.Id, options.joins) : scenarioMembership(lead.Id),
    ...(options.poolState ? { poolState: options.poolState } : {}),
  });
  return decide(flow, lead, context);
}

/** The whole explanation in one string, for asserting that a reason is given in words. */
export function explanation(decision: Decision): string {
  return decision.path.map((step) => step.text).join('\n');
}

function joining(leadId: string, joins: RouteOptions['joins']): Membership | null {
  if (!joins) return null;
  const campaign = DEMO_SCENARIO.campaigns.find((c) => c.Name === joins.campaign);
  if (!campaign) throw new Error(`no demo campaign '${joins.campaign}'`);
  return {
    campaign,
    member: { Id: '00vJOINING', CampaignId: campaign.Id, LeadId: leadId, Status: joins.status },
  };
}
