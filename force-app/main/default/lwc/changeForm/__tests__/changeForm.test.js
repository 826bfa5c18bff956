import { createElement } from 'lwc';
import ChangeForm from 'c/changeForm';
import { flushPromises } from 'test-utils/flushPromises';

const REFUSED = require('./data/addPoolMemberInactive.json');

// The host's own fields come in through the slot; poolTables and territoryTables test the form with them.
function mount(props = {}) {
  const element = createElement('c-change-form', { is: ChangeForm });
  Object.assign(element, { heading: 'Remove Ava Patel from amer-sdr?', saveLabel: 'Remove', ...props });
  const events = [];
  for (const name of ['reasonchange', 'save', 'back', 'cancel']) {
    element.addEventListener(name, (event) =>
      events.push(name === 'reasonchange' ? event.detail.value : name),
    );
  }
  document.body.appendChild(element);
  return { element, events };
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

describe('c-change-form', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('shows the heading, the reason and Cancel and Save, and takes focus on its first field', async () => {
    const { element } = mount({ reason: 'Left the team' });
    await flushPromises();
    expect(text($(element, 'h4'))).toBe('Remove Ava Patel from amer-sdr?');
    expect($(element, '[role="group"]').getAttribute('aria-label')).toBe('Remove Ava Patel from amer-sdr?');
    expect(text($(element, 'label'))).toBe('*Why (kept in the history)');
    expect($(element, '.field-reason').value).toBe('Left the team');
    expect($(element, '.field-reason').maxLength).toBe(1000);
    expect(element.shadowRoot.activeElement).toBe($(element, '.field-reason'));
    expect(text($(element, '.form-cancel'))).toBe('Cancel');
    expect(text($(element, '.form-save'))).toBe('Remove');
    expect($(element, '.form-save').className).toContain('slds-button_brand');
    expect($(element, '.form-back')).toBeNull();
    expect($(element, '.form-help')).toBeNull();
    expect($(element, 'c-error-panel')).toBeNull();
  });

  it('hands the typed reason, Save, Back, Cancel and Escape to its host', async () => {
    const { element, events } = mount({ backLabel: 'Back now' });
    await flushPromises();
    const reason = $(element, '.field-reason');
    reason.value = 'Came back early';
    reason.dispatchEvent(new CustomEvent('input'));
    $(element, '.form-back').click();
    $(element, '.form-save').click();
    $(element, '.form-cancel').click();
    reason.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    reason.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(events).toEqual(['Came back early', 'back', 'save', 'cancel', 'cancel']);
    expect(text($(element, '.form-back'))).toBe('Back now');
  });

  it('says the reason is missing where the host found it so, and focuses it after Save', async () => {
    const { element } = mount();
    await flushPromises();
    $(element, '.form-cancel').focus();
    element.reasonMissing = true;
    await flushPromises();
    const reason = $(element, '.field-reason');
    expect($(element, '.slds-form-element').classList).toContain('slds-has-error');
    const help = $(element, '.reason-missing');
    expect(text(help)).toBe('Say why, in a few words.');
    expect(reason.getAttribute('aria-describedby')).toBe(help.id);
    $(element, '.form-save').click();
    await flushPromises();
    expect(element.shadowRoot.activeElement).toBe(reason);
    await expect(element).toBeAccessible();
  });

  it('shows the companion’s refusal under its title, a destructive Save, a help line, and waits while busy', async () => {
    const { element } = mount({
      error: REFUSED,
      errorTitle: 'The pool was not changed',
      destructive: true,
      help: 'Lists are comma-separated.',
      busy: true,
      backLabel: 'Back now',
    });
    await flushPromises();
    const panel = $(element, 'c-error-panel');
    expect(panel.title).toBe('The pool was not changed');
    expect(panel.errors).toEqual(REFUSED);
    expect($(element, '.form-save').className).toContain('slds-button_destructive');
    expect(text($(element, '.form-help'))).toBe('Lists are comma-separated.');
    expect($(element, '.form-save').disabled).toBe(true);
    expect($(element, '.form-back').disabled).toBe(true);
    expect($(element, '.form-cancel').disabled).toBe(false);
  });

  it('takes focus again when it becomes another form, not on every render', async () => {
    const { element } = mount();
    await flushPromises();
    $(element, '.form-cancel').focus();
    element.reason = 'x';
    await flushPromises();
    expect(element.shadowRoot.activeElement).toBe($(element, '.form-cancel'));
    element.heading = 'Pause amer-sdr?';
    await flushPromises();
    expect(element.shadowRoot.activeElement).toBe($(element, '.field-reason'));
  });
});
