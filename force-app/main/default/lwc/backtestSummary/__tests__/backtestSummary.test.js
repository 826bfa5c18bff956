import { createElement } from 'lwc';
import BacktestSummary from 'c/backtestSummary';
import getLastBacktest from '@salesforce/apex/SwitchyardController.getLastBacktest';
import { flushPromises } from 'test-utils/flushPromises';

const LAST = require('./data/getLastBacktest.json');
const NONE = require('./data/getLastBacktestNone.json');

jest.mock('@salesforce/apex/SwitchyardController.getLastBacktest', () => ({ default: jest.fn() }), {
  virtual: true,
});

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();
/** A table row as its cells, so cells that touch in textContent stay apart. */
const cells = (row) => [...row.querySelectorAll('th, td')].map(text).join(' | ');

async function mount() {
  const element = createElement('c-backtest-summary', { is: BacktestSummary });
  document.body.appendChild(element);
  await flushPromises();
  return element;
}

describe('c-backtest-summary', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.resetAllMocks();
  });

  it('shows who ran it against which version, the counts, who would get leads instead and the load per owner', async () => {
    getLastBacktest.mockResolvedValue(LAST);
    const element = await mount();
    expect(text($(element, '.backtest-ran'))).toMatch(
      /^Run by Zoe Park on .+, against live version 4\.Not published$/,
    );
    expect(text($(element, '.backtest-scope'))).toBe(
      'Leads created in the last 30 days, as trigger created.',
    );
    // Version 5 is live now, and it is not this candidate: the backtest is out of date.
    expect(text($(element, '.backtest-stale'))).toBe(
      'The live version is 5 now: backtest again before publishing.',
    );
    const figure = (key) => text($(element, `.backtest-figure[data-figure="${key}"] .figure-value`));
    expect(figure('leads')).toBe('120');
    expect(figure('changed')).toBe('7');
    expect(figure('no-owner')).toBe('0 → 1');
    expect(figure('conversions')).toBe('0 / 1');
    expect($$(element, '.backtest-move').map(cells)).toEqual([
      'Emma Schulz | Hopper | 5',
      "Finn O'Brien | Hopper | 2",
    ]);
    // Biggest change of load first.
    expect($$(element, '.backtest-owner').map(cells)).toEqual([
      'Hopper | 3 | 10',
      'Emma Schulz | 20 | 15',
      "Finn O'Brien | 18 | 16",
    ]);
  });

  it('says when the live version holds the candidate', async () => {
    getLastBacktest.mockResolvedValue({ ...LAST, live: { version: 5, sameAsCandidate: true } });
    const element = await mount();
    expect(text($(element, '.backtest-published'))).toBe('Live now: the live version holds this candidate');
    expect($(element, '.backtest-stale')).toBeNull();
  });

  it('says how to run one when there is none', async () => {
    getLastBacktest.mockResolvedValue(NONE);
    const element = await mount();
    expect(text($(element, '.backtest-none'))).toContain('npm run cli -- backtest --candidate');
    expect($(element, '.backtest-figures')).toBeNull();
  });

  it('says why it could not be loaded', async () => {
    getLastBacktest.mockRejectedValue({ body: { message: 'boom' } });
    const element = await mount();
    expect($(element, 'c-error-panel').title).toBe('The last backtest could not be loaded');
  });

  it('is accessible', async () => {
    getLastBacktest.mockResolvedValue(LAST);
    const element = await mount();
    await expect(element).toBeAccessible();
  });
});
