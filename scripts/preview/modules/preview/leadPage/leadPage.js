import RecordPage from 'preview/recordPage';
import NAME from '@salesforce/schema/Lead.Name';
import TITLE from '@salesforce/schema/Lead.Title';
import COMPANY from '@salesforce/schema/Lead.Company';
import EMAIL from '@salesforce/schema/Lead.Email';
import STATUS from '@salesforce/schema/Lead.Status';
import COUNTRY from '@salesforce/schema/Lead.Country';
import OWNER_NAME from '@salesforce/schema/Lead.Owner.Name';
import MATCHED_ACCOUNT from '@salesforce/schema/Lead.Matched_Account__c';
import MATCHED_ACCOUNT_NAME from '@salesforce/schema/Lead.Matched_Account__r.Name';
import LAST_ROUTED_AT from '@salesforce/schema/Lead.Last_Routed_At__c';
import ROUTING_REASON from '@salesforce/schema/Lead.Routing_Reason__c';
import { formatDateTime } from 'c/switchyardService';
import { pageUrl } from 'preview/session';

const FIELDS = [
  NAME,
  TITLE,
  COMPANY,
  EMAIL,
  STATUS,
  COUNTRY,
  OWNER_NAME,
  MATCHED_ACCOUNT,
  MATCHED_ACCOUNT_NAME,
  LAST_ROUTED_AT,
  ROUTING_REASON,
];

/**
 * A Lead record page as an admin would lay it out: header with the Re-route quick action, details and
 * routing history in the main column, the pickup clock and the partner status badge in the sidebar.
 */
export default class LeadPage extends RecordPage {
  fields = FIELDS;
  rerouteOpen = false;
  focusDialog = false;
  focusAction = false;

  constructor() {
    super();
    this.addEventListener('lightning__actionsclosescreen', () => {
      this.closeReroute();
    });
  }

  get name() {
    return this.value(NAME) || '';
  }

  get highlights() {
    return [
      { label: 'Title', value: this.value(TITLE) },
      { label: 'Company', value: this.value(COMPANY) },
      { label: 'Email', value: this.value(EMAIL) },
      { label: 'Lead Status', value: this.value(STATUS) },
      { label: 'Lead Owner', value: this.value(OWNER_NAME) },
    ];
  }

  get details() {
    const accountId = this.value(MATCHED_ACCOUNT);
    return [
      { label: 'Name', value: this.name },
      { label: 'Lead Owner', value: this.value(OWNER_NAME) },
      { label: 'Title', value: this.value(TITLE) },
      { label: 'Lead Status', value: this.value(STATUS) },
      { label: 'Company', value: this.value(COMPANY) },
      { label: 'Country', value: this.value(COUNTRY) },
      { label: 'Email', value: this.value(EMAIL) },
      {
        label: 'Matched Account',
        value: this.value(MATCHED_ACCOUNT_NAME),
        href: accountId ? pageUrl(`/preview/account/${accountId}`) : undefined,
      },
      { label: 'Last Routed', value: formatDateTime(this.value(LAST_ROUTED_AT)) },
      { label: 'Routing Reason', value: this.value(ROUTING_REASON) },
    ];
  }

  openReroute() {
    this.rerouteOpen = true;
    this.focusDialog = true;
  }

  renderedCallback() {
    // A dialog that closes gives the focus back to the button that opened it.
    if (this.focusAction && !this.rerouteOpen) {
      const action = this.template.querySelector('.reroute-action');
      if (action) action.focus();
      this.focusAction = false;
    }
    // A dialog that opens takes the focus, so keyboard and screen reader users land inside it.
    if (this.focusDialog) {
      const close = this.template.querySelector('.slds-modal__close');
      if (close) {
        close.focus();
        this.focusDialog = false;
      }
    }
  }

  closeReroute() {
    this.rerouteOpen = false;
    this.focusAction = true;
  }

  /** Tab past either end of the dialog comes back to its first control: focus stays inside while it is open. */
  keepFocusInside() {
    const close = this.template.querySelector('.slds-modal__close');
    if (close) close.focus();
  }

  handleKeydown(event) {
    if (event.key === 'Escape') {
      this.closeReroute();
    }
  }
}
