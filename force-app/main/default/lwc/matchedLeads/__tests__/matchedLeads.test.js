import { createElement } from 'lwc';
import MatchedLeads from 'c/matchedLeads';
import getMatchedLeads from '@salesforce/apex/SwitchyardController.getMatchedLeads';
import getRerouteAccess from '@salesforce/apex/SwitchyardController.getRerouteAccess';
import { refreshApex } from '@salesforce/apex';
import { flushPromises } from 'test-utils/flushPromises';

const PAGE = require('./data/getMatchedLeads.json');
const PAGE_2 = require('./data/getMatchedLeadsPage2.json');
const EMPTY = require('./data/getMatchedLeadsEmpty.json');
const ERROR = require('./data/getMatchedLeadsError.json');

jest.mock(
  '@salesforce/apex/SwitchyardController.getMatchedLeads',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock(
  '@salesforce/apex/SwitchyardController.getRerouteAccess',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex/SwitchyardController.rerouteLead', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });

const ACCOUNT_ID = '001AM000004ACMEAAA';

function mount() {
  const element = createElement('c-matched-leads', { is: MatchedLeads });
  element.recordId = ACCOUNT_ID;
  document.body.appendChild(element);
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);

describe('c-matched-leads', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  describe('with matched leads', () => {
    it('asks for the first 25 leads by latest activity', async () => {
      mount();
      await flushPromises();
      expect(getMatchedLeads.getLastConfig()).toEqual({
        accountId: ACCOUNT_ID,
        pageSize: 25,
        pageOffset: 0,
        sortBy: 'lastActivity',
        sortDirection: 'desc',
        searchTerm: '',
      });
    });

    it('lists every lead with name, owner, last flow, active flows and why it matched', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();

      const table = $(element, 'lightning-datatable');
      expect(table.data).toHaveLength(25);
      const first = table.data[0];
      expect(first).toMatchObject({
        name: PAGE.items[0].name,
        recordUrl: `/${PAGE.items[0].id}`,
        email: PAGE.items[0].email,
        ownerName: PAGE.items[0].owner.name,
        lastFlowName: PAGE.items[0].lastFlowName,
        activeFlowsCount: PAGE.items[0].activeFlowsCount,
        matchReason: PAGE.items[0].matchReason,
      });
      const queueRow = table.data.find((row, index) => PAGE.items[index].owner.kind === 'queue');
      expect(queueRow.ownerName).toMatch(/\(queue\)$/);
      const labels = table.columns.map((column) => column.label);
      expect(labels).toEqual(
        expect.arrayContaining([
          'Full Name',
          'Title',
          'Email',
          'Status',
          'Owner',
          'Last Activity',
          'Last Flow Name',
          'Active Flows',
          'Why It Matched',
        ]),
      );
      expect($(element, 'lightning-card').title).toBe('Matched Leads (240)');
      expect($(element, '.range').textContent).toBe('1–25 of 240');
    });

    it('leaves out the column of a field the user may not read', async () => {
      const element = mount();
      getMatchedLeads.emit({
        ...PAGE,
        hiddenFields: ['email'],
        items: PAGE.items.map((item) => ({ ...item, email: null })),
      });
      await flushPromises();

      const table = $(element, 'lightning-datatable');
      const labels = table.columns.map((column) => column.label);
      expect(labels).not.toContain('Email');
      expect(labels).toEqual(expect.arrayContaining(['Full Name', 'Title', 'Status', 'Owner']));
      expect(table.data.every((row) => row.email === null)).toBe(true);
    });

    it('pages forward and back with Next and Previous', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();
      expect($(element, '.previous').disabled).toBe(true);

      $(element, '.next').click();
      await flushPromises();
      expect(getMatchedLeads.getLastConfig().pageOffset).toBe(25);
      getMatchedLeads.emit(PAGE_2);
      await flushPromises();
      expect($(element, '.range').textContent).toBe('26–50 of 240');
      expect($(element, '.previous').disabled).toBe(false);

      $(element, '.previous').click();
      await flushPromises();
      expect(getMatchedLeads.getLastConfig().pageOffset).toBe(0);
    });

    it('goes back to the last page with leads when the current page has emptied', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();
      $(element, '.next').click();
      await flushPromises();
      getMatchedLeads.emit({ ...PAGE_2, total: 25, items: [] });
      await flushPromises();
      expect(getMatchedLeads.getLastConfig().pageOffset).toBe(0);
      getMatchedLeads.emit({ ...PAGE, total: 25 });
      await flushPromises();
      expect($(element, '.range').textContent).toBe('1–25 of 25');
    });

    it('shows no paging buttons when every lead fits on one page', async () => {
      const element = mount();
      getMatchedLeads.emit({ ...PAGE, total: 25 });
      await flushPromises();
      expect($(element, '.next')).toBeNull();
      expect($(element, '.range').textContent).toBe('1–25 of 25');
    });

    it('sorts on the companion by the clicked column and goes back to the first page', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();
      $(element, '.next').click();
      await flushPromises();

      $(element, 'lightning-datatable').dispatchEvent(
        new CustomEvent('sort', { detail: { fieldName: 'ownerName', sortDirection: 'asc' } }),
      );
      await flushPromises();
      expect(getMatchedLeads.getLastConfig()).toMatchObject({
        sortBy: 'owner',
        sortDirection: 'asc',
        pageOffset: 0,
      });
      expect($(element, 'lightning-datatable').sortedBy).toBe('ownerName');

      $(element, 'lightning-datatable').dispatchEvent(
        new CustomEvent('sort', { detail: { fieldName: 'matchReason', sortDirection: 'desc' } }),
      );
      await flushPromises();
      expect(getMatchedLeads.getLastConfig().sortBy).toBe('matchScore');
    });

    it('searches on the companion once typing pauses, from the first page', async () => {
      jest.useFakeTimers();
      try {
        const element = mount();
        getMatchedLeads.emit(PAGE);
        await Promise.resolve();
        $(element, '.next').click();
        await Promise.resolve();
        const search = $(element, '.search');
        search.value = 'ma';
        search.dispatchEvent(new CustomEvent('change'));
        search.value = ' maya ';
        search.dispatchEvent(new CustomEvent('change'));
        jest.advanceTimersByTime(299);
        await Promise.resolve();
        expect(getMatchedLeads.getLastConfig()).toMatchObject({ searchTerm: '', pageOffset: 25 });

        jest.advanceTimersByTime(1);
        await Promise.resolve();
        expect(getMatchedLeads.getLastConfig()).toMatchObject({ searchTerm: 'maya', pageOffset: 0 });

        getMatchedLeads.emit(EMPTY);
        await Promise.resolve();
        expect($(element, '.empty').textContent).toContain('No matched leads fit "maya".');
        expect($(element, '.search')).not.toBeNull();
      } finally {
        jest.useRealTimers();
      }
    });

    it('reloads when Refresh is pressed', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();
      $(element, '.refresh').click();
      await flushPromises();
      expect(refreshApex).toHaveBeenCalledTimes(1);
    });

    it('is accessible', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });

  describe('re-route row action', () => {
    it('is offered only to users allowed to re-route', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      getRerouteAccess.emit(false);
      await flushPromises();
      const types = $(element, 'lightning-datatable').columns.map((column) => column.type);
      expect(types).not.toContain('action');
    });

    it('opens the re-route confirmation for the row and reloads the page after the re-route', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      getRerouteAccess.emit(true);
      await flushPromises();
      const table = $(element, 'lightning-datatable');
      const actionColumn = table.columns.find((column) => column.type === 'action');
      expect(actionColumn.typeAttributes.rowActions).toEqual([{ label: 'Re-route', name: 'reroute' }]);

      table.dispatchEvent(
        new CustomEvent('rowaction', { detail: { action: { name: 'reroute' }, row: table.data[2] } }),
      );
      await flushPromises();
      const reroute = $(element, 'c-reroute-lead');
      expect(reroute.recordId).toBe(PAGE.items[2].id);
      expect(reroute.leadName).toBe(PAGE.items[2].name);
      expect(reroute.variant).toBe('inline');

      reroute.dispatchEvent(new CustomEvent('rerouted', { detail: {} }));
      await flushPromises();
      expect($(element, 'c-reroute-lead')).toBeNull();
      expect(refreshApex).toHaveBeenCalledTimes(1);
    });

    it('closes the confirmation on cancel without reloading', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      getRerouteAccess.emit(true);
      await flushPromises();
      const table = $(element, 'lightning-datatable');
      table.dispatchEvent(
        new CustomEvent('rowaction', { detail: { action: { name: 'reroute' }, row: table.data[0] } }),
      );
      await flushPromises();
      $(element, 'c-reroute-lead').dispatchEvent(new CustomEvent('cancel'));
      await flushPromises();
      expect($(element, 'c-reroute-lead')).toBeNull();
      expect(refreshApex).not.toHaveBeenCalled();
    });
  });

  describe('without matched leads', () => {
    it('says none are matched and how matching works, without a table', async () => {
      const element = mount();
      getMatchedLeads.emit(EMPTY);
      await flushPromises();
      expect($(element, 'lightning-datatable')).toBeNull();
      expect($(element, '.empty').textContent).toContain('No leads are matched to this account yet.');
      expect($(element, 'lightning-card').title).toBe('Matched Leads (0)');
      expect($(element, '.search')).toBeNull();
    });

    it('is accessible', async () => {
      const element = mount();
      getMatchedLeads.emit(EMPTY);
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });

  describe('when the companion cannot be reached', () => {
    it('shows what went wrong and what to do in the error panel', async () => {
      const element = mount();
      getMatchedLeads.error(ERROR, 500);
      await flushPromises();
      const panel = $(element, 'c-error-panel');
      expect(panel.title).toBe('The matched leads could not be loaded');
      const text = panel.shadowRoot.textContent;
      expect(text).toContain('Salesforce could not reach the Switchyard companion');
      expect(text).toContain('check the Switchyard Companion named credential');
      expect($(element, 'lightning-datatable')).toBeNull();
    });

    it('is accessible', async () => {
      const element = mount();
      getMatchedLeads.error(ERROR, 500);
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });
});
