import { createElement } from 'lwc';
import BacktestSummary from 'c/backtestSummary';
import getLastBacktest from '@salesforce/apex/SwitchyardController.getLastBacktest';
import publishBacktest from '@salesforce/apex/SwitchyardController.publishBacktest';
import { flushPromises } from 'test-utils/flushPromises';
import { inLoadState } from 'test-utils/loadState';

const LAST = require('./data/getLastBacktest.json');
const CURRENT = require('./data/getLastBacktestCurrent.json');
const NONE = require('./data/getLastBacktestNone.json');
const PUBLISHED = require('./data/publishBacktest.json');
const CONFLICT = require('./data/publishBacktestConflict.json');

jest.mock('@salesforce/apex/SwitchyardController.getLastBacktest', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.publishBacktest', () => ({ default: jest.fn() }), {
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

/** Mounts it with the candidate backtested against the live version, and opens the publish confirmation. */
async function confirming() {
  getLastBacktest.mockResolvedValue(CURRENT);
  const element = await mount();
  const toasts = [];
  const published = [];
  element.addEventListener('lightning__showtoast', (event) => toasts.push(event.detail));
  element.addEventListener('published', (event) => published.push(event.detail));
  $(element, '.publish-start').click();
  await flushPromises();
  return { element, toasts, published };
}

function typeReason(element, value) {
  const reason = $(element, '.publish-reason');
  reason.value = value;
  reason.dispatchEvent(new CustomEvent('change'));
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

  it('says when the live version holds the candidate, and offers no publish', async () => {
    getLastBacktest.mockResolvedValue({ ...LAST, live: { version: 5, sameAsCandidate: true } });
    const element = await mount();
    expect(text($(element, '.backtest-published'))).toBe('Live now: the live version holds this candidate');
    expect($(element, '.backtest-stale')).toBeNull();
    expect($(element, '.publish-start')).toBeNull();
  });

  it('offers no publish once the live version moved on: the stale note says to backtest again', async () => {
    getLastBacktest.mockResolvedValue(LAST);
    const element = await mount();
    expect($(element, '.backtest-stale')).not.toBeNull();
    expect($(element, '.publish-start')).toBeNull();
  });

  it('says how to publish a backtest whose candidate is no longer kept', async () => {
    getLastBacktest.mockResolvedValue({
      ...CURRENT,
      backtest: { ...CURRENT.backtest, candidateKept: false },
    });
    const element = await mount();
    expect($(element, '.publish-start')).toBeNull();
    expect(text($(element, '.backtest-not-kept'))).toBe(
      "This backtest no longer holds its candidate's files: run the backtest again to publish it from here.",
    );
  });

  it('asks for a reason before publishing the candidate backtested against the live version', async () => {
    const { element } = await confirming();
    expect($(element, '.publish-start')).toBeNull();
    expect(text($(element, '.publish-confirm h3'))).toBe('Publish the backtested candidate?');
    expect(text($(element, '.publish-explain'))).toBe(
      'The candidate this backtest ran becomes live as version 5, over version 4, which it was compared with. Routing uses it for the next decision; version 4 stays in the history to roll back to.',
    );
    const reason = $(element, '.publish-reason');
    expect(reason.label).toBe('Why publish?');
    expect(reason.required).toBe(true);
    expect(reason.messageWhenValueMissing).toBe('Say in a few words why you publish.');
    const reportValidity = jest.fn();
    reason.reportValidity = reportValidity;
    typeReason(element, '   ');
    $(element, '.publish-confirm-button').click();
    await flushPromises();
    expect(reportValidity).toHaveBeenCalled();
    expect(publishBacktest).not.toHaveBeenCalled();
  });

  it('publishes with the reason, says the new version, tells the page and shows the candidate live', async () => {
    publishBacktest.mockResolvedValue(PUBLISHED);
    const { element, toasts, published } = await confirming();
    getLastBacktest.mockResolvedValue({ ...CURRENT, live: { version: 5, sameAsCandidate: true } });
    typeReason(element, ' EMEA leads to the partner desk ');
    $(element, '.publish-confirm-button').click();
    await flushPromises();
    expect(publishBacktest).toHaveBeenCalledWith({
      backtestId: 12,
      reason: 'EMEA leads to the partner desk',
    });
    expect(toasts).toEqual([
      expect.objectContaining({
        title: 'Published',
        message: 'The backtested candidate is live as version 5.',
        variant: 'success',
      }),
    ]);
    expect(published).toEqual([{ version: 5 }]);
    expect($(element, '.publish-confirm')).toBeNull();
    expect(text($(element, '.backtest-published'))).toBe('Live now: the live version holds this candidate');
    expect($(element, '.publish-start')).toBeNull();
  });

  it('keeps the confirmation open with the companion’s refusal, naming the version stored meanwhile', async () => {
    publishBacktest.mockRejectedValue({ status: 409, body: CONFLICT });
    const { element, toasts, published } = await confirming();
    typeReason(element, 'Go');
    $(element, '.publish-confirm-button').click();
    await flushPromises();
    const panel = $(element, '.publish-confirm c-error-panel');
    expect(panel.title).toBe('The publish was refused');
    expect(text(panel.shadowRoot)).toContain('Version 5 of the routing set (publish by Sam Lee');
    expect(text(panel.shadowRoot)).toContain('Run the backtest again, against version 5');
    expect(toasts).toEqual([]);
    expect(published).toEqual([]);
    expect($(element, '.publish-confirm-button').disabled).toBe(false);
  });

  it('closes the confirmation on Escape and on Cancel without publishing', async () => {
    const { element } = await confirming();
    $(element, '.publish-confirm').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
    );
    await flushPromises();
    expect($(element, '.publish-confirm')).toBeNull();
    $(element, '.publish-start').click();
    await flushPromises();
    $(element, '.publish-cancel').click();
    await flushPromises();
    expect($(element, '.publish-confirm')).toBeNull();
    expect($(element, '.publish-start')).not.toBeNull();
    expect(publishBacktest).not.toHaveBeenCalled();
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
    expect(inLoadState(element, 'c-error-panel').title).toBe('The last backtest could not be loaded');
    expect(inLoadState(element, 'lightning-spinner')).toBeNull();
  });

  it('is accessible', async () => {
    getLastBacktest.mockResolvedValue(LAST);
    const element = await mount();
    await expect(element).toBeAccessible();
  });

  it('is accessible with the publish confirmation open', async () => {
    const { element } = await confirming();
    await expect(element).toBeAccessible();
  });
});
