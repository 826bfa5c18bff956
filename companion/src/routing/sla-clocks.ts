import type { CrmPort } from '../crm/crm.port.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import type { LeadRecord, QueueRecord, UserRecord, WorkingHours } from '../engine/model.js';
import { slaPolicyFor, type SlaPolicy } from '../engine/sla/sla-policy.js';
import { REJECTED_STEP } from '../engine/sla/sla-step-flow.js';
import { addWorkingMinutes, workingCalendar, workingMinutesBetween } from '../engine/sla/working-time.js';
import { decisionsSince, type DecisionOwnerChange } from '../store/decision.repository.js';
import {
  handoffReport,
  handoffsOf,
  insertHandoffs,
  markBreached,
  touchHandoffs,
  type HandoffInsert,
  type HandoffReportRow,
  type HandoffRow,
} from '../store/handoff.repository.js';
import {
  listNotifications,
  queueNotifications,
  type NotificationInsert,
  type NotificationRow,
} from '../store/notification.repository.js';
import {
  advanceSlaCursor,
  claimSteps,
  clocksOf,
  closeClocks,
  dueClocks,
  finishStep,
  handOverClocks,
  openClocks,
  readSlaCursor,
  stepsOf,
  unfinishedSteps,
  type ClockClose,
  type ClockHandOver,
  type ClockOpen,
  type SlaClockRow,
  type SlaStepRow,
  type StepClaim,
} from '../store/sla-clock.repository.js';
import type { Store } from '../store/store.js';
import { isRouteFailure, type RouteManyResult, type RouteRequest } from './route-request.js';
import { NoClockError, NoPoolError, NotTheOwnerError } from './sla.errors.js';

type Clock = () => Date;

/** A handoff measured: time to assign or to first touch, by flow and pool (the Prometheus histograms). */
export interface HandoffMeasure {
  measure: 'assign' | 'touch';
  seconds: number;
  flow: string;
  pool: string;
}

export interface SlaClocksOptions {
  store: Store;
  /** Reads the leads whose clocks are due (owner, status, activity, conversion). */
  crm: Pick<CrmPort, 'getLeadContexts'>;
  set: RoutingSet;
  /** The org's users as routing knows them (working hours, time zone, name). */
  user: (id: string) => UserRecord | undefined;
  /** The org's queues, for the name of a queue an escalation goes to. */
  queue?: (id: string) => QueueRecord | undefined;
  /** Moves leads through routing (an SLA step or a rejection), so each move has its decision. */
  routeMany: (requests: RouteRequest[]) => Promise<RouteManyResult[]>;
  clock?: Clock;
  /** Where each notification is sent; one row per channel. Default ['log']. */
  channels?: readonly string[];
  onHandoff?: (measure: HandoffMeasure) => void;
  /** Decisions read per pass of the cursor. Default 1000. */
  followBatch?: number;
  /** Due clocks handled per sweep. Default 1000. */
  sweepBatch?: number;
  /** A step that moves a lead and is unfinished after this long is run again (same request key). Default 120 s. */
  stepLeaseMs?: number;
}

/** What one sweep did. */
export interface SweepResult {
  /** Decisions the clocks followed. */
  followed: number;
  /** Due clocks looked at. */
  due: number;
  /** Clocks stopped because the lead was accepted, converted or moved. */
  stopped: number;
  /** Steps fired, by action. */
  fired: { remind: number; reassign: number; escalate: number };
  /** Moves that failed (the step stays unfinished and is tried again). */
  failed: number;
}

/** A lead's clock as the lead page shows it. */
export interface ClockView {
  leadId: string;
  status: SlaClockRow['status'];
  policy: { name: string; label: string | null } | null;
  /** The pool the lead came from: a reassignment or a rejection goes to its next member. */
  pool: string | null;
  /** The owner, with the working hours and time zone their minutes are counted in. */
  owner: { id: string; name: string | null; timeZone: string; hours: WorkingHours };
  ownerSince: string;
  arrivedAt: string;
  /** When the next step fires; null when none will. */
  dueAt: string | null;
  /** What happens then; `to` names the manager or queue an escalation goes to. */
  next: {
    step: number;
    action: string;
    afterMinutes: number;
    to: string | null;
    toKind: 'user' | 'queue' | null;
  } | null;
  acceptedBy: string[];
  closedAt: string | null;
  closedBy: string | null;
  steps: SlaStepRow[];
  handoffs: HandoffRow[];
  notifications: NotificationRow[];
}

const PENDING_GRACE_MS = 10 * 60_000;
const CHUNK = 200;

/**
 * The SLA clocks: every lead routing gives to a person gets a clock and a handoff record. The clocks
 * follow the decisions table (a cursor moved with a compare-and-set, so each decision is taken by one
 * instance) and the sweep fires each due step once (the clock moves on only from the step it was at):
 * remind, reassign to the next in the pool (never back to an owner who let it lapse), escalate to a
 * manager or a queue. A clock stops when its lead is accepted (Accept, a status change or an activity,
 * as its policy says), converted, or moved by a person. Everything lives in the store, so a restart
 * or a second instance carries on where the first stopped.
 */
export class SlaClocks {
  private readonly clock: Clock;
  private readonly channels: readonly string[];

  constructor(private readonly options: SlaClocksOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.channels = options.channels ?? ['log'];
  }

  /** Follows the decisions, fires due steps, finishes steps an earlier instance left. */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = {
      followed: 0,
      due: 0,
      stopped: 0,
      fired: { remind: 0, reassign: 0, escalate: 0 },
      failed: 0,
    };
    result.followed += await this.followAll();
    const now = this.clock();
    const due = await dueClocks(this.options.store.db, now.toISOString(), this.options.sweepBatch ?? 1000);
    result.due = due.length;
    if (due.length > 0) {
      const leads = await this.readLeads(due.map((c) => c.leadId));
      const stops: ClockClose[] = [];
      const touches: Array<{ leadId: string; ownerId: string; at: string; by: string }> = [];
      const claims: StepClaim[] = [];
      for (const clock of due) {
        const stop = this.stopFor(clock, leads.get(clock.leadId), now);
        if (stop) {
          stops.push(stop);
          if (stop.status === 'accepted')
            touches.push({ leadId: clock.leadId, ownerId: clock.ownerId, at: stop.at, by: stop.by });
          continue;
        }
        const claim = this.claimFor(clock, now);
        if (claim) claims.push(claim);
      }
      const byLead = new Map(due.map((c) => [c.leadId, c]));
      const fired = await this.options.store.transaction(async (tx) => {
        const closed = await closeClocks(tx.db, stops);
        result.stopped = closed.length;
        const touched = await touchHandoffs(tx.db, touches);
        const won = await claimSteps(tx.db, claims);
        await markBreached(
          tx.db,
          won.map((c) => ({ clockId: c.clockId, ownerId: c.ownerId })),
        );
        await queueNotifications(
          tx.db,
          won.flatMap((c) => this.stepNotices(c, byLead)),
          now.toISOString(),
        );
        return { won, touched };
      });
      this.measureTouches(fired.touched);
      for (const c of fired.won) result.fired[c.action as keyof SweepResult['fired']] += 1;
      const moves = fired.won.filter((c) => c.status === 'pending');
      result.failed += await this.runMoves(moves.map((m) => ({ claim: m, clock: byLead.get(m.leadId)! })));
    }
    // Moves an instance fired and did not finish (it stopped): the same request key never moves twice.
    const lease = this.options.stepLeaseMs ?? 120_000;
    const left = await unfinishedSteps(
      this.options.store.db,
      new Date(now.getTime() - lease).toISOString(),
      200,
    );
    if (left.length > 0) {
      const clocks = await clocksOf(
        this.options.store.db,
        left.map((s) => s.leadId),
      );
      result.failed += await this.runMoves(
        left.flatMap((s) => {
          const clock = clocks.get(s.leadId);
          return clock && clock.id === s.clockId ? [{ claim: s, clock }] : [];
        }),
      );
    }
    result.followed += await this.followAll();
    return result;
  }

  /**
   * What a sweep would do now, writing nothing: the due clocks, those that would stop (accepted,
   * converted, moved) and the steps that would fire. Decisions not followed yet are left for the sweep.
   */
  async preview(): Promise<SweepResult> {
    const now = this.clock();
    const due = await dueClocks(this.options.store.db, now.toISOString(), this.options.sweepBatch ?? 1000);
    const result: SweepResult = {
      followed: 0,
      due: due.length,
      stopped: 0,
      fired: { remind: 0, reassign: 0, escalate: 0 },
      failed: 0,
    };
    if (due.length === 0) return result;
    const leads = await this.readLeads(due.map((c) => c.leadId));
    for (const clock of due) {
      if (this.stopFor(clock, leads.get(clock.leadId), now)) result.stopped += 1;
      else {
        const claim = this.claimFor(clock, now);
        if (claim) result.fired[claim.action as keyof SweepResult['fired']] += 1;
      }
    }
    return result;
  }

  /** The owner takes the lead (Accept on the lead page): its clock stops, time to first touch is kept. */
  async accept(leadId: string, actorId: string): Promise<ClockView> {
    const clock = await this.openClockOf(leadId, actorId);
    const at = this.clock().toISOString();
    const touched = await this.options.store.transaction(async (tx) => {
      await closeClocks(tx.db, [{ leadId, status: 'accepted', by: 'accept', at, clockId: clock.id }]);
      return touchHandoffs(tx.db, [{ leadId, ownerId: clock.ownerId, at, by: 'accept' }]);
    });
    this.measureTouches(touched);
    return (await this.view(leadId))!;
  }

  /**
   * The owner rejects the lead with a reason: it goes to the next in its pool (never back to them or
   * to anyone who let it lapse), and they get their turn back, so it counts against nobody's fairness.
   */
  async reject(leadId: string, actorId: string, reason: string): Promise<RouteManyResult> {
    const clock = await this.openClockOf(leadId, actorId);
    if (clock.pool === null) throw new NoPoolError(leadId);
    const at = this.clock().toISOString();
    await closeClocks(this.options.store.db, [
      { leadId, status: 'rejected', by: 'reject', at, clockId: clock.id },
    ]);
    const [result] = await this.options.routeMany([
      {
        leadId,
        trigger: {
          kind: 'sla',
          sla: { policy: clock.policy ?? '', step: REJECTED_STEP, pool: clock.pool },
          exclude: [...new Set([...clock.lapsed, clock.ownerId])],
          actorId,
          reason,
        },
        requestKey: `sla:${clock.id}:reject`,
      },
    ]);
    await this.followAll();
    return result!;
  }

  /** Who owns the lead, since when, due when and what comes next; null when it never had a clock. */
  async view(leadId: string): Promise<ClockView | null> {
    const db = this.options.store.db;
    const clock = (await clocksOf(db, [leadId])).get(leadId);
    if (!clock) return null;
    const policy = clock.policy ? this.options.set.slas.get(clock.policy) : undefined;
    const step = clock.status === 'open' && clock.dueAt ? policy?.steps[clock.nextStep] : undefined;
    const [steps, handoffs, notifications] = await Promise.all([
      stepsOf(db, clock.id),
      handoffsOf(db, leadId),
      listNotifications(db, { leadId, limit: 50 }),
    ]);
    const owner = this.options.user(clock.ownerId);
    const calendar = workingCalendar(owner);
    return {
      leadId,
      status: clock.status,
      policy: policy ? { name: policy.name, label: policy.label ?? null } : null,
      pool: clock.pool,
      owner: { id: clock.ownerId, name: owner?.Name ?? null, ...calendar },
      ownerSince: clock.ownerSince,
      arrivedAt: clock.arrivedAt,
      dueAt: step ? clock.dueAt : null,
      next: step
        ? {
            step: clock.nextStep,
            action: step.action,
            afterMinutes: step.after,
            to: step.to ? (this.nameOf(step.to) ?? step.to.id) : null,
            toKind: step.to?.kind ?? null,
          }
        : null,
      acceptedBy: policy?.acceptedBy ?? ['accept'],
      closedAt: clock.closedAt,
      closedBy: clock.closedBy,
      steps,
      handoffs,
      notifications,
    };
  }

  /** Per week and rep or pool: leads, time to assign and first touch (p50, p90), SLA breaches. */
  report(by: 'rep' | 'pool', weeks: number): Promise<HandoffReportRow[]> {
    const since = new Date(this.clock().getTime() - weeks * 7 * 86_400_000).toISOString();
    return handoffReport(this.options.store.db, by, since);
  }

  /** The notifications, newest first: all, or those pending, sent or failed. */
  notifications(filter: { status?: NotificationRow['status']; limit: number }): Promise<NotificationRow[]> {
    return listNotifications(this.options.store.db, filter);
  }

  /** Follows the decisions until the cursor has caught up; returns how many it followed. */
  async followAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const followed = await this.follow();
      if (followed <= 0) return total;
      total += followed;
    }
  }

  /**
   * One pass over the decisions after the cursor: a lead given to a person starts its clock (or, when
   * an SLA step moved it, hands its clock to the new owner); a lead converted or given to a queue stops
   * it. Returns the decisions taken, 0 when there were none, -1 when another instance took them first.
   */
  private async follow(): Promise<number> {
    const db = this.options.store.db;
    const from = await readSlaCursor(db);
    const read = await decisionsSince(db, from, this.options.followBatch ?? 1000);
    if (read.length === 0) return 0;
    // A decision still being applied holds the cursor (for a while) so its owner is not missed.
    const nowMs = this.clock().getTime();
    const holdAt = read.findIndex(
      (d) => d.status === 'pending' && nowMs - Date.parse(d.decidedAt) < PENDING_GRACE_MS,
    );
    const decisions = holdAt === -1 ? read : read.slice(0, holdAt);
    if (decisions.length === 0) return 0;
    const to = decisions.at(-1)!.seq;
    const known = await clocksOf(db, [...new Set(decisions.map((d) => d.leadId))]);
    const arrivals = decisions.filter((d) => this.givesToPerson(d) && d.trigger.kind !== 'sla');
    const leads = await this.readLeads([...new Set(arrivals.map((d) => d.leadId))]);
    const plan = this.planFollow(decisions, known, leads);
    const done = await this.options.store.transaction(async (tx) => {
      if (!(await advanceSlaCursor(tx.db, from, to))) return null;
      await closeClocks(tx.db, plan.closes);
      await openClocks(tx.db, plan.opens);
      await handOverClocks(tx.db, plan.handOvers);
      const added = await insertHandoffs(tx.db, plan.handoffs);
      await queueNotifications(tx.db, plan.notices, this.clock().toISOString());
      return added;
    });
    if (done === null) return -1;
    for (const h of done)
      this.options.onHandoff?.({
        measure: 'assign',
        seconds: h.assignSeconds,
        flow: h.flow ?? '',
        pool: h.pool ?? '',
      });
    return decisions.length;
  }

  private givesToPerson(d: DecisionOwnerChange): boolean {
    return (
      d.status === 'applied' &&
      d.outcome === 'assigned' &&
      d.ownerKind === 'user' &&
      d.ownerId !== null &&
      d.ownerId !== d.previousOwnerId
    );
  }

  private planFollow(
    decisions: DecisionOwnerChange[],
    known: Map<string, SlaClockRow>,
    leads: Map<string, LeadRecord>,
  ) {
    const closes: ClockClose[] = [];
    const opens = new Map<string, ClockOpen>();
    const handOvers = new Map<string, ClockHandOver>();
    const handoffs: HandoffInsert[] = [];
    const notices: NotificationInsert[] = [];
    // The clocks as these decisions leave them, decision by decision.
    const current = new Map<string, SlaClockRow | ClockOpen>(
      [...known].filter(([, c]) => c.status === 'open'),
    );
    for (const d of decisions) {
      if (d.status !== 'applied') continue;
      const open = current.get(d.leadId);
      if (d.outcome === 'converted' || (d.ownerKind === 'queue' && d.ownerId !== d.previousOwnerId)) {
        if (open) {
          const status =
            d.outcome === 'converted' ? 'converted' : d.trigger.kind === 'sla' ? 'escalated' : 'moved';
          closes.push({ leadId: d.leadId, status, by: status, at: d.decidedAt, clockId: open.id });
          current.delete(d.leadId);
          opens.delete(d.leadId);
          handOvers.delete(d.leadId);
        }
        continue;
      }
      if (!this.givesToPerson(d)) continue;
      const ownerId = d.ownerId!;
      if (d.trigger.kind === 'sla' && d.trigger.sla?.step !== REJECTED_STEP && open) {
        // The clock's own step moved it: the same arrival goes on with the new owner.
        const policy = open.policy ? this.options.set.slas.get(open.policy) : undefined;
        const minutesBefore =
          open.minutesBefore +
          workingMinutesBetween(
            Date.parse(open.ownerSince),
            Date.parse(d.decidedAt),
            workingCalendar(this.options.user(open.ownerId)),
          );
        const next = { ...open, ownerId, ownerSince: d.decidedAt, minutesBefore };
        const dueAt = this.dueAt(policy, next, open.nextStep);
        next.dueAt = dueAt;
        current.set(d.leadId, next);
        if (opens.has(d.leadId)) opens.set(d.leadId, next);
        else
          handOvers.set(d.leadId, {
            leadId: d.leadId,
            clockId: open.id,
            ownerId,
            ownerSince: d.decidedAt,
            minutesBefore,
            dueAt,
          });
        handoffs.push(this.handoff(d, open.id, open.policy, open.pool, open.arrivedAt));
        const step = open.nextStep - 1;
        const action = policy?.steps[step]?.action;
        notices.push(
          ...this.notices(
            d.leadId,
            open.id,
            step,
            action === 'escalate' ? 'escalated' : 'reassigned',
            ownerId,
            `${leadName(leads.get(d.leadId), d.leadId)} is yours: ${this.options.user(open.ownerId)?.Name ?? 'its owner'} did not take it in time.`,
          ),
        );
        continue;
      }
      const policy = slaPolicyFor(this.options.set.slas, {
        pool: d.pool,
        flows: [d.flow, d.finalFlow].filter((f): f is string => f !== null),
      });
      const lead = leads.get(d.leadId);
      const clock: ClockOpen = {
        leadId: d.leadId,
        id: d.id,
        policy: policy?.name ?? null,
        pool: d.pool,
        flow: d.finalFlow ?? d.flow,
        ownerId,
        ownerSince: d.decidedAt,
        arrivedAt: d.decidedAt,
        startStatus: d.statusWritten ?? lead?.Status ?? null,
        minutesBefore: 0,
        nextStep: 0,
        dueAt: null,
        lapsed: [],
      };
      clock.dueAt = this.dueAt(policy ?? undefined, clock, 0);
      current.set(d.leadId, clock);
      opens.set(d.leadId, clock);
      handOvers.delete(d.leadId);
      const since =
        d.trigger.kind === 'created' && lead?.CreatedDate
          ? new Date(lead.CreatedDate).toISOString()
          : d.decidedAt;
      handoffs.push(this.handoff(d, d.id, clock.policy, clock.pool, since));
      if (policy) {
        const due = clock.dueAt ? ` within ${policy.steps[0]!.after} working minutes` : '';
        notices.push(
          ...this.notices(
            d.leadId,
            d.id,
            -1,
            'assigned',
            ownerId,
            `New lead for you: ${leadName(lead, d.leadId)}. Accept it${due}.`,
          ),
        );
      }
    }
    return { closes, opens: [...opens.values()], handOvers: [...handOvers.values()], handoffs, notices };
  }

  private handoff(
    d: DecisionOwnerChange,
    clockId: string,
    policy: string | null,
    pool: string | null,
    since: string,
  ): HandoffInsert {
    return {
      leadId: d.leadId,
      clockId,
      decisionId: d.id,
      flow: d.finalFlow ?? d.flow,
      pool: d.pool ?? pool,
      policy,
      ownerId: d.ownerId!,
      since: Date.parse(since) <= Date.parse(d.decidedAt) ? since : d.decidedAt,
      assignedAt: d.decidedAt,
    };
  }

  /** When step `index` is due for the clock's owner; null when the policy has no such step. */
  private dueAt(
    policy: SlaPolicy | undefined,
    clock: Pick<SlaClockRow, 'ownerId' | 'ownerSince' | 'minutesBefore'>,
    index: number,
  ): string | null {
    const step = policy?.steps[index];
    if (!step) return null;
    const left = Math.max(0, step.after - clock.minutesBefore);
    const at = addWorkingMinutes(
      Date.parse(clock.ownerSince),
      left,
      workingCalendar(this.options.user(clock.ownerId)),
    );
    return new Date(at).toISOString();
  }

  /** Why a due clock stops instead of firing: the lead converted, moved by a person, or accepted. */
  private stopFor(clock: SlaClockRow, lead: LeadRecord | undefined, now: Date): ClockClose | null {
    const at = now.toISOString();
    const close = (status: ClockClose['status'], by: string): ClockClose => ({
      leadId: clock.leadId,
      status,
      by,
      at,
      clockId: clock.id,
    });
    if (!lead || lead.IsConverted) return close(lead ? 'converted' : 'moved', lead ? 'converted' : 'deleted');
    if (lead.OwnerId !== clock.ownerId) return close('moved', 'moved');
    const policy = clock.policy ? this.options.set.slas.get(clock.policy) : undefined;
    const accepts = policy?.acceptedBy ?? [];
    if (accepts.includes('status-change') && (lead.Status ?? null) !== clock.startStatus)
      return close('accepted', 'status-change');
    if (
      accepts.includes('activity') &&
      lead.LastActivityDate &&
      lead.LastActivityDate.slice(0, 10) >= clock.ownerSince.slice(0, 10)
    )
      return close('accepted', 'activity');
    return null;
  }

  private claimFor(clock: SlaClockRow, now: Date): StepClaim | null {
    const policy = clock.policy ? this.options.set.slas.get(clock.policy) : undefined;
    const step = policy?.steps[clock.nextStep];
    if (!policy || !step || !clock.dueAt) return null;
    const moves = step.action !== 'remind';
    return {
      leadId: clock.leadId,
      clockId: clock.id,
      step: clock.nextStep,
      action: step.action,
      ownerId: clock.ownerId,
      dueAt: clock.dueAt,
      // A move sets the next due time when the new owner is written.
      nextDue: moves ? null : this.dueAt(policy, clock, clock.nextStep + 1),
      status: moves ? 'pending' : 'done',
      detail: moves ? null : `reminded at ${now.toISOString()}`,
      firedAt: now.toISOString(),
    };
  }

  private stepNotices(claim: StepClaim, due: ReadonlyMap<string, SlaClockRow>): NotificationInsert[] {
    const clock = due.get(claim.leadId)!;
    const policy = this.options.set.slas.get(clock.policy!)!;
    const step = policy.steps[claim.step]!;
    const owner = this.options.user(claim.ownerId)?.Name ?? claim.ownerId;
    if (step.action === 'remind')
      return this.notices(
        claim.leadId,
        claim.clockId,
        claim.step,
        'remind',
        claim.ownerId,
        `Reminder: lead ${claim.leadId} is waiting for you (${step.after} working minutes so far). Accept it or it moves on.`,
      );
    if (step.action === 'escalate' && step.to)
      return this.notices(
        claim.leadId,
        claim.clockId,
        claim.step,
        'escalated',
        step.to.id,
        `Escalated to you: ${owner} did not take lead ${claim.leadId} within ${step.after} working minutes.`,
      );
    return [];
  }

  private notices(
    leadId: string,
    clockId: string,
    step: number,
    kind: string,
    recipientId: string,
    message: string,
  ): NotificationInsert[] {
    return this.channels.map((channel) => ({ leadId, clockId, step, kind, recipientId, channel, message }));
  }

  /** Runs the moves of fired steps through routing; returns how many failed (tried again later). */
  private async runMoves(
    moves: Array<{ claim: Pick<StepClaim, 'leadId' | 'clockId' | 'step'>; clock: SlaClockRow }>,
  ) {
    if (moves.length === 0) return 0;
    const requests: RouteRequest[] = moves.map(({ claim, clock }) => ({
      leadId: claim.leadId,
      trigger: {
        kind: 'sla',
        sla: { policy: clock.policy ?? '', step: claim.step, pool: clock.pool },
        exclude: [...new Set([...clock.lapsed, clock.ownerId])],
      },
      requestKey: `sla:${claim.clockId}:${claim.step}`,
    }));
    const results = await this.options.routeMany(requests);
    let failed = 0;
    for (const [i, r] of results.entries()) {
      const { claim } = moves[i]!;
      if (isRouteFailure(r)) {
        failed += 1;
        continue;
      }
      if (r.status === 'pending') continue; // the outbox finishes it; the next sweep sees it
      await finishStep(this.options.store.db, claim.clockId, claim.step, r.decision.summary);
      const { clock } = moves[i]!;
      if (r.decision.owner?.id === clock.ownerId || r.decision.owner === null) {
        // Nobody could take it: it stays with its owner, and the clock goes on to the next step.
        const policy = clock.policy ? this.options.set.slas.get(clock.policy) : undefined;
        await handOverClocks(this.options.store.db, [
          {
            leadId: clock.leadId,
            clockId: clock.id,
            ownerId: clock.ownerId,
            ownerSince: clock.ownerSince,
            minutesBefore: clock.minutesBefore,
            dueAt: this.dueAt(policy, clock, claim.step + 1),
          },
        ]);
      }
    }
    return failed;
  }

  private nameOf(to: { kind: 'user' | 'queue'; id: string }): string | undefined {
    return to.kind === 'user' ? this.options.user(to.id)?.Name : this.options.queue?.(to.id)?.Name;
  }

  private async openClockOf(leadId: string, actorId: string): Promise<SlaClockRow> {
    const clock = (await clocksOf(this.options.store.db, [leadId])).get(leadId);
    if (!clock || clock.status !== 'open') throw new NoClockError(leadId);
    if (clock.ownerId !== actorId) throw new NotTheOwnerError(leadId);
    return clock;
  }

  private async readLeads(ids: string[]): Promise<Map<string, LeadRecord>> {
    const leads = new Map<string, LeadRecord>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const contexts = await this.options.crm.getLeadContexts(ids.slice(i, i + CHUNK));
      for (const [id, context] of contexts) leads.set(id, context.lead);
    }
    return leads;
  }

  private measureTouches(touched: HandoffRow[]): void {
    for (const h of touched)
      if (h.touchSeconds !== null)
        this.options.onHandoff?.({
          measure: 'touch',
          seconds: h.touchSeconds,
          flow: h.flow ?? '',
          pool: h.pool ?? '',
        });
  }
}

function leadName(lead: LeadRecord | undefined, id: string): string {
  if (!lead) return `lead ${id}`;
  const name = [lead.FirstName, lead.LastName].filter(Boolean).join(' ');
  return lead.Company ? `${name} (${lead.Company})` : name || `lead ${id}`;
}
