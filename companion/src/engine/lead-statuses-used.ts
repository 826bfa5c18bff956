import type { ConditionDoc } from './flow/flow.schema.js';
import type { Flow } from './flow/flow-loader.js';

/** A Lead Status value a flow relies on, where it does, and whether it must be a converted status. */
export interface LeadStatusUse {
  status: string;
  /** `<flow file> › <node>`, for messages. */
  where: string;
  /** Named as a convert node's convertedStatus: the org must mark it converted. */
  converted: boolean;
}

const COMPARED = new Set(['equals', 'notEquals', 'in', 'notIn']);

/**
 * Every Lead Status value the flows compare against, set, or convert with: each must be a value of
 * the org's Lead Status picklist, or the flow tests or writes something the org cannot hold.
 */
export function leadStatusesUsed(flows: Iterable<Flow>): LeadStatusUse[] {
  const uses: LeadStatusUse[] = [];
  for (const flow of flows) {
    for (const [id, node] of Object.entries(flow.nodes)) {
      const where = `${flow.file} › ${id}`;
      const add = (status: unknown, converted = false) => {
        if (typeof status === 'string' && status.trim() !== '') uses.push({ status, where, converted });
      };
      if (node.type === 'decision') for (const branch of node.branches) statusesIn(branch.when, add);
      if ('set' in node && node.set) add(node.set['Status']);
      if (node.type === 'convert') add(node.convertedStatus, true);
    }
  }
  return uses;
}

function statusesIn(cond: ConditionDoc, add: (status: unknown) => void): void {
  cond.all?.forEach((c) => statusesIn(c, add));
  cond.any?.forEach((c) => statusesIn(c, add));
  if (cond.not) statusesIn(cond.not, add);
  if (cond.field !== 'lead.Status' || !COMPARED.has(cond.op ?? 'equals')) return;
  for (const value of Array.isArray(cond.value) ? cond.value : [cond.value]) add(value);
}
