import { z } from 'zod';
import type { PeopleBinder } from '../flow/org-people.js';
import { suggest, type YamlSource } from '../flow/yaml-source.js';

/** What counts as the owner taking the lead: its status changed, an activity logged, or Accept pressed. */
export const ACCEPT_SIGNALS = ['status-change', 'activity', 'accept'] as const;
export type AcceptSignal = (typeof ACCEPT_SIGNALS)[number];

export const SLA_ACTIONS = ['remind', 'reassign', 'escalate'] as const;
export type SlaAction = (typeof SLA_ACTIONS)[number];

export interface SlaStep {
  /** Working minutes of the owner since the lead came to them (across owners, when reassigned). */
  after: number;
  action: SlaAction;
  /** For escalate: the manager (a user) or the queue the lead goes to; Ids once loaded. */
  to?: { kind: 'user' | 'queue'; id: string };
}

/** An SLA on the leads one pool or one flow assigns (`sla.yaml` in the routing folder). */
export interface SlaPolicy {
  name: string;
  label?: string;
  /** Leads a pick from this pool assigned. */
  pool?: string;
  /** Leads this flow assigned (the flow routing started in, or the one that decided). */
  flow?: string;
  acceptedBy: AcceptSignal[];
  /** In the order they fire; `after` grows step by step. */
  steps: SlaStep[];
}

export const slaSchema = z.strictObject({
  name: z.string(),
  label: z.string().optional(),
  pool: z.string().optional(),
  flow: z.string().optional(),
  acceptedBy: z.array(z.enum(ACCEPT_SIGNALS)).min(1).default(['accept', 'status-change', 'activity']),
  steps: z
    .array(
      z.strictObject({
        after: z.number().int().positive(),
        do: z.enum(SLA_ACTIONS),
        to: z.strictObject({ user: z.string().optional(), queue: z.string().optional() }).optional(),
      }),
    )
    .min(1),
});
export type SlaDoc = z.infer<typeof slaSchema>;

/**
 * Checks the SLA policies of `sla.yaml` against the set they belong to, reporting each problem on its
 * line: a policy names one pool or one flow that exists, no pool or flow has two policies, steps come
 * in order of their minutes, only an escalation names where it goes (a user or a queue of the org).
 */
export function checkSlaPolicies(
  source: YamlSource,
  valid: Array<{ item: SlaDoc; index: number }>,
  catalog: { pools: readonly string[]; flows: readonly string[] },
  people: PeopleBinder,
): Map<string, SlaPolicy> {
  const policies = new Map<string, SlaPolicy>();
  const covered = new Map<string, string>();
  for (const { item, index: i } of valid) {
    const at = (...rest: Array<string | number>) => ['slas', i, ...rest];
    if (policies.has(item.name)) source.report(at('name'), `an SLA named '${item.name}' is already defined`);
    const policy: SlaPolicy = { name: item.name, acceptedBy: item.acceptedBy, steps: [] };
    if (item.label !== undefined) policy.label = item.label;
    if ((item.pool === undefined) === (item.flow === undefined)) {
      source.report(at('name'), 'an SLA covers one pool or one flow: write pool: <name> or flow: <name>');
    } else if (item.pool !== undefined) {
      policy.pool = item.pool;
      if (!catalog.pools.includes(item.pool))
        source.report(at('pool'), () => `no pool named '${item.pool}'${suggest(item.pool!, catalog.pools)}`);
    } else {
      policy.flow = item.flow!;
      if (!catalog.flows.includes(item.flow!))
        source.report(at('flow'), () => `no flow named '${item.flow}'${suggest(item.flow!, catalog.flows)}`);
    }
    const scope = policy.pool !== undefined ? `pool:${policy.pool}` : `flow:${policy.flow}`;
    const other = covered.get(scope);
    if (other !== undefined)
      source.report(
        at(policy.pool !== undefined ? 'pool' : 'flow'),
        `the SLA '${other}' already covers this ${scope.replace(':', ' ')}`,
      );
    covered.set(scope, item.name);
    item.steps.forEach((doc, j) => {
      const step: SlaStep = { after: doc.after, action: doc.do };
      policy.steps.push(step);
      const previous = item.steps[j - 1];
      if (previous && doc.after <= previous.after)
        source.report(
          at('steps', j, 'after'),
          `fires after ${doc.after} working minutes, not after the step before it (${previous.after}): list steps in the order they fire`,
        );
      if (doc.do !== 'escalate') {
        if (doc.to !== undefined)
          source.report(
            at('steps', j, 'to'),
            `only an escalation goes somewhere: a ${doc.do} step has no 'to'`,
          );
        return;
      }
      const to = doc.to;
      if (!to || (to.user === undefined) === (to.queue === undefined)) {
        source.report(
          at('steps', j),
          'an escalation goes to one manager or one queue: to: { user: <username> } or to: { queue: <DeveloperName> }',
        );
        return;
      }
      const kind = to.user !== undefined ? 'user' : 'queue';
      people.bind(
        source,
        at('steps', j, 'to', kind),
        kind,
        (to.user ?? to.queue)!,
        (id) => (step.to = { kind, id }),
      );
    });
    policies.set(item.name, policy);
  }
  return policies;
}

/** The policy covering a lead a decision assigned: its pool's, else its flow's; null when none. */
export function slaPolicyFor(
  policies: ReadonlyMap<string, SlaPolicy>,
  assigned: { pool: string | null; flows: readonly string[] },
): SlaPolicy | null {
  let byFlow: SlaPolicy | null = null;
  for (const policy of policies.values()) {
    if (assigned.pool !== null && policy.pool === assigned.pool) return policy;
    if (policy.flow !== undefined && assigned.flows.includes(policy.flow)) byFlow ??= policy;
  }
  return byFlow;
}
