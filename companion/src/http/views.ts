import type { OrgReadPort } from '../crm/org-read.port.js';
import type { Decision, Directory, OwnerRef } from '../engine/decision.js';
import type { AccountRecord, LeadRecord, QueueRecord, UserRecord } from '../engine/model.js';
import { KEY_PREFIX, toId18 } from '../engine/salesforce-id.js';
import type { HistoryItem, RouteResult } from './app-context.js';

/** Owner as the components show it. */
export interface OwnerView {
  id: string;
  name: string;
  kind: 'user' | 'queue';
}

export const fullName = (lead: Pick<LeadRecord, 'FirstName' | 'LastName'>): string =>
  [lead.FirstName, lead.LastName].filter((part) => part && part.trim()).join(' ');

/** ISO dates stay as they are; anything unparsable becomes null rather than a wrong date. */
export const isoOrNull = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() && !Number.isNaN(Date.parse(value)) ? value : null;

const id18 = (id: string | null | undefined): string | null => (id ? toId18(id) : null);

/** Names of users and queues by Id, read in two queries for a whole page. */
export class OwnerNames {
  private constructor(
    private readonly users: Map<string, UserRecord>,
    private readonly queues: Map<string, QueueRecord>,
  ) {}

  static async load(org: OrgReadPort, ids: Array<string | null | undefined>): Promise<OwnerNames> {
    const wanted = [...new Set(ids.map(id18).filter((id): id is string => id !== null))];
    const [users, queues] = await Promise.all([
      org.getMany<UserRecord>(
        'User',
        wanted.filter((id) => id.startsWith(KEY_PREFIX.user)),
      ),
      org.getMany<QueueRecord>(
        'Queue',
        wanted.filter((id) => id.startsWith(KEY_PREFIX.queue)),
      ),
    ]);
    return new OwnerNames(users, queues);
  }

  user(id: string | null | undefined): UserRecord | undefined {
    const key = id18(id);
    return key ? this.users.get(key) : undefined;
  }

  owner(id: string | null | undefined): OwnerView | null {
    const key = id18(id);
    if (!key) return null;
    const queue = this.queues.get(key);
    if (queue) return { id: key, name: queue.Name, kind: 'queue' };
    const user = this.users.get(key);
    if (user) return { id: key, name: user.Name, kind: 'user' };
    // An owner the org does not know (deleted, or outside the demo) still shows its Id.
    return { id: key, name: key, kind: key.startsWith(KEY_PREFIX.queue) ? 'queue' : 'user' };
  }
}

/**
 * The name of a user or queue as the routing snapshot knows it (no call to the org), for answers that
 * name who did something or who is next; null for nobody, the Id itself for one the org no longer has.
 */
export function personName(directory: Directory, id: string | null | undefined): string | null {
  if (!id) return null;
  return directory.user(id)?.Name ?? directory.queue(id)?.Name ?? id;
}

export function ownerRef(ref: OwnerRef | null): OwnerView | null {
  return ref ? { id: ref.id, name: ref.name, kind: ref.kind } : null;
}

export interface LeadView {
  id: string;
  name: string;
  title: string | null;
  email: string | null;
  company: string | null;
  status: string | null;
  country: string | null;
  owner: OwnerView | null;
  matchedAccount: { id: string; name: string } | null;
  lastRoutedAt: string | null;
  routingReason: string | null;
}

export function leadView(lead: LeadRecord, owners: OwnerNames, account: AccountRecord | null): LeadView {
  return {
    id: lead.Id,
    name: fullName(lead),
    title: lead.Title ?? null,
    email: lead.Email ?? null,
    company: lead.Company ?? null,
    status: lead.Status ?? null,
    country: lead.Country ?? null,
    owner: owners.owner(lead.OwnerId),
    matchedAccount: account ? { id: account.Id, name: account.Name } : null,
    lastRoutedAt: isoOrNull(lead.Last_Routed_At__c),
    routingReason: lead.Routing_Reason__c ?? null,
  };
}

/** The flow a person recognises: the one that made the final decision, by its label. */
export const flowView = (d: Decision) => ({
  name: d.finalFlow.label || d.finalFlow.name,
  version: d.finalFlow.version,
});
const pathView = (d: Decision) => d.path.map((step) => ({ node: step.node, text: step.text }));

export function routeView(result: RouteResult, dryRun: boolean) {
  const d = result.decision;
  return {
    leadId: d.leadId,
    decisionId: result.decisionId,
    dryRun,
    outcome: d.outcome,
    owner: ownerRef(d.owner),
    previousOwner: ownerRef(d.previousOwner),
    flow: flowView(d),
    summary: d.summary,
    path: pathView(d),
    decidedAt: d.decidedAt,
    status: result.status,
    errors: result.errors,
  };
}

/**
 * One decision of a lead's history: what happened (a refusal is an outcome of its own, whatever the
 * write status), who asked and why (a person's re-route), and who owned the lead before. `people` names
 * the users who asked; `steps` are the path's deciding steps in plain words.
 */
export function historyView(
  item: HistoryItem,
  people: OwnerNames,
  steps: Array<{ node: string; text: string }>,
) {
  const d = item.decision;
  const actor = item.trigger.actorId ? people.owner(item.trigger.actorId) : null;
  return {
    id: item.decisionId,
    decidedAt: d.decidedAt,
    flow: flowView(d),
    trigger: d.trigger,
    outcome: d.outcome,
    owner: ownerRef(d.owner),
    previousOwner: ownerRef(d.previousOwner),
    actor: actor ? { id: actor.id, name: actor.name } : null,
    reason: item.trigger.reason?.trim() || null,
    job: item.trigger.job ?? null,
    refusal: d.refusal
      ? { code: d.refusal.code, message: d.refusal.message, action: d.refusal.action }
      : null,
    summary: d.summary,
    status: item.status,
    /** The steps that decided, in words (path-words.ts); `path` is every step, for admins. */
    steps,
    path: pathView(d),
    errors: item.errors,
  };
}

export function userView(user: UserRecord) {
  return {
    id: user.Id,
    name: user.Name,
    role: user.Role__c ?? null,
    region: user.Region__c ?? null,
    active: user.IsActive,
    outOfOfficeUntil: isoOrNull(user.Out_Of_Office_Until__c),
    permissions: { reroute: user.HasReroutePermission === true },
  };
}

export function accountView(account: AccountRecord, owners: OwnerNames) {
  const bdr = owners.user(account.BDR_Assigned__c);
  return {
    id: account.Id,
    name: account.Name,
    website: account.Website ?? null,
    type: account.Type ?? null,
    country: account.BillingCountry ?? null,
    owner: owners.owner(account.OwnerId),
    bdr: bdr ? { id: bdr.Id, name: bdr.Name } : null,
    bdrProspectingStatus: account.BDR_Prospecting_Status__c ?? null,
    lastActivity: isoOrNull(account.LastActivityDate),
  };
}
