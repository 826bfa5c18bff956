import { createElement } from 'lwc';
import RerouteLeadForm from 'c/rerouteLeadForm';
import { flushPromises } from 'test-utils/flushPromises';

function mount(props) {
  const element = createElement('c-reroute-lead-form', { is: RerouteLeadForm });
  Object.assign(element, props);
  const reasons = [];
  element.addEventListener('reasonchange', (event) => reasons.push(event.detail.value));
  document.body.appendChild(element);
  return { element, reasons };
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);

describe('c-reroute-lead-form', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('explains what re-routing does and hands the typed reason to its host', async () => {
    const { element, reasons } = mount({ showForm: true, reason: 'Moved to Canada' });
    await flushPromises();
    expect($(element, '.explanation').textContent).toContain('round robin of its region');
    const reason = $(element, '.reason');
    expect(reason.value).toBe('Moved to Canada');
    reason.value = 'Moved to Mexico';
    reason.dispatchEvent(new CustomEvent('change'));
    expect(reasons).toEqual(['Moved to Mexico']);
    await expect(element).toBeAccessible();
  });

  it('says who can grant the permission instead of showing the form', async () => {
    const { element } = mount({ noPermission: true });
    await flushPromises();
    expect($(element, '.no-permission').textContent).toContain('Switchyard User permission set');
    expect($(element, '.reason')).toBeNull();
  });

  it('shows it is still checking access, then a spinner while working', async () => {
    const { element } = mount({ checkingAccess: true });
    await flushPromises();
    expect($(element, '.checking').textContent).toBe('Checking your access…');
    expect($(element, 'lightning-spinner')).toBeNull();
    element.working = true;
    await flushPromises();
    expect($(element, 'lightning-spinner')).not.toBeNull();
  });

  it('shows why the last attempt failed below the form', async () => {
    const error = { body: { message: 'Not an MQL.' } };
    const { element } = mount({ showForm: true, error });
    await flushPromises();
    const panel = $(element, 'c-error-panel');
    expect(panel.title).toBe('The lead was not re-routed');
    expect(panel.errors).toEqual(error);
  });
});
