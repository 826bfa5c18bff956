import { describe, expect, it } from 'vitest';
import type { LeadRecord } from '../../src/engine/model.js';
import { derivePartnerState, partnerStatusView } from '../../src/http/partner-status.js';

const lead = (fields: Partial<LeadRecord>): LeadRecord => ({ Id: '00QSY0000000001AAA', ...fields });

describe('partner status in words', () => {
  it.each([
    ['not-shared', {}],
    ['pending', { Partner_Share_Status__c: 'Pending', Partner_Lead_Status__c: 'Qualifying' }],
    ['qualifying', { Partner_Share_Status__c: 'Accepted', Partner_Lead_Status__c: 'Qualifying' }],
    ['accepted', { Partner_Share_Status__c: 'Accepted', Partner_Lead_Status__c: 'Accepted' }],
    [
      'sent-to-partner',
      { Prospect_Share_Status__c: 'Sending to Partner', Partner_Prospect_Status__c: 'Qualifying' },
    ],
    ['accepted', { Prospect_Share_Status__c: 'Sending to Partner', Partner_Prospect_Status__c: 'Accepted' }],
    ['recalled', { Partner_Share_Status__c: 'Accepted', Partner_Recalled__c: true }],
    ['recalled', { Prospect_Share_Status__c: 'Sending to Partner', Partner_Recalled_Date__c: '2026-03-03' }],
    ['direct-engagement', { Impartner_Partner_Account__c: '001SY0000000001AAA', LeadSource: 'Demo Request' }],
    ['not-shared', { Impartner_Partner_Account__c: '001SY0000000001AAA', LeadSource: 'Webinar' }],
  ] as const)('%s from %o', (state, fields) => {
    const derived = derivePartnerState(lead(fields), 'Northwind Partners');
    expect(derived.state).toBe(state);
    expect(derived.description).toMatch(/^[A-Z].*\.$/);
  });

  it('names the partner and carries every partner field', () => {
    const view = partnerStatusView(
      lead({
        Partner_Share_Status__c: 'Pending',
        Partner_Lead_Status__c: 'Qualifying',
        Lead_Acquisition_Source__c: 'Partner Sponsored Event',
        Last_Routed_At__c: '2026-11-20T10:00:00.000Z',
      }),
      'Northwind Partners',
    );
    expect(view).toEqual({
      leadId: '00QSY0000000001AAA',
      state: 'pending',
      label: 'Pending',
      description: 'Shared with Northwind Partners, waiting for the partner to accept it and qualify it.',
      partnerAccount: 'Northwind Partners',
      partnerShareStatus: 'Pending',
      partnerLeadStatus: 'Qualifying',
      prospectShareStatus: null,
      partnerProspectStatus: null,
      recalled: false,
      recalledDate: null,
      acquisitionSource: 'Partner Sponsored Event',
      lastRoutedAt: '2026-11-20T10:00:00.000Z',
    });
  });
});
