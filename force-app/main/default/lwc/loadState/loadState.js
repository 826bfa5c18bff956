import { LightningElement, api } from 'lwc';
import LOADING from '@salesforce/label/c.Switchyard_Admin_Loading';

/**
 * What a panel shows of its reading: a spinner until its data or its error comes, the error panel (titled
 * by the panel) when the read failed, and the panel's note once its data is there. The panel reads; this
 * only shows how that went.
 */
export default class LoadState extends LightningElement {
  label = { LOADING };

  /** The panel's data once read (anything truthy), or nothing yet. */
  @api data;
  /** The read's failure, as c-error-panel takes it. */
  @api error;
  @api errorTitle;
  /** A line under the panel's heading once the data is there, e.g. the version it shows. */
  @api note;

  get loading() {
    return !this.data && !this.error;
  }

  get showNote() {
    return Boolean(this.data && this.note);
  }
}
