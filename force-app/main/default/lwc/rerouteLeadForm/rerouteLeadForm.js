import { LightningElement, api } from 'lwc';

/**
 * The body of the re-route dialog: the explanation and the reason field, or why the user cannot
 * re-route, and what went wrong last time. `rerouteLead` frames it as a quick action or inline.
 */
export default class RerouteLeadForm extends LightningElement {
  @api working = false;
  @api accessProblem;
  @api noPermission = false;
  @api showForm = false;
  @api checkingAccess = false;
  @api error;
  @api reason = '';

  handleReasonChange(event) {
    this.dispatchEvent(new CustomEvent('reasonchange', { detail: { value: event.target.value } }));
  }
}
