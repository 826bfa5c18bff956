import { createElement } from 'lwc';
import RoutingHistory from 'c/routingHistory';
import getRoutingHistory from '@salesforce/apex/SwitchyardController.getRoutingHistory';
import { getRecord } from 'lightning/uiRecordApi';
import { refreshApex } from '@salesforce/apex';
import { subscribe } from 'lightning/messageService';
import { flushPromises } from 'test-utils/flushPromises';

const HISTORY = require('./data/getRoutingHistory.json');
const EMPTY = require('./data/getRoutingHistoryEmpty.json');
const STATUSES = require('./data/getRoutingHistoryStatuses.json');
const REFUSED = require('./data/getRoutingHistoryRefused.json');
const ERROR = require('./data/getRoutingHistoryError.json');
const RECORD = require('./data/getRecord.json');
const RECORD_REROUTED = require('./data/getRecordRerouted.json');

jest.mock(
  '@salesforce/apex/SwitchyardController.getRoutingHistory',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });

function mount() {
  const element = createElement('c-routing-history', { is: RoutingHistory });
  element.recordId = HISTORY.leadId;
  document.body.appendChild(element);
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];

async function showing(history) {
  const element = mount();
  getRoutingHistory.emit(history);
  await flushPromises();
  return element;
}

describe('c-routing-history', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  describe('with decisions', () => {
    it('lists the decisions newest first with when, why it ran, who asked and whether it was applied', async () => {
      const element = await showing(HISTORY);
      expect(getRoutingHistory.getLastConfig()).toEqual({ leadId: HISTORY.leadId, maxItems: 20 });
      expect($$(element, '.summary').map((node) => node.textContent.trim())).toEqual([
        'Assigned to Maya Chen (AMER SDR round robin)',
        'Queued in Partner Queue for Northwind Partners',
        'Assigned to Sam Jones (owner of other Acme Corp leads)',
      ]);
      const [newest, , oldest] = $$(element, '.decision');
      expect(newest.querySelector('.when').textContent).toBe('Mar 12, 2026, 8:04 AM');
      expect(newest.querySelector('.trigger').textContent).toBe('Re-routed by Ava Patel');
      expect(newest.querySelector('.flow').textContent).toBe('Re-route (MQL) v4');
      expect(newest.querySelector('.status').textContent).toBe('Applied');
      expect(oldest.querySelector('.trigger').textContent).toBe('New lead');
      expect(oldest.querySelector('.status').textContent).toBe('Failed');
    });

    it('opens the newest decision with the reason given, the owner before and after, and the steps that decided', async () => {
      const element = await showing(HISTORY);
      const [newest, second] = $$(element, '.decision');
      expect([...newest.querySelectorAll('.step')].map((step) => step.textContent)).toEqual(
        HISTORY.items[0].steps.map((step) => step.text),
      );
      expect(newest.querySelector('.reason').textContent).toBe('Reason: Country fixed to Canada');
      expect(newest.querySelector('.owner').textContent).toBe('Owner: Ben Carter → Maya Chen');
      expect(newest.querySelector('.toggle').getAttribute('aria-expanded')).toBe('true');
      expect(second.querySelector('.details')).toBeNull();
      expect(second.querySelector('.toggle').getAttribute('aria-expanded')).toBe('false');
    });

    it('opens and closes an older decision, showing why it failed', async () => {
      const element = await showing(HISTORY);
      const oldestToggle = () => $$(element, '.decision')[2].querySelector('.toggle');
      oldestToggle().click();
      await flushPromises();
      const oldest = $$(element, '.decision')[2];
      expect(oldest.querySelector('.owner').textContent).toBe('Owner: Sam Jones');
      expect(oldest.querySelector('.errors').textContent).toContain('Salesforce was busy updating this lead');
      expect(oldestToggle().getAttribute('aria-expanded')).toBe('true');

      oldestToggle().click();
      await flushPromises();
      expect($$(element, '.decision')[2].querySelector('.details')).toBeNull();

      $$(element, '.decision')[0].querySelector('.toggle').click();
      await flushPromises();
      expect($$(element, '.decision')[0].querySelector('.details')).toBeNull();
    });

    it('says in words when a decision is waiting, was overtaken or only simulated, and why it ran', async () => {
      const element = await showing(STATUSES);
      expect($$(element, '.status').map((node) => node.textContent)).toEqual([
        'Waiting to be applied',
        'Not applied: the lead changed meanwhile',
      ]);
      expect($$(element, '.trigger').map((node) => node.textContent)).toEqual([
        'Lead changed',
        'Scheduled job',
      ]);
      expect($$(element, '.decision')[0].querySelector('.owner')).toBeNull();
    });

    it('shows every step of the flow one click away, and back', async () => {
      const element = await showing(HISTORY);
      const newest = () => $$(element, '.decision')[0];
      const steps = () => [...newest().querySelectorAll('.step')].map((step) => step.textContent);
      expect(steps()).toHaveLength(2);
      newest().querySelector('.technical').click();
      await flushPromises();
      expect(steps()).toEqual(HISTORY.items[0].path.map((step) => step.text));
      expect(newest().querySelector('.technical').textContent.trim()).toBe('Hide the technical steps');
      newest().querySelector('.technical').click();
      await flushPromises();
      expect(steps()).toHaveLength(2);
    });

    it('names a queue owner as a queue', async () => {
      const element = await showing(HISTORY);
      $$(element, '.decision')[1].querySelector('.toggle').click();
      await flushPromises();
      expect($$(element, '.decision')[1].querySelector('.owner').textContent).toBe(
        'Owner: Partner Queue (queue)',
      );
    });

    it('reloads when the lead is re-routed (owner or routing time changes) and on Refresh', async () => {
      const element = await showing(HISTORY);
      getRecord.emit(RECORD);
      await flushPromises();
      expect(refreshApex).not.toHaveBeenCalled();

      getRecord.emit(RECORD_REROUTED);
      await flushPromises();
      expect(refreshApex).toHaveBeenCalledTimes(1);
      expect(getRecord.getLastConfig().optionalFields.map((field) => field.fieldApiName)).toEqual([
        'OwnerId',
        'Last_Routed_At__c',
      ]);

      $(element, '.refresh').click();
      await flushPromises();
      expect(refreshApex).toHaveBeenCalledTimes(2);
    });

    it('is accessible', async () => {
      const element = await showing(HISTORY);
      await expect(element).toBeAccessible();
    });
  });

  describe("with a refused re-route and an admin's simulation", () => {
    it('shows the refusal as refused, with who asked, why, the owner kept and what to do', async () => {
      const element = await showing(REFUSED);
      const newest = $$(element, '.decision')[0];
      expect(newest.querySelector('.summary').textContent.trim()).toBe(
        'Not re-routed: the lead is high priority',
      );
      expect(newest.querySelector('.status').textContent).toBe('Refused: the lead was not re-routed');
      const icon = [...newest.querySelectorAll('lightning-icon')].find((i) =>
        i.alternativeText.startsWith('Refused'),
      );
      expect(icon.iconName).toBe('utility:ban');
      expect(newest.querySelector('.trigger').textContent).toBe('Re-routed by Ava Patel');
      expect(newest.querySelector('.reason').textContent).toBe('Reason: Customer asked for a German speaker');
      expect(newest.querySelector('.owner').textContent).toBe('Owner: Maya Chen, unchanged');
      expect(newest.querySelector('.refusal').textContent).toBe(
        "High-priority leads are not re-routed. Ask the lead's owner to hand it over.",
      );
      expect(newest.textContent).not.toContain('Applied');
    });

    it('keeps simulations out of the timeline, closed, in a section of their own', async () => {
      const element = await showing(REFUSED);
      expect($$(element, '.decision .summary').map((n) => n.textContent.trim())).not.toContain(
        'Would assign to Kara Lopez',
      );
      expect($(element, '.simulations h3').textContent).toBe('Simulations by admins (1)');
      expect($(element, '.simulation')).toBeNull();
      const toggle = $(element, '.simulations-toggle');
      expect(toggle.getAttribute('aria-expanded')).toBe('false');
      toggle.click();
      await flushPromises();
      expect($(element, '.simulation .summary').textContent).toBe('Would assign to Kara Lopez');
      expect($(element, '.simulation').textContent).toContain('by Ada Admin');
      expect($(element, '.simulations').textContent).toContain('They changed nothing on the lead.');
      await expect(element).toBeAccessible();
    });

    it('reloads when a re-route of this lead is answered, even with a refusal, and not for another lead', async () => {
      await showing(REFUSED);
      const [, channel, listener] = subscribe.mock.calls[0];
      expect(channel).toBeTruthy();
      listener({ leadId: '00QAM0000009999AAA', outcome: 'refused' });
      await flushPromises();
      expect(refreshApex).not.toHaveBeenCalled();
      listener({ leadId: REFUSED.leadId, outcome: 'refused' });
      await flushPromises();
      expect(refreshApex).toHaveBeenCalledTimes(1);
    });
  });

  describe('for a lead never routed', () => {
    it('says so instead of an empty timeline', async () => {
      const element = await showing(EMPTY);
      expect($(element, '.empty').textContent).toContain('This lead has not been routed yet.');
      expect($$(element, '.decision')).toHaveLength(0);
    });

    it('is accessible', async () => {
      const element = await showing(EMPTY);
      await expect(element).toBeAccessible();
    });
  });

  describe('when the history cannot be loaded', () => {
    it('shows what went wrong and what to do', async () => {
      const element = mount();
      getRoutingHistory.error(ERROR, 401);
      await flushPromises();
      const panel = $(element, 'c-error-panel');
      expect(panel.title).toBe('The routing history could not be loaded');
      expect(panel.shadowRoot.querySelector('.message').textContent).toBe(
        "The Switchyard companion did not accept Salesforce's API key.",
      );
      expect(panel.shadowRoot.querySelector('.action').textContent).toContain('external credential');
    });

    it('is accessible', async () => {
      const element = mount();
      getRoutingHistory.error(ERROR, 401);
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });
});
