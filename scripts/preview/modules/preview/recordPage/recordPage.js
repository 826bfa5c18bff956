import { LightningElement, api, wire } from 'lwc';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';

/**
 * What the preview's record pages share: the record read through Lightning Data Service (so a
 * re-route refreshes it), its loading and error state, and field values. Subclasses set `fields`.
 */
export default class RecordPage extends LightningElement {
  @api recordId;

  /** The fields to read, as @salesforce/schema references. */
  fields = [];
  record;
  error;

  @wire(getRecord, { recordId: '$recordId', fields: '$fields' })
  receiveRecord({ data, error }) {
    if (data) {
      this.record = data;
      this.error = undefined;
    } else if (error) {
      this.error = error;
    }
  }

  get loading() {
    return !this.record && !this.error;
  }

  value(field) {
    return this.record ? getFieldValue(this.record, field) : undefined;
  }
}
