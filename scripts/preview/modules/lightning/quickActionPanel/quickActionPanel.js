import { LightningElement, api } from 'lwc';

/** The panel a screen quick action renders in: a modal header, body and footer (lightning-quick-action-panel). */
export default class QuickActionPanel extends LightningElement {
  @api header;
}
