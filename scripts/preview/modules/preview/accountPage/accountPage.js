import RecordPage from 'preview/recordPage';
import NAME from '@salesforce/schema/Account.Name';
import TYPE from '@salesforce/schema/Account.Type';
import WEBSITE from '@salesforce/schema/Account.Website';
import COUNTRY from '@salesforce/schema/Account.BillingCountry';
import OWNER_NAME from '@salesforce/schema/Account.Owner.Name';
import BDR_NAME from '@salesforce/schema/Account.BDR_Assigned__r.Name';
import BDR_STATUS from '@salesforce/schema/Account.BDR_Prospecting_Status__c';
import LAST_ACTIVITY from '@salesforce/schema/Account.LastActivityDate';
import { formatDate } from 'c/switchyardService';

const FIELDS = [NAME, TYPE, WEBSITE, COUNTRY, OWNER_NAME, BDR_NAME, BDR_STATUS, LAST_ACTIVITY];

/** An Account record page: header and highlights, then the matched leads panel across the page. */
export default class AccountPage extends RecordPage {
  fields = FIELDS;

  get name() {
    return this.value(NAME) || '';
  }

  get highlights() {
    const bdr = this.value(BDR_NAME);
    const bdrStatus = this.value(BDR_STATUS);
    return [
      { label: 'Type', value: this.value(TYPE) },
      { label: 'Website', value: this.value(WEBSITE) },
      { label: 'Billing Country', value: this.value(COUNTRY) },
      { label: 'Account Owner', value: this.value(OWNER_NAME) },
      { label: 'BDR', value: bdr ? `${bdr}${bdrStatus ? ` (${bdrStatus})` : ''}` : '' },
      { label: 'Last Activity', value: formatDate(this.value(LAST_ACTIVITY)) },
    ];
  }
}
