import { LightningElement, api, wire } from 'lwc';
import { getRecord } from 'lightning/uiRecordApi';
import getPartnerStatus from '@salesforce/apex/SwitchyardController.getPartnerStatus';
import PARTNER_SHARE_STATUS from '@salesforce/schema/Lead.Partner_Share_Status__c';
import PROSPECT_SHARE_STATUS from '@salesforce/schema/Lead.Prospect_Share_Status__c';
import PARTNER_RECALLED from '@salesforce/schema/Lead.Partner_Recalled__c';
import LAST_ROUTED_AT from '@salesforce/schema/Lead.Last_Routed_At__c';
import LOADING from '@salesforce/label/c.Switchyard_Loading';
import PARTNER_TITLE from '@salesforce/label/c.Switchyard_Partner_Title';
import PARTNER_BADGE_NAME from '@salesforce/label/c.Switchyard_Partner_Badge_Name';
import PARTNER_LOAD_ERROR from '@salesforce/label/c.Switchyard_Partner_Load_Error';
import PARTNER_STATE_NOT_SHARED from '@salesforce/label/c.Switchyard_Partner_State_Not_Shared';
import PARTNER_STATE_PENDING from '@salesforce/label/c.Switchyard_Partner_State_Pending';
import PARTNER_STATE_SENT from '@salesforce/label/c.Switchyard_Partner_State_Sent';
import PARTNER_STATE_QUALIFYING from '@salesforce/label/c.Switchyard_Partner_State_Qualifying';
import PARTNER_STATE_ACCEPTED from '@salesforce/label/c.Switchyard_Partner_State_Accepted';
import PARTNER_STATE_DECLINED from '@salesforce/label/c.Switchyard_Partner_State_Declined';
import PARTNER_STATE_RECALLED from '@salesforce/label/c.Switchyard_Partner_State_Recalled';
import PARTNER_STATE_DIRECT from '@salesforce/label/c.Switchyard_Partner_State_Direct';
import PARTNER_SAYS_NOT_SHARED from '@salesforce/label/c.Switchyard_Partner_Says_Not_Shared';
import PARTNER_SAYS_PENDING from '@salesforce/label/c.Switchyard_Partner_Says_Pending';
import PARTNER_SAYS_SENT from '@salesforce/label/c.Switchyard_Partner_Says_Sent';
import PARTNER_SAYS_QUALIFYING from '@salesforce/label/c.Switchyard_Partner_Says_Qualifying';
import PARTNER_SAYS_ACCEPTED from '@salesforce/label/c.Switchyard_Partner_Says_Accepted';
import PARTNER_SAYS_DECLINED from '@salesforce/label/c.Switchyard_Partner_Says_Declined';
import PARTNER_SAYS_RECALLED from '@salesforce/label/c.Switchyard_Partner_Says_Recalled';
import PARTNER_SAYS_DIRECT from '@salesforce/label/c.Switchyard_Partner_Says_Direct';
import PARTNER_THE_PARTNER from '@salesforce/label/c.Switchyard_Partner_The_Partner';
import PARTNER_ACCOUNT from '@salesforce/label/c.Switchyard_Partner_Account';
import PARTNER_NO_ACCOUNT from '@salesforce/label/c.Switchyard_Partner_No_Account';
import PARTNER_SHARE_STATUS_LABEL from '@salesforce/label/c.Switchyard_Partner_Share_Status';
import PARTNER_LEAD_STATUS from '@salesforce/label/c.Switchyard_Partner_Lead_Status';
import PARTNER_PROSPECT_SHARE from '@salesforce/label/c.Switchyard_Partner_Prospect_Share';
import PARTNER_PROSPECT_STATUS from '@salesforce/label/c.Switchyard_Partner_Prospect_Status';
import PARTNER_RECALLED_ON from '@salesforce/label/c.Switchyard_Partner_Recalled_On';
import PARTNER_RECALLED_LABEL from '@salesforce/label/c.Switchyard_Partner_Recalled';
import PARTNER_ACQUIRED from '@salesforce/label/c.Switchyard_Partner_Acquired';
import PARTNER_LAST_ROUTED from '@salesforce/label/c.Switchyard_Partner_Last_Routed';
import { capitalize, formatDate, formatDateTime, formatLabel } from 'c/switchyardService';
import { LeadFollower, refreshWired } from 'c/leadRefresh';

/**
 * One badge per partner state (the companion's PARTNER_STATES, http/partner-status.ts): its words, what it
 * means, an SLDS theme and an icon. Each state has its own colour and icon, and the words always come with
 * them, so colour is never the only cue.
 */
const BADGES = {
  'not-shared': {
    theme: 'slds-badge_lightest',
    icon: 'utility:dash',
    label: PARTNER_STATE_NOT_SHARED,
    says: PARTNER_SAYS_NOT_SHARED,
  },
  pending: {
    theme: 'slds-theme_warning',
    icon: 'utility:clock',
    label: PARTNER_STATE_PENDING,
    says: PARTNER_SAYS_PENDING,
  },
  'sent-to-partner': {
    theme: 'slds-theme_info',
    icon: 'utility:share',
    label: PARTNER_STATE_SENT,
    says: PARTNER_SAYS_SENT,
  },
  qualifying: {
    theme: 'slds-badge_inverse',
    icon: 'utility:search',
    label: PARTNER_STATE_QUALIFYING,
    says: PARTNER_SAYS_QUALIFYING,
  },
  accepted: {
    theme: 'slds-theme_success',
    icon: 'utility:check',
    label: PARTNER_STATE_ACCEPTED,
    says: PARTNER_SAYS_ACCEPTED,
  },
  declined: {
    theme: 'slds-theme_error',
    icon: 'utility:close',
    label: PARTNER_STATE_DECLINED,
    says: PARTNER_SAYS_DECLINED,
  },
  recalled: {
    theme: 'slds-theme_alt-inverse',
    icon: 'utility:undo',
    label: PARTNER_STATE_RECALLED,
    says: PARTNER_SAYS_RECALLED,
  },
  'direct-engagement': {
    theme: 'slds-theme_shade',
    icon: 'utility:user',
    label: PARTNER_STATE_DIRECT,
    says: PARTNER_SAYS_DIRECT,
  },
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
  follower = new LeadFollower(() => refreshWired(this.wiredStatus));

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
    this.follower.recordRead(data);
  }

  get loading() {
    return !this.status && !this.error;
  }

  get state() {
    return BADGES[this.status && this.status.state] || BADGES['not-shared'];
  }

  get label() {
    return this.state.label;
  }

  get title() {
    return PARTNER_TITLE;
  }

  get loadingText() {
    return LOADING;
  }

  get loadError() {
    return PARTNER_LOAD_ERROR;
  }

  get badgeClass() {
    return `slds-badge badge ${this.state.theme}`.trim();
  }

  get iconVariant() {
    return ['slds-badge_lightest', 'slds-theme_shade'].includes(this.state.theme) ? '' : 'inverse';
  }

  get accessibleLabel() {
    return formatLabel(PARTNER_BADGE_NAME, this.label);
  }

  get tooltipClass() {
    return `slds-popover slds-popover_tooltip slds-nubbin_top-left tooltip ${
      this.tooltipVisible ? 'slds-rise-from-ground' : 'slds-fall-into-ground'
    }`;
  }

  /** The lines of the tooltip, each { key, text }. */
  get details() {
    const status = this.status || {};
    const lines = [capitalize(formatLabel(this.state.says, status.partnerAccount || PARTNER_THE_PARTNER))];
    lines.push(
      status.partnerAccount ? formatLabel(PARTNER_ACCOUNT, status.partnerAccount) : PARTNER_NO_ACCOUNT,
    );
    const fields = [
      [PARTNER_SHARE_STATUS_LABEL, status.partnerShareStatus],
      [PARTNER_LEAD_STATUS, status.partnerLeadStatus],
      [PARTNER_PROSPECT_SHARE, status.prospectShareStatus],
      [PARTNER_PROSPECT_STATUS, status.partnerProspectStatus],
    ];
    for (const [label, value] of fields) {
      if (value) lines.push(formatLabel(label, value));
    }
    if (status.recalled) {
      const day = formatDate(status.recalledDate);
      lines.push(day ? formatLabel(PARTNER_RECALLED_ON, day) : PARTNER_RECALLED_LABEL);
    }
    if (status.acquisitionSource) lines.push(formatLabel(PARTNER_ACQUIRED, status.acquisitionSource));
    if (status.lastRoutedAt)
      lines.push(formatLabel(PARTNER_LAST_ROUTED, formatDateTime(status.lastRoutedAt)));
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
