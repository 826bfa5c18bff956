import PoolTables from 'c/poolTables';
import getPools from '@salesforce/apex/SwitchyardController.getPools';
import addPoolMember from '@salesforce/apex/SwitchyardController.addPoolMember';
import changePoolMember from '@salesforce/apex/SwitchyardController.changePoolMember';
import removePoolMember from '@salesforce/apex/SwitchyardController.removePoolMember';
import setPoolPaused from '@salesforce/apex/SwitchyardController.setPoolPaused';
import setPoolCatchUp from '@salesforce/apex/SwitchyardController.setPoolCatchUp';
import { flushPromises } from 'test-utils/flushPromises';
import { inLoadState } from 'test-utils/loadState';
import {
  $,
  $$,
  changeForm as form,
  formHeading as heading,
  mountChanging,
  text,
  type,
} from 'test-utils/changeForm';

const POOLS = require('./data/getPools.json');
const CHANGED = require('./data/changePoolMember.json');
const INACTIVE = require('./data/addPoolMemberInactive.json');
const CATCH_UP_PREVIEW = require('./data/setPoolCatchUpDryRun.json');
const CATCH_UP_STORED = require('./data/setPoolCatchUp.json');
const CATCH_UP_PREVIEW_SAME = require('./data/setPoolCatchUpDryRunSame.json');
const PAUSE_PREVIEW = require('./data/setPoolPausedDryRun.json');
const RESUME_PREVIEW_NOBODY = require('./data/setPoolPausedDryRunNobody.json');
const ADD_PREVIEW = require('./data/addPoolMemberDryRun.json');
const CHANGE_PREVIEW = require('./data/changePoolMemberDryRun.json');
const CHANGE_PREVIEW_UNCHANGED = require('./data/changePoolMemberDryRunUnchanged.json');
const AWAY_PREVIEW = require('./data/changePoolMemberAwayDryRun.json');
const BACK_PREVIEW = require('./data/changePoolMemberBackDryRun.json');
const REMOVE_PREVIEW = require('./data/removePoolMemberDryRun.json');
/** The companion's refusal of a change confirmed after someone else stored version 5 over the previewed 4. */
const CONFLICT = {
  status: 409,
  body: {
    message: JSON.stringify({
      code: 'VERSION_CONFLICT',
      message:
        'Version 5 of the routing set (pool-change by Ada Admin at 2026-11-23 09:00 UTC: "covers more") was stored after version 4, which your change started from; saving would undo it.',
      action:
        'Look at your change again against version 5 (preview it again, or send --base 5), then confirm it.',
      status: 409,
    }),
    exceptionType: 'System.AuraHandledException',
  },
};

jest.mock('@salesforce/apex/SwitchyardController.getPools', () => ({ default: jest.fn() }), {
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
jest.mock('@salesforce/apex/SwitchyardController.setPoolCatchUp', () => ({ default: jest.fn() }), {
  virtual: true,
});

const AVA = '005SY0000000001YAA';
const mount = () => mountChanging('c-pool-tables', PoolTables);
const avaButton = (which) => `.pool[data-pool="amer-sdr"] .pool-member[data-user="${AVA}"] .${which}`;

/**
 * Each member change, previewed like a pause: how the form is opened and filled, the Apex call it makes
 * (then a dry run, then on the previewed version), the preview it shows, and the button that stores it.
 */
const MEMBER_CHANGES = [
  {
    name: 'an added rep',
    apex: () => addPoolMember,
    preview: ADD_PREVIEW,
    opener: '.pool[data-pool="amer-sdr"] .pool-add',
    heading: 'New rep for amer-sdr',
    fill: (element) => {
      type(element, '.field-person', ' emma.schulz@switchyard-demo.example ');
      type(element, '.field-weight', '2');
    },
    call: {
      poolName: 'amer-sdr',
      person: 'emma.schulz@switchyard-demo.example',
      settings: { weight: 2 },
      reason: 'Covering',
    },
    before: 'The next leads now: Chloe Kim, Ava Patel, Chloe Kim, Ava Patel',
    after: 'The next leads with the change: Emma Schulz, Chloe Kim, Emma Schulz, Ava Patel',
    shares: 'Of the next 4 leads, now → with the change: Emma Schulz 0 → 2, Chloe Kim 2 → 1, Ava Patel 2 → 1',
    confirm: 'Save',
  },
  {
    name: 'a weight',
    apex: () => changePoolMember,
    preview: CHANGE_PREVIEW,
    opener: avaButton('member-change'),
    heading: 'Ava Patel in amer-sdr',
    // Only what the admin changed is sent, so the version's reason says just that.
    fill: (element) => type(element, '.field-weight', '3'),
    call: { poolName: 'amer-sdr', userId: AVA, change: { weight: 3 }, reason: 'Covering' },
    before: 'The next leads now: Chloe Kim, Ava Patel, Chloe Kim, Ava Patel',
    after: 'The next leads with the change: Ava Patel, Chloe Kim, Ava Patel, Ava Patel',
    shares: 'Of the next 4 leads, now → with the change: Chloe Kim 2 → 1, Ava Patel 2 → 3',
    confirm: 'Save',
  },
  {
    name: 'a rep out of office',
    apex: () => changePoolMember,
    preview: AWAY_PREVIEW,
    opener: avaButton('member-away-button'),
    heading: 'Ava Patel out of office in amer-sdr',
    fill: (element) => {
      type(element, '.field-from', '2026-12-20');
      type(element, '.field-to', '2026-12-24');
    },
    call: {
      poolName: 'amer-sdr',
      userId: AVA,
      change: { away: { from: '2026-12-20', to: '2026-12-24' } },
      reason: 'Covering',
    },
    before: 'The next leads now: Chloe Kim, Ava Patel, Chloe Kim, Ava Patel',
    after: 'The next leads with the change: Chloe Kim, Chloe Kim, Chloe Kim, Chloe Kim',
    shares: 'Of the next 4 leads, now → with the change: Chloe Kim 2 → 4, Ava Patel 2 → 0',
    confirm: 'Save',
  },
  {
    name: 'a rep back now',
    apex: () => changePoolMember,
    preview: BACK_PREVIEW,
    opener: avaButton('member-away-button'),
    heading: 'Ava Patel out of office in amer-sdr',
    fill: () => {},
    // Back now previews back; the one button left beside Cancel then stores it.
    button: '.form-back',
    call: { poolName: 'amer-sdr', userId: AVA, change: { away: null }, reason: 'Covering' },
    before: 'The next leads now: Chloe Kim, Chloe Kim, Chloe Kim, Chloe Kim',
    after: 'The next leads with the change: Ava Patel, Chloe Kim, Ava Patel, Chloe Kim',
    shares: 'Of the next 4 leads, now → with the change: Chloe Kim 4 → 2, Ava Patel 0 → 2',
    confirm: 'Back now',
  },
  {
    name: 'a removed rep',
    apex: () => removePoolMember,
    preview: REMOVE_PREVIEW,
    opener: avaButton('member-remove'),
    heading: 'Remove Ava Patel from amer-sdr?',
    fill: () => {},
    call: { poolName: 'amer-sdr', userId: AVA, reason: 'Covering' },
    before: 'The next leads now: Chloe Kim, Ava Patel, Chloe Kim, Ava Patel',
    after: 'The next leads with the change: Chloe Kim, Chloe Kim, Chloe Kim, Chloe Kim',
    shares: 'Of the next 4 leads, now → with the change: Chloe Kim 2 → 4, Ava Patel 2 → 0',
    confirm: 'Remove rep',
    destructive: true,
  },
];

/** Opens the change's form, fills it with the reason "Covering", and asks for its preview. */
async function previewMemberChange(element, change) {
  $(element, change.opener).click();
  await flushPromises();
  expect(heading(element)).toBe(change.heading);
  change.fill(element);
  type(element, '.field-reason', ' Covering ');
  const button = $(element, change.button || '.form-save');
  if (!change.button) {
    expect(text(button)).toBe('Preview');
    expect(button.className).not.toContain('slds-button_destructive');
  }
  button.click();
  await flushPromises();
}
/** Opens amer-sdr's catch-up form, asks for 2 leads within 5 days with the reason, and asks for the preview. */
async function previewCatchUp(element, reason) {
  $(element, '.pool[data-pool="amer-sdr"] .pool-catch-up-button').click();
  await flushPromises();
  type(element, '.field-catch-up-leads', '2');
  type(element, '.field-catch-up-days', '5');
  type(element, '.field-reason', reason);
  $(element, '.form-save').click();
  await flushPromises();
}

describe('c-pool-tables', () => {
  beforeEach(() => {
    getPools.mockResolvedValue(POOLS);
  });
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.resetAllMocks();
  });

  it('shows who is next, each member’s settings, leads today, open leads and why one is passed over', async () => {
    const { element } = await mount();
    const amer = $(element, '.pool[data-pool="amer-sdr"]');
    expect(text(amer.querySelector('.pool-name'))).toBe('AMER SDR (amer-sdr)');
    expect(text(amer.querySelector('.pool-next'))).toBe('Next: Chloe Kim');
    const rows = [...amer.querySelectorAll('.pool-member')];
    expect(rows.map((row) => text(row.querySelector('.member-name')))).toEqual([
      'Ava Patel',
      'Ben CarterInactive',
      'Chloe Kim',
    ]);
    const ava = rows[0];
    expect(text(ava.querySelector('.member-weight'))).toBe('2');
    expect(text(ava.querySelector('.member-caps'))).toBe('40 a day');
    expect(text(ava.querySelector('.member-away'))).toBe('2026-12-10 to 2026-12-14');
    expect(text(ava.querySelector('.member-today'))).toBe('4');
    expect(text(ava.querySelector('.member-open'))).toBe('12');
    expect(text(ava.querySelector('.member-skipped'))).toBe('out of office from 2026-12-10 to 2026-12-14');
    const hot = $(element, '.pool[data-pool="hot-leads"]');
    expect(text(hot.querySelector('.pool-next'))).toBe('Nobody can take a lead now: the pool is paused');
    expect(text(hot.querySelector('.pool-pause'))).toBe('Resume pool');
  });

  it.each(MEMBER_CHANGES)(
    'previews $name with who gets the next leads now and with it, then stores it on the previewed version',
    async (change) => {
      const apex = change.apex();
      apex.mockResolvedValueOnce(change.preview).mockResolvedValueOnce(CHANGED);
      const { element, toasts, changes } = await mount();
      await previewMemberChange(element, change);
      expect(apex).toHaveBeenCalledTimes(1);
      expect(apex).toHaveBeenLastCalledWith({ ...change.call, dryRun: true });
      expect(text($(element, '.next-before'))).toBe(change.before);
      expect(text($(element, '.next-after'))).toBe(change.after);
      expect(text($(element, '.next-shares'))).toBe(change.shares);
      expect($(element, '.next-assignments').getAttribute('role')).toBe('status');
      expect(text($(element, '.form-save'))).toBe(change.confirm);
      expect($(element, '.form-save').className.includes('slds-button_destructive')).toBe(
        Boolean(change.destructive),
      );
      // After the preview, one button stores it: no Back now beside a previewed out-of-office, nor the reverse.
      expect($(element, '.form-back')).toBeNull();
      expect(toasts).toEqual([]);
      expect(changes).toHaveLength(0);

      $(element, '.form-save').click();
      await flushPromises();
      expect(apex).toHaveBeenCalledTimes(2);
      // The change the preview showed, on the version it was computed on: one stored since is refused.
      expect(apex).toHaveBeenLastCalledWith({ ...change.call, dryRun: false, baseVersion: 4 });
      expect(toasts[0]).toEqual(
        expect.objectContaining({
          title: 'Pool changed',
          message: 'Version 3 is live; the next lead routed uses it.',
        }),
      );
      expect(changes).toHaveLength(1);
      expect(getPools).toHaveBeenCalledTimes(2);
      expect(form(element)).toBeNull();
    },
  );

  it.each(MEMBER_CHANGES)(
    'previews $name again when someone else stored a version after its preview, then stores it on that one',
    async (change) => {
      const apex = change.apex();
      apex
        .mockResolvedValueOnce(change.preview)
        .mockRejectedValueOnce(CONFLICT)
        .mockResolvedValueOnce({ ...change.preview, version: 5, previous: 5 })
        .mockResolvedValueOnce(CHANGED);
      const { element, changes } = await mount();
      await previewMemberChange(element, change);
      $(element, '.form-save').click();
      await flushPromises();
      expect(apex).toHaveBeenLastCalledWith({ ...change.call, dryRun: false, baseVersion: 4 });
      expect($(element, 'c-error-panel').errors).toEqual(CONFLICT);
      expect($(element, '.next-before')).toBeNull();
      expect(changes).toHaveLength(0);
      expect(form(element)).not.toBeNull();

      // The form is as before the preview: its first button previews the change on the live version.
      $(element, change.button || '.form-save').click();
      await flushPromises();
      expect(apex).toHaveBeenLastCalledWith({ ...change.call, dryRun: true });
      expect(text($(element, '.next-after'))).toBe(change.after);
      $(element, '.form-save').click();
      await flushPromises();
      expect(apex).toHaveBeenLastCalledWith({ ...change.call, dryRun: false, baseVersion: 5 });
      expect(apex).toHaveBeenCalledTimes(4);
      expect(changes).toHaveLength(1);
    },
  );

  it('previews again after a field changes, and asks for the days before previewing out of office', async () => {
    changePoolMember.mockResolvedValue(AWAY_PREVIEW);
    const { element } = await mount();
    $(element, avaButton('member-away-button')).click();
    await flushPromises();
    expect(text($(element, '.form-back'))).toBe('Back now');
    type(element, '.field-reason', 'Vacation');
    $(element, '.form-save').click();
    await flushPromises();
    expect(changePoolMember).not.toHaveBeenCalled();
    expect($$(element, '.slds-form-element__help').map(text)).toEqual([
      'Give the first day out and the last.',
    ]);
    expect(element.shadowRoot.activeElement).toBe($(element, '.field-from'));
    type(element, '.field-from', '2026-12-20');
    type(element, '.field-to', '2026-12-24');
    $(element, '.form-save').click();
    await flushPromises();
    expect(text($(element, '.form-save'))).toBe('Save');
    type(element, '.field-to', '2026-12-26');
    await flushPromises();
    expect($(element, '.next-before')).toBeNull();
    expect(text($(element, '.form-save'))).toBe('Preview');
    expect(text($(element, '.form-back'))).toBe('Back now');
    $(element, '.form-save').click();
    await flushPromises();
    expect(changePoolMember).toHaveBeenLastCalledWith(
      expect.objectContaining({ change: { away: { from: '2026-12-20', to: '2026-12-26' } }, dryRun: true }),
    );
    expect(changePoolMember).toHaveBeenCalledTimes(2);
  });

  it('says so when a change leaves the pool as it is, with nothing to save', async () => {
    changePoolMember.mockResolvedValue(CHANGE_PREVIEW_UNCHANGED);
    const { element, toasts } = await mount();
    $(element, avaButton('member-change')).click();
    await flushPromises();
    type(element, '.field-reason', 'Check');
    // Nothing edited: said without a call.
    $(element, '.form-save').click();
    await flushPromises();
    expect(changePoolMember).not.toHaveBeenCalled();
    expect(text($(element, '.next-unchanged'))).toBe(
      'This leaves the pool as it is: there is nothing to save.',
    );
    expect($(element, '.next-before')).toBeNull();
    expect(text($(element, '.form-save'))).toBe('Preview');
    // Written differently, the same cap: the companion's dry run finds no difference in the pool.
    type(element, '.field-cap-day', '40.0');
    await flushPromises();
    expect($(element, '.next-unchanged')).toBeNull();
    $(element, '.form-save').click();
    await flushPromises();
    expect(changePoolMember).toHaveBeenLastCalledWith(
      expect.objectContaining({ change: { capPerDay: 40 }, dryRun: true }),
    );
    expect(text($(element, '.next-unchanged'))).toBe(
      'This leaves the pool as it is: there is nothing to save.',
    );
    expect(text($(element, '.form-save'))).toBe('Preview');
    expect(toasts).toEqual([]);
    expect(form(element)).not.toBeNull();
  });

  it('adds a rep by username; shows the companion’s refusal in the form', async () => {
    addPoolMember.mockRejectedValue(INACTIVE);
    const { element, changes } = await mount();
    $(element, '.pool[data-pool="amer-sdr"] .pool-add').click();
    await flushPromises();
    $(element, '.form-save').click();
    await flushPromises();
    expect(addPoolMember).not.toHaveBeenCalled();
    expect($$(element, '.slds-form-element__help').map(text)).toEqual([
      'Name the rep by username or email.',
      'Say why, in a few words.',
    ]);
    expect(element.shadowRoot.activeElement).toBe($(element, '.field-person'));
    type(element, '.field-person', 'diego.ramos@switchyard-demo.example');
    type(element, '.field-cap-day', '30');
    type(element, '.field-reason', 'Covering');
    $(element, '.form-save').click();
    await flushPromises();
    expect(addPoolMember).toHaveBeenCalledWith({
      poolName: 'amer-sdr',
      person: 'diego.ramos@switchyard-demo.example',
      settings: { capPerDay: 30 },
      reason: 'Covering',
      dryRun: true,
    });
    const panel = $(element, 'c-error-panel');
    expect(panel.title).toBe('The pool was not changed');
    expect(panel.errors).toEqual(INACTIVE);
    expect($(element, '.next-before')).toBeNull();
    expect(text($(element, '.form-save'))).toBe('Preview');
    expect(changes).toHaveLength(0);
  });

  it('counts no shares when the change only reorders the next leads', async () => {
    const weight = MEMBER_CHANGES[1];
    const before = CHANGE_PREVIEW.nextAssignments.before;
    // Chloe, Ava, Chloe, Ava with the change Ava, Chloe, Ava, Chloe: the same two each, in another order.
    const reordered = {
      ...CHANGE_PREVIEW,
      nextAssignments: { before, after: [before[1], before[0], before[1], before[0]] },
    };
    changePoolMember.mockResolvedValueOnce(reordered);
    const { element } = await mount();
    await previewMemberChange(element, weight);
    expect(text($(element, '.next-after'))).toBe(
      'The next leads with the change: Ava Patel, Chloe Kim, Ava Patel, Chloe Kim',
    );
    expect($(element, '.next-shares')).toBeNull();
  });

  it('previews a pause with who gets the next leads now and with it, then pauses on the second click', async () => {
    setPoolPaused.mockResolvedValueOnce(PAUSE_PREVIEW).mockResolvedValueOnce(CHANGED);
    const { element, toasts, changes } = await mount();
    $(element, '.pool[data-pool="amer-sdr"] .pool-pause').click();
    await flushPromises();
    expect(text($(element, '.form-save'))).toBe('Preview');
    expect($(element, '.form-save').className).not.toContain('slds-button_destructive');
    type(element, '.field-reason', 'Reorg');
    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolPaused).toHaveBeenLastCalledWith({
      poolName: 'amer-sdr',
      paused: true,
      reason: 'Reorg',
      dryRun: true,
    });
    expect(text($(element, '.next-before'))).toBe('The next leads now: Chloe Kim, Ava Patel, Chloe Kim');
    expect(text($(element, '.next-after'))).toBe(
      'The next leads with the change: nobody can take a lead now',
    );
    // Nobody to count with the change: the line above says it all.
    expect($(element, '.next-shares')).toBeNull();
    expect(text($(element, '.form-save'))).toBe('Pause pool');
    expect($(element, '.form-save').className).toContain('slds-button_destructive');
    expect(toasts).toEqual([]);
    expect(changes).toHaveLength(0);

    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolPaused).toHaveBeenLastCalledWith({
      poolName: 'amer-sdr',
      paused: true,
      reason: 'Reorg',
      dryRun: false,
      // The version the preview was computed on: a change stored by someone else since is refused.
      baseVersion: 4,
    });
    expect(toasts[0]).toEqual(expect.objectContaining({ title: 'Pool changed' }));
    expect(changes).toHaveLength(1);
    expect(form(element)).toBeNull();
  });

  it('says in words when a change keeps who gets the next leads, instead of two equal lists', async () => {
    setPoolCatchUp.mockResolvedValueOnce(CATCH_UP_PREVIEW_SAME);
    setPoolPaused.mockResolvedValueOnce(RESUME_PREVIEW_NOBODY);
    const { element } = await mount();
    await previewCatchUp(element, 'Fair share');
    expect(text($(element, '.next-same'))).toBe('No change to who gets the next 12 leads.');
    expect($(element, '.next-before')).toBeNull();
    expect($(element, '.next-after')).toBeNull();
    expect(text($(element, '.form-save'))).toBe('Confirm');

    // A paused pool whose reps are all away: nobody gets a lead before the resume, nor after it.
    $(element, '.pool[data-pool="hot-leads"] .pool-pause').click();
    await flushPromises();
    expect(text($(element, '.form-save'))).toBe('Preview');
    type(element, '.field-reason', 'Back');
    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolPaused).toHaveBeenLastCalledWith(
      expect.objectContaining({ poolName: 'hot-leads', paused: false, dryRun: true }),
    );
    expect(text($(element, '.next-same'))).toBe(
      'No change: nobody can take a lead now, nor with the change.',
    );
    expect($(element, '.next-before')).toBeNull();
    expect(text($(element, '.form-save'))).toBe('Resume pool');
  });

  it('shows each pool’s catch-up, off or with its numbers', async () => {
    const { element } = await mount();
    expect(text($(element, '.pool[data-pool="amer-sdr"] .pool-catch-up'))).toBe(
      'Catch-up: off (turns missed while away are not made up)',
    );
    expect(text($(element, '.pool[data-pool="hot-leads"] .pool-catch-up'))).toBe(
      'Catch-up: a rep back from time off gets up to 3 leads for turns missed in the last 7 days',
    );
    expect($(element, '.pool[data-pool="amer-sdr"] .pool-catch-up-button').getAttribute('aria-label')).toBe(
      'Change catch-up of amer-sdr',
    );
  });

  it('previews a catch-up with the next assignments before and after, then stores it on Confirm', async () => {
    setPoolCatchUp.mockResolvedValueOnce(CATCH_UP_PREVIEW).mockResolvedValueOnce(CATCH_UP_STORED);
    const { element, toasts, changes } = await mount();
    $(element, '.pool[data-pool="amer-sdr"] .pool-catch-up-button').click();
    await flushPromises();
    expect(heading(element)).toBe('Catch-up in amer-sdr');
    expect($(element, '.field-catch-up-leads').value).toBe('');
    expect(element.shadowRoot.activeElement).toBe($(element, '.field-catch-up-leads'));
    expect(text($(element, '.form-save'))).toBe('Preview');
    type(element, '.field-catch-up-leads', '2');
    type(element, '.field-catch-up-days', '5');
    type(element, '.field-reason', ' Fair share after leave ');
    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolCatchUp).toHaveBeenLastCalledWith({
      poolName: 'amer-sdr',
      leads: 2,
      withinDays: 5,
      reason: 'Fair share after leave',
      dryRun: true,
    });
    expect(text($(element, '.next-before'))).toBe('The next leads now: Chloe Kim, Ava Patel, Chloe Kim');
    expect(text($(element, '.next-after'))).toBe(
      'The next leads with the change: Ava Patel, Ava Patel, Chloe Kim',
    );
    expect(text($(element, '.form-save'))).toBe('Confirm');
    expect(toasts).toEqual([]);
    expect(changes).toHaveLength(0);

    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolCatchUp).toHaveBeenLastCalledWith(
      expect.objectContaining({ leads: 2, withinDays: 5, dryRun: false, baseVersion: 4 }),
    );
    expect(toasts[0]).toEqual(
      expect.objectContaining({
        title: 'Pool changed',
        message: 'Version 3 is live; the next lead routed uses it.',
      }),
    );
    expect(changes).toHaveLength(1);
    expect(form(element)).toBeNull();
  });

  it('previews again after the setting changes, turns catch-up off with both fields empty, and asks for both or neither', async () => {
    setPoolCatchUp.mockResolvedValue(CATCH_UP_PREVIEW);
    const { element } = await mount();
    $(element, '.pool[data-pool="hot-leads"] .pool-catch-up-button').click();
    await flushPromises();
    expect($(element, '.field-catch-up-leads').value).toBe('3');
    expect($(element, '.field-catch-up-days').value).toBe('7');
    type(element, '.field-reason', 'Reorg');
    $(element, '.form-save').click();
    await flushPromises();
    expect(text($(element, '.form-save'))).toBe('Confirm');
    type(element, '.field-catch-up-days', '');
    await flushPromises();
    expect($(element, '.next-before')).toBeNull();
    expect(text($(element, '.form-save'))).toBe('Preview');
    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolCatchUp).toHaveBeenCalledTimes(1);
    expect($$(element, '.slds-form-element__help').map(text)).toEqual([
      'Give both numbers, or leave both empty for no catch-up.',
    ]);
    expect($(element, '.field-catch-up-days').getAttribute('aria-describedby')).toBeTruthy();
    expect(element.shadowRoot.activeElement).toBe($(element, '.field-catch-up-leads'));
    type(element, '.field-catch-up-leads', '');
    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolCatchUp).toHaveBeenLastCalledWith({
      poolName: 'hot-leads',
      leads: null,
      withinDays: null,
      reason: 'Reorg',
      dryRun: true,
    });
  });

  it('refuses a pause confirmed after someone else changed the routing set, and previews it again', async () => {
    setPoolPaused
      .mockResolvedValueOnce(PAUSE_PREVIEW)
      .mockRejectedValueOnce(CONFLICT)
      .mockResolvedValueOnce({ ...PAUSE_PREVIEW, version: 5, previous: 5 })
      .mockResolvedValueOnce(CHANGED);
    const { element, changes } = await mount();
    $(element, '.pool[data-pool="amer-sdr"] .pool-pause').click();
    await flushPromises();
    type(element, '.field-reason', 'Reorg');
    $(element, '.form-save').click();
    await flushPromises();
    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolPaused).toHaveBeenLastCalledWith(
      expect.objectContaining({ dryRun: false, baseVersion: 4 }),
    );
    expect($(element, 'c-error-panel').errors).toEqual(CONFLICT);
    expect($(element, '.next-before')).toBeNull();
    expect(text($(element, '.form-save'))).toBe('Preview');
    expect(changes).toHaveLength(0);

    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolPaused).toHaveBeenLastCalledWith(expect.objectContaining({ dryRun: true }));
    $(element, '.form-save').click();
    await flushPromises();
    expect(setPoolPaused).toHaveBeenLastCalledWith(
      expect.objectContaining({ dryRun: false, baseVersion: 5 }),
    );
    expect(changes).toHaveLength(1);
  });

  it('shows the companion’s refusal of a catch-up in the form, and no preview', async () => {
    setPoolCatchUp.mockRejectedValue(INACTIVE);
    const { element } = await mount();
    await previewCatchUp(element, 'Try');
    expect($(element, 'c-error-panel').errors).toEqual(INACTIVE);
    expect($(element, '.next-before')).toBeNull();
    expect(text($(element, '.form-save'))).toBe('Preview');
  });

  it('closes the form on Cancel and on Escape, giving focus back to the button that opened it', async () => {
    const { element } = await mount();
    const opener = $(element, '.pool[data-pool="amer-sdr"] .pool-pause');
    opener.click();
    await flushPromises();
    expect(heading(element)).toBe('Pause amer-sdr? It gives nobody a lead until resumed.');
    expect(text($(element, '.form-save'))).toBe('Preview');
    $(element, '.form-cancel').click();
    await flushPromises();
    expect(form(element)).toBeNull();
    expect(element.shadowRoot.activeElement).toBe(opener);
    opener.click();
    await flushPromises();
    $(element, '.field-reason').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
    );
    await flushPromises();
    expect(form(element)).toBeNull();
  });

  it('says why the pools could not be loaded', async () => {
    getPools.mockRejectedValue({ body: { message: 'boom' } });
    const { element } = await mount();
    expect(inLoadState(element, 'c-error-panel').title).toBe('The pools could not be loaded');
    expect(inLoadState(element, '.load-note')).toBeNull();
    expect($$(element, '.pool')).toEqual([]);
  });

  it('is accessible with a form open, and with a catch-up and a remove preview', async () => {
    setPoolCatchUp.mockResolvedValue(CATCH_UP_PREVIEW);
    removePoolMember.mockResolvedValue(REMOVE_PREVIEW);
    const { element } = await mount();
    $(element, avaButton('member-change')).click();
    await flushPromises();
    await expect(element).toBeAccessible();
    await previewCatchUp(element, 'Fair share');
    await expect(element).toBeAccessible();
    await previewMemberChange(
      element,
      MEMBER_CHANGES.find((c) => c.name === 'a removed rep'),
    );
    await expect(element).toBeAccessible();
  });
});
