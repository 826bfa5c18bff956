import type { Flow } from './flow/flow-loader.js';

/**
 * Lead fields a decision writes whatever the flow: the owner, the Re-run Routing box it clears, the
 * In the Hopper box it clears when it gives a Hopper lead to someone else, and routing's bookkeeping
 * (see `finish` in `decide.ts`).
 */
export const DECISION_WRITTEN_FIELDS = [
  'OwnerId',
  'Rerun_Routing__c',
  'In_Hopper__c',
  'Matched_Account__c',
  'Last_Routing_Flow__c',
  'Last_Routed_At__c',
  'Routing_Reason__c',
] as const;

/**
 * Every Lead field routing with these flows can write: the decision's own fields, the fields the
 * flows' update, assign and convert nodes set, and Status where a flow converts (the converted
 * status). The one list of routing's writes: what the org must let the integration user edit, and
 * what routing's own changes, coming back from the org, may touch without being news.
 */
export function leadFieldsWritten(flows: Iterable<Flow>): string[] {
  const fields = new Set<string>(DECISION_WRITTEN_FIELDS);
  for (const flow of flows) {
    for (const node of Object.values(flow.nodes)) {
      if (node.type === 'convert') fields.add('Status');
      if ('set' in node && node.set) for (const field of Object.keys(node.set)) fields.add(field);
    }
  }
  return [...fields];
}
