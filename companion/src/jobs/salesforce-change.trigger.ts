import type { ChangeEvent, CrmPort } from '../crm/crm.port.js';
import type { OrgReadPort } from '../crm/org-read.port.js';
import { selectFlow, type RoutingSet } from '../engine/flow/routing-set.js';
import { leadFieldsWritten } from '../engine/lead-fields-written.js';
import type {
  AccountRecord,
  CampaignMemberRecord,
  LeadRecord,
  OpportunityRecord,
  Trigger,
  UserRecord,
} from '../engine/model.js';
import type { Clock, RouteRequest, RoutingService } from '../routing/routing.service.js';
import type { ContactRouter } from '../routing/contact-router.js';
import type { InactiveOwnerSweep } from './inactive-owner.sweep.js';
import type { ResumePoints } from './lead-change.trigger.js';

/**
 * Set on every update, and listed in changedFields with the rest ("ChangeEventHeader Fields",
 * https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_event_fields_header.htm):
 * they say nothing about the lead.
 */
const SYSTEM_FIELDS = new Set(['LastModifiedDate', 'SystemModstamp', 'LastModifiedById']);

/**
 * Where the instant from which leads (and campaign members) count as new is kept: set at the first
 * start, so what the org held before Switchyard listened is never routed as new.
 */
const NEW_SINCE_POINT = 'salesforce/new-since';

export interface SalesforceChangeTriggerOptions {
  crm: CrmPort;
  org: OrgReadPort;
  service: RoutingService;
  /** Keeps the instant from which records count as new; without it, from when this trigger started. */
  resume?: ResumePoints;
  clock?: Clock;
  /** Routes the open leads of a user the org deactivated, as the periodic sweep would, but at once. */
  inactiveOwners?: Pick<InactiveOwnerSweep, 'usersChanged'>;
  /** Re-owns the contacts of accounts whose owner or BDR changed (handbook job 6). */
  contacts?: Pick<ContactRouter, 'routeAccounts'>;
}

/** Account fields whose change sends the account's contacts through contact ownership again. */
const CONTACT_OWNERSHIP_FIELDS = ['OwnerId', 'BDR_Assigned__c'];

/** A lead created, or a campaign member added, is routed once: every path to it names it the same way. */
const createdKey = (leadId: string): string => `salesforce-created:${leadId}`;
const memberKey = (memberId: string): string => `salesforce-campaign-member:${memberId}`;

/**
 * Turns the org's change events into routing: new leads are routed, updated leads when a flow watches
 * a field the update touched (Re-run Routing ticked, Status of a held lead), new campaign members with
 * the `campaign-member` trigger; accounts, opportunities and users changed in the org refresh the
 * match index and the people before later decisions read them, the open leads of a user just
 * deactivated are routed to someone at work, and the contacts of an account whose owner or BDR
 * changed follow contact ownership. Awaited by the change feed before it stores the replay id, so a
 * crash replays the event rather than losing it.
 *
 * Events that cannot say what changed (polling, gap and overflow events, the catch-up after an
 * expired replay id) are routed too: a record created since the stored instant, and not yet routed,
 * is new; otherwise the lead as read now is compared with the copy routing holds, which already
 * carries routing's own writes, so only other people's changes are news.
 */
export class SalesforceChangeTrigger {
  /** What routing with these flows writes: its own changes of these fields come back, and are not news. */
  private writes: { set: RoutingSet; fields: Set<string> } | null = null;
  private newSince: number | null = null;
  private readonly clock: Clock;

  constructor(private readonly options: SalesforceChangeTriggerOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** What the live flows write (worked out again when another set is published). */
  private get routingWrites(): Set<string> {
    const set = this.options.service.routingSet;
    if (this.writes?.set !== set)
      this.writes = { set, fields: new Set(leadFieldsWritten(set.flows.values())) };
    return this.writes.fields;
  }

  /** Reads (or, at the first start ever, stores) the instant from which records count as new. */
  async start(): Promise<void> {
    await this.newSinceMs();
  }

  async onChange(event: ChangeEvent): Promise<void> {
    const { service } = this.options;
    switch (event.object) {
      case 'Account':
        return this.accountsChanged(event);
      case 'User':
        return this.usersChanged(event);
      case 'Opportunity':
        return this.opportunitiesChanged(event);
      case 'CampaignMember':
        return this.membersChanged(event);
      case 'Lead':
        break;
    }
    if (event.kind === 'deleted') {
      service.applyChanges({ removedLeadIds: event.ids });
      return;
    }
    // Routing's own writes coming back, and nothing else in them: the copy routing holds already
    // carries them, so there is nothing to read.
    if (
      event.byIntegrationUser === true &&
      event.changedFields !== null &&
      event.changedFields.every((f) => this.routingWrites.has(f) || SYSTEM_FIELDS.has(f))
    )
      return;
    // The copies routing decided on so far: what an event without field names is compared with.
    const before = new Map(event.ids.map((id) => [id, service.org.leads.get(id)]));
    const contexts = await this.options.crm.getLeadContexts(event.ids);
    service.applyChanges({ leads: [...contexts.values()].map((c) => c.lead) });
    const newSince = event.changedFields === null ? await this.newSinceMs() : 0;
    const requests: RouteRequest[] = [];
    const keyOf = new Map(event.keys?.map((key, i) => [event.ids[i]!, key]));
    for (const [leadId, context] of contexts) {
      const { lead } = context;
      const trigger =
        event.kind === 'updated' && event.changedFields === null
          ? this.unknownChangeTrigger(lead, before.get(leadId), newSince)
          : this.triggerFor(event);
      if (!trigger) continue;
      // An event delivered again (after a restart between routing and storing the replay id) returns
      // the stored decision instead of routing the lead twice: a lead is created once; an update is
      // known by the event that brought it.
      const requestKey =
        trigger.kind === 'created'
          ? createdKey(leadId)
          : keyOf.has(leadId)
            ? `salesforce-change:${keyOf.get(leadId)}:${leadId}`
            : null;
      // Routing decides on the lead as just read, without reading it again.
      requests.push(
        requestKey === null ? { leadId, trigger, context } : { leadId, trigger, requestKey, context },
      );
    }
    if (requests.length > 0) await service.routeMany(requests);
  }

  /** The trigger an event naming its changed fields stands for, or null when no flow would route it. */
  triggerFor(event: ChangeEvent): Trigger | null {
    if (event.object !== 'Lead') return null;
    let trigger: Trigger;
    if (event.kind === 'created') {
      trigger = { kind: 'created' };
    } else {
      // The integration user's changes are routing's own writes (and what they set off) coming back:
      // never news, or routing would loop. Anyone else's change of any field is news (a rep sets
      // Status, ticks Re-run Routing); when the event cannot say who changed it, what routing writes is not.
      if (event.byIntegrationUser === true) return null;
      const news = (event.changedFields ?? []).filter(
        (field) =>
          !SYSTEM_FIELDS.has(field) && (event.byIntegrationUser === false || !this.routingWrites.has(field)),
      );
      if (news.length === 0) return null;
      trigger = { kind: 'updated', changedFields: news };
    }
    return selectFlow(this.options.service.routingSet, trigger) ? trigger : null;
  }

  /**
   * A lead changed in ways the event does not name. New when created since the stored instant and
   * never routed (routing stamps Last_Routed_At__c); otherwise what differs from routing's copy,
   * routing's own fields left out, except a ticked Re-run Routing box, which routing only ever clears.
   */
  private unknownChangeTrigger(
    lead: LeadRecord,
    before: LeadRecord | undefined,
    newSince: number,
  ): Trigger | null {
    const created = lead.CreatedDate ? Date.parse(lead.CreatedDate) : Number.NaN;
    if (created >= newSince && !lead.Last_Routed_At__c) {
      const trigger: Trigger = { kind: 'created' };
      return selectFlow(this.options.service.routingSet, trigger) ? trigger : null;
    }
    const changedFields: string[] = [];
    const previous: Partial<LeadRecord> = {};
    if (before) {
      for (const field of new Set([...Object.keys(before), ...Object.keys(lead)])) {
        if (this.routingWrites.has(field) || SYSTEM_FIELDS.has(field)) continue;
        const was = (before as Record<string, unknown>)[field] ?? null;
        const is = (lead as Record<string, unknown>)[field] ?? null;
        if (was === is) continue;
        changedFields.push(field);
        (previous as Record<string, unknown>)[field] = was;
      }
    }
    if (lead.Rerun_Routing__c === true) {
      changedFields.push('Rerun_Routing__c');
      previous.Rerun_Routing__c = false;
    }
    if (changedFields.length === 0) return null;
    const trigger: Trigger = { kind: 'updated', changedFields, previous };
    return selectFlow(this.options.service.routingSet, trigger) ? trigger : null;
  }

  /** One query for every account the event names, however many. */
  private async accountsChanged(event: ChangeEvent): Promise<void> {
    const { service, contacts } = this.options;
    if (event.kind === 'deleted') {
      service.applyChanges({ removedAccountIds: event.ids });
      return;
    }
    const accounts = [...(await this.options.org.getMany<AccountRecord>('Account', event.ids)).values()];
    service.applyChanges({ accounts });
    // Unknown fields (polling, resyncs) may hide an owner change: contact ownership only moves
    // contacts that are not where they belong, so running it again changes nothing.
    const ownersMayHaveChanged =
      event.changedFields === null || event.changedFields.some((f) => CONTACT_OWNERSHIP_FIELDS.includes(f));
    if (ownersMayHaveChanged && accounts.length > 0) await contacts?.routeAccounts(accounts.map((a) => a.Id));
  }

  /** One query for every user the event names. */
  private async usersChanged(event: ChangeEvent): Promise<void> {
    if (event.kind === 'deleted') return;
    const users = [...(await this.options.org.getMany<UserRecord>('User', event.ids)).values()];
    // A deactivated user's leads must not wait with someone who left: routed now, once (the
    // sweep's request keys).
    const isActiveChanged = event.changedFields?.includes('IsActive') ?? false;
    if (this.options.inactiveOwners) await this.options.inactiveOwners.usersChanged(users, isActiveChanged);
    else this.options.service.applyChanges({ users });
  }

  /** Open opportunities feed the late-stage rule; closed or deleted ones leave their account. */
  private async opportunitiesChanged(event: ChangeEvent): Promise<void> {
    const { service } = this.options;
    if (event.kind === 'deleted') {
      service.applyChanges({ removedOpportunityIds: event.ids });
      return;
    }
    const found = await this.options.org.getMany<OpportunityRecord>('Opportunity', event.ids);
    const gone = event.ids.filter((id) => !found.has(id));
    service.applyChanges({ opportunities: [...found.values()], removedOpportunityIds: gone });
  }

  /**
   * A lead added to a campaign is routed with the `campaign-member` trigger (handbook: partner
   * routing starts "when Traction recognizes a new campaign member"), once per membership.
   */
  private async membersChanged(event: ChangeEvent): Promise<void> {
    if (event.kind === 'deleted') return;
    if (event.kind === 'updated' && event.changedFields !== null) return;
    const trigger: Trigger = { kind: 'campaign-member' };
    if (!selectFlow(this.options.service.routingSet, trigger)) return;
    const members = await this.options.org.getMany<CampaignMemberRecord>('CampaignMember', event.ids);
    const newSince = event.kind === 'created' ? 0 : await this.newSinceMs();
    const requests: RouteRequest[] = [];
    for (const member of members.values()) {
      if (!member.LeadId) continue;
      const added = member.CreatedDate ? Date.parse(member.CreatedDate) : Number.NaN;
      if (event.kind !== 'created' && !(added >= newSince)) continue;
      requests.push({ leadId: member.LeadId, trigger, requestKey: memberKey(member.Id) });
    }
    if (requests.length > 0) await this.options.service.routeMany(requests);
  }

  private async newSinceMs(): Promise<number> {
    if (this.newSince !== null) return this.newSince;
    const stored = await this.options.resume?.get(NEW_SINCE_POINT);
    if (stored) {
      this.newSince = Date.parse(stored);
    } else {
      const now = this.clock().toISOString();
      await this.options.resume?.set(NEW_SINCE_POINT, now);
      this.newSince = Date.parse(now);
    }
    return this.newSince;
  }
}
