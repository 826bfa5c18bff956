import { createElement } from 'lwc';
import RoutingHistory from 'c/routingHistory';
import getRoutingHistory from '@salesforce/apex/SwitchyardController.getRoutingHistory';
import { getRecord } from 'lightning/uiRecordApi';
import { refreshApex } from '@salesforce/apex';
import { flushPromises } from 'test-utils/flushPromises';

const HISTORY = require('./data/getRoutingHistory.json');
const EMPTY = require('./data/getRoutingHistoryEmpty.json');
const STATUSES = require('./data/getRoutingHistoryStatuses.json');
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
    it('lists the decisions newest first with when, why it ran, the flow and whether it was applied', async () => {
      const element = await showing(HISTORY);
      expect(getRoutingHistory.getLastConfig()).toEqual({ leadId: HISTORY.leadId, maxItems: 20 });
      expect($$(element, '.summary').map((node) => node.textContent.trim())).toEqual([
        'Assigned to Maya Chen (AMER SDR round robin)',
        'Queued in Partner Queue for Northwind Partners',
        'Assigned to Sam Jones (owner of other Acme Corp leads)',
      ]);
      const [newest, , oldest] = $$(element, '.decision');
      expect(newest.querySelector('.when').textContent).toBe('Mar 12, 2026, 8:04 AM');
      expect(newest.querySelector('.trigger').textContent).toBe('Re-routed by a person');
      expect(newest.querySelector('.flow').textContent).toBe('Re-route (MQL) v4');
      expect(newest.querySelector('.status').textContent).toBe('Applied');
      expect(oldest.querySelector('.trigger').textContent).toBe('New lead');
      expect(oldest.querySelector('.status').textContent).toBe('Failed');
    });

    it('opens the newest decision with its path in plain words and owner', async () => {
      const element = await showing(HISTORY);
      const [newest, second] = $$(element, '.decision');
      expect([...newest.querySelectorAll('.step')].map((step) => step.textContent)).toEqual(
        HISTORY.items[0].path.map((step) => step.text),
      );
      expect(newest.querySelector('.owner').textContent).toBe('Owner: Maya Chen');
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
        'Simulation only',
      ]);
      expect($$(element, '.trigger').map((node) => node.textContent)).toEqual([
        'Lead changed',
        'Scheduled job',
        'Owner deactivated',
      ]);
      expect($$(element, '.decision')[0].querySelector('.owner')).toBeNull();
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
