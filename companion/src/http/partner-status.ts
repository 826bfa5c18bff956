import type { LeadRecord } from '../engine/model.js';
import { isoOrNull } from './views.js';

export const PARTNER_STATES = [
  'not-shared',
  'pending',
  'sent-to-partner',
  'qualifying',
  'accepted',
  'declined',
  'recalled',
  'direct-engagement',
] as const;
export type PartnerState = (typeof PARTNER_STATES)[number];

const LABELS: Record<PartnerState, string> = {
  'not-shared': 'Not shared',
  pending: 'Pending',
  'sent-to-partner': 'Sent to partner',
  qualifying: 'Qualifying',
  accepted: 'Accepted by partner',
  declined: 'Declined by partner',
  recalled: 'Recalled',
  'direct-engagement': 'Direct engagement',
};

/** Lead sources that mean the person asked us, not the partner (the partner flow's direct-engagement exception). */
const DIRECT_SOURCES = new Set(['Demo Request', 'Contact Us', 'Inbound Request']);
/**
 * Picklist values (force-app/.../Lead/fields/*.field-meta.xml) by what they say about the partner. Older
 * Impartner syncs wrote "Rejected" where the picklist now says "Declined"; both mean the partner said no.
 */
const PARTNER_SAID_NO = ['declined', 'rejected', 'disqualified'];
const PARTNER_TOOK_IT = ['accepted', 'qualified', 'converted'];
const SENT = ['shared', 'sending to partner', 'sent to partner'];

const word = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim().toLowerCase() : null;
const isOneOf = (value: unknown, words: string[]) => {
  const w = word(value);
  return w !== null && words.includes(w);
};

/**
 * The partner state from the lead's four partner fields (and the recall fields), decided in one order so
 * every combination has exactly one state, the strongest fact first:
 * 1. recalled: we took the lead back (recall flag or date, or either share status "Recalled");
 * 2. declined: the partner said no (a share status "Declined", or a status "Disqualified");
 * 3. accepted: the partner took it (a status "Accepted", "Qualified" or "Converted");
 * 4. qualifying: a share the partner accepted, with the partner's status still "Qualifying";
 *    an accepted share with no status yet is accepted;
 * 5. pending: lead sharing waits for the partner ("Pending");
 * 6. sent to partner: lead or prospect sharing sent it ("Shared", "Sending/Sent to Partner");
 * 7. qualifying: the partner's status says "Qualifying" without a share status;
 * 8. direct engagement: a partner lead whose person asked us directly (the partner flow's exception);
 * 9. not shared.
 * `test/http/partner-status.test.ts` walks every combination of the picklists' values.
 */
export function derivePartnerState(
  lead: LeadRecord,
  partnerName: string | null,
): { state: PartnerState; description: string } {
  const partner = partnerName ?? 'the partner';
  const Partner = capital(partner);
  const share = lead.Partner_Share_Status__c;
  const leadStatus = lead.Partner_Lead_Status__c;
  const prospectShare = lead.Prospect_Share_Status__c;
  const prospectStatus = lead.Partner_Prospect_Status__c;
  const statuses = [leadStatus, prospectStatus];

  if (
    lead.Partner_Recalled__c === true ||
    isoOrNull(lead.Partner_Recalled_Date__c) ||
    isOneOf(share, ['recalled']) ||
    isOneOf(prospectShare, ['recalled'])
  ) {
    return {
      state: 'recalled',
      description: `The lead was taken back from ${partner} and will not be shared again; our own team works it.`,
    };
  }
  if (isOneOf(share, PARTNER_SAID_NO) || isOneOf(prospectShare, PARTNER_SAID_NO)) {
    return { state: 'declined', description: `${Partner} declined the lead; our own team works it.` };
  }
  if (statuses.some((s) => isOneOf(s, ['disqualified']))) {
    return { state: 'declined', description: `${Partner} disqualified the lead; our own team works it.` };
  }
  if (statuses.some((s) => isOneOf(s, PARTNER_TOOK_IT))) {
    return { state: 'accepted', description: `${Partner} accepted the lead and works it now.` };
  }
  if (isOneOf(share, ['accepted']) || isOneOf(prospectShare, ['accepted'])) {
    return statuses.some((s) => isOneOf(s, ['qualifying']))
      ? { state: 'qualifying', description: `${Partner} accepted the lead and is qualifying it.` }
      : { state: 'accepted', description: `${Partner} accepted the lead and works it now.` };
  }
  if (isOneOf(share, ['pending'])) {
    return {
      state: 'pending',
      description: `Shared with ${partner}, waiting for the partner to accept it.`,
    };
  }
  if (isOneOf(share, SENT) || isOneOf(prospectShare, SENT)) {
    return {
      state: 'sent-to-partner',
      description: `Sent to ${partner}${
        prospectShare ? ` through prospect sharing (${prospectShare})` : ''
      }; the partner has not answered yet.`,
    };
  }
  if (statuses.some((s) => isOneOf(s, ['qualifying']))) {
    return { state: 'qualifying', description: `${Partner} is qualifying the lead.` };
  }
  if (lead.Impartner_Partner_Account__c && DIRECT_SOURCES.has(String(lead.LeadSource ?? ''))) {
    return {
      state: 'direct-engagement',
      description: `The person asked us directly (${String(lead.LeadSource)}), so the lead stays with our own team instead of going to ${partner}.`,
    };
  }
  return { state: 'not-shared', description: 'The lead has not been shared with a partner.' };
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The partner-status answer; `partnerAccountName` is the name of the lead's Impartner partner account. */
export function partnerStatusView(lead: LeadRecord, partnerAccountName: string | null) {
  const { state, description } = derivePartnerState(lead, partnerAccountName);
  return {
    leadId: lead.Id,
    state,
    label: LABELS[state],
    description,
    partnerAccount: partnerAccountName,
    partnerShareStatus: lead.Partner_Share_Status__c ?? null,
    partnerLeadStatus: lead.Partner_Lead_Status__c ?? null,
    prospectShareStatus: lead.Prospect_Share_Status__c ?? null,
    partnerProspectStatus: lead.Partner_Prospect_Status__c ?? null,
    recalled: lead.Partner_Recalled__c === true || isoOrNull(lead.Partner_Recalled_Date__c) !== null,
    recalledDate: isoOrNull(lead.Partner_Recalled_Date__c),
    acquisitionSource: lead.Lead_Acquisition_Source__c ?? null,
    lastRoutedAt: isoOrNull(lead.Last_Routed_At__c),
  };
}
