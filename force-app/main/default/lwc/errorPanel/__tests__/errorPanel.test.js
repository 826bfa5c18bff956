import { createElement } from 'lwc';
import ErrorPanel from 'c/errorPanel';
import { flushPromises } from 'test-utils/flushPromises';

const APEX_ERROR = {
  status: 500,
  body: {
    message: JSON.stringify({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'Salesforce could not reach the Switchyard companion.',
      action: 'Try again in a minute.',
      status: 503,
    }),
  },
};

function mount(props) {
  const element = createElement('c-error-panel', { is: ErrorPanel });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);

describe('c-error-panel', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('shows the title, what went wrong and what to do, as an alert', async () => {
    const element = mount({ title: 'The matched leads could not be loaded', errors: APEX_ERROR });
    await flushPromises();
    expect($(element, '[role="alert"]')).not.toBeNull();
    expect($(element, '.title').textContent).toBe('The matched leads could not be loaded');
    expect($(element, '.message').textContent).toBe('Salesforce could not reach the Switchyard companion.');
    expect($(element, '.action').textContent).toBe('Try again in a minute.');
  });

  it('lists every error of a list', async () => {
    const element = mount({ errors: [APEX_ERROR, new Error('Rendering failed')] });
    await flushPromises();
    const messages = [...element.shadowRoot.querySelectorAll('.message')].map((node) => node.textContent);
    expect(messages).toEqual(['Salesforce could not reach the Switchyard companion.', 'Rendering failed']);
    expect($(element, '.title')).toBeNull();
  });

  it('renders nothing without errors', async () => {
    const element = mount({ errors: undefined });
    await flushPromises();
    expect($(element, '[role="alert"]')).toBeNull();
  });

  it('is accessible', async () => {
    const element = mount({ title: 'The lead was not re-routed', errors: APEX_ERROR });
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
