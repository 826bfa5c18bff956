import { CodedError } from './coded-error.js';
import type { AccountCandidate } from './matching/matching.types.js';
import type { PoolState } from './distribution/distribution.types.js';
import { giveBackTurn, pickFromPool } from './distribution/pool.js';
import { REJECTED_STEP } from './sla/sla-step-flow.js';
import { describeTarget } from './distribution/target.js';
import { findTerritory } from './distribution/territory.js';
import { regionOf } from './distribution/countries.js';
import { notInSalesDevelopment } from './sales-development.js';
import type { AccountRecord, LeadRecord, OpportunityRecord } from './model.js';
import { evaluate, isEmpty, type ConditionTrace, type FieldReader } from './flow/conditions.js';
import { fieldLabel } from './flow/field-words.js';
import { splitField, type Scope } from './flow/fields.js';
import type { Flow } from './flow/flow-loader.js';
import type { AssignTargetDoc, NodeDoc } from './flow/flow.schema.js';
import type { Decision, MatchedAccount, OwnerRef, PathStep, PoolChange, RoutingContext } from './decision.js';

/** The nodes one decision passes at most, hand-overs included; the loader refuses flows that need more. */
export const MAX_STEPS = 500;
/** The hand-overs (subflow nodes) one decision follows at most. */
export const MAX_FLOW_DEPTH = 8;

/** A flow that cannot be followed to its end at run time (a subflow missing from the context, a loop). */
export class FlowRuntimeError extends CodedError<'FLOW_RUNTIME'> {
  constructor(message: string) {
    super('FLOW_RUNTIME', message);
  }
}

interface Resolved {
  owner: OwnerRef & { via: string };
  poolChange?: PoolChange;
  text: string;
}

/**
 * Decides where a lead goes: follows the flow from its start node, reading only the context, and
 * returns the owner, field updates, conversion and pool-state change with every step in words.
 * Pure: the same flow, lead and context always give the same decision.
 */
export function decide(flow: Flow, lead: LeadRecord, context: RoutingContext): Decision {
  return new Run(flow, lead, context).run();
}

/** One decision, read by its conditions as their `FieldReader` (no reader made per decision). */
class Run implements FieldReader {
  readonly now: number;
  private readonly path: PathStep[] = [];
  private readonly updates: Partial<LeadRecord> = {};
  private readonly poolStates = new Map<string, PoolState>();
  private readonly poolChanges: PoolChange[] = [];
  private owner: Decision['owner'] = null;
  /** The current owner while an assign node with excludeCurrentOwner resolves its targets. */
  private excluded: string | null = null;
  private conversion: Decision['conversion'] = null;
  private refusal: Decision['refusal'] = null;
  private matchRan = false;
  private candidates: AccountCandidate[] = [];
  /** Accounts about equally like the lead's company, when none was taken for that reason. */
  private lookAlikes: AccountCandidate[] = [];
  private account: AccountRecord | undefined;
  private opportunities: OpportunityRecord[] = [];
  private sameCompany: Array<{ lead: LeadRecord; reason: string }> = [];
  private finalFlow: Flow;
  /** The node `step` is running, as the path names it. */
  private stepAt: Pick<PathStep, 'flow' | 'node' | 'type'> = { flow: '', node: '', type: 'end' };

  constructor(
    private readonly flow: Flow,
    private readonly lead: LeadRecord,
    private readonly ctx: RoutingContext,
  ) {
    this.now = Date.parse(ctx.now);
    this.finalFlow = flow;
    const matched = lead.Matched_Account__c ? ctx.accounts.get(lead.Matched_Account__c) : undefined;
    this.account = matched;
    this.opportunities = matched ? ctx.accounts.openOpportunities(matched.Id) : [];
  }

  /** `FieldReader.values`: only the matched account's open opportunities are a list. */
  values(scope: Scope, field: string): unknown[] {
    return scope === 'opportunity' ? this.opportunities.map((o) => o[field]) : [];
  }

  /** `FieldReader.changed`: an update's trigger names the field, or its previous value differs. */
  changed(field: string): { changed: boolean; before: unknown } {
    const previous = this.ctx.trigger.previous;
    const before = previous?.[field];
    const touched = this.ctx.trigger.changedFields?.includes(field) ?? false;
    const differs =
      previous !== undefined && Object.hasOwn(previous, field) && !sameValue(before, this.lead[field]);
    return { changed: touched || differs, before };
  }

  run(): Decision {
    let flow = this.flow;
    let nodeId = flow.start;
    let depth = 0;
    for (let steps = 0; steps < MAX_STEPS; steps++) {
      const node = flow.nodes[nodeId];
      if (!node) throw new FlowRuntimeError(`flow ${flow.flow} has no node '${nodeId}'`);
      const next = this.step(flow, nodeId, node);
      if (next === null) return this.finish();
      if (typeof next === 'string') {
        nodeId = next;
        continue;
      }
      if (++depth > MAX_FLOW_DEPTH)
        throw new FlowRuntimeError(`flows hand over more than ${MAX_FLOW_DEPTH} times`);
      flow = next;
      this.finalFlow = next;
      nodeId = next.start;
    }
    throw new FlowRuntimeError(`flow ${this.flow.flow} did not end within ${MAX_STEPS} steps`);
  }

  /** Adds the node being run to the path, with what it did in words. */
  private record(text: string, conditions?: ConditionTrace[]): void {
    const { flow, node, type } = this.stepAt;
    this.path.push(conditions ? { flow, node, type, text, conditions } : { flow, node, type, text });
  }

  /** Runs one node; returns the next node id, a flow to hand over to, or null at the end. */
  private step(flow: Flow, id: string, node: NodeDoc): string | Flow | null {
    this.stepAt = { flow: flow.flow, node: id, type: node.type };
    const label = node.label ? `${node.label}: ` : '';

    switch (node.type) {
      case 'match':
        this.record(label + this.match(node.typeOrder));
        return node.next;
      case 'decision': {
        const traces: ConditionTrace[] = [];
        for (const [i, branch] of node.branches.entries()) {
          const before = traces.length;
          if (evaluate(branch.when, this, traces)) {
            const name = branch.label ?? `branch ${i + 1}`;
            this.record(
              `${label}${name}, because ${traces
                .slice(before)
                .map((t) => t.text)
                .join('; ')}`,
              traces,
            );
            return branch.next;
          }
        }
        const failed = traces.filter((t) => !t.result).map((t) => t.text);
        this.record(`${label}no branch applies (${failed.join('; ')}), so the default path is taken`, traces);
        return node.default ?? null;
      }
      case 'update':
        this.record(label + this.set(node.set));
        return node.next;
      case 'assign': {
        this.excluded = node.excludeCurrentOwner && this.lead.OwnerId ? this.lead.OwnerId : null;
        const resolved = this.resolve(node.to, false);
        this.excluded = null;
        const updated = node.set ? ` ${this.set(node.set)}` : '';
        if (resolved.owner) {
          this.owner = resolved.owner.owner;
          if (resolved.owner.poolChange) this.poolChanges.push(resolved.owner.poolChange);
          this.record(`${label}${resolved.owner.text}${triedFirst(resolved.skipped)}.${updated}`);
        } else {
          this.record(
            `${label}nobody could take the lead (${resolved.skipped.join('; ')}), so it keeps its owner.${updated}`,
          );
        }
        return node.next;
      }
      case 'convert': {
        if (!this.account) {
          this.record(`${label}cannot convert: the lead is not matched to an account`);
          return node.next;
        }
        const resolved = this.resolve(node.owner, true);
        const updated = node.set ? ` ${this.set(node.set)}` : '';
        if (!resolved.owner) {
          this.record(`${label}cannot convert: no active owner (${resolved.skipped.join('; ')}).${updated}`);
          return node.next;
        }
        this.owner = resolved.owner.owner;
        this.conversion = {
          accountId: this.account.Id,
          ownerId: resolved.owner.owner.id,
          createOpportunity: node.createOpportunity,
          convertedStatus: node.convertedStatus,
        };
        const opportunity = node.createOpportunity ? ' with a new opportunity' : '';
        this.record(
          `${label}convert to a contact on ${this.account.Name}${opportunity}; ${resolved.owner.text}${triedFirst(resolved.skipped)}.${updated}`,
        );
        return node.next;
      }
      case 'refuse':
        this.refusal = {
          code: node.code,
          message: this.render(node.message),
          action: this.render(node.action),
        };
        this.record(`${label}refused: ${this.refusal.message}`);
        return null;
      case 'subflow': {
        const target = this.ctx.flows?.(node.flow);
        if (!target)
          throw new FlowRuntimeError(`flow ${flow.flow} hands over to '${node.flow}', which is not loaded`);
        this.record(`${label}hand over to the ${target.label} flow`);
        return target;
      }
      case 'end':
        this.record(node.summary ? this.render(node.summary) : `${label || 'End: '}done`);
        return null;
    }
  }

  private match(typeOrder: string[] | undefined): string {
    const policy = typeOrder
      ? { typeOrder, then: this.ctx.tieBreak?.then ?? ['openOpportunities', 'lastActivity'] }
      : this.ctx.tieBreak;
    this.matchRan = true;
    const found = this.ctx.accounts.lookup(this.lead, { limit: 3, ...(policy ? { policy } : {}) });
    this.candidates = found.outcome === 'matched' ? found.candidates : [];
    this.lookAlikes = found.outcome === 'ambiguous' ? found.candidates : [];
    this.account = this.candidates[0]?.account;
    this.opportunities = this.account ? this.ctx.accounts.openOpportunities(this.account.Id) : [];
    this.sameCompany = this.ctx.leads.sameCompany(this.lead, { limit: 25 });
    const others =
      this.sameCompany.length > 0
        ? `; ${this.sameCompany.length} other lead${this.sameCompany.length === 1 ? '' : 's'} from the same company`
        : '';
    const best = this.candidates[0];
    // Look-alikes none of which is clearly the account: routed as unmatched, saying which tie.
    if (!best && found.outcome === 'ambiguous') return `no account matched: ${found.reason}${others}`;
    if (!best) return `no account matched${others}`;
    const opps =
      this.opportunities.length > 0
        ? `, with ${this.opportunities.length} open opportunit${this.opportunities.length === 1 ? 'y' : 'ies'} (${this.opportunities.map((o) => o.StageName).join(', ')})`
        : '';
    const runnerUp = this.candidates[1]
      ? `; next best ${this.candidates[1].account.Name} (${this.candidates[1].score.toFixed(2)})`
      : '';
    return `matched ${best.account.Name} (${best.account.Type ?? 'no type'}, score ${best.score.toFixed(2)}): ${best.reason}${opps}${runnerUp}${others}`;
  }

  /** Tries targets in order; the first that yields an owner wins. Users must be active. */
  private resolve(
    to: AssignTargetDoc | AssignTargetDoc[],
    usersOnly: boolean,
  ): { owner: Resolved | null; skipped: string[] } {
    const skipped: string[] = [];
    for (const target of Array.isArray(to) ? to : [to]) {
      const result = this.resolveOne(target, usersOnly);
      if (typeof result === 'string') skipped.push(result);
      else return { owner: result, skipped };
    }
    return { owner: null, skipped };
  }

  private resolveOne(target: AssignTargetDoc, usersOnly: boolean): Resolved | string {
    if (target.user !== undefined) return this.userOwner(target.user, 'named user', usersOnly);
    if (target.field !== undefined) {
      const { scope, field } = splitField(target.field);
      const id = scope === 'opportunity' ? this.opportunities[0]?.[field] : this.value(scope, field);
      // Said as people say the field ("Account BDR"), as the rep's plain path says it.
      const label = fieldLabel(scope, field);
      if (isEmpty(id)) return `${label} is empty`;
      return this.userOwner(String(id), label, usersOnly);
    }
    if (target.sameCompanyOwner) return this.sameCompanyOwner(usersOnly);
    if (usersOnly) return `${describeTarget(target)} cannot own a contact`;
    if (target.queue !== undefined) {
      // The routing set's loader resolved the queue's DeveloperName to its Id.
      const queue = this.ctx.directory.queue(target.queue);
      if (!queue) return `queue ${target.queue} does not exist`;
      return {
        owner: { kind: 'queue', id: queue.Id, name: queue.Name, via: `queue ${queue.Name}` },
        text: `queued in ${queue.Name}`,
      };
    }
    if (target.pool !== undefined) return this.poolOwner(target.pool);
    if (target.territory !== undefined) {
      const table = this.ctx.territories(target.territory);
      if (!table) return `territory table ${target.territory} does not exist`;
      const hit = findTerritory(table, this.lead);
      if (!hit) return `no row of territory table ${target.territory} fits this lead`;
      const resolved = this.resolveOne(hit.assign as AssignTargetDoc, usersOnly);
      if (typeof resolved === 'string') return `territory ${target.territory} (${hit.reason}): ${resolved}`;
      return {
        ...resolved,
        text: `${resolved.text}, chosen by territory ${target.territory} (${hit.reason})`,
      };
    }
    return 'empty target';
  }

  private userOwner(id: string, via: string, usersOnly: boolean): Resolved | string {
    const user = this.ctx.directory.user(id);
    if (!user) {
      const queue = this.ctx.directory.queue(id);
      if (queue && !usersOnly) {
        return {
          owner: { kind: 'queue', id: queue.Id, name: queue.Name, via },
          text: `queued in ${queue.Name} (${via})`,
        };
      }
      return `${via} ${id} is not a user`;
    }
    if (!user.IsActive) return `${via} ${user.Name} is inactive`;
    if (user.Id === this.excluded) return `${via} ${user.Name} already owns the lead`;
    if (this.ctx.trigger.exclude?.includes(user.Id)) return `${via} ${user.Name} let this lead’s SLA lapse`;
    return {
      owner: { kind: 'user', id: user.Id, name: user.Name, via },
      text: `assigned to ${user.Name} (${via})`,
    };
  }

  /**
   * The person in sales development who owns most of the company's other leads. Leads held by a
   * queue, an integration or marketing-automation user, or anyone outside sales development do not
   * count (see `notInSalesDevelopment`).
   */
  private sameCompanyOwner(usersOnly: boolean): Resolved | string {
    if (!this.matchRan) return 'no match step ran, so other leads from the company are unknown';
    const counts = new Map<string, number>();
    const passedOver = new Set<string>();
    for (const { lead } of this.sameCompany) {
      if (!lead.OwnerId) continue;
      const user = this.ctx.directory.user(lead.OwnerId);
      const why = user
        ? notInSalesDevelopment(user)
        : `${this.ctx.directory.queue(lead.OwnerId)?.Name ?? lead.OwnerId} is a queue`;
      if (why === null) counts.set(lead.OwnerId, (counts.get(lead.OwnerId) ?? 0) + 1);
      else passedOver.add(why);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const top = ranked[0];
    if (!top) {
      if (this.sameCompany.length === 0) return 'no other leads from the same company';
      const why = passedOver.size > 0 ? `: ${[...passedOver].join(', ')}` : '';
      return `nobody in sales development owns the other leads from the same company${why}`;
    }
    const resolved = this.userOwner(top[0], 'owner of other leads from the same company', usersOnly);
    if (typeof resolved === 'string') return resolved;
    return {
      ...resolved,
      text: `assigned to ${resolved.owner.name}, who owns ${top[1]} other lead${top[1] === 1 ? '' : 's'} from the same company`,
    };
  }

  private poolOwner(name: string): Resolved | string {
    const pool = this.ctx.pools.definition(name);
    if (!pool) return `pool ${name} does not exist`;
    const state = this.poolStates.get(name) ?? this.ctx.pools.state(name);
    const stats = this.ctx.pools.stats?.bind(this.ctx.pools);
    const exclude = new Map<string, string>();
    for (const id of this.ctx.trigger.exclude ?? []) exclude.set(id, 'let this lead’s SLA lapse');
    if (this.excluded) exclude.set(this.excluded, 'already owns the lead');
    const pick = pickFromPool(pool, state, (id) => this.ctx.directory.user(id), this.ctx.now, stats, exclude);
    if (!pick.userId) return `pool ${pool.label ?? name}: ${pick.reason}`;
    // A rejected lead: the one who rejected it gets their turn back.
    const giveBack = this.ctx.trigger.sla?.step === REJECTED_STEP ? this.ctx.trigger.actorId : null;
    if (giveBack) pick.state = giveBackTurn(pool, pick.state, giveBack);
    this.poolStates.set(name, pick.state);
    const user = this.ctx.directory.user(pick.userId);
    const skipped =
      pick.skipped.length > 0
        ? `; skipped ${pick.skipped.map((s) => `${this.userName(s.userId)} (${s.reason})`).join(', ')}`
        : '';
    return {
      owner: { kind: 'user', id: pick.userId, name: user?.Name ?? pick.userId, via: pool.label ?? name },
      poolChange: { pool: name, userId: pick.userId, state: pick.state },
      text: `assigned to ${user?.Name ?? pick.userId} from ${pool.label ?? name}: ${pick.reason}${skipped}`,
    };
  }

  private set(values: Record<string, unknown>): string {
    const parts: string[] = [];
    for (const [field, raw] of Object.entries(values)) {
      const value = typeof raw === 'string' ? this.render(raw) : raw;
      (this.updates as Record<string, unknown>)[field] = value;
      parts.push(`${field} = ${isEmpty(value) ? 'empty' : String(value)}`);
    }
    return `set ${parts.join(', ')}`;
  }

  value(scope: Scope | string, field: string): unknown {
    switch (scope) {
      case 'lead':
        if (field === 'Name' && this.lead.Name === undefined) {
          return [this.lead.FirstName, this.lead.LastName].filter(Boolean).join(' ') || null;
        }
        return this.lead[field];
      case 'account':
        return this.account?.[field];
      case 'campaign':
        return this.ctx.membership?.campaign[field];
      case 'campaignMember':
        return this.ctx.membership?.member[field];
      case 'owner':
        return this.ownerField(field);
      case 'trigger':
        return (this.ctx.trigger as unknown as Record<string, unknown>)[field];
      case 'routing':
        return this.routingField(field);
      default:
        return undefined;
    }
  }

  private ownerField(field: string): unknown {
    const ownerId = this.lead.OwnerId;
    if (!ownerId) return undefined;
    const user = this.ctx.directory.user(ownerId);
    if (user) return field === 'IsQueue' ? false : user[field];
    const queue = this.ctx.directory.queue(ownerId);
    if (!queue) return undefined;
    return ({ Id: queue.Id, Name: queue.Name, IsQueue: true, IsActive: true } as Record<string, unknown>)[
      field
    ];
  }

  private routingField(field: string): unknown {
    switch (field) {
      case 'leadRegion':
        return regionOf(this.lead.Country ?? null);
      case 'accountRegion':
        return this.account ? regionOf(this.account.BillingCountry ?? null) : null;
      case 'accountOwnerRole': {
        const ownerId = this.account?.OwnerId;
        return ownerId ? (this.ctx.directory.user(ownerId)?.Role__c ?? null) : null;
      }
      case 'matchScore':
        return this.candidates[0]?.score ?? null;
      case 'matchMethod':
        return this.candidates[0]?.method ?? null;
      case 'sameCompanyLeads':
        return this.sameCompany.length;
      case 'openOpportunities':
        return this.opportunities.length;
      default:
        return undefined;
    }
  }

  private userName(id: string): string {
    return this.ctx.directory.user(id)?.Name ?? id;
  }

  /** Fills {scope.Field} placeholders; user and queue Ids become names. */
  private render(template: string): string {
    return template.replace(/\{([a-zA-Z]+)\.([A-Za-z0-9_]+)\}/g, (_, scope: string, field: string) => {
      const value = this.value(scope, field);
      if (isEmpty(value)) return '(none)';
      const text = String(value);
      return this.ctx.directory.user(text)?.Name ?? this.ctx.directory.queue(text)?.Name ?? text;
    });
  }

  private finish(): Decision {
    const previousOwner = this.ownerRef(this.lead.OwnerId ?? null);
    const owner = this.owner;
    const ownerChanged = owner !== null && owner.id !== this.lead.OwnerId;
    const outcome: Decision['outcome'] = this.refusal
      ? 'refused'
      : this.conversion
        ? 'converted'
        : !ownerChanged
          ? 'unchanged'
          : owner.kind === 'queue'
            ? 'queued'
            : 'assigned';
    const summary = this.summarise(outcome, previousOwner, this.updates.In_Hopper__c === true);

    const updates: Partial<LeadRecord> = { ...this.updates };
    if (this.lead.Rerun_Routing__c) updates.Rerun_Routing__c = false;
    // "Hopper and Assign To" (Distribute Lead): a lead placed by a node that does not put it in the
    // Hopper leaves the Hopper, also when that node keeps its named owner (who now works it).
    if (!this.refusal && owner !== null && this.lead.In_Hopper__c && updates.In_Hopper__c === undefined) {
      updates.In_Hopper__c = false;
    }
    if (!this.refusal) {
      if (ownerChanged && !this.conversion) updates.OwnerId = owner.id;
      if (this.matchRan) updates.Matched_Account__c = this.account?.Id ?? null;
      updates.Last_Routing_Flow__c = this.finalFlow.label;
      updates.Last_Routed_At__c = this.ctx.now;
      updates.Routing_Reason__c = summary.slice(0, 255);
    }

    return {
      leadId: this.lead.Id,
      flow: { name: this.flow.flow, version: this.flow.version },
      finalFlow: { name: this.finalFlow.flow, version: this.finalFlow.version, label: this.finalFlow.label },
      decidedAt: this.ctx.now,
      trigger: this.ctx.trigger.kind,
      outcome,
      owner: this.refusal ? null : owner,
      previousOwner,
      fieldUpdates: updates,
      conversion: this.refusal ? null : this.conversion,
      matched: {
        account: this.candidates[0]
          ? toMatched(this.candidates[0])
          : this.account
            ? storedMatch(this.account)
            : null,
        candidates: (this.candidates.length > 0 ? this.candidates : this.lookAlikes).map(toMatched),
        sameCompanyLeads: this.sameCompany.map(({ lead, reason }) => ({
          id: lead.Id,
          ownerId: lead.OwnerId ?? null,
          reason,
        })),
        opportunities: this.opportunities.map((o) => ({
          id: o.Id,
          name: o.Name ?? null,
          stage: o.StageName,
        })),
      },
      poolChanges: this.refusal ? [] : this.poolChanges,
      refusal: this.refusal,
      path: this.path,
      summary,
    };
  }

  private summarise(outcome: Decision['outcome'], previous: OwnerRef | null, toHopper: boolean): string {
    const owner = this.owner;
    // "Hopper and Assign To": in the Hopper with a named owner (a person), or unassigned (the queue).
    if (toHopper && owner?.kind === 'user' && (outcome === 'assigned' || outcome === 'unchanged')) {
      return `In the Hopper, with ${owner.name} named as owner (${this.finalFlow.label})`;
    }
    if (toHopper && owner?.kind === 'queue' && (outcome === 'queued' || outcome === 'unchanged')) {
      return `In the Hopper, unassigned: ${owner.name} holds it (${this.finalFlow.label})`;
    }
    switch (outcome) {
      case 'refused':
        return `Not routed: ${this.refusal!.message}`;
      case 'converted':
        return `Converted to a contact on ${this.account?.Name ?? 'the matched account'}, owned by ${owner!.name} (${owner!.via})`;
      case 'queued':
        return `Queued in ${owner!.name} (${this.finalFlow.label})`;
      case 'assigned':
        return `Assigned to ${owner!.name} (${owner!.via})`;
      default:
        return previous
          ? `Stays with ${previous.name} (${this.finalFlow.label})`
          : `Left unassigned (${this.finalFlow.label})`;
    }
  }

  private ownerRef(id: string | null): OwnerRef | null {
    if (!id) return null;
    const user = this.ctx.directory.user(id);
    if (user) return { kind: 'user', id, name: user.Name };
    const queue = this.ctx.directory.queue(id);
    return queue ? { kind: 'queue', id, name: queue.Name } : { kind: 'user', id, name: id };
  }
}

function triedFirst(skipped: string[]): string {
  return skipped.length > 0 ? ` (tried first: ${skipped.join('; ')})` : '';
}

function toMatched(c: AccountCandidate): MatchedAccount {
  return {
    id: c.account.Id,
    name: c.account.Name,
    type: c.account.Type ?? null,
    score: c.score,
    method: c.method,
    reason: c.reason,
  };
}

function storedMatch(account: AccountRecord): MatchedAccount {
  return {
    id: account.Id,
    name: account.Name,
    type: account.Type ?? null,
    score: 1,
    method: 'stored',
    reason: 'matched account stored on the lead',
  };
}

/** What every decision stamps on the lead: routing's own record of having looked, not a change. */
const BOOKKEEPING_FIELDS: ReadonlySet<string> = new Set([
  'Last_Routing_Flow__c',
  'Last_Routed_At__c',
  'Routing_Reason__c',
]);

/**
 * True when the decision would leave the lead as it is: not refused, the owner kept, nothing
 * converted, and every field it sets already holding that value (its bookkeeping aside). Such a
 * decision, made because someone changed the lead, is not worth a write or a history entry.
 */
export function changesNothing(decision: Decision, lead: LeadRecord): boolean {
  if (decision.refusal || decision.conversion || decision.outcome !== 'unchanged') return false;
  if (decision.poolChanges.length > 0) return false;
  return Object.entries(decision.fieldUpdates).every(
    ([field, value]) => BOOKKEEPING_FIELDS.has(field) || sameValue(value, lead[field]),
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  return (isEmpty(a) && isEmpty(b)) || a === b;
}
