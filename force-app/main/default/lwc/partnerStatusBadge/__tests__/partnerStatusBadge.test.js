import { createElement } from 'lwc';
import PartnerStatusBadge from 'c/partnerStatusBadge';
import getPartnerStatus from '@salesforce/apex/SwitchyardController.getPartnerStatus';
import { getRecord } from 'lightning/uiRecordApi';
import { refreshApex } from '@salesforce/apex';
import { flushPromises } from 'test-utils/flushPromises';

const SENT = require('./data/getPartnerStatus.json');
const NOT_SHARED = require('./data/getPartnerStatusNotShared.json');
const RECALLED = require('./data/getPartnerStatusRecalled.json');
const ERROR = require('./data/getPartnerStatusError.json');
const RECORD = require('./data/getRecord.json');
const RECORD_CHANGED = require('./data/getRecordChanged.json');

jest.mock(
  '@salesforce/apex/SwitchyardController.getPartnerStatus',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });

function mount() {
  const element = createElement('c-partner-status-badge', { is: PartnerStatusBadge });
  element.recordId = SENT.leadId;
  document.body.appendChild(element);
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const details = (element) =>
  [...element.shadowRoot.querySelectorAll('.detail')].map((line) => line.textContent);

async function showing(status) {
  const element = mount();
  getPartnerStatus.emit(status);
  await flushPromises();
  return element;
}

describe('c-partner-status-badge', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  describe('for a lead sent to a partner', () => {
    it('shows the state in words and colour with an accessible name', async () => {
      const element = await showing(SENT);
      const badge = $(element, '.badge');
      expect($(element, '.label').textContent).toBe('Sent to partner');
      expect(badge.classList).toContain('slds-theme_info');
      expect(badge.getAttribute('aria-label')).toBe('Partner status: Sent to partner');
      expect(getPartnerStatus.getLastConfig()).toEqual({ leadId: SENT.leadId });
    });

    it('puts the partner account, the partner fields and the dates in the tooltip', async () => {
      const element = await showing(SENT);
      expect(details(element)).toEqual([
        'Sent to Northwind Partners; the partner has not answered yet.',
        'Partner account: Northwind Partners',
        'Prospect share status: Sending to Partner',
        'Partner prospect status: Qualifying',
        'Acquired through: Partner Sponsored Event',
        'Last routed: Mar 12, 2026, 8:04 AM',
      ]);
    });

    it('shows the tooltip on hover and on keyboard focus, and hides it on leave, blur and Escape', async () => {
      const element = await showing(SENT);
      const badge = $(element, '.badge');
      const tooltip = () => $(element, '.tooltip');
      expect(tooltip().classList).toContain('slds-fall-into-ground');
      expect(badge.getAttribute('aria-describedby')).toBe(tooltip().getAttribute('id'));

      badge.dispatchEvent(new CustomEvent('mouseenter'));
      await flushPromises();
      expect(tooltip().classList).toContain('slds-rise-from-ground');
      badge.dispatchEvent(new CustomEvent('mouseleave'));
      await flushPromises();
      expect(tooltip().classList).toContain('slds-fall-into-ground');

      badge.dispatchEvent(new CustomEvent('focus'));
      await flushPromises();
      expect(tooltip().classList).toContain('slds-rise-from-ground');
      badge.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      await flushPromises();
      expect(tooltip().classList).toContain('slds-fall-into-ground');
      badge.dispatchEvent(new CustomEvent('focus'));
      badge.dispatchEvent(new CustomEvent('blur'));
      await flushPromises();
      expect(tooltip().classList).toContain('slds-fall-into-ground');
      expect(badge.getAttribute('tabindex')).toBe('0');
    });

    it('is accessible, with the tooltip open', async () => {
      const element = await showing(SENT);
      $(element, '.badge').dispatchEvent(new CustomEvent('focus'));
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });

  describe('every partner state', () => {
    // The companion's states (companion/src/http/partner-status.ts), read from its source so a new state
    // there fails here until it has a badge.
    const STATES = JSON.parse(
      require('node:fs')
        .readFileSync(require('node:path').resolve('companion/src/http/partner-status.ts'), 'utf8')
        .match(/PARTNER_STATES = (\[[^\]]*\])/)[1]
        .replace(/'/g, '"')
        .replace(/,\s*\]/, ']'),
    );
    const badges = new Map();

    it.each([
      ['not-shared', 'Not shared', 'slds-badge_lightest', 'The lead has not been shared with a partner.'],
      [
        'pending',
        'Pending',
        'slds-theme_warning',
        'Shared with Northwind Partners, waiting for the partner to accept it.',
      ],
      [
        'sent-to-partner',
        'Sent to partner',
        'slds-theme_info',
        'Sent to Northwind Partners; the partner has not answered yet.',
      ],
      ['qualifying', 'Qualifying', 'slds-badge_inverse', 'Northwind Partners is qualifying the lead.'],
      [
        'accepted',
        'Accepted by partner',
        'slds-theme_success',
        'Northwind Partners accepted the lead and works it now.',
      ],
      [
        'declined',
        'Declined by partner',
        'slds-theme_error',
        'Northwind Partners declined the lead; our own team works it.',
      ],
      [
        'recalled',
        'Recalled',
        'slds-theme_alt-inverse',
        'The lead was taken back from Northwind Partners and will not be shared again; our own team works it.',
      ],
      [
        'direct-engagement',
        'Direct engagement',
        'slds-theme_shade',
        'The person asked us directly, so our own team works the lead instead of Northwind Partners.',
      ],
    ])('%s reads "%s" in %s and explains itself', async (state, label, theme, says) => {
      const element = await showing({ ...NOT_SHARED, state, partnerAccount: 'Northwind Partners' });
      const badge = $(element, '.badge');
      expect($(element, '.label').textContent).toBe(label);
      expect(badge.classList).toContain(theme);
      expect(details(element)[0]).toBe(says);
      const icon = $(element, 'lightning-icon').iconName;
      badges.set(state, { label, theme, icon });
    });

    it('gives each state its own words, colour and icon, and has one for every state the companion knows', () => {
      expect([...badges.keys()].sort()).toEqual([...STATES].sort());
      const values = [...badges.values()];
      for (const key of ['label', 'theme', 'icon']) {
        expect(new Set(values.map((badge) => badge[key])).size).toBe(values.length);
      }
    });

    it('says "the partner" when the lead names no partner account', async () => {
      const element = await showing({ ...NOT_SHARED, state: 'declined', partnerAccount: null });
      expect(details(element)[0]).toBe('The partner declined the lead; our own team works it.');
    });
  });

  describe('for a recalled lead', () => {
    it('shows Recalled in its own colour with the recall date', async () => {
      const element = await showing(RECALLED);
      expect($(element, '.label').textContent).toBe('Recalled');
      expect($(element, '.badge').classList).toContain('slds-theme_alt-inverse');
      expect(details(element)).toContain('Recalled from the partner on Mar 3, 2026');
      expect(details(element)).toContain('Partner share status: Recalled');
    });
  });

  describe('for a lead never shared', () => {
    it('shows a neutral Not shared badge and says there is no partner account', async () => {
      const element = await showing(NOT_SHARED);
      const badge = $(element, '.badge');
      expect($(element, '.label').textContent).toBe('Not shared');
      expect([...badge.classList].filter((name) => name.startsWith('slds-theme'))).toEqual([]);
      expect(details(element)).toEqual([
        'The lead has not been shared with a partner.',
        'No partner account',
      ]);
    });

    it('is accessible', async () => {
      const element = await showing(NOT_SHARED);
      await expect(element).toBeAccessible();
    });
  });

  describe('when the status cannot be loaded', () => {
    it('shows the reason and what to do, and no badge', async () => {
      const element = mount();
      getPartnerStatus.error(ERROR, 404);
      await flushPromises();
      expect($(element, '.badge')).toBeNull();
      const panel = $(element, 'c-error-panel');
      expect(panel.shadowRoot.querySelector('.message').textContent).toBe(
        'This lead does not exist or you cannot see it.',
      );
      expect(panel.shadowRoot.querySelector('.action').textContent).toContain('ask its owner to share it');
    });

    it('is accessible', async () => {
      const element = mount();
      getPartnerStatus.error(ERROR, 404);
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });

  describe('following the record', () => {
    it('reloads the status when the partner fields of the lead change, not on the first load', async () => {
      await showing(SENT);
      getRecord.emit(RECORD);
      await flushPromises();
      expect(refreshApex).not.toHaveBeenCalled();

      getRecord.emit(RECORD_CHANGED);
      await flushPromises();
      expect(refreshApex).toHaveBeenCalledTimes(1);
      expect(getRecord.getLastConfig().optionalFields.map((field) => field.fieldApiName)).toEqual(
        expect.arrayContaining(['Partner_Share_Status__c', 'Last_Routed_At__c']),
      );
    });
  });
});
