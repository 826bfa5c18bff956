import { LightningElement, api, wire } from 'lwc';
import { getRecord } from 'lightning/uiRecordApi';
import { MessageContext } from 'lightning/messageService';
import getRoutingHistory from '@salesforce/apex/SwitchyardController.getRoutingHistory';
import OWNER_ID from '@salesforce/schema/Lead.OwnerId';
import LAST_ROUTED_AT from '@salesforce/schema/Lead.Last_Routed_At__c';
import TITLE from '@salesforce/label/c.Switchyard_History_Title';
import REFRESH from '@salesforce/label/c.Switchyard_History_Refresh';
import LOADING from '@salesforce/label/c.Switchyard_History_Loading';
import LOAD_ERROR from '@salesforce/label/c.Switchyard_History_Load_Error';
import EMPTY from '@salesforce/label/c.Switchyard_History_Empty';
import TRIGGER_CREATED from '@salesforce/label/c.Switchyard_Trigger_Created';
import TRIGGER_UPDATED from '@salesforce/label/c.Switchyard_Trigger_Updated';
import TRIGGER_CAMPAIGN from '@salesforce/label/c.Switchyard_Trigger_Campaign';
import TRIGGER_REROUTE from '@salesforce/label/c.Switchyard_Trigger_Reroute';
import TRIGGER_REROUTE_BY from '@salesforce/label/c.Switchyard_Trigger_Reroute_By';
import TRIGGER_SCHEDULED from '@salesforce/label/c.Switchyard_Trigger_Scheduled';
import TRIGGER_INACTIVE_OWNER from '@salesforce/label/c.Switchyard_Trigger_Inactive_Owner';
import TRIGGER_SLA from '@salesforce/label/c.Switchyard_Trigger_Sla';
import STATUS_APPLIED from '@salesforce/label/c.Switchyard_Status_Applied';
import STATUS_PENDING from '@salesforce/label/c.Switchyard_Status_Pending';
import STATUS_FAILED from '@salesforce/label/c.Switchyard_Status_Failed';
import STATUS_STALE from '@salesforce/label/c.Switchyard_Status_Stale';
import STATUS_SIMULATION from '@salesforce/label/c.Switchyard_Status_Simulation';
import STATUS_REFUSED from '@salesforce/label/c.Switchyard_Status_Refused';
import STATUS_UNKNOWN from '@salesforce/label/c.Switchyard_Status_Unknown';
import BY from '@salesforce/label/c.Switchyard_History_By';
import REASON from '@salesforce/label/c.Switchyard_History_Reason';
import OWNER_CHANGE from '@salesforce/label/c.Switchyard_History_Owner_Change';
import OWNER_KEPT from '@salesforce/label/c.Switchyard_History_Owner_Kept';
import OWNER from '@salesforce/label/c.Switchyard_History_Owner';
import SHOW from '@salesforce/label/c.Switchyard_History_Show';
import HIDE from '@salesforce/label/c.Switchyard_History_Hide';
import WHY from '@salesforce/label/c.Switchyard_History_Why';
import ALL_STEPS from '@salesforce/label/c.Switchyard_History_All_Steps';
import FEWER_STEPS from '@salesforce/label/c.Switchyard_History_Fewer_Steps';
import SIMULATIONS from '@salesforce/label/c.Switchyard_History_Simulations';
import SIMULATIONS_NOTE from '@salesforce/label/c.Switchyard_History_Simulations_Note';
import SHOW_SIMULATIONS from '@salesforce/label/c.Switchyard_History_Show_Simulations';
import HIDE_SIMULATIONS from '@salesforce/label/c.Switchyard_History_Hide_Simulations';
import { formatDateTime, formatLabel, ownerLabel } from 'c/switchyardService';
import { LeadFollower, refreshWired } from 'c/leadRefresh';

const TRIGGERS = {
  created: TRIGGER_CREATED,
  updated: TRIGGER_UPDATED,
  'campaign-member': TRIGGER_CAMPAIGN,
  reroute: TRIGGER_REROUTE,
  scheduled: TRIGGER_SCHEDULED,
  'inactive-owner': TRIGGER_INACTIVE_OWNER,
  sla: TRIGGER_SLA,
};
const STATUSES = {
  applied: { label: STATUS_APPLIED, icon: 'utility:success', variant: 'success' },
  pending: { label: STATUS_PENDING, icon: 'utility:clock', variant: '' },
  failed: { label: STATUS_FAILED, icon: 'utility:error', variant: 'error' },
  stale: { label: STATUS_STALE, icon: 'utility:warning', variant: 'warning' },
  'dry-run': { label: STATUS_SIMULATION, icon: 'utility:preview', variant: '' },
};
/** A refusal is what happened, whatever became of writing it down. */
const REFUSED = { label: STATUS_REFUSED, icon: 'utility:ban', variant: 'error' };
const UNKNOWN_STATUS = { label: STATUS_UNKNOWN, icon: 'utility:question', variant: '' };

/**
 * Routing history (Lead page): the lead's routing decisions as a timeline, newest first. Each says what
 * happened (applied, refused, failed…), what started it and who asked, and, opened, the reason given,
 * the owner before and after and the steps that decided in plain words; every step of the flow is one
 * click further, for admins. The newest decision is open. Admins' dry runs are kept apart, closed.
 * The list follows the lead: when its owner or last-routed time changes (Lightning Data Service), or a
 * re-route of it is answered, even with a refusal (the Switchyard Routing message channel).
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
  /** Ids of decisions whose every step the user asked to see. */
  technical = new Set();
  simulationsOpen = false;
  refreshing = false;
  follower = new LeadFollower(() => this.refresh());

  label = { TITLE, REFRESH, LOADING, LOAD_ERROR, EMPTY, WHY, SIMULATIONS_NOTE };

  @wire(MessageContext)
  messageContext;

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
    this.follower.recordRead(data);
  }

  connectedCallback() {
    this.follower.listen(this.messageContext, () => this.recordId);
  }

  disconnectedCallback() {
    this.follower.stop();
  }

  get limit() {
    const size = Number(this.maxItems);
    return Number.isInteger(size) && size > 0 ? size : 20;
  }

  get loading() {
    return !this.history && !this.error;
  }

  get items() {
    return (this.history && this.history.items) || [];
  }

  get isEmpty() {
    return Boolean(this.history) && this.items.length === 0;
  }

  get decisions() {
    return this.items
      .filter((item) => item.status !== 'dry-run')
      .map((item, index) => this.view(item, index === 0));
  }

  get hasDecisions() {
    return this.decisions.length > 0;
  }

  get simulations() {
    return this.items.filter((item) => item.status === 'dry-run').map((item) => this.view(item, false));
  }

  get hasSimulations() {
    return this.simulations.length > 0;
  }

  get simulationsHeading() {
    return formatLabel(SIMULATIONS, this.simulations.length);
  }

  get simulationsToggleLabel() {
    return this.simulationsOpen ? HIDE_SIMULATIONS : SHOW_SIMULATIONS;
  }

  get simulationsExpanded() {
    return this.simulationsOpen ? 'true' : 'false';
  }

  view(item, openByDefault) {
    const open = openByDefault !== this.toggled.has(item.id);
    const refused = item.outcome === 'refused';
    const status = refused ? REFUSED : STATUSES[item.status] || UNKNOWN_STATUS;
    const technical = this.technical.has(item.id);
    const steps = (technical ? item.path : item.steps || item.path || []).map((step, stepIndex) => ({
      key: `${stepIndex}-${step.node}`,
      text: step.text,
    }));
    const errors = (item.errors || []).map((error, errorIndex) => ({
      key: `${errorIndex}-${error.code}`,
      text: error.message,
    }));
    const refusal = item.refusal
      ? [item.refusal.message, item.refusal.action].filter((t) => t).join(' ')
      : '';
    return {
      id: item.id,
      summary: item.summary,
      when: formatDateTime(item.decidedAt),
      ...this.who(item),
      flow: item.flow ? `${item.flow.name} v${item.flow.version}` : '',
      reason: item.reason ? formatLabel(REASON, item.reason) : '',
      owner: this.ownerChange(item, refused),
      refusal,
      statusLabel: status.label,
      statusIcon: status.icon,
      statusVariant: status.variant,
      statusClass: `status${refused ? ' slds-text-color_error' : ''}`,
      open,
      expanded: open ? 'true' : 'false',
      steps,
      hasSteps: steps.length > 0,
      stepsLabel: technical ? FEWER_STEPS : ALL_STEPS,
      technical,
      hasTechnical: Array.isArray(item.steps) && (item.path || []).length > item.steps.length,
      errors,
      hasErrors: errors.length > 0,
      itemClass: `slds-timeline__item_expandable slds-timeline__item_task${open ? ' slds-is-open' : ''}`,
      toggleLabel: formatLabel(open ? HIDE : SHOW, item.summary),
      detailsId: `decision-${item.id}`,
    };
  }

  /** What started the decision and who asked: "Re-routed by Ava Patel", or "Scheduled job" and "by …". */
  who(item) {
    const name = item.actor && item.actor.name;
    const askedBy = name ? formatLabel(BY, name) : '';
    if (item.trigger === 'reroute' && name) {
      return { trigger: formatLabel(TRIGGER_REROUTE_BY, name), actor: '', askedBy };
    }
    return { trigger: TRIGGERS[item.trigger] || item.trigger, actor: askedBy, askedBy };
  }

  /** "Owner: Ben Carter → Maya Chen", "Owner: Ben Carter, unchanged", "Owner: Maya Chen", or "". */
  ownerChange(item, refused) {
    const before = ownerLabel(item.previousOwner);
    const after = ownerLabel(item.owner);
    const same = item.previousOwner && item.owner && item.previousOwner.id === item.owner.id;
    if (refused || same) {
      return before || after ? formatLabel(OWNER_KEPT, before || after) : '';
    }
    if (before && after) {
      return formatLabel(OWNER_CHANGE, before, after);
    }
    return after ? formatLabel(OWNER, after) : '';
  }

  handleToggle(event) {
    this.toggled = flip(this.toggled, event.currentTarget.dataset.id);
  }

  handleTechnical(event) {
    this.technical = flip(this.technical, event.currentTarget.dataset.id);
  }

  handleSimulations() {
    this.simulationsOpen = !this.simulationsOpen;
  }

  async refresh() {
    if (!this.wiredHistory) {
      return;
    }
    this.refreshing = true;
    try {
      await refreshWired(this.wiredHistory);
    } finally {
      this.refreshing = false;
    }
  }

  handleRefresh() {
    return this.refresh();
  }
}

function flip(set, id) {
  const next = new Set(set);
  if (next.has(id)) {
    next.delete(id);
  } else {
    next.add(id);
  }
  return next;
}
