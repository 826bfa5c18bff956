import { createElement } from 'lwc';
import RerouteLeadFrame from 'c/rerouteLeadFrame';
import { flushPromises } from 'test-utils/flushPromises';

// Its body and buttons are rerouteLead's; rerouteLead.test.js shows them in this frame, both ways.
function mount(props) {
  const element = createElement('c-reroute-lead-frame', { is: RerouteLeadFrame });
  Object.assign(element, props);
  const closes = [];
  element.addEventListener('close', () => closes.push(true));
  document.body.appendChild(element);
  return { element, closes };
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const key = (name) => new KeyboardEvent('keydown', { key: name, bubbles: true, composed: true });

describe('c-reroute-lead-frame', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('is the quick action’s panel, headed by the question, with a footer for the buttons', async () => {
    const { element } = mount({ heading: 'Re-route this lead?' });
    await flushPromises();
    expect($(element, 'lightning-quick-action-panel').header).toBe('Re-route this lead?');
    expect($(element, 'section')).toBeNull();
    expect($(element, 'slot[name="footer"]').parentElement.getAttribute('slot')).toBe('footer');
  });

  it('inline, is a box headed by the question that takes focus and asks to close on Escape only', async () => {
    const { element, closes } = mount({ heading: 'Re-route Maya Chen?', inline: true });
    await flushPromises();
    expect($(element, 'lightning-quick-action-panel')).toBeNull();
    const question = $(element, 'h2.question');
    expect(question.textContent.trim()).toBe('Re-route Maya Chen?');
    expect($(element, 'section').getAttribute('aria-labelledby')).toBe(question.id);
    element.focus();
    expect(element.shadowRoot.activeElement).toBe(question);
    question.dispatchEvent(key('Enter'));
    expect(closes).toHaveLength(0);
    question.dispatchEvent(key('Escape'));
    expect(closes).toHaveLength(1);
    await expect(element).toBeAccessible();
  });
});
