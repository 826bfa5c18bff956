import { createElement } from 'lwc';
import MatchedLeads from 'c/matchedLeads';
import getMatchedLeads from '@salesforce/apex/SwitchyardController.getMatchedLeads';
import getRerouteAccess from '@salesforce/apex/SwitchyardController.getRerouteAccess';
import { refreshApex } from '@salesforce/apex';
import { getNavigateCalledWith } from 'lightning/navigation';
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
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];
const headers = (element) => $$(element, 'thead th').map((th) => th.textContent.trim());
const rowOf = (element, name) => $$(element, 'tr.lead').find((tr) => tr.textContent.includes(name));
const sortBy = async (element, field) => {
  $(element, `button.sort[data-field="${field}"]`).click();
  await flushPromises();
};

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

    it('lists every lead on one line: name, owner, last flow, active flows and a short why', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();

      const rows = $$(element, 'tr.lead');
      expect(rows).toHaveLength(25);
      const first = PAGE.items[0];
      const cells = [...rows[0].children].map((cell) => cell.textContent.trim());
      expect(cells).toEqual([
        first.name,
        first.title,
        first.email,
        first.status,
        first.owner.name,
        'Feb 28, 2026',
        first.lastFlowName,
        String(first.activeFlowsCount),
        'Email domain',
      ]);
      const queueIndex = PAGE.items.findIndex((item) => item.owner.kind === 'queue');
      expect(rows[queueIndex].children[4].textContent.trim()).toMatch(/\(queue\)$/);
      expect(headers(element)).toEqual([
        'Name',
        'Title',
        'Email',
        'Status',
        'Owner',
        'Last activity',
        'Last flow',
        'Active flows',
        'Why it matched',
      ]);
      // The company is searched, so it is on the row too (the name's tooltip).
      expect(rows[0].querySelector('th div').title).toBe(`${first.name} · ${first.company}`);
      expect($(element, 'lightning-card').title).toBe('Matched Leads (240)');
      expect($(element, '.range').textContent).toBe('1–25 of 240');
    });

    it('opens a lead through Lightning navigation', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();
      const link = $(element, 'tr.lead a');
      expect(link.getAttribute('href')).toBe(`/lightning/r/Lead/${PAGE.items[0].id}/view`);
      link.click();
      expect(getNavigateCalledWith()).toEqual({
        type: 'standard__recordPage',
        attributes: { recordId: PAGE.items[0].id, objectApiName: 'Lead', actionName: 'view' },
      });
    });

    it('shows why a lead matched in full on demand, under its row', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();
      const item = PAGE.items[3];
      const row = rowOf(element, item.name);
      const why = row.querySelector('button.why');
      expect(why.getAttribute('aria-expanded')).toBe('false');
      expect(why.getAttribute('aria-label')).toBe(`Email domain: why ${item.name} matched`);
      expect($(element, 'tr.reason-row')).toBeNull();

      why.click();
      await flushPromises();
      const detail = rowOf(element, item.name).nextElementSibling;
      expect(detail.classList).toContain('reason-row');
      expect(detail.textContent).toContain(item.matchReason);
      expect(detail.textContent).toContain(`Match score ${Math.round(item.matchScore * 100)} %`);
      expect(rowOf(element, item.name).querySelector('button.why').getAttribute('aria-expanded')).toBe(
        'true',
      );

      rowOf(element, item.name).querySelector('button.why').click();
      await flushPromises();
      expect($(element, 'tr.reason-row')).toBeNull();
    });

    it('leaves out the column of a field the user may not read', async () => {
      const element = mount();
      getMatchedLeads.emit({
        ...PAGE,
        hiddenFields: ['email'],
        items: PAGE.items.map((item) => ({ ...item, email: null })),
      });
      await flushPromises();

      expect(headers(element)).not.toContain('Email');
      expect(headers(element)).toEqual(expect.arrayContaining(['Name', 'Title', 'Status', 'Owner']));
      expect($$(element, 'tr.lead')[0].children).toHaveLength(8);
      expect($(element, 'table').textContent).not.toContain('@acme');
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

    it('sorts on the companion by the pressed header, the other way on a second press, from the first page', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();
      const sortOf = (field) =>
        $(element, `button.sort[data-field="${field}"]`).closest('th').getAttribute('aria-sort');
      expect(sortOf('lastActivity')).toBe('descending');
      $(element, '.next').click();
      await flushPromises();

      await sortBy(element, 'ownerName');
      expect(getMatchedLeads.getLastConfig()).toMatchObject({
        sortBy: 'owner',
        sortDirection: 'asc',
        pageOffset: 0,
      });
      expect(sortOf('ownerName')).toBe('ascending');
      expect(sortOf('lastActivity')).toBe('none');

      await sortBy(element, 'ownerName');
      expect(getMatchedLeads.getLastConfig()).toMatchObject({ sortBy: 'owner', sortDirection: 'desc' });
      expect(sortOf('ownerName')).toBe('descending');

      await sortBy(element, 'matchReason');
      expect(getMatchedLeads.getLastConfig()).toMatchObject({ sortBy: 'matchScore', sortDirection: 'desc' });
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
        search.dispatchEvent(new CustomEvent('input'));
        search.value = ' maya ';
        search.dispatchEvent(new CustomEvent('input'));
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

    // axe over a full page of rows takes seconds on a busy machine.
    it('is accessible', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      await flushPromises();
      await expect(element).toBeAccessible();
    }, 60_000);
  });

  describe('re-route from a row', () => {
    const mqls = PAGE.items.filter((item) => item.status === 'MQL');
    const others = PAGE.items.filter((item) => item.status !== 'MQL');

    it('is offered only to users allowed to re-route', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      getRerouteAccess.emit(false);
      await flushPromises();
      expect($$(element, 'button.reroute')).toHaveLength(0);
      expect(headers(element)).not.toContain('Action');
    });

    it('is offered on MQLs only, the leads the re-route flow re-routes; the others say why not', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      getRerouteAccess.emit(true);
      await flushPromises();
      expect(headers(element)).toContain('Action');
      expect($$(element, 'button.reroute').map((b) => b.getAttribute('aria-label'))).toEqual(
        mqls.map((item) => `Re-route ${item.name}`),
      );
      for (const item of others) {
        const row = rowOf(element, item.name);
        expect(row.querySelector('button.reroute')).toBeNull();
        expect(row.querySelector('.not-reroutable').textContent.trim()).toBe('Not an MQL');
      }
    });

    it('is offered on every lead when the user may not read the status', async () => {
      const element = mount();
      getMatchedLeads.emit({
        ...PAGE,
        hiddenFields: ['status'],
        items: PAGE.items.map((item) => ({ ...item, status: null })),
      });
      getRerouteAccess.emit(true);
      await flushPromises();
      expect($$(element, 'button.reroute')).toHaveLength(PAGE.items.length);
    });

    it('opens the confirmation right under the row, moves focus into it, and reloads after the re-route', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      getRerouteAccess.emit(true);
      await flushPromises();
      const lead = mqls[mqls.length - 1];
      rowOf(element, lead.name).querySelector('button.reroute').click();
      await flushPromises();

      const under = rowOf(element, lead.name).nextElementSibling;
      expect(under.classList).toContain('reroute-row');
      const reroute = under.querySelector('c-reroute-lead');
      expect(reroute.recordId).toBe(lead.id);
      expect(reroute.leadName).toBe(lead.name);
      expect(reroute.variant).toBe('inline');
      expect($$(element, 'c-reroute-lead')).toHaveLength(1);
      expect(element.shadowRoot.activeElement).toBe(reroute);
      expect(rowOf(element, lead.name).querySelector('button.reroute').getAttribute('aria-expanded')).toBe(
        'true',
      );

      reroute.dispatchEvent(new CustomEvent('rerouted', { detail: {} }));
      await flushPromises();
      expect($(element, 'c-reroute-lead')).toBeNull();
      expect(refreshApex).toHaveBeenCalledTimes(1);
    });

    it('closes the confirmation on cancel without reloading and gives focus back to the row', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      getRerouteAccess.emit(true);
      await flushPromises();
      const lead = mqls[0];
      rowOf(element, lead.name).querySelector('button.reroute').click();
      await flushPromises();
      $(element, 'c-reroute-lead').dispatchEvent(new CustomEvent('cancel'));
      await flushPromises();
      expect($(element, 'c-reroute-lead')).toBeNull();
      expect(refreshApex).not.toHaveBeenCalled();
      expect(element.shadowRoot.activeElement).toBe(
        rowOf(element, lead.name).querySelector('button.reroute'),
      );
    });

    it('is accessible with a confirmation and a reason open', async () => {
      const element = mount();
      getMatchedLeads.emit(PAGE);
      getRerouteAccess.emit(true);
      await flushPromises();
      rowOf(element, mqls[0].name).querySelector('button.reroute').click();
      rowOf(element, others[0].name).querySelector('button.why').click();
      await flushPromises();
      await expect(element).toBeAccessible();
    }, 60_000);
  });

  describe('without matched leads', () => {
    it('says none are matched and how matching works, without a table', async () => {
      const element = mount();
      getMatchedLeads.emit(EMPTY);
      await flushPromises();
      expect($(element, 'table')).toBeNull();
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
      expect($(element, 'table')).toBeNull();
    });

    it('is accessible', async () => {
      const element = mount();
      getMatchedLeads.error(ERROR, 500);
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });
});
