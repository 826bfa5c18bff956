import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LeadRecord } from '../../src/engine/model.js';
import { derivePartnerState, PARTNER_STATES, partnerStatusView } from '../../src/http/partner-status.js';

const lead = (fields: Partial<LeadRecord>): LeadRecord => ({ Id: '00QSY0000000001AAA', ...fields });

const PARTNER_FIELDS = [
  'Partner_Share_Status__c',
  'Partner_Lead_Status__c',
  'Prospect_Share_Status__c',
  'Partner_Prospect_Status__c',
] as const;

/** The values an org can hold in a partner field: the picklist the package ships, and empty. */
function picklist(field: string): Array<string | null> {
  const xml = readFileSync(
    path.resolve('force-app/main/default/objects/Lead/fields', `${field}.field-meta.xml`),
    'utf8',
  );
  const values = [...xml.matchAll(/<value>\s*<fullName>([^<]+)<\/fullName>/g)].map((m) => m[1]!);
  expect(values.length, `${field} has picklist values`).toBeGreaterThan(2);
  return [null, ...values];
}

/** Every combination of the four fields' values (and the generator's older "Rejected"). */
function everyCombination(): Array<Partial<LeadRecord>> {
  const lists = PARTNER_FIELDS.map((field) =>
    field === 'Partner_Share_Status__c' ? [...picklist(field), 'Rejected'] : picklist(field),
  );
  let rows: Array<Partial<LeadRecord>> = [{}];
  PARTNER_FIELDS.forEach((field, i) => {
    rows = rows.flatMap((row) => lists[i]!.map((value) => ({ ...row, [field]: value })));
  });
  return rows;
}

describe('partner status in words', () => {
  // One row per thing a rep could see; the first column is the badge.
  it.each([
    ['not-shared', {}],
    ['pending', { Partner_Share_Status__c: 'Pending', Partner_Lead_Status__c: 'Qualifying' }],
    ['sent-to-partner', { Partner_Share_Status__c: 'Shared', Partner_Lead_Status__c: 'Qualifying' }],
    ['qualifying', { Partner_Share_Status__c: 'Accepted', Partner_Lead_Status__c: 'Qualifying' }],
    ['accepted', { Partner_Share_Status__c: 'Accepted', Partner_Lead_Status__c: 'Accepted' }],
    ['accepted', { Partner_Share_Status__c: 'Accepted' }],
    ['accepted', { Partner_Share_Status__c: 'Shared', Partner_Lead_Status__c: 'Converted' }],
    ['declined', { Partner_Share_Status__c: 'Declined', Partner_Lead_Status__c: 'Qualifying' }],
    // The 89 demo leads of the issue: the partner said no, the status still says Qualifying.
    ['declined', { Partner_Share_Status__c: 'Rejected', Partner_Lead_Status__c: 'Qualifying' }],
    ['declined', { Partner_Share_Status__c: 'Accepted', Partner_Lead_Status__c: 'Disqualified' }],
    [
      'sent-to-partner',
      { Prospect_Share_Status__c: 'Sending to Partner', Partner_Prospect_Status__c: 'Qualifying' },
    ],
    ['sent-to-partner', { Prospect_Share_Status__c: 'Sent to Partner' }],
    ['qualifying', { Prospect_Share_Status__c: 'Accepted', Partner_Prospect_Status__c: 'Qualifying' }],
    ['accepted', { Prospect_Share_Status__c: 'Sending to Partner', Partner_Prospect_Status__c: 'Accepted' }],
    ['declined', { Prospect_Share_Status__c: 'Declined', Partner_Prospect_Status__c: 'Qualifying' }],
    ['recalled', { Prospect_Share_Status__c: 'Recalled' }],
    ['recalled', { Partner_Share_Status__c: 'Recalled', Partner_Lead_Status__c: 'Accepted' }],
    ['recalled', { Partner_Share_Status__c: 'Accepted', Partner_Recalled__c: true }],
    ['recalled', { Prospect_Share_Status__c: 'Sending to Partner', Partner_Recalled_Date__c: '2026-03-03' }],
    ['qualifying', { Partner_Lead_Status__c: 'Qualifying' }],
    ['direct-engagement', { Impartner_Partner_Account__c: '001SY0000000001AAA', LeadSource: 'Demo Request' }],
    ['not-shared', { Impartner_Partner_Account__c: '001SY0000000001AAA', LeadSource: 'Webinar' }],
  ] as const)('%s from %o', (state, fields) => {
    const derived = derivePartnerState(lead(fields), 'Northwind Partners');
    expect(derived.state).toBe(state);
    expect(derived.description).toMatch(/^[A-Z].*\.$/);
  });

  describe('every combination of the four partner fields', () => {
    const rows = everyCombination();

    it('has one badge, and every badge is reached', () => {
      expect(rows.length).toBe(7 * 6 * 6 * 6);
      const seen = new Set<string>();
      for (const fields of rows) {
        const { state } = derivePartnerState(lead(fields), 'Northwind Partners');
        expect(PARTNER_STATES).toContain(state);
        seen.add(state);
      }
      // Direct engagement needs the lead source, not a partner field.
      expect([...seen].sort()).toEqual(PARTNER_STATES.filter((s) => s !== 'direct-engagement').sort());
    });

    it('never contradicts the fields the tooltip lists', () => {
      const says = (value: unknown, ...words: string[]) =>
        typeof value === 'string' && words.includes(value.toLowerCase());
      for (const fields of rows) {
        const { state } = derivePartnerState(lead(fields), 'Northwind Partners');
        const shares = [fields.Partner_Share_Status__c, fields.Prospect_Share_Status__c];
        const statuses = [fields.Partner_Lead_Status__c, fields.Partner_Prospect_Status__c];
        const where = JSON.stringify(fields);
        if (shares.some((v) => says(v, 'recalled'))) expect(state, where).toBe('recalled');
        else if (shares.some((v) => says(v, 'declined', 'rejected'))) expect(state, where).toBe('declined');
        else if (statuses.some((v) => says(v, 'disqualified'))) expect(state, where).toBe('declined');
        else if (statuses.some((v) => says(v, 'accepted', 'qualified', 'converted')))
          expect(state, where).toBe('accepted');
        if (state === 'qualifying')
          expect(
            statuses.some((v) => says(v, 'qualifying')),
            where,
          ).toBe(true);
        if (state === 'not-shared')
          expect(
            [...shares, ...statuses].every((v) => v == null),
            where,
          ).toBe(true);
      }
    });
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
      description: 'Shared with Northwind Partners, waiting for the partner to accept it.',
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
