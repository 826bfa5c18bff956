import { LightningElement, api } from 'lwc';

/**
 * The frame around the re-route dialog, so its body (`rerouteLeadForm`) and its buttons are written once
 * in `rerouteLead`: as the quick action, the panel's header, body and footer; inline (the matched leads
 * panel), a box headed by the question, its buttons below. Inline, Escape asks the host to close.
 */
export default class RerouteLeadFrame extends LightningElement {
  /** The question: "Re-route Maya Chen?". */
  @api heading;
  /** True when embedded in another component, false in the quick action's panel. */
  @api inline = false;

  /** Inline, focus goes to the question, so a screen reader says which lead the confirmation is for. */
  @api
  focus() {
    const question = this.template.querySelector('.question');
    if (question) {
      question.focus();
    }
  }

  /** Escape closes the inline confirmation, as it closes the quick action's dialog. */
  handleKeydown(event) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      this.dispatchEvent(new CustomEvent('close'));
    }
  }
}
