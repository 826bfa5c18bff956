import type { Flow } from '../flow/flow-loader.js';
import type { AssignTargetDoc } from '../flow/flow.schema.js';
import type { Trigger } from '../model.js';
import type { SlaPolicy } from './sla-policy.js';

/** The step an owner's Reject runs: the next in the pool, with the rejecting owner's turn given back. */
export const REJECTED_STEP = -1;

/**
 * The one-node flow an SLA step that moves a lead runs through routing, so its decision, history and
 * pool turn are kept like any other: reassign picks the next in the pool that assigned the lead
 * (never its owner, nor anyone in `trigger.exclude`); escalate gives it to the step's user or queue.
 * A rejected lead (step REJECTED_STEP) goes to the next in its pool the same way. Null when the
 * trigger names no such step (the policy changed since the step was due).
 */
export function slaStepFlow(slas: ReadonlyMap<string, SlaPolicy>, trigger: Trigger): Flow | null {
  if (trigger.kind !== 'sla' || !trigger.sla) return null;
  const policy = slas.get(trigger.sla.policy);
  const step =
    trigger.sla.step === REJECTED_STEP
      ? { action: 'reject' as const, after: 0 }
      : policy?.steps[trigger.sla.step];
  if (!step) return null;
  let to: AssignTargetDoc;
  let label: string;
  if (step.action === 'reject') {
    if (trigger.sla.pool === null) return null;
    to = { pool: trigger.sla.pool };
    label = 'Rejected by its owner: the next in the pool';
  } else if (step.action === 'reassign') {
    if (trigger.sla.pool === null) return null;
    to = { pool: trigger.sla.pool };
    label = `Not accepted within ${step.after} working minutes: the next in the pool`;
  } else if (step.action === 'escalate' && step.to) {
    to = step.to.kind === 'user' ? { user: step.to.id } : { queue: step.to.id };
    label = `Not accepted within ${step.after} working minutes: escalated`;
  } else {
    return null;
  }
  return {
    flow: 'sla',
    version: 1,
    label: policy?.label ?? `SLA ${trigger.sla.policy}`,
    file: 'sla.yaml',
    trigger: { on: [] },
    start: 'step',
    nodes: {
      step: { type: 'assign', label, to: [to], excludeCurrentOwner: true, next: 'done' },
      done: { type: 'end' },
    },
  };
}
