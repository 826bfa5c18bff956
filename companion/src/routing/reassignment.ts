import type { Trigger } from '../engine/model.js';
import { checkOneWay, type ChosenLeads, type LeadChoice } from './lead-choice.js';
import { isRouteFailure, type RouteManyResult, type RouteRequest } from './route-request.js';
import { WhatIfInputError } from './routing.errors.js';
import { checkTrigger } from './what-if.js';

/** Which leads a reassignment moves (one way of choosing them: `LeadChoice`), and how. */
export interface Reassignment extends LeadChoice {
  /** Names the run: running it again with the same id resumes it, never routing a lead twice. */
  runId: string;
  /** The trigger the flows route each lead with. Default `inactive-owner`: as if the owner had left. */
  trigger?: Trigger['kind'];
  reason: string;
  actorId: string | null;
}

export interface ReassignmentReport {
  runId: string;
  /** Which leads were chosen, in words. */
  chosen: string;
  leads: number;
  /** Routed to another owner and written to the org (or waiting in the outbox: `pending`). */
  moved: number;
  pending: number;
  /** Routed and left with the owner they had. */
  unchanged: number;
  /** The flows refused to route them (with the reason in each lead's history). */
  refused: number;
  /** Not routed: not found, no flow, or the org refused the write. */
  failed: Array<{ leadId: string; code: string; message: string }>;
  /** Done by an earlier run with this id (resumed): answered from the store, not routed again. */
  alreadyDone: number;
  moves: Array<{ from: string; to: string; count: number }>;
}

export interface ReassignmentProgress {
  done: number;
  total: number;
}

/** Leads per routing batch: one transaction and at most one write call to the org each. */
export const REASSIGN_BATCH = 200;
/** What a run id may be: it becomes part of each lead's request key. */
export const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

function checked(r: Reassignment): Required<Pick<Reassignment, 'trigger'>> & Reassignment {
  if (!RUN_ID.test(r.runId)) {
    throw new WhatIfInputError('runId must be 1 to 64 letters, digits, - or _.');
  }
  checkOneWay(r);
  const trigger = r.trigger ?? 'inactive-owner';
  checkTrigger(trigger);
  return { ...r, trigger };
}

/** The request key of one lead in one run: what makes a resumed run skip what it already did. */
const requestKey = (runId: string, leadId: string) => `reassign:${runId}:${leadId}`;

/**
 * Moves leads through the flows in batches of 200, in Id order (the order the dry run decides them
 * in), each with a request key of the run: a run stopped by a crash and started again with the same id
 * answers the leads it already routed from the store and goes on from there. Each lead's history says
 * why it moved, with the run's reason.
 */
export async function reassign(
  deps: {
    /** The leads a choice stands for now (`chooseLeads`). */
    choose(choice: LeadChoice): Promise<ChosenLeads>;
    routeMany(requests: RouteRequest[]): Promise<RouteManyResult[]>;
    /** Whether this request key was answered before this run started. */
    answered(keys: string[]): Promise<Set<string>>;
  },
  asked: Reassignment,
  onProgress?: (progress: ReassignmentProgress) => void,
): Promise<ReassignmentReport> {
  const r = checked(asked);
  const { ids, chosen } = await deps.choose(r);
  const report: ReassignmentReport = {
    runId: r.runId,
    chosen,
    leads: ids.length,
    moved: 0,
    pending: 0,
    unchanged: 0,
    refused: 0,
    failed: [],
    alreadyDone: 0,
    moves: [],
  };
  const moves = new Map<string, number>();
  for (let i = 0; i < ids.length; i += REASSIGN_BATCH) {
    const batch = ids.slice(i, i + REASSIGN_BATCH);
    const done = await deps.answered(batch.map((id) => requestKey(r.runId, id)));
    const results = await deps.routeMany(
      batch.map((leadId) => ({
        leadId,
        trigger: { kind: r.trigger, reason: r.reason, actorId: r.actorId },
        requestKey: requestKey(r.runId, leadId),
      })),
    );
    results.forEach((result, j) => {
      const leadId = batch[j]!;
      if (done.has(requestKey(r.runId, leadId))) report.alreadyDone += 1;
      if (isRouteFailure(result)) {
        report.failed.push({ leadId, ...result.error });
        return;
      }
      const d = result.decision;
      if (result.status === 'failed' || result.status === 'stale') {
        const error = result.errors[0];
        report.failed.push({
          leadId,
          code: error?.code ?? result.status.toUpperCase(),
          message: error?.message ?? 'The org changed the lead while it was routed; nothing was written.',
        });
      } else if (d.outcome === 'refused') report.refused += 1;
      else if (!d.owner || d.owner.id === d.previousOwner?.id) report.unchanged += 1;
      else {
        if (result.status === 'pending') report.pending += 1;
        else report.moved += 1;
        const key = JSON.stringify([d.previousOwner?.name ?? '(no owner)', d.owner.name]);
        moves.set(key, (moves.get(key) ?? 0) + 1);
      }
    });
    onProgress?.({ done: Math.min(i + REASSIGN_BATCH, ids.length), total: ids.length });
  }
  report.moves = [...moves]
    .map(([key, count]) => {
      const [from, to] = JSON.parse(key) as [string, string];
      return { from, to, count };
    })
    .sort((a, b) => b.count - a.count);
  return report;
}
