import { LightningElement, api, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import { getRecord } from 'lightning/uiRecordApi';
import getPartnerStatus from '@salesforce/apex/SwitchyardController.getPartnerStatus';
import PARTNER_SHARE_STATUS from '@salesforce/schema/Lead.Partner_Share_Status__c';
import PROSPECT_SHARE_STATUS from '@salesforce/schema/Lead.Prospect_Share_Status__c';
import PARTNER_RECALLED from '@salesforce/schema/Lead.Partner_Recalled__c';
import LAST_ROUTED_AT from '@salesforce/schema/Lead.Last_Routed_At__c';
import { formatDate, formatDateTime } from 'c/switchyardService';

/** Colour and icon per partner state; the words always come with them, so colour is never the only cue. */
const STATES = {
  'not-shared': { theme: '', icon: 'utility:dash', label: 'Not shared' },
  pending: { theme: 'slds-theme_warning', icon: 'utility:clock', label: 'Pending' },
  qualifying: { theme: 'slds-theme_info', icon: 'utility:search', label: 'Qualifying' },
  'sent-to-partner': { theme: 'slds-badge_inverse', icon: 'utility:share', label: 'Sent to partner' },
  accepted: { theme: 'slds-theme_success', icon: 'utility:check', label: 'Accepted by partner' },
  recalled: { theme: 'slds-theme_error', icon: 'utility:undo', label: 'Recalled' },
  'direct-engagement': { theme: 'slds-theme_alt-inverse', icon: 'utility:user', label: 'Direct engagement' },
};
const LEAD_FIELDS = [PARTNER_SHARE_STATUS, PROSPECT_SHARE_STATUS, PARTNER_RECALLED, LAST_ROUTED_AT];

/**
 * Partner status badge (Lead page): where the lead stands with the channel partner, in words and colour.
 * Hovering or focusing the badge shows the partner account, the four partner status fields and the dates.
 * It reads the companion's view of the state; the Lead fields are watched through Lightning Data Service so
 * the badge follows a re-route or an Impartner sync without a page reload.
 */
export default class PartnerStatusBadge extends LightningElement {
  @api recordId;

  status;
  error;
  wiredStatus;
  tooltipVisible = false;
  lastSeenRecord;

  @wire(getPartnerStatus, { leadId: '$recordId' })
  receiveStatus(result) {
    this.wiredStatus = result;
    if (result.data) {
      this.status = result.data;
      this.error = undefined;
    } else if (result.error) {
      this.status = undefined;
      this.error = result.error;
    }
  }

  @wire(getRecord, { recordId: '$recordId', optionalFields: LEAD_FIELDS })
  receiveRecord({ data }) {
    if (!data) {
      return;
    }
    const signature = JSON.stringify(data.fields);
    if (this.lastSeenRecord !== undefined && this.lastSeenRecord !== signature && this.wiredStatus) {
      refreshApex(this.wiredStatus);
    }
    this.lastSeenRecord = signature;
  }

  get loading() {
    return !this.status && !this.error;
  }

  get state() {
    return STATES[this.status && this.status.state] || STATES['not-shared'];
  }

  get label() {
    return (this.status && this.status.label) || this.state.label;
  }

  get badgeClass() {
    return `slds-badge badge ${this.state.theme}`.trim();
  }

  get iconVariant() {
    return this.state.theme ? 'inverse' : '';
  }

  get accessibleLabel() {
    return `Partner status: ${this.label}`;
  }

  get tooltipClass() {
    return `slds-popover slds-popover_tooltip slds-nubbin_top-left tooltip ${
      this.tooltipVisible ? 'slds-rise-from-ground' : 'slds-fall-into-ground'
    }`;
  }

  /** The lines of the tooltip, each { key, text }. */
  get details() {
    const status = this.status || {};
    const lines = [];
    if (status.description) lines.push(status.description);
    lines.push(status.partnerAccount ? `Partner account: ${status.partnerAccount}` : 'No partner account');
    const fields = [
      ['Partner share status', status.partnerShareStatus],
      ['Partner lead status', status.partnerLeadStatus],
      ['Prospect share status', status.prospectShareStatus],
      ['Partner prospect status', status.partnerProspectStatus],
    ];
    for (const [name, value] of fields) {
      if (value) lines.push(`${name}: ${value}`);
    }
    if (status.recalled) {
      const day = formatDate(status.recalledDate);
      lines.push(day ? `Recalled from the partner on ${day}` : 'Recalled from the partner');
    }
    if (status.acquisitionSource) lines.push(`Acquired through: ${status.acquisitionSource}`);
    if (status.lastRoutedAt) lines.push(`Last routed: ${formatDateTime(status.lastRoutedAt)}`);
    return lines.map((text, index) => ({ key: String(index), text }));
  }

  showTooltip() {
    this.tooltipVisible = true;
  }

  hideTooltip() {
    this.tooltipVisible = false;
  }

  handleKeydown(event) {
    if (event.key === 'Escape') {
      this.hideTooltip();
    }
  }
}
