import { createElement } from 'lwc';
import RerouteLead from 'c/rerouteLead';
import rerouteLead from '@salesforce/apex/SwitchyardController.rerouteLead';
import getRerouteAccess from '@salesforce/apex/SwitchyardController.getRerouteAccess';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import { publish } from 'lightning/messageService';
import { flushPromises } from 'test-utils/flushPromises';

const DECISION = require('./data/rerouteLead.json');
const PENDING = require('./data/rerouteLeadPending.json');
const NOT_ELIGIBLE = require('./data/rerouteLeadNotEligible.json');
const UNAVAILABLE = require('./data/rerouteLeadUnavailable.json');
const ACCESS_ERROR = require('./data/getRerouteAccessError.json');

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

const LEAD_ID = DECISION.leadId;

function mount(props = {}) {
  const element = createElement('c-reroute-lead', { is: RerouteLead });
  Object.assign(element, { recordId: LEAD_ID, ...props });
  const events = { toasts: [], closed: 0, cancelled: 0, rerouted: [] };
  element.addEventListener('lightning__showtoast', (event) => events.toasts.push(event.detail));
  element.addEventListener('close', () => (events.closed += 1));
  element.addEventListener('cancel', () => (events.cancelled += 1));
  element.addEventListener('rerouted', (event) => events.rerouted.push(event.detail));
  document.body.appendChild(element);
  return { element, events };
}

/** An element of the re-route dialog: its buttons, in its frame (panel, question) or in the form inside it. */
const $ = (element, selector) => {
  const frame = element.shadowRoot.querySelector('c-reroute-lead-frame');
  const form = element.shadowRoot.querySelector('c-reroute-lead-form');
  return (
    element.shadowRoot.querySelector(selector) ??
    frame?.shadowRoot.querySelector(selector) ??
    form?.shadowRoot.querySelector(selector) ??
    null
  );
};

async function allowed(props) {
  const mounted = mount(props);
  getRerouteAccess.emit(true);
  await flushPromises();
  return mounted;
}

describe('c-reroute-lead', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  describe('for a user allowed to re-route', () => {
    it('asks to confirm, explaining what re-routing does', async () => {
      const { element } = await allowed();
      expect($(element, 'lightning-quick-action-panel').header).toBe('Re-route this lead?');
      expect($(element, '.explanation').textContent).toContain('round robin of its region');
      expect($(element, '.confirm').label).toBe('Re-route');
      expect($(element, '.cancel').label).toBe('Cancel');
      expect(rerouteLead).not.toHaveBeenCalled();
    });

    it('re-routes, names the new owner and why in a toast, refreshes the record and closes', async () => {
      rerouteLead.mockResolvedValue(DECISION);
      const { element, events } = await allowed();
      const reason = $(element, '.reason');
      reason.value = '  Country corrected to Canada ';
      reason.dispatchEvent(new CustomEvent('change'));

      $(element, '.confirm').click();
      await flushPromises();

      expect(rerouteLead).toHaveBeenCalledWith({
        leadId: LEAD_ID,
        reason: 'Country corrected to Canada',
        requestKey: expect.stringMatching(/^[\x21-\x7e]{1,200}$/),
      });
      expect(events.toasts).toEqual([
        {
          title: 'Re-routed to Maya Chen',
          message: 'Assigned to Maya Chen (AMER SDR round robin)',
          variant: 'success',
        },
      ]);
      expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: LEAD_ID }]);
      expect(events.rerouted).toEqual([DECISION]);
      expect(events.closed).toBe(1);
    });

    it('sends no reason when none was given', async () => {
      rerouteLead.mockResolvedValue(DECISION);
      const { element } = await allowed();
      $(element, '.confirm').click();
      await flushPromises();
      expect(rerouteLead).toHaveBeenCalledWith({
        leadId: LEAD_ID,
        reason: null,
        requestKey: expect.any(String),
      });
    });

    it('says when Salesforce has not saved the change yet', async () => {
      rerouteLead.mockResolvedValue(PENDING);
      const { element, events } = await allowed();
      $(element, '.confirm').click();
      await flushPromises();
      expect(events.toasts).toEqual([
        {
          title: 'Re-routed to Maya Chen',
          message:
            'Assigned to Maya Chen (AMER SDR round robin) Salesforce is still saving the change; the lead shows its new owner in a moment.',
          variant: 'info',
        },
      ]);
      expect(events.closed).toBe(1);
    });

    it('sends a retried click with the same request key, so it is answered with the first decision', async () => {
      rerouteLead.mockRejectedValueOnce({ status: 500, body: UNAVAILABLE });
      rerouteLead.mockResolvedValueOnce(PENDING);
      const { element, events } = await allowed();
      $(element, '.confirm').click();
      await flushPromises();
      expect($(element, 'c-error-panel')).not.toBeNull();
      $(element, '.confirm').click();
      await flushPromises();
      expect(rerouteLead).toHaveBeenCalledTimes(2);
      const [first, retry] = rerouteLead.mock.calls.map(([params]) => params.requestKey);
      expect(first).toEqual(expect.any(String));
      expect(retry).toBe(first);
      expect(events.rerouted).toEqual([PENDING]);
    });

    it('gives each dialog its own request key', async () => {
      rerouteLead.mockResolvedValue(DECISION);
      const first = await allowed();
      $(first.element, '.confirm').click();
      await flushPromises();
      const second = await allowed();
      $(second.element, '.confirm').click();
      await flushPromises();
      const [a, b] = rerouteLead.mock.calls.map(([params]) => params.requestKey);
      expect(a).not.toBe(b);
    });

    it('says so when the owner stays the same and when the lead went to a queue', async () => {
      rerouteLead.mockResolvedValueOnce({ ...DECISION, outcome: 'unchanged', summary: 'Maya Chen keeps it' });
      rerouteLead.mockResolvedValueOnce({
        ...DECISION,
        outcome: 'queued',
        owner: { id: '00GAM0000000778AAA', name: 'Partner Queue', kind: 'queue' },
      });
      const first = await allowed();
      $(first.element, '.confirm').click();
      await flushPromises();
      const second = await allowed();
      $(second.element, '.confirm').click();
      await flushPromises();
      expect(first.events.toasts[0]).toMatchObject({ title: 'Maya Chen stays the owner', variant: 'info' });
      expect(second.events.toasts[0].title).toBe('Re-routed to Partner Queue (queue)');
    });

    it('shows a spinner and blocks a second click while routing runs', async () => {
      let finish;
      rerouteLead.mockReturnValue(new Promise((resolve) => (finish = resolve)));
      const { element } = await allowed();
      $(element, '.confirm').click();
      await flushPromises();
      expect($(element, 'lightning-spinner')).not.toBeNull();
      expect($(element, '.confirm').disabled).toBe(true);
      $(element, '.confirm').click();
      expect(rerouteLead).toHaveBeenCalledTimes(1);
      finish(DECISION);
      await flushPromises();
      expect($(element, 'lightning-spinner')).toBeNull();
    });

    it('closes the action on Cancel without re-routing', async () => {
      const { element, events } = await allowed();
      $(element, '.cancel').click();
      expect(events.closed).toBe(1);
      expect(rerouteLead).not.toHaveBeenCalled();
    });

    it('is accessible', async () => {
      const { element } = await allowed();
      await expect(element).toBeAccessible();
    });
  });

  describe('when the companion refuses the re-route', () => {
    async function refused() {
      rerouteLead.mockRejectedValue({ status: 409, body: NOT_ELIGIBLE });
      const mounted = await allowed();
      $(mounted.element, '.confirm').click();
      await flushPromises();
      return mounted;
    }

    it('shows why and what to do instead, and stays open', async () => {
      const { element, events } = await refused();
      const panel = $(element, 'c-error-panel');
      expect(panel.title).toBe('The lead was not re-routed');
      expect(panel.shadowRoot.querySelector('.message').textContent).toBe(
        'This lead is matched to Acme Corp, whose BDR Dana Ruiz is actively working the account.',
      );
      expect(panel.shadowRoot.querySelector('.action').textContent).toContain(
        'Ask Dana Ruiz to take the lead',
      );
      expect(events.toasts).toEqual([]);
      expect(events.closed).toBe(0);
      expect(notifyRecordUpdateAvailable).not.toHaveBeenCalled();
      expect($(element, '.cancel').label).toBe('Close');
    });

    it('turns Re-route off, so the same refusal cannot be asked for again, and tells the page', async () => {
      const { element } = await refused();
      expect($(element, '.confirm').disabled).toBe(true);
      $(element, '.confirm').click();
      await flushPromises();
      expect(rerouteLead).toHaveBeenCalledTimes(1);
      // The routing history on the page hears of the refusal and shows it without a reload.
      expect(publish).toHaveBeenCalledWith(undefined, expect.anything(), {
        leadId: LEAD_ID,
        outcome: 'refused',
      });
    });

    it('states the rules before the click, in the words of the re-route flow', async () => {
      rerouteLead.mockResolvedValue(DECISION);
      const { element } = await allowed();
      const rules = [
        ...element.shadowRoot.querySelector('c-reroute-lead-form').shadowRoot.querySelectorAll('.rule'),
      ];
      expect(rules.map((rule) => rule.textContent)).toEqual([
        'The lead is not an MQL. Only MQLs are re-routed.',
        'The lead is high priority. High-priority leads are not re-routed.',
        'The matched account is marked Actively Working by its BDR.',
        'In APJ, a BDR is assigned to the matched account.',
      ]);
      expect($(element, '.explanation').textContent).toContain('stays with its current owner');
      expect($(element, '.explanation').textContent).not.toContain('stays with that BDR');
    });

    it('is accessible', async () => {
      const { element } = await refused();
      await expect(element).toBeAccessible();
    });
  });

  describe('for a user without the re-route permission', () => {
    it('says who can grant it and offers no Re-route button', async () => {
      const { element } = mount();
      getRerouteAccess.emit(false);
      await flushPromises();
      expect($(element, '.no-permission').textContent).toContain('Switchyard User permission set');
      expect($(element, '.confirm')).toBeNull();
      expect($(element, '.cancel').label).toBe('Close');
    });

    it('is accessible', async () => {
      const { element } = mount();
      getRerouteAccess.emit(false);
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });

  describe('when access cannot be checked', () => {
    it('shows the error and offers no Re-route button', async () => {
      const { element } = mount();
      getRerouteAccess.error(ACCESS_ERROR, 503);
      await flushPromises();
      expect($(element, 'c-error-panel').title).toBe('Your access could not be checked');
      expect($(element, '.confirm')).toBeNull();
    });
  });

  describe('embedded in another component (variant inline)', () => {
    it('names the lead and tells its host about cancel and success instead of closing an action', async () => {
      rerouteLead.mockResolvedValue(DECISION);
      const { element, events } = await allowed({ variant: 'inline', leadName: 'Maya Chen' });
      expect($(element, 'lightning-quick-action-panel')).toBeNull();
      expect($(element, 'h2').textContent).toBe('Re-route Maya Chen?');

      $(element, '.cancel').click();
      expect(events.cancelled).toBe(1);

      $(element, '.confirm').click();
      await flushPromises();
      expect(events.rerouted).toEqual([DECISION]);
      expect(events.closed).toBe(0);
      expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: LEAD_ID }]);
    });

    it('takes focus on its question and closes on Escape', async () => {
      const { element, events } = await allowed({ variant: 'inline', leadName: 'Maya Chen' });
      element.focus();
      const frame = element.shadowRoot.querySelector('c-reroute-lead-frame');
      expect(frame.shadowRoot.activeElement).toBe($(element, 'h2.question'));
      $(element, '.reason').dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
      );
      expect(events.cancelled).toBe(1);
      expect(events.closed).toBe(0);
    });

    it('is accessible', async () => {
      const { element } = await allowed({ variant: 'inline', leadName: 'Maya Chen' });
      await expect(element).toBeAccessible();
    });
  });
});
