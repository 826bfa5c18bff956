import { refreshApex } from '@salesforce/apex';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import { publish, subscribe, unsubscribe } from 'lightning/messageService';
import ROUTING_CHANNEL from '@salesforce/messageChannel/Switchyard_Routing__c';

/**
 * How a Lead page component (pickup clock, routing history, partner badge) follows its lead. Two things
 * say the lead moved on: the Lead fields it watches through Lightning Data Service changed (a re-route,
 * a rep working the lead, a partner sync; any component's `notifyRecordUpdateAvailable` re-reads them),
 * or a re-route of this lead was answered, even with a refusal that changed no field (the Switchyard
 * Routing message channel). Either way the component's `refresh` runs.
 *
 * The component keeps its own `@wire(getRecord, …)` (wires are declared on the component) and hands
 * each read to `recordRead`; it calls `listen` when connected and `stop` when disconnected.
 */
export class LeadFollower {
  /** @param {() => unknown} refresh what the component does to read its data again */
  constructor(refresh) {
    this.refresh = refresh;
    this.lastSeen = undefined;
    this.subscription = undefined;
  }

  /** getRecord's data: the first read only sets what was seen; a different one later refreshes. */
  recordRead(data) {
    if (!data) {
      return;
    }
    const signature = JSON.stringify(data.fields);
    if (this.lastSeen !== undefined && this.lastSeen !== signature) {
      this.refresh();
    }
    this.lastSeen = signature;
  }

  /** Refreshes on every routing message about the lead `leadId()` names (read at the message). */
  listen(messageContext, leadId) {
    this.subscription = subscribe(messageContext, ROUTING_CHANNEL, (message) => {
      if (message && message.leadId === leadId()) {
        this.refresh();
      }
    });
  }

  stop() {
    unsubscribe(this.subscription);
    this.subscription = undefined;
  }
}

/** Reads a wired Apex result again; nothing before the wire has answered once. */
export async function refreshWired(wired) {
  if (wired) {
    await refreshApex(wired);
  }
}

/** Tells every component showing this lead (history, clock, matched leads) that routing answered for it. */
export function announceRouting(messageContext, leadId, outcome) {
  publish(messageContext, ROUTING_CHANNEL, { leadId, outcome });
}

/**
 * The lead has a new owner (or a re-route changed it): Lightning Data Service re-reads the record, so the
 * owner on the page and every component wired to it follow without a reload, then the others hear of it.
 */
export async function announceLeadChanged(messageContext, leadId, outcome) {
  await notifyRecordUpdateAvailable([{ recordId: leadId }]);
  announceRouting(messageContext, leadId, outcome);
}
