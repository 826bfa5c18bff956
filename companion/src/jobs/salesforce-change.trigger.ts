import type { ChangeEvent, CrmPort } from '../crm/crm.port.js';
import type { OrgReadPort } from '../crm/org-read.port.js';
import { selectFlow, type RoutingSet } from '../engine/flow/routing-set.js';
import { leadFieldsWritten } from '../engine/lead-fields-written.js';
import type { AccountRecord, Trigger, UserRecord } from '../engine/model.js';
import type { RouteRequest, RoutingService } from '../routing/routing.service.js';
import type { ContactRouter } from '../routing/contact-router.js';
import type { InactiveOwnerSweep } from './inactive-owner.sweep.js';

/**
 * Set on every update, and listed in changedFields with the rest ("ChangeEventHeader Fields",
 * https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_event_fields_header.htm):
 * they say nothing about the lead.
 */
const SYSTEM_FIELDS = new Set(['LastModifiedDate', 'SystemModstamp', 'LastModifiedById']);

export interface SalesforceChangeTriggerOptions {
  crm: CrmPort;
  org: OrgReadPort;
  service: RoutingService;
  routingSet: RoutingSet;
  /** Routes the open leads of a user the org deactivated, as the periodic sweep would, but at once. */
  inactiveOwners?: Pick<InactiveOwnerSweep, 'usersChanged'>;
  /** Re-owns the contacts of accounts whose owner or BDR changed (handbook job 6). */
  contacts?: Pick<ContactRouter, 'routeAccounts'>;
}

/** Account fields whose change sends the account's contacts through contact ownership again. */
const CONTACT_OWNERSHIP_FIELDS = ['OwnerId', 'BDR_Assigned__c'];

/**
 * Turns the org's change events into routing: new leads are routed, updated leads when a flow watches
 * a field the update touched (Re-run Routing ticked, Status of a held lead); accounts and users changed
 * in the org refresh the match index and the people before later decisions read them, the open
 * leads of a user just deactivated are routed to someone at work, and the contacts of an account
 * whose owner or BDR changed follow contact ownership. Awaited by the change feed before
 * it stores the replay id, so a crash replays the event rather than losing it.
 */
export class SalesforceChangeTrigger {
  /** What routing with these flows writes: its own changes of these fields come back, and are not news. */
  private readonly routingWrites: Set<string>;

  constructor(private readonly options: SalesforceChangeTriggerOptions) {
    this.routingWrites = new Set(leadFieldsWritten(options.routingSet.flows.values()));
  }

  async onChange(event: ChangeEvent): Promise<void> {
    if (event.kind === 'deleted') {
      if (event.object === 'Lead') this.options.service.applyChanges({ removedLeadIds: event.ids });
      if (event.object === 'Account') this.options.service.applyChanges({ removedAccountIds: event.ids });
      return;
    }
    if (event.object === 'Account') {
      const found = await Promise.all(event.ids.map((id) => this.options.org.getAccount(id)));
      const accounts = found.filter((a): a is AccountRecord => a !== null);
      this.options.service.applyChanges({ accounts });
      // Unknown fields (polling, resyncs) may hide an owner change: contact ownership only moves
      // contacts that are not where they belong, so running it again changes nothing.
      const ownersMayHaveChanged =
        event.changedFields === null || event.changedFields.some((f) => CONTACT_OWNERSHIP_FIELDS.includes(f));
      if (ownersMayHaveChanged && accounts.length > 0)
        await this.options.contacts?.routeAccounts(accounts.map((a) => a.Id));
      return;
    }
    if (event.object === 'User') {
      const found = await Promise.all(event.ids.map((id) => this.options.org.getUser(id)));
      const users = found.filter((u): u is UserRecord => u !== null);
      // A deactivated user's leads must not wait with someone who left: routed now, once (the
      // sweep's request keys).
      const isActiveChanged = event.changedFields?.includes('IsActive') ?? false;
      if (this.options.inactiveOwners) await this.options.inactiveOwners.usersChanged(users, isActiveChanged);
      else this.options.service.applyChanges({ users });
      return;
    }
    const contexts = await this.options.crm.getLeadContexts(event.ids);
    this.options.service.applyChanges({ leads: [...contexts.values()].map((c) => c.lead) });
    const trigger = this.triggerFor(event);
    if (!trigger) return;
    // An event delivered again (after a restart between routing and storing the replay id) returns
    // the stored decision instead of routing the lead twice: a lead is created once; an update is
    // known by the event that brought it.
    const keyOf = (leadId: string): string | null => {
      if (trigger.kind === 'created') return `salesforce-created:${leadId}`;
      return event.key === undefined ? null : `salesforce-change:${event.key}:${leadId}`;
    };
    const requests: RouteRequest[] = [...contexts.keys()].map((leadId) => {
      const requestKey = keyOf(leadId);
      return requestKey === null ? { leadId, trigger } : { leadId, trigger, requestKey };
    });
    if (requests.length > 0) await this.options.service.routeMany(requests);
  }

  /** The trigger a lead event stands for, or null when no flow would route it. */
  triggerFor(event: ChangeEvent): Trigger | null {
    if (event.object !== 'Lead') return null;
    let trigger: Trigger;
    if (event.kind === 'created') {
      trigger = { kind: 'created' };
    } else {
      // Polling and resyncs cannot say what changed; only a known change can start a route-on-update.
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
    return selectFlow(this.options.routingSet, trigger) ? trigger : null;
  }
}
