import { edgeKey, flowPicture } from '../engine/flow/flow-picture.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import { toId18 } from '../engine/salesforce-id.js';
import { decisionsOfLead, flowEdgeCounts } from '../store/decision.repository.js';
import type { Store } from '../store/store.js';
import { RoutingError } from './routing.errors.js';

/** How far back edge counts may look: the decisions' longest retention is a year or so. */
export const PICTURE_MAX_DAYS = 3660;

export interface PictureRequest {
  flow: string;
  /** Count the leads that took each edge over the last this many days. */
  days?: number;
  /** Highlight this lead's newest way through the flow. */
  leadId?: string;
  now: Date;
}

/** A live flow as SVG, with leads per edge from the stored decisions and one lead's path, on request. */
export async function livePicture(set: RoutingSet, store: Store, request: PictureRequest): Promise<string> {
  const flow = set.flows.get(request.flow);
  if (!flow) {
    throw new RoutingError(
      'NOT_FOUND',
      `No live flow is named "${request.flow}". Live flows: ${[...set.flows.keys()].sort().join(', ')}.`,
    );
  }
  let edgeCounts: Map<string, number> | undefined;
  if (request.days !== undefined) {
    const since = new Date(request.now.getTime() - request.days * 86_400_000);
    const rows = await flowEdgeCounts(store.db, flow.flow, since);
    edgeCounts = new Map(rows.map((r) => [edgeKey(r.from, r.to), r.count]));
  }
  let highlight: string[] | undefined;
  if (request.leadId !== undefined) {
    const leadId = toId18(request.leadId) ?? request.leadId;
    const decisions = await decisionsOfLead(store.db, leadId, 50);
    const through = decisions.find(
      (d) => d.status !== 'dry-run' && d.decision.path.some((step) => step.flow === flow.flow),
    );
    if (!through) {
      throw new RoutingError(
        'NOT_FOUND',
        `Lead ${request.leadId} has not gone through flow "${flow.flow}" (no stored decision). Leave out the lead, or pick a flow its history shows.`,
      );
    }
    highlight = through.decision.path.filter((step) => step.flow === flow.flow).map((step) => step.node);
  }
  return flowPicture(flow, {
    ...(edgeCounts ? { edgeCounts, countDays: request.days } : {}),
    ...(highlight ? { highlight } : {}),
  });
}
