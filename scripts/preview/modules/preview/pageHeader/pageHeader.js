import { LightningElement, api } from 'lwc';

/** The record page header of Lightning Experience: icon, object, record name, actions and highlights. */
export default class PageHeader extends LightningElement {
  @api iconName;
  @api objectLabel;
  @api title;
  /** [{ label, value }] shown under the name, as a compact layout does. */
  @api highlights = [];

  get items() {
    return (this.highlights || []).map((item) => ({ ...item, shown: item.value || '—' }));
  }
}
