import type { Flow } from '../engine/flow/flow-loader.js';
import type { AssignTargetDoc } from '../engine/flow/flow.schema.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';

/**
 * The pools a flow may pick from: named in its assign and convert nodes, through territory tables,
 * and in the flows it hands over to. Routing locks exactly these before deciding.
 */
export function poolsOfFlow(set: RoutingSet, flow: Flow, seen = new Set<string>()): Set<string> {
  const pools = new Set<string>();
  if (seen.has(flow.flow)) return pools;
  seen.add(flow.flow);
  const addTarget = (target: AssignTargetDoc) => {
    if (target.pool !== undefined) pools.add(target.pool);
    if (target.territory !== undefined) {
      for (const row of set.territories.get(target.territory)?.rows ?? []) {
        if (row.assign.pool !== undefined) pools.add(row.assign.pool);
      }
    }
  };
  for (const node of Object.values(flow.nodes)) {
    if (node.type === 'assign' || node.type === 'convert') {
      const to = node.type === 'assign' ? node.to : node.owner;
      for (const target of Array.isArray(to) ? to : [to]) addTarget(target);
    } else if (node.type === 'subflow') {
      const next = set.flows.get(node.flow);
      if (next) for (const pool of poolsOfFlow(set, next, seen)) pools.add(pool);
    }
  }
  return pools;
}
