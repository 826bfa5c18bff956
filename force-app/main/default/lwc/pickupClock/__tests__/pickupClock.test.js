import { createElement } from 'lwc';
import PickupClock from 'c/pickupClock';
import getLeadSla from '@salesforce/apex/SwitchyardController.getLeadSla';
import acceptLeadSla from '@salesforce/apex/SwitchyardController.acceptLeadSla';
import rejectLeadSla from '@salesforce/apex/SwitchyardController.rejectLeadSla';
import { refreshApex } from '@salesforce/apex';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import { publish } from 'lightning/messageService';
import { flushPromises } from 'test-utils/flushPromises';

const CLOCK = require('./data/getLeadSla.json');
const ESCALATE = require('./data/getLeadSlaEscalate.json');
const ACCEPTED = require('./data/getLeadSlaAccepted.json');
const NONE = require('./data/getLeadSlaNone.json');
const NO_POLICY = require('./data/getLeadSlaNoPolicy.json');
const LOAD_ERROR = require('./data/getLeadSlaError.json');
const REJECTED = require('./data/rejectLeadSla.json');
const NOT_OWNER = require('./data/acceptLeadSlaNotOwner.json');
const NO_POOL = require('./data/rejectLeadSlaNoPool.json');

jest.mock(
  '@salesforce/apex/SwitchyardController.getLeadSla',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex/SwitchyardController.acceptLeadSla', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.rejectLeadSla', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });
// The reader is Maya Chen, the owner in getLeadSla.json (in its 15-character form, as Salesforce may give it).
jest.mock('@salesforce/user/Id', () => ({ default: '005000000000001' }), { virtual: true });
jest.mock('@salesforce/i18n/timeZone', () => ({ default: 'Europe/Amsterdam' }), { virtual: true });

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const text = (element, selector) => ($(element, selector) ? $(element, selector).textContent.trim() : null);

async function showing(clock) {
  const element = createElement('c-pickup-clock', { is: PickupClock });
  element.recordId = CLOCK.leadId;
  const toasts = [];
  element.addEventListener('lightning__showtoast', (event) => toasts.push(event.detail));
  document.body.appendChild(element);
  getLeadSla.emit(clock);
  await flushPromises();
  return { element, toasts };
}

function typeReason(element, value) {
  const reason = $(element, '.reason');
  reason.value = value;
  reason.dispatchEvent(new CustomEvent('change', { detail: { value } }));
}

describe('c-pickup-clock', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it('says who owns the lead, since when, when it is due in the owner’s working time and what happens then', async () => {
    const { element } = await showing(CLOCK);
    expect(getLeadSla.getLastConfig()).toEqual({ leadId: CLOCK.leadId });
    expect(text(element, '.waiting')).toBe('Waiting for Maya Chen');
    expect(text(element, '.policy')).toBe('AMER SDR leads are taken within a working hour');
    expect(text(element, '.owner')).toBe('Maya Chen');
    expect(text(element, '.since')).toBe('Nov 23, 2026, 10:30 PM');
    // Due for the reader in Amsterdam, and on Maya Chen's own clock in New York.
    expect(text(element, '.due')).toBe('Nov 24, 2026, 3:15 PM');
    expect(text(element, '.due-owner')).toBe('· Tue 9:15 AM for Maya Chen');
    expect(text(element, '.working-time')).toBe(
      "45 working minutes in Maya Chen's hours: Mon–\u2060Fri, 09:00–17:00 (America/New_York).",
    );
    expect(text(element, '.next')).toBe('Maya Chen gets a reminder.');
  });

  it('gives the owner Accept and Reject', async () => {
    const { element } = await showing(CLOCK);
    expect($(element, '.accept').label).toBe('Accept');
    expect($(element, '.reject').label).toBe('Reject');
  });

  it('shows others the clock without the buttons, and an escalation with where it goes', async () => {
    const { element } = await showing(ESCALATE);
    expect(text(element, '.owner')).toBe('Sam Jones');
    expect(text(element, '.next')).toBe('The lead is escalated to the Hopper queue.');
    expect(text(element, '.working-time')).toBe(
      "120 working minutes in Sam Jones's hours: Mon–\u2060Wed, Fri, 08:00–16:00 (America/Chicago).",
    );
    expect($(element, '.accept')).toBeNull();
    expect($(element, '.reject')).toBeNull();
  });

  it('says when the lead was accepted and by whom, without buttons', async () => {
    const { element } = await showing(ACCEPTED);
    expect(text(element, '.accepted-title')).toBe('Accepted by Maya Chen on Nov 23, 2026, 10:40 PM');
    expect(text(element, '.accepted-how')).toBe('They pressed Accept.');
    expect($(element, '.waiting')).toBeNull();
    expect($(element, '.due')).toBeNull();
    expect($(element, '.accept')).toBeNull();
  });

  it('says there is no clock, and why, instead of a due time', async () => {
    const { element } = await showing(NONE);
    expect(text(element, '.none .slds-text-heading_small')).toBe('No pickup clock on this lead');
    expect(text(element, '.why')).toMatch(
      /^It waits in a queue\. A clock starts when routing gives it to a person/,
    );
    expect($(element, '.due')).toBeNull();
    expect($(element, '.accept')).toBeNull();
  });

  it('says no clock runs when no service level covers the lead, even to its owner, without Accept or a waiting badge', async () => {
    const { element } = await showing(NO_POLICY);
    expect(text(element, '.none .slds-text-heading_small')).toBe('No pickup clock on this lead');
    expect(text(element, '.no-policy')).toBe(
      'No service level covers leads from emea-sdr: nothing reminds, reassigns or escalates this one.',
    );
    expect(text(element, '.owner')).toBe('Emma Schulz');
    expect($(element, '.waiting')).toBeNull();
    expect($(element, '.due')).toBeNull();
    expect($(element, '.accept')).toBeNull();
  });

  it('explains a clock that could not be loaded', async () => {
    const element = createElement('c-pickup-clock', { is: PickupClock });
    element.recordId = CLOCK.leadId;
    document.body.appendChild(element);
    getLeadSla.error(LOAD_ERROR.body, LOAD_ERROR.status);
    await flushPromises();
    const panel = $(element, 'c-error-panel');
    expect(panel.title).toBe('The pickup clock could not be loaded');
    expect(panel.shadowRoot.textContent).toContain('Salesforce could not reach the Switchyard companion.');
  });

  it('accepts: the clock stops and says so', async () => {
    acceptLeadSla.mockResolvedValue(ACCEPTED);
    const { element, toasts } = await showing(CLOCK);
    $(element, '.accept').click();
    await flushPromises();
    expect(acceptLeadSla).toHaveBeenCalledWith({ leadId: CLOCK.leadId });
    expect(text(element, '.accepted-title')).toBe('Accepted by Maya Chen on Nov 23, 2026, 10:40 PM');
    expect(toasts.map((t) => t.title)).toEqual(['You accepted the lead.']);
    expect(refreshApex).toHaveBeenCalled();
  });

  it('rejects with a reason only: the lead goes to the next rep, the page hears of it', async () => {
    rejectLeadSla.mockResolvedValue(REJECTED);
    const { element, toasts } = await showing(CLOCK);
    $(element, '.reject').click();
    await flushPromises();
    expect($(element, '.confirm-reject').disabled).toBe(true);
    typeReason(element, '   ');
    await flushPromises();
    expect($(element, '.confirm-reject').disabled).toBe(true);
    typeReason(element, ' I only work New England accounts ');
    await flushPromises();
    $(element, '.confirm-reject').click();
    await flushPromises();
    expect(rejectLeadSla).toHaveBeenCalledWith({
      leadId: CLOCK.leadId,
      reason: 'I only work New England accounts',
    });
    expect(toasts.map((t) => t.title)).toEqual(['The lead went to Sam Jones.']);
    expect(text(element, '.owner')).toBe('Sam Jones');
    expect($(element, '.accept')).toBeNull();
    expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: CLOCK.leadId }]);
    expect(publish).toHaveBeenCalledWith(undefined, 'Switchyard_Routing__c', {
      leadId: CLOCK.leadId,
      outcome: 'assigned',
    });
  });

  it('says in plain words what to do when the companion refuses, by code', async () => {
    acceptLeadSla.mockRejectedValue(NOT_OWNER);
    rejectLeadSla.mockRejectedValue(NO_POOL);
    const { element } = await showing(CLOCK);
    $(element, '.accept').click();
    await flushPromises();
    let panel = $(element, 'c-error-panel');
    expect(panel.title).toBe("The lead's clock was not changed");
    expect(panel.shadowRoot.querySelector('.message').textContent).toBe(
      "Only the lead's owner can accept or reject it, and that is no longer you.",
    );
    expect(panel.shadowRoot.querySelector('.action').textContent).toBe(
      'Reload the page to see who owns it now; ask them, or re-route it.',
    );

    $(element, '.reject').click();
    await flushPromises();
    typeReason(element, 'Wrong region');
    await flushPromises();
    $(element, '.confirm-reject').click();
    await flushPromises();
    panel = $(element, 'c-error-panel');
    expect(panel.shadowRoot.querySelector('.message').textContent).toBe(
      'This lead did not come from a pool, so nobody is next in line to take it.',
    );
    expect(panel.shadowRoot.querySelector('.action').textContent).toBe(
      'Ask your manager to reassign it, or re-route it.',
    );
  });

  it('is accessible with a running clock, the reject form open, and without a clock', async () => {
    const { element } = await showing(CLOCK);
    await expect(element).toBeAccessible();
    $(element, '.reject').click();
    await flushPromises();
    await expect(element).toBeAccessible();
    const none = await showing(NONE);
    await expect(none.element).toBeAccessible();
  });
});
