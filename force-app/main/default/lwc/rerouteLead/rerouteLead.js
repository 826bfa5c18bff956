import { LightningElement, api, wire } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { CloseActionScreenEvent } from 'lightning/actions';
import { MessageContext } from 'lightning/messageService';
import rerouteLead from '@salesforce/apex/SwitchyardController.rerouteLead';
import getRerouteAccess from '@salesforce/apex/SwitchyardController.getRerouteAccess';
import QUESTION from '@salesforce/label/c.Switchyard_Reroute_Question';
import QUESTION_THIS from '@salesforce/label/c.Switchyard_Reroute_Question_This';
import REROUTE from '@salesforce/label/c.Switchyard_Reroute_Button';
import CANCEL from '@salesforce/label/c.Switchyard_Cancel';
import CLOSE from '@salesforce/label/c.Switchyard_Close';
import DONE_ASSIGNED from '@salesforce/label/c.Switchyard_Reroute_Done_Assigned';
import DONE_CONVERTED from '@salesforce/label/c.Switchyard_Reroute_Done_Converted';
import DONE_UNCHANGED from '@salesforce/label/c.Switchyard_Reroute_Done_Unchanged';
import NO_OWNER from '@salesforce/label/c.Switchyard_Reroute_No_Owner';
import PENDING_NOTE from '@salesforce/label/c.Switchyard_Reroute_Pending_Note';
import { formatLabel, newRequestKey, ownerLabel, toProblem } from 'c/switchyardService';
import { announceLeadChanged, announceRouting } from 'c/leadRefresh';

const TITLES = {
  assigned: DONE_ASSIGNED,
  queued: DONE_ASSIGNED,
  converted: DONE_CONVERTED,
  unchanged: DONE_UNCHANGED,
};

/**
 * Re-route: runs routing again for one lead, after the user confirms. On the Lead page it is the
 * "Re-route" quick action (variant "action"); the matched leads panel embeds it (variant "inline").
 * Success: a toast naming the new owner and why, and the record refreshed through Lightning Data Service.
 * Refusal: the companion's reason and what to do instead, in place.
 */
export default class RerouteLead extends LightningElement {
  /** The lead to re-route; set by the record page for the quick action. */
  @api recordId;
  /** The lead's name for the question, when the caller knows it. */
  @api leadName;
  /** "action" inside the quick action panel, "inline" when embedded in another component. */
  @api variant = 'action';

  reason = '';
  working = false;
  /** Why the last attempt failed, as Apex or the companion reported it. */
  error;
  decision;
  /**
   * The idempotency key of this dialog's re-route, sent with every try: a click retried after a
   * timeout is answered with the decision the first try made, and never routes the lead twice.
   */
  requestKey;

  @wire(getRerouteAccess)
  access;

  @wire(MessageContext)
  messageContext;

  /** A refusal answers this dialog: Confirm stays off until the dialog is opened again. */
  refused = false;

  get isInline() {
    return this.variant === 'inline';
  }

  get accessKnown() {
    return this.access && (this.access.data !== undefined || this.access.error !== undefined);
  }

  get canReroute() {
    return this.access && this.access.data === true;
  }

  get checkingAccess() {
    return !this.accessKnown;
  }

  get noPermission() {
    return this.accessKnown && !this.canReroute;
  }

  get accessProblem() {
    return this.access && this.access.error;
  }

  get question() {
    return this.leadName ? formatLabel(QUESTION, this.leadName) : QUESTION_THIS;
  }

  get confirmLabel() {
    return REROUTE;
  }

  get showForm() {
    return this.canReroute && !this.decision;
  }

  get confirmDisabled() {
    return this.working || !this.canReroute || Boolean(this.decision) || this.refused;
  }

  get cancelLabel() {
    return this.decision || this.error || this.noPermission ? CLOSE : CANCEL;
  }

  /** Inline, focus goes to the question, so a screen reader says which lead the confirmation is for. */
  @api
  focus() {
    const frame = this.template.querySelector('c-reroute-lead-frame');
    if (frame) {
      frame.focus();
    }
  }

  handleReasonChange(event) {
    this.reason = event.detail.value;
  }

  handleCancel() {
    this.close();
  }

  async handleConfirm() {
    if (this.confirmDisabled) {
      return;
    }
    this.working = true;
    this.error = undefined;
    let decision;
    this.requestKey = this.requestKey || newRequestKey();
    try {
      decision = await rerouteLead({
        leadId: this.recordId,
        reason: this.reason.trim() || null,
        requestKey: this.requestKey,
      });
    } catch (error) {
      this.error = error;
      // A refusal (409) answers this request: the history shows it at once, and trying again here would
      // only be refused again. A failure (timeout, companion down) may be tried again with the same key.
      if (toProblem(error).status === 409) {
        this.requestKey = undefined;
        this.refused = true;
        announceRouting(this.messageContext, this.recordId, 'refused');
      }
      return;
    } finally {
      this.working = false;
    }
    this.decision = decision;
    this.toast(decision);
    // The owner on the page and every component showing the lead (badge, clock, history) follow.
    await announceLeadChanged(this.messageContext, this.recordId, decision.outcome);
    this.dispatchEvent(new CustomEvent('rerouted', { detail: decision }));
    if (!this.isInline) {
      this.dispatchEvent(new CloseActionScreenEvent());
    }
  }

  toast(decision) {
    const owner = ownerLabel(decision.owner) || NO_OWNER;
    const title = formatLabel(TITLES[decision.outcome] || TITLES.assigned, owner);
    const pending = decision.status === 'pending';
    this.dispatchEvent(
      new ShowToastEvent({
        title,
        message: pending ? `${decision.summary || ''} ${PENDING_NOTE}`.trim() : decision.summary || '',
        variant: decision.outcome === 'unchanged' || pending ? 'info' : 'success',
      }),
    );
  }

  close() {
    if (this.isInline) {
      this.dispatchEvent(new CustomEvent('cancel'));
    } else {
      this.dispatchEvent(new CloseActionScreenEvent());
    }
  }
}
