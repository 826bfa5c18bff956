import { LightningElement, api, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import { getRecord } from 'lightning/uiRecordApi';
import getRoutingHistory from '@salesforce/apex/SwitchyardController.getRoutingHistory';
import OWNER_ID from '@salesforce/schema/Lead.OwnerId';
import LAST_ROUTED_AT from '@salesforce/schema/Lead.Last_Routed_At__c';
import { formatDateTime, ownerLabel } from 'c/switchyardService';

const TRIGGERS = {
  created: 'New lead',
  updated: 'Lead changed',
  'campaign-member': 'Campaign response',
  reroute: 'Re-routed by a person',
  scheduled: 'Scheduled job',
  'inactive-owner': 'Owner deactivated',
};
const STATUSES = {
  applied: { label: 'Applied', icon: 'utility:success', variant: 'success' },
  pending: { label: 'Waiting to be applied', icon: 'utility:clock', variant: '' },
  failed: { label: 'Failed', icon: 'utility:error', variant: 'error' },
  stale: { label: 'Not applied: the lead changed meanwhile', icon: 'utility:warning', variant: 'warning' },
  'dry-run': { label: 'Simulation only', icon: 'utility:preview', variant: '' },
};
const UNKNOWN_STATUS = { label: 'Unknown', icon: 'utility:question', variant: '' };

/**
 * Routing history (Lead page): every routing decision for the lead as a timeline, newest first, each with
 * the path it took in plain words. The newest decision is open; the others open on demand. The list follows
 * the lead through Lightning Data Service: when its owner or last-routed time changes, the history reloads.
 */
export default class RoutingHistory extends LightningElement {
  @api recordId;
  /** How many decisions to show; set in the Lightning App Builder. */
  @api maxItems = 20;

  history;
  error;
  wiredHistory;
  /** Ids of decisions the user opened or closed, against the default (only the newest open). */
  toggled = new Set();
  lastSeenRecord;
  refreshing = false;

  @wire(getRoutingHistory, { leadId: '$recordId', maxItems: '$limit' })
  receiveHistory(result) {
    this.wiredHistory = result;
    if (result.data) {
      this.history = result.data;
      this.error = undefined;
    } else if (result.error) {
      this.error = result.error;
    }
  }

  @wire(getRecord, { recordId: '$recordId', optionalFields: [OWNER_ID, LAST_ROUTED_AT] })
  receiveRecord({ data }) {
    if (!data) {
      return;
    }
    const signature = JSON.stringify(data.fields);
    if (this.lastSeenRecord !== undefined && this.lastSeenRecord !== signature) {
      this.refresh();
    }
    this.lastSeenRecord = signature;
  }

  get limit() {
    const size = Number(this.maxItems);
    return Number.isInteger(size) && size > 0 ? size : 20;
  }

  get loading() {
    return !this.history && !this.error;
  }

  get isEmpty() {
    return Boolean(this.history) && this.history.items.length === 0;
  }

  get hasDecisions() {
    return Boolean(this.history) && this.history.items.length > 0;
  }

  get decisions() {
    if (!this.history) {
      return [];
    }
    return this.history.items.map((item, index) => {
      const open = (index === 0) !== this.toggled.has(item.id);
      const status = STATUSES[item.status] || UNKNOWN_STATUS;
      const owner = ownerLabel(item.owner);
      const flow = item.flow ? `${item.flow.name} v${item.flow.version}` : '';
      const path = (item.path || []).map((step, stepIndex) => ({
        key: `${stepIndex}-${step.node}`,
        text: step.text,
      }));
      const errors = (item.errors || []).map((error, errorIndex) => ({
        key: `${errorIndex}-${error.code}`,
        text: error.message,
      }));
      return {
        id: item.id,
        summary: item.summary,
        when: formatDateTime(item.decidedAt),
        trigger: TRIGGERS[item.trigger] || item.trigger,
        flow,
        owner: owner ? `Owner: ${owner}` : '',
        statusLabel: status.label,
        statusIcon: status.icon,
        statusVariant: status.variant,
        open,
        expanded: open ? 'true' : 'false',
        path,
        hasPath: path.length > 0,
        errors,
        hasErrors: errors.length > 0,
        itemClass: `slds-timeline__item_expandable slds-timeline__item_task${open ? ' slds-is-open' : ''}`,
        toggleLabel: open ? `Hide the path of: ${item.summary}` : `Show the path of: ${item.summary}`,
        detailsId: `decision-${index}`,
      };
    });
  }

  handleToggle(event) {
    const id = event.currentTarget.dataset.id;
    const toggled = new Set(this.toggled);
    if (toggled.has(id)) {
      toggled.delete(id);
    } else {
      toggled.add(id);
    }
    this.toggled = toggled;
  }

  async refresh() {
    if (!this.wiredHistory) {
      return;
    }
    this.refreshing = true;
    try {
      await refreshApex(this.wiredHistory);
    } finally {
      this.refreshing = false;
    }
  }

  handleRefresh() {
    return this.refresh();
  }
}
