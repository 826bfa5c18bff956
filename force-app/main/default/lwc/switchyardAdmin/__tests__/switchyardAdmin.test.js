import { createElement } from 'lwc';
import SwitchyardAdmin from 'c/switchyardAdmin';
import getAdminAccess from '@salesforce/apex/SwitchyardController.getAdminAccess';
import getRoutingVersions from '@salesforce/apex/SwitchyardController.getRoutingVersions';
import getLiveRouting from '@salesforce/apex/SwitchyardController.getLiveRouting';
import rollbackRouting from '@salesforce/apex/SwitchyardController.rollbackRouting';
import getFlowPicture from '@salesforce/apex/SwitchyardController.getFlowPicture';
import getPools from '@salesforce/apex/SwitchyardController.getPools';
import getJobs from '@salesforce/apex/SwitchyardController.getJobs';
import runJob from '@salesforce/apex/SwitchyardController.runJob';
import setJobPaused from '@salesforce/apex/SwitchyardController.setJobPaused';
import getTerritories from '@salesforce/apex/SwitchyardController.getTerritories';
import { flushPromises } from 'test-utils/flushPromises';

const VERSIONS = require('./data/getRoutingVersions.json');
const LIVE = require('./data/getLiveRouting.json');
const POOLS = require('./data/getPools.json');
const JOBS = require('./data/getJobs.json');
const JOBS_ERROR = require('./data/getJobsError.json');
const RUN = require('./data/runJob.json');
const ROLLBACK = require('./data/rollbackRouting.json');
const CONFLICT = require('./data/rollbackRoutingConflict.json');

jest.mock('@salesforce/apex/SwitchyardController.getAdminAccess', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.getRoutingVersions', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.getLiveRouting', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.rollbackRouting', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.getFlowPicture', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.getPools', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.getJobs', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SwitchyardController.runJob', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SwitchyardController.setJobPaused', () => ({ default: jest.fn() }), {
  virtual: true,
});
// The last backtest, the pool and territory tables are child components with tests of their own; here they only load.
jest.mock('@salesforce/apex/SwitchyardController.publishBacktest', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.getLastBacktest', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.addPoolMember', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.changePoolMember', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.removePoolMember', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.setPoolPaused', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.getTerritories', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.saveTerritoryRow', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.removeTerritoryRow', () => ({ default: jest.fn() }), {
  virtual: true,
});

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>3 leads</text></svg>';

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

async function mount() {
  const element = createElement('c-switchyard-admin', { is: SwitchyardAdmin });
  const toasts = [];
  element.addEventListener('lightning__showtoast', (event) => toasts.push(event.detail));
  document.body.appendChild(element);
  await flushPromises();
  return { element, toasts };
}

function asAdmin() {
  getAdminAccess.mockResolvedValue(true);
  getRoutingVersions.mockResolvedValue(VERSIONS);
  getLiveRouting.mockResolvedValue(LIVE);
  getFlowPicture.mockResolvedValue(SVG);
  getPools.mockResolvedValue(POOLS);
  getJobs.mockResolvedValue(JOBS);
  getTerritories.mockResolvedValue({ version: 4, items: [] });
}

describe('c-switchyard-admin', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.resetAllMocks();
  });

  describe('for an admin', () => {
    beforeEach(asAdmin);

    it('lists the versions with who, why and what changed, the live one marked and not offered for rollback', async () => {
      const { element } = await mount();
      expect(getRoutingVersions).toHaveBeenCalledWith({ maxItems: 20 });
      expect(text($(element, '.live-version'))).toBe('Live: version 2');
      const rows = $$(element, '.version-row');
      expect(rows.map((row) => text(row.querySelector('.version-who')))).toEqual(['Zoe Park', 'Switchyard']);
      expect(text(rows[0].querySelector('.version-why'))).toBe('AMER pool takes Canada');
      expect(text(rows[0].querySelector('.version-action'))).toBe('Published');
      expect(text(rows[0].querySelector('.version-changes'))).toBe('pools.yaml: +1 −1');
      expect(text(rows[1].querySelector('.version-action'))).toBe('First start');
      expect(text(rows[1].querySelector('.version-changes'))).toBe('partner-routing.flow.yaml added');
      expect(rows[0].querySelector('.live-badge')).not.toBeNull();
      expect(rows[0].querySelector('.rollback-start')).toBeNull();
      expect(rows[1].querySelector('.rollback-start').getAttribute('aria-label')).toBe(
        'Roll back to version 1',
      );
      await expect(element).toBeAccessible();
    }, 60_000);

    it('opens a version’s diff with added and removed lines marked', async () => {
      const { element } = await mount();
      const toggle = $(element, '.version-row[data-version="2"] .diff-toggle');
      expect(toggle.getAttribute('aria-expanded')).toBe('false');
      toggle.click();
      await flushPromises();
      expect(toggle.getAttribute('aria-expanded')).toBe('true');
      expect($$(element, '.diff-added').map(text)).toEqual(['+ label: AMER and Canada']);
      expect($$(element, '.diff-removed').map(text)).toEqual(['- label: AMER']);
    });

    it('draws each live flow from its SVG, in name order, as an image with words for it', async () => {
      const { element } = await mount();
      expect(
        getFlowPicture.mock.calls
          .map(([params]) => params)
          .sort((a, b) => a.flowName.localeCompare(b.flowName)),
      ).toEqual([
        { flowName: 'partner-routing', days: 30 },
        { flowName: 'reroute', days: 30 },
      ]);
      expect($$(element, '.flow-name').map(text)).toEqual(['partner-routing', 'reroute']);
      const picture = $(element, '.flow[data-flow="reroute"] img');
      expect(decodeURIComponent(picture.src.replace(/^data:image\/svg\+xml;charset=utf-8,/, ''))).toBe(SVG);
      expect(picture.alt).toContain('the flow reroute');
    });

    it('shows the new version when a pool or territory change is stored below', async () => {
      const { element } = await mount();
      expect(getRoutingVersions).toHaveBeenCalledTimes(1);
      $(element, 'c-pool-tables').dispatchEvent(new CustomEvent('routingchange'));
      await flushPromises();
      expect(getRoutingVersions).toHaveBeenCalledTimes(2);
      $(element, 'c-territory-tables').dispatchEvent(new CustomEvent('routingchange'));
      await flushPromises();
      expect(getRoutingVersions).toHaveBeenCalledTimes(3);
    });

    it('reads the versions, flows, pools and territories again when the backtested candidate is published', async () => {
      const { element } = await mount();
      expect(getRoutingVersions).toHaveBeenCalledTimes(1);
      expect(getPools).toHaveBeenCalledTimes(1);
      expect(getTerritories).toHaveBeenCalledTimes(1);
      const liveReads = getLiveRouting.mock.calls.length;
      getRoutingVersions.mockResolvedValue({
        ...VERSIONS,
        live: 3,
        items: [
          { ...VERSIONS.items[0], version: 3, action: 'publish', reason: 'EMEA to the partner desk' },
          ...VERSIONS.items,
        ],
      });
      $(element, 'c-backtest-summary').dispatchEvent(
        new CustomEvent('published', { detail: { version: 3 } }),
      );
      await flushPromises();
      expect(getRoutingVersions).toHaveBeenCalledTimes(2);
      expect(getLiveRouting.mock.calls.length).toBe(liveReads + 1);
      expect(getPools).toHaveBeenCalledTimes(2);
      expect(getTerritories).toHaveBeenCalledTimes(2);
      expect(text($(element, '.live-version'))).toBe('Live: version 3');
      const newest = $$(element, '.version-row')[0];
      expect(text(newest.querySelector('.version-why'))).toBe('EMEA to the partner desk');
      expect(text(newest.querySelector('.version-action'))).toBe('Published');
    });

    it('says which picture could not be drawn and still draws the others', async () => {
      getFlowPicture.mockImplementation(({ flowName }) => {
        return flowName === 'reroute'
          ? Promise.reject({ status: 503, body: JOBS_ERROR })
          : Promise.resolve(SVG);
      });
      const { element } = await mount();
      expect($(element, '.flow[data-flow="reroute"] c-error-panel')).not.toBeNull();
      expect($(element, '.flow[data-flow="partner-routing"] img')).not.toBeNull();
    });

    it('refuses a rollback without a reason, then rolls back with it and the version seen, and reloads', async () => {
      rollbackRouting.mockResolvedValue(ROLLBACK);
      const { element, toasts } = await mount();
      $(element, '.rollback-start[data-version="1"]').click();
      await flushPromises();
      expect(text($(element, '.rollback-confirm h3'))).toBe('Roll back to version 1?');
      $(element, '.rollback-confirm-button').click();
      await flushPromises();
      expect($(element, '.rollback-reason').messageWhenValueMissing).toBe(
        'Say in a few words why you roll back.',
      );
      expect(rollbackRouting).not.toHaveBeenCalled();

      const reason = $(element, '.rollback-reason');
      reason.value = 'Canada belongs to EMEA after all';
      reason.dispatchEvent(new CustomEvent('change'));
      $(element, '.rollback-confirm-button').click();
      await flushPromises();
      expect(rollbackRouting).toHaveBeenCalledWith({
        version: 1,
        reason: 'Canada belongs to EMEA after all',
        baseVersion: 2,
      });
      expect(toasts).toEqual([
        expect.objectContaining({ variant: 'success', message: 'Version 1 is live again as version 3.' }),
      ]);
      expect($(element, '.rollback-confirm')).toBeNull();
      expect(getRoutingVersions).toHaveBeenCalledTimes(2);
    });

    it('keeps the confirmation open with the companion’s refusal when someone published meanwhile', async () => {
      rollbackRouting.mockRejectedValue({ status: 409, body: CONFLICT });
      const { element, toasts } = await mount();
      $(element, '.rollback-start[data-version="1"]').click();
      await flushPromises();
      const reason = $(element, '.rollback-reason');
      reason.value = 'Back to the start';
      reason.dispatchEvent(new CustomEvent('change'));
      $(element, '.rollback-confirm-button').click();
      await flushPromises();
      expect(toasts).toEqual([]);
      expect($(element, '.rollback-confirm c-error-panel')).not.toBeNull();
    });

    it('closes the confirmation on Escape without rolling back', async () => {
      const { element } = await mount();
      $(element, '.rollback-start[data-version="1"]').click();
      await flushPromises();
      $(element, '.rollback-confirm').dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
      );
      await flushPromises();
      expect($(element, '.rollback-confirm')).toBeNull();
      expect(rollbackRouting).not.toHaveBeenCalled();
    });

    it('lists the jobs with schedule, next run or who paused, and the last run’s counts', async () => {
      const { element } = await mount();
      const [recycle, weekly] = $$(element, '.job-row');
      expect(text(recycle.querySelector('.job-cron'))).toBe('30 2 * * *');
      expect(text(recycle.querySelector('.job-last-text'))).toMatch(
        /: looked at 84, moved 3, failed 0, 2 API calls$/,
      );
      expect(text(recycle.querySelector('.job-last'))).toContain('Dry run');
      expect(weekly.querySelector('.job-paused')).not.toBeNull();
      expect(text(weekly.querySelector('.job-last-text'))).toBe('Not run yet');
      expect(weekly.querySelector('.job-pause').getAttribute('aria-label')).toBe(
        'Resume weekly-status-queues',
      );
    });

    it('runs a job dry, says what a real run would move, and reloads the list', async () => {
      runJob.mockResolvedValue(RUN);
      const { element, toasts } = await mount();
      $(element, '.job-row[data-job="daily-mql-recycle"] .job-dry').click();
      await flushPromises();
      expect(runJob).toHaveBeenCalledWith({ jobName: 'daily-mql-recycle', dryRun: true });
      expect(toasts).toEqual([
        expect.objectContaining({
          title: 'Dry run of daily-mql-recycle: nothing was written',
          message: 'Looked at 84; a real run would move 3.',
        }),
      ]);
      expect(getJobs).toHaveBeenCalledTimes(2);
    });

    it('pauses a running job and resumes a paused one', async () => {
      setJobPaused.mockResolvedValue({});
      const { element } = await mount();
      $(element, '.job-row[data-job="daily-mql-recycle"] .job-pause').click();
      await flushPromises();
      $(element, '.job-row[data-job="weekly-status-queues"] .job-pause').click();
      await flushPromises();
      expect(setJobPaused.mock.calls).toEqual([
        [{ jobName: 'daily-mql-recycle', paused: true }],
        [{ jobName: 'weekly-status-queues', paused: false }],
      ]);
    });
  });

  describe('empty and errors', () => {
    it('says when no version is stored and no job runs', async () => {
      asAdmin();
      getRoutingVersions.mockResolvedValue({ live: null, items: [] });
      getJobs.mockResolvedValue({ items: [] });
      const { element } = await mount();
      expect($(element, '.versions-empty')).not.toBeNull();
      expect($(element, '.jobs-empty')).not.toBeNull();
    });

    it('shows what went wrong and what to do when the jobs cannot be loaded', async () => {
      asAdmin();
      getJobs.mockRejectedValue({ status: 503, body: JOBS_ERROR });
      const { element } = await mount();
      const panel = $(element, '.jobs c-error-panel');
      expect(panel.title).toBe('The scheduled jobs could not be loaded');
      expect($$(element, '.version-row')).toHaveLength(2);
      await expect(element).toBeAccessible();
    }, 60_000);

    it('tells someone who is no admin whom to ask, and asks the companion nothing', async () => {
      getAdminAccess.mockResolvedValue(false);
      const { element } = await mount();
      expect(text($(element, '.not-admin'))).toContain('Switchyard Admin permission set');
      for (const method of [getRoutingVersions, getLiveRouting, getPools, getJobs, getFlowPicture]) {
        expect(method).not.toHaveBeenCalled();
      }
      await expect(element).toBeAccessible();
    }, 60_000);
  });
});
