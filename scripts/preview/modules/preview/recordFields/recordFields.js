import { LightningElement, api } from 'lwc';

/** A Details card: read-only fields in two columns, as a record page's detail section shows them. */
export default class RecordFields extends LightningElement {
  @api title = 'Details';
  /** [{ label, value, href? }] */
  @api fields = [];

  get items() {
    return (this.fields || []).map((item) => ({ ...item, shown: item.value || '', key: item.label }));
  }
}
