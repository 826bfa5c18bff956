import { createElement } from 'lwc';
import LoadState from 'c/loadState';
import { flushPromises } from 'test-utils/flushPromises';

const TERRITORIES = require('./data/getTerritories.json');
const ERROR = require('./data/getTerritoriesError.json');

const NOTE = 'As live in version 7.';

async function mount(props) {
  const element = createElement('c-load-state', { is: LoadState });
  Object.assign(element, { errorTitle: 'The territories could not be loaded', note: NOTE, ...props });
  document.body.appendChild(element);
  await flushPromises();
  return element;
}
const $ = (element, selector) => element.shadowRoot.querySelector(selector);

describe('c-load-state', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('shows the note once the data is read, and neither spinner nor error', async () => {
    const element = await mount({ data: TERRITORIES });
    expect($(element, '.load-note').textContent).toBe(NOTE);
    expect($(element, 'lightning-spinner')).toBeNull();
    expect($(element, 'c-error-panel')).toBeNull();
  });

  it('shows a spinner, and no note, until the data or an error comes', async () => {
    const element = await mount({});
    expect($(element, 'lightning-spinner').alternativeText).toBe('Loading');
    expect($(element, '.load-note')).toBeNull();
  });

  it('shows the failure in the error panel under the title it is given, and no spinner', async () => {
    const element = await mount({ error: ERROR });
    const panel = $(element, 'c-error-panel');
    expect(panel.title).toBe('The territories could not be loaded');
    expect(panel.errors).toEqual(ERROR);
    expect($(element, 'lightning-spinner')).toBeNull();
    expect($(element, '.load-note')).toBeNull();
  });

  it.each([
    ['loading', {}],
    ['loaded', { data: TERRITORIES }],
    ['failed', { error: ERROR }],
  ])('is accessible %s', async (_, props) => {
    const element = await mount(props);
    await expect(element).toBeAccessible();
  });
});
