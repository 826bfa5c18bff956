import { LightningElement, api, wire } from 'lwc';
import { getRecord } from 'lightning/uiRecordApi';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { MessageContext } from 'lightning/messageService';
import USER_ID from '@salesforce/user/Id';
import LOCALE from '@salesforce/i18n/locale';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import getLeadSla from '@salesforce/apex/SwitchyardController.getLeadSla';
import acceptLeadSla from '@salesforce/apex/SwitchyardController.acceptLeadSla';
import rejectLeadSla from '@salesforce/apex/SwitchyardController.rejectLeadSla';
import OWNER_ID from '@salesforce/schema/Lead.OwnerId';
import STATUS from '@salesforce/schema/Lead.Status';
import TITLE from '@salesforce/label/c.Switchyard_Clock_Title';
import LOADING from '@salesforce/label/c.Switchyard_Loading';
import LOAD_ERROR from '@salesforce/label/c.Switchyard_Clock_Load_Error';
import NONE from '@salesforce/label/c.Switchyard_Clock_None';
import NONE_QUEUE from '@salesforce/label/c.Switchyard_Clock_None_Queue';
import NONE_NOT_ROUTED from '@salesforce/label/c.Switchyard_Clock_None_Not_Routed';
import NO_POLICY from '@salesforce/label/c.Switchyard_Clock_No_Policy';
import NO_POLICY_UNNAMED from '@salesforce/label/c.Switchyard_Clock_No_Policy_Unnamed';
import WAITING from '@salesforce/label/c.Switchyard_Clock_Waiting';
import OWNER from '@salesforce/label/c.Switchyard_Clock_Owner';
import SINCE from '@salesforce/label/c.Switchyard_Clock_Since';
import DUE from '@salesforce/label/c.Switchyard_Clock_Due';
import THEN from '@salesforce/label/c.Switchyard_Clock_Then';
import WORKING_TIME from '@salesforce/label/c.Switchyard_Clock_Working_Time';
import OWNER_LOCAL from '@salesforce/label/c.Switchyard_Clock_Owner_Local';
import NEXT_REMIND from '@salesforce/label/c.Switchyard_Clock_Next_Remind';
import NEXT_REASSIGN from '@salesforce/label/c.Switchyard_Clock_Next_Reassign';
import NEXT_REASSIGN_UNNAMED from '@salesforce/label/c.Switchyard_Clock_Next_Reassign_Unnamed';
import NEXT_ESCALATE_USER from '@salesforce/label/c.Switchyard_Clock_Next_Escalate_User';
import NEXT_ESCALATE_QUEUE from '@salesforce/label/c.Switchyard_Clock_Next_Escalate_Queue';
import NO_NEXT from '@salesforce/label/c.Switchyard_Clock_No_Next';
import ACCEPTED from '@salesforce/label/c.Switchyard_Clock_Accepted';
import ACCEPTED_BY_ACCEPT from '@salesforce/label/c.Switchyard_Clock_Accepted_By_Accept';
import ACCEPTED_BY_STATUS from '@salesforce/label/c.Switchyard_Clock_Accepted_By_Status';
import ACCEPTED_BY_ACTIVITY from '@salesforce/label/c.Switchyard_Clock_Accepted_By_Activity';
import STOPPED_CONVERTED from '@salesforce/label/c.Switchyard_Clock_Stopped_Converted';
import STOPPED_MOVED from '@salesforce/label/c.Switchyard_Clock_Stopped_Moved';
import STOPPED_ESCALATED from '@salesforce/label/c.Switchyard_Clock_Stopped_Escalated';
import STOPPED_REJECTED from '@salesforce/label/c.Switchyard_Clock_Stopped_Rejected';
import ACCEPT from '@salesforce/label/c.Switchyard_Clock_Accept';
import ACCEPT_HELP from '@salesforce/label/c.Switchyard_Clock_Accept_Help';
import REJECT from '@salesforce/label/c.Switchyard_Clock_Reject';
import REJECT_REASON from '@salesforce/label/c.Switchyard_Clock_Reject_Reason';
import REJECT_CONFIRM from '@salesforce/label/c.Switchyard_Clock_Reject_Confirm';
import REJECT_REASON_MISSING from '@salesforce/label/c.Switchyard_Clock_Reject_Reason_Missing';
import REJECTED_TOAST from '@salesforce/label/c.Switchyard_Clock_Rejected_Toast';
import REJECTED_TOAST_QUEUE from '@salesforce/label/c.Switchyard_Clock_Rejected_Toast_Queue';
import ACCEPTED_TOAST from '@salesforce/label/c.Switchyard_Clock_Accepted_Toast';
import ACTION_ERROR from '@salesforce/label/c.Switchyard_Clock_Action_Error';
import ERROR_NOT_OWNER from '@salesforce/label/c.Switchyard_Clock_Error_Not_Owner';
import ERROR_NOT_OWNER_ACTION from '@salesforce/label/c.Switchyard_Clock_Error_Not_Owner_Action';
import ERROR_NO_CLOCK from '@salesforce/label/c.Switchyard_Clock_Error_No_Clock';
import ERROR_NO_CLOCK_ACTION from '@salesforce/label/c.Switchyard_Clock_Error_No_Clock_Action';
import ERROR_NO_POOL from '@salesforce/label/c.Switchyard_Clock_Error_No_Pool';
import ERROR_NO_POOL_ACTION from '@salesforce/label/c.Switchyard_Clock_Error_No_Pool_Action';
import ERROR_REASON from '@salesforce/label/c.Switchyard_Clock_Error_Reason';
import ERROR_REASON_ACTION from '@salesforce/label/c.Switchyard_Clock_Error_Reason_Action';
import CANCEL from '@salesforce/label/c.Switchyard_Cancel';
import { formatDateTime, formatLabel, toProblem } from 'c/switchyardService';
import { announceLeadChanged, LeadFollower, refreshWired } from 'c/leadRefresh';

const NO_CLOCK_WHY = { queue: NONE_QUEUE, 'not-routed': NONE_NOT_ROUTED };
const ACCEPTED_HOW = {
  accept: ACCEPTED_BY_ACCEPT,
  'status-change': ACCEPTED_BY_STATUS,
  activity: ACCEPTED_BY_ACTIVITY,
};
const STOPPED = {
  converted: STOPPED_CONVERTED,
  moved: STOPPED_MOVED,
  escalated: STOPPED_ESCALATED,
};
/** The companion's codes for Accept and Reject, each in plain words with what to do. */
const ACTION_PROBLEMS = {
  SLA_NOT_OWNER: [ERROR_NOT_OWNER, ERROR_NOT_OWNER_ACTION],
  SLA_NO_CLOCK: [ERROR_NO_CLOCK, ERROR_NO_CLOCK_ACTION],
  SLA_NO_POOL: [ERROR_NO_POOL, ERROR_NO_POOL_ACTION],
  VALIDATION_FAILED: [ERROR_REASON, ERROR_REASON_ACTION],
};
const LEAD_FIELDS = [OWNER_ID, STATUS];

/** Salesforce Ids of one record compare equal in their 15- and 18-character forms. */
const sameId = (a, b) => Boolean(a && b) && a.slice(0, 15) === b.slice(0, 15);

/** Short weekday names in the user's language, Monday (1) to Sunday (7); 2024-01-01 was a Monday. */
const weekday = new Intl.DateTimeFormat(LOCALE, { weekday: 'short', timeZone: 'UTC' });
const dayName = (day) => weekday.format(new Date(Date.UTC(2024, 0, day)));

/** Working days as runs: "Mon–Fri", "Mon, Wed, Fri" (a run never breaks across lines: a word joiner holds it). */
function describeDays(days) {
  const sorted = [...new Set(days || [])].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  const runs = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j += 1;
    runs.push(
      j - i >= 2
        ? `${dayName(sorted[i])}–\u2060${dayName(sorted[j])}`
        : sorted
            .slice(i, j + 1)
            .map(dayName)
            .join(', '),
    );
    i = j + 1;
  }
  return runs.join(', ');
}

/** The time in the owner's zone: "Tue 9:15 AM". */
function ownerTime(iso, timeZone) {
  try {
    return new Intl.DateTimeFormat(LOCALE, {
      weekday: 'short',
      hour: 'numeric',
      minute: '2-digit',
      timeZone,
    }).format(new Date(iso));
  } catch {
    return '';
  }
}

/**
 * Pickup clock (Lead page): the lead's service level as its owner lives it — who owns it, since when,
 * when the next step fires (counted in the owner's working hours) and what it does: a reminder, the next
 * rep in the pool, or an escalation. Its owner may Accept it (the clock stops) or Reject it with a reason
 * (routing gives it to the next in the pool); everyone else sees the clock without the buttons. A lead with
 * no clock says why nothing will happen, and a stopped clock says when and how it stopped.
 */
export default class PickupClock extends LightningElement {
  @api recordId;

  clock;
  error;
  wiredClock;
  follower = new LeadFollower(() => this.refresh());
  rejecting = false;
  reason = '';
  working = false;
  actionError;

  label = {
    TITLE,
    LOADING,
    LOAD_ERROR,
    NONE,
    OWNER,
    SINCE,
    DUE,
    THEN,
    ACCEPT,
    ACCEPT_HELP,
    REJECT,
    REJECT_REASON,
    REJECT_CONFIRM,
    REJECT_REASON_MISSING,
    ACTION_ERROR,
    CANCEL,
  };

  @wire(MessageContext)
  messageContext;

  @wire(getLeadSla, { leadId: '$recordId' })
  receiveClock(result) {
    this.wiredClock = result;
    if (result.data) {
      this.clock = result.data;
      this.error = undefined;
    } else if (result.error) {
      this.clock = undefined;
      this.error = result.error;
    }
  }

  /** A new owner or status (a re-route, a rep working the lead) may have stopped or moved the clock. */
  @wire(getRecord, { recordId: '$recordId', optionalFields: LEAD_FIELDS })
  receiveRecord({ data }) {
    this.follower.recordRead(data);
  }

  connectedCallback() {
    this.follower.listen(this.messageContext, () => this.recordId);
  }

  disconnectedCallback() {
    this.follower.stop();
  }

  get loading() {
    return !this.clock && !this.error;
  }

  get hasNoClock() {
    return Boolean(this.clock) && this.clock.status === 'none';
  }

  get noClockWhy() {
    return NO_CLOCK_WHY[this.clock.why] || NONE_NOT_ROUTED;
  }

  get hasClock() {
    return Boolean(this.clock) && this.clock.status !== 'none';
  }

  get isOpen() {
    return this.hasClock && this.clock.status === 'open';
  }

  /** A running clock with a service level: something happens if nobody takes the lead. */
  get isTimed() {
    return this.isOpen && Boolean(this.clock.policy);
  }

  /** Routing gave the lead to a person, but no service level covers it: no pickup clock runs. */
  get isUntimed() {
    return this.isOpen && !this.clock.policy;
  }

  get isAccepted() {
    return this.hasClock && this.clock.status === 'accepted';
  }

  get ownerName() {
    const owner = this.clock.owner || {};
    return owner.name || owner.id || '';
  }

  get policyLabel() {
    return this.clock.policy ? this.clock.policy.label || this.clock.policy.name : '';
  }

  get noPolicy() {
    if (this.clock.policy) {
      return '';
    }
    return this.clock.pool ? formatLabel(NO_POLICY, this.clock.pool) : NO_POLICY_UNNAMED;
  }

  get waitingLabel() {
    return formatLabel(WAITING, this.ownerName);
  }

  get since() {
    return formatDateTime(this.clock.ownerSince);
  }

  get hasDue() {
    return Boolean(this.clock.dueAt && this.clock.next);
  }

  get due() {
    return formatDateTime(this.clock.dueAt);
  }

  /** The due time as the owner's own clock shows it, when their zone is not the reader's. */
  get dueForOwner() {
    const owner = this.clock.owner || {};
    if (!owner.timeZone || owner.timeZone === TIME_ZONE) {
      return '';
    }
    const time = ownerTime(this.clock.dueAt, owner.timeZone);
    return time ? formatLabel(OWNER_LOCAL, time, this.ownerName) : '';
  }

  /** "45 working minutes in Maya Chen's hours: Mon–Fri, 09:00–17:00 (America/New_York)." */
  get workingTime() {
    const owner = this.clock.owner || {};
    const hours = owner.hours || {};
    return formatLabel(
      WORKING_TIME,
      this.clock.next.afterMinutes,
      this.ownerName,
      describeDays(hours.days),
      hours.start,
      hours.end,
      owner.timeZone,
    );
  }

  get nextStep() {
    const next = this.clock.next;
    if (next.action === 'remind') {
      return formatLabel(NEXT_REMIND, this.ownerName);
    }
    if (next.action === 'reassign') {
      return this.clock.pool ? formatLabel(NEXT_REASSIGN, this.clock.pool) : NEXT_REASSIGN_UNNAMED;
    }
    return formatLabel(next.toKind === 'queue' ? NEXT_ESCALATE_QUEUE : NEXT_ESCALATE_USER, next.to);
  }

  get noNext() {
    return this.isTimed && !this.hasDue ? NO_NEXT : '';
  }

  get acceptedTitle() {
    return formatLabel(ACCEPTED, this.ownerName, formatDateTime(this.clock.closedAt));
  }

  get acceptedHow() {
    return ACCEPTED_HOW[this.clock.closedBy] || '';
  }

  get stoppedText() {
    if (!this.hasClock || this.clock.status === 'open' || this.clock.status === 'accepted') {
      return '';
    }
    const when = formatDateTime(this.clock.closedAt);
    if (this.clock.status === 'rejected') {
      return formatLabel(STOPPED_REJECTED, this.ownerName, when);
    }
    return STOPPED[this.clock.status] ? formatLabel(STOPPED[this.clock.status], when) : '';
  }

  /** Only the owner sees Accept and Reject, and only while a clock runs; the companion checks again. */
  get isOwner() {
    return this.isTimed && sameId(this.clock.owner && this.clock.owner.id, USER_ID);
  }

  get canReject() {
    return this.isOwner && Boolean(this.clock.pool);
  }

  get showButtons() {
    return this.isOwner && !this.rejecting;
  }

  get confirmDisabled() {
    return this.working || !this.reason.trim();
  }

  get actionProblem() {
    if (!this.actionError) {
      return undefined;
    }
    const problem = toProblem(this.actionError);
    const words = ACTION_PROBLEMS[problem.code];
    return words ? { error: { code: problem.code, message: words[0], action: words[1] } } : this.actionError;
  }

  handleReject() {
    this.rejecting = true;
    this.actionError = undefined;
  }

  handleReasonChange(event) {
    this.reason = event.detail.value;
  }

  handleCancel() {
    this.rejecting = false;
    this.reason = '';
    this.actionError = undefined;
  }

  async handleAccept() {
    const clock = await this.act(() => acceptLeadSla({ leadId: this.recordId }));
    if (clock) {
      this.clock = clock;
      this.toast(ACCEPTED_TOAST);
      await this.refresh();
    }
  }

  async handleConfirmReject() {
    if (this.confirmDisabled) {
      return;
    }
    const result = await this.act(() => rejectLeadSla({ leadId: this.recordId, reason: this.reason.trim() }));
    if (!result) {
      return;
    }
    this.rejecting = false;
    this.reason = '';
    const owner = result.decision && result.decision.owner;
    this.toast(owner && owner.name ? formatLabel(REJECTED_TOAST, owner.name) : REJECTED_TOAST_QUEUE);
    if (result.clock) {
      this.clock = result.clock;
    }
    // The lead has a new owner: the record, its history and this clock read it again.
    await announceLeadChanged(this.messageContext, this.recordId, 'assigned');
  }

  /** Runs Accept or Reject once at a time; a refusal stays on the card in plain words. */
  async act(call) {
    if (this.working) {
      return undefined;
    }
    this.working = true;
    this.actionError = undefined;
    try {
      return await call();
    } catch (error) {
      this.actionError = error;
      return undefined;
    } finally {
      this.working = false;
    }
  }

  toast(title) {
    this.dispatchEvent(new ShowToastEvent({ title, variant: 'success' }));
  }

  refresh() {
    return refreshWired(this.wiredClock);
  }
}
