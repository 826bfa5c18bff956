import { LightningElement, api } from 'lwc';
import FIELD_REASON from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Reason';
import REASON_MISSING from '@salesforce/label/c.Switchyard_Admin_Territory_Reason_Missing';
import CANCEL from '@salesforce/label/c.Switchyard_Cancel';

/**
 * The form every change on the admin page is made in (a pool member, a pool's pause or catch-up, a
 * territory row and its removal): a heading, the host's own fields (the default slot, each a grid
 * column), the reason every stored version needs, what the companion said went wrong, and Cancel, an
 * optional Back, and Save. The host owns the values and decides what is missing; the form shows it.
 *
 * Events: `reasonchange` ({ value }), `save`, `back`, `cancel` (also Escape). A new form (a new heading)
 * takes focus on its first field; after Save, focus goes to the first field marked missing.
 */
export default class ChangeForm extends LightningElement {
  /** Also names the group for assistive technology. */
  @api
  get heading() {
    return this.currentHeading;
  }
  set heading(value) {
    if (value !== this.currentHeading) {
      this.focusPending = true;
    }
    this.currentHeading = value;
  }

  /** A line under the heading, when the fields need one. */
  @api help;
  @api reason = '';
  /** The host found the reason empty: the field says so. */
  @api reasonMissing = false;
  @api saveLabel;
  /** Save takes something away (remove, pause): a red button. */
  @api destructive = false;
  /** A second way to save (e.g. "Back now"), shown when set. */
  @api backLabel;
  /** A change is on its way: Save and Back wait. */
  @api busy = false;
  /** Why the last change was refused, and the panel's title. */
  @api error;
  @api errorTitle;

  label = { FIELD_REASON, REASON_MISSING, CANCEL };
  currentHeading;
  focusPending = false;

  renderedCallback() {
    if (this.focusPending) {
      this.focusPending = false;
      this.focusFirst('input,select,textarea');
    }
  }

  get headingClass() {
    return this.help ? 'slds-text-heading_small' : 'slds-text-heading_small slds-m-bottom_x-small';
  }

  get reasonClass() {
    return this.reasonMissing ? 'slds-form-element slds-has-error' : 'slds-form-element';
  }

  get reasonDescribedBy() {
    return this.reasonMissing ? 'reason-missing' : null;
  }

  get saveClass() {
    return `slds-button ${this.destructive ? 'slds-button_destructive' : 'slds-button_brand'} form-save`;
  }

  /** The first of the host's fields `selector` finds, else the reason. */
  focusFirst(selector) {
    const field = this.querySelector(selector) || this.template.querySelector('.field-reason');
    if (field) {
      field.focus();
    }
  }

  handleReason(event) {
    this.dispatchEvent(new CustomEvent('reasonchange', { detail: { value: event.target.value } }));
  }

  handleKeydown(event) {
    if (event.key === 'Escape') {
      this.handleCancel();
    }
  }

  handleCancel() {
    this.dispatchEvent(new CustomEvent('cancel'));
  }

  handleSave() {
    this.submit('save');
  }

  handleBack() {
    this.submit('back');
  }

  /** Tells the host; once it has marked what is missing, focus goes to the first such field. */
  submit(name) {
    this.dispatchEvent(new CustomEvent(name));
    Promise.resolve().then(() => {
      if (this.reasonMissing || this.querySelector('.slds-has-error')) {
        this.focusFirst('.slds-has-error input,.slds-has-error select');
      }
    });
  }
}
