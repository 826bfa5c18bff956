import { DEMO_QUEUES, DEMO_USERS } from '../crm/local/demo-people.js';
import { DEMO_SCENARIO, SCENARIOS, scenarioMembership, type Scenario } from '../crm/local/demo-scenarios.js';
import type { Decision } from '../engine/decision.js';
import { decide } from '../engine/decide.js';
import type { PoolState } from '../engine/distribution/distribution.types.js';
import { selectFlow, type RoutingSet } from '../engine/flow/routing-set.js';
import type { Trigger } from '../engine/model.js';
import { buildOrgSnapshot, routingContext } from '../engine/routing-context.js';

/** The trigger each demo scenario stands for: a new lead, a campaign response, an update or a re-route. */
export function scenarioTrigger(s: Scenario): Trigger {
  if (s.key.startsWith('reroute-'))
    return { kind: 'reroute', reason: 'Country corrected', actorId: s.lead.OwnerId ?? null };
  if (s.key === 'blueprint-route-on-update') {
    return { kind: 'updated', changedFields: ['Status'], previous: { Status: 'Unqualified' } };
  }
  return s.campaign !== undefined ? { kind: 'campaign-member' } : { kind: 'created' };
}

/**
 * Routes every demo scenario lead with the given flows, in order, carrying pool turns from one
 * decision to the next as the service's store would.
 */
export function routeDemoScenarios(
  set: RoutingSet,
  now: string,
): Array<{ scenario: Scenario; decision: Decision }> {
  const org = buildOrgSnapshot({ ...DEMO_SCENARIO, users: DEMO_USERS, queues: DEMO_QUEUES });
  const poolStates = new Map<string, PoolState>();
  return SCENARIOS.map((scenario) => {
    const trigger = scenarioTrigger(scenario);
    const flow = selectFlow(set, trigger);
    if (!flow) throw new Error(`no flow accepts a ${trigger.kind} trigger`);
    const membership = scenarioMembership(scenario.lead.Id);
    const context = routingContext(set, org, {
      now,
      trigger,
      membership,
      poolState: (name) => poolStates.get(name),
    });
    const decision = decide(flow, scenario.lead, context);
    for (const change of decision.poolChanges) poolStates.set(change.pool, change.state);
    return { scenario, decision };
  });
}

/** A decision as a person reads it: the lead, where it went, and each step in words. */
export function formatDecision(scenario: Scenario, decision: Decision): string {
  const name = [scenario.lead.FirstName, scenario.lead.LastName].filter(Boolean).join(' ');
  const lines = [
    `${name} <${scenario.lead.Email ?? 'no email'}>  (${scenario.rule})`,
    `  → ${decision.summary}`,
    ...decision.path.map(
      (step, i) => `    ${String(i + 1).padStart(2)}. [${step.flow}/${step.node}] ${step.text}`,
    ),
  ];
  return lines.join('\n');
}
