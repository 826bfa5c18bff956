import type { LeadRecord } from '../engine/model.js';
import { isoOrNull } from './views.js';

export const PARTNER_STATES = [
  'not-shared',
  'pending',
  'qualifying',
  'sent-to-partner',
  'accepted',
  'recalled',
  'direct-engagement',
] as const;
export type PartnerState = (typeof PARTNER_STATES)[number];

const LABELS: Record<PartnerState, string> = {
  'not-shared': 'Not shared',
  pending: 'Pending',
  qualifying: 'Qualifying',
  'sent-to-partner': 'Sent to partner',
  accepted: 'Accepted by partner',
  recalled: 'Recalled',
  'direct-engagement': 'Direct engagement',
};

/** Lead sources that mean the person asked us, not the partner (the partner flow's direct-engagement exception). */
const DIRECT_SOURCES = new Set(['Demo Request', 'Contact Us', 'Inbound Request']);
const ACCEPTED = new Set(['Accepted', 'Qualified', 'Converted', 'Closed Won']);
const eq = (value: unknown, word: string) => typeof value === 'string' && value.trim().toLowerCase() === word;
const isOneOf = (value: unknown, words: Set<string>) =>
  typeof value === 'string' && [...words].some((w) => eq(value, w.toLowerCase()));

/**
 * The partner state in words, from the lead's partner fields, checked in this order: a recall wins
 * over everything; then what the partner did (accepted, qualifying); then where sharing stands
 * (prospect sharing sent, lead sharing pending); then the direct-engagement exception; else not shared.
 */
export function derivePartnerState(
  lead: LeadRecord,
  partnerName: string | null,
): { state: PartnerState; description: string } {
  const partner = partnerName ?? 'the partner';
  const share = lead.Partner_Share_Status__c;
  const leadStatus = lead.Partner_Lead_Status__c;
  const prospectShare = lead.Prospect_Share_Status__c;
  const prospectStatus = lead.Partner_Prospect_Status__c;

  if (
    lead.Partner_Recalled__c === true ||
    isoOrNull(lead.Partner_Recalled_Date__c) ||
    eq(share, 'recalled')
  ) {
    return {
      state: 'recalled',
      description: `The lead was taken back from ${partner} and will not be shared again; our own team works it.`,
    };
  }
  if (isOneOf(leadStatus, ACCEPTED) || isOneOf(prospectStatus, ACCEPTED)) {
    return { state: 'accepted', description: `${capital(partner)} accepted the lead and works it now.` };
  }
  if (prospectShare) {
    return {
      state: 'sent-to-partner',
      description: `Sent to ${partner} through prospect sharing (${prospectShare})${
        prospectStatus ? `; the partner's status is ${prospectStatus}` : ''
      }.`,
    };
  }
  if (eq(share, 'accepted')) {
    return eq(leadStatus, 'qualifying')
      ? { state: 'qualifying', description: `${capital(partner)} took the lead and is qualifying it.` }
      : { state: 'accepted', description: `${capital(partner)} accepted the lead and works it now.` };
  }
  if (eq(share, 'pending')) {
    return {
      state: 'pending',
      description: `Shared with ${partner}, waiting for the partner to accept it${
        eq(leadStatus, 'qualifying') ? ' and qualify it' : ''
      }.`,
    };
  }
  if (eq(leadStatus, 'qualifying')) {
    return { state: 'qualifying', description: `${capital(partner)} is qualifying the lead.` };
  }
  if (lead.Impartner_Partner_Account__c && DIRECT_SOURCES.has(String(lead.LeadSource ?? ''))) {
    return {
      state: 'direct-engagement',
      description: `The person asked us directly (${String(lead.LeadSource)}), so the lead stays with our own team instead of going to ${partner}.`,
    };
  }
  if (eq(share, 'rejected')) {
    return {
      state: 'not-shared',
      description: `${capital(partner)} declined the lead; our own team works it.`,
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
