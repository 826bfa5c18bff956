import TerritoryTables from 'c/territoryTables';
import getTerritories from '@salesforce/apex/SwitchyardController.getTerritories';
import saveTerritoryRow from '@salesforce/apex/SwitchyardController.saveTerritoryRow';
import removeTerritoryRow from '@salesforce/apex/SwitchyardController.removeTerritoryRow';
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

const TERRITORIES = require('./data/getTerritories.json');
const TERRITORIES_ERROR = require('./data/getTerritoriesError.json');
const SAVED = require('./data/saveTerritoryRow.json');
const OVERLAP = require('./data/saveTerritoryRowOverlap.json');

jest.mock('@salesforce/apex/SwitchyardController.getTerritories', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.saveTerritoryRow', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/SwitchyardController.removeTerritoryRow', () => ({ default: jest.fn() }), {
  virtual: true,
});

const mount = () => mountChanging('c-territory-tables', TerritoryTables);

describe('c-territory-tables', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.resetAllMocks();
  });

  it('lists each row with the leads it takes and where they go, in words', async () => {
    getTerritories.mockResolvedValue(TERRITORIES);
    const { element } = await mount();
    expect(text($(element, '.territory-name'))).toBe('Territory table sdr-regions');
    expect(text(inLoadState(element, '.load-note'))).toContain('As live in version 7.');
    const rows = $$(element, '.territory-row');
    expect(rows.map((row) => text(row.querySelector('.territory-leads')))).toEqual([
      'Region AMER',
      'Country DE, AT; 50 to 500 employees',
      'Postal code starting with 94',
    ]);
    expect(rows.map((row) => text(row.querySelector('.territory-target')))).toEqual([
      'Pool AMER SDR round robin (amer-sdr)',
      'Rosa JansenInactive',
      'Nobody in the org: Gone_Queue',
    ]);
    expect(rows[1].querySelector('.territory-edit').getAttribute('aria-label')).toBe(
      'Edit row 2 of sdr-regions',
    );
  });

  it('adds a row with a reason and the version seen, says so, and tells the page', async () => {
    getTerritories.mockResolvedValue(TERRITORIES);
    saveTerritoryRow.mockResolvedValue(SAVED);
    const { element, toasts, changes } = await mount();
    $(element, '.territory-add').click();
    await flushPromises();
    expect(heading(element)).toBe('New row for sdr-regions');
    type(element, '.field-countries', ' FR, ');
    type(element, '.field-min', '10');
    type(element, '.field-target', 'emea-sdr');
    type(element, '.field-reason', ' French team ');
    $(element, '.form-save').click();
    await flushPromises();
    expect(saveTerritoryRow).toHaveBeenCalledWith({
      tableName: 'sdr-regions',
      rowNumber: null,
      row: { country: ['FR'], employees: { min: 10 }, assign: { pool: 'emea-sdr' } },
      reason: 'French team',
      baseVersion: 7,
    });
    expect(toasts).toEqual([
      expect.objectContaining({
        title: 'Territory saved',
        message: 'Version 8 is live; the next lead routed uses it.',
        variant: 'success',
      }),
    ]);
    expect(changes).toHaveLength(1);
    expect(getTerritories).toHaveBeenCalledTimes(2);
    expect(form(element)).toBeNull();
  });

  it('edits a row from what it holds, and shows the companion’s refusal in the form', async () => {
    getTerritories.mockResolvedValue(TERRITORIES);
    saveTerritoryRow.mockRejectedValue(OVERLAP);
    const { element, changes } = await mount();
    $(element, '.territory-row[data-row="2"] .territory-edit').click();
    await flushPromises();
    expect(heading(element)).toBe('Row 2 of sdr-regions');
    expect($(element, '.field-countries').value).toBe('DE, AT');
    expect($(element, '.field-max').value).toBe('500');
    expect($(element, '.field-kind').value).toBe('user');
    expect(text($(element, 'label[for^="territory-target"]'))).toBe('*Username or email');
    type(element, '.field-kind', 'pool');
    type(element, '.field-target', 'emea-sdr');
    type(element, '.field-reason', 'Rosa left');
    $(element, '.form-save').click();
    await flushPromises();
    expect(saveTerritoryRow.mock.calls[0][0]).toMatchObject({
      rowNumber: 2,
      row: { country: ['DE', 'AT'], employees: { min: 50, max: 500 }, assign: { pool: 'emea-sdr' } },
    });
    const panel = $(element, 'c-error-panel');
    expect(panel.title).toBe('The row was not saved');
    expect(panel.errors).toEqual(OVERLAP);
    expect(changes).toHaveLength(0);
  });

  it('asks for the target and a reason before asking the companion', async () => {
    getTerritories.mockResolvedValue(TERRITORIES);
    const { element } = await mount();
    $(element, '.territory-add').click();
    await flushPromises();
    $(element, '.form-save').click();
    await flushPromises();
    expect(saveTerritoryRow).not.toHaveBeenCalled();
    expect($$(element, '.slds-form-element__help').map(text)).toEqual([
      'Name the pool, queue or person the row gives its leads to.',
      'Say why, in a few words.',
    ]);
    expect($(element, '.field-target').getAttribute('aria-describedby')).toBeTruthy();
    expect(element.shadowRoot.activeElement).toBe($(element, '.field-target'));
  });

  it('removes a row after a reason, with the version seen', async () => {
    getTerritories.mockResolvedValue(TERRITORIES);
    removeTerritoryRow.mockResolvedValue({ ...SAVED, summary: 'sdr-regions row 3 removed' });
    const { element, toasts, changes } = await mount();
    $(element, '.territory-row[data-row="3"] .territory-remove').click();
    await flushPromises();
    expect(heading(element)).toBe('Remove row 3 of sdr-regions?');
    expect(element.shadowRoot.activeElement).toBe(form(element));
    expect(form(element).shadowRoot.activeElement).toBe($(element, '.field-reason'));
    expect(text($(element, '.form-save'))).toBe('Remove row');
    expect($(element, '.form-save').className).toContain('slds-button_destructive');
    $(element, '.form-save').click();
    await flushPromises();
    expect(removeTerritoryRow).not.toHaveBeenCalled();
    expect($$(element, '.slds-form-element__help').map(text)).toEqual(['Say why, in a few words.']);
    type(element, '.field-reason', 'Queue is gone');
    $(element, '.form-save').click();
    await flushPromises();
    expect(removeTerritoryRow).toHaveBeenCalledWith({
      tableName: 'sdr-regions',
      rowNumber: 3,
      reason: 'Queue is gone',
      baseVersion: 7,
    });
    expect(toasts[0].title).toBe('Territory row removed');
    expect(changes).toHaveLength(1);
  });

  it('closes the form on Escape and a removal on Cancel, giving focus back to the button that opened it', async () => {
    getTerritories.mockResolvedValue(TERRITORIES);
    const { element } = await mount();
    const edit = $(element, '.territory-row[data-row="2"] .territory-edit');
    edit.click();
    await flushPromises();
    expect(element.shadowRoot.activeElement).toBe($(element, '.field-regions'));
    $(element, '.field-regions').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
    );
    await flushPromises();
    expect(form(element)).toBeNull();
    expect(element.shadowRoot.activeElement).toBe(edit);
    const remove = $(element, '.territory-row[data-row="3"] .territory-remove');
    remove.click();
    await flushPromises();
    $(element, '.form-cancel').click();
    await flushPromises();
    expect(form(element)).toBeNull();
    expect(element.shadowRoot.activeElement).toBe(remove);
    expect(removeTerritoryRow).not.toHaveBeenCalled();
  });

  it('says why the tables could not be loaded', async () => {
    getTerritories.mockRejectedValue(TERRITORIES_ERROR);
    const { element } = await mount();
    const panel = inLoadState(element, 'c-error-panel');
    expect(panel.title).toBe('The territories could not be loaded');
    expect($$(element, '.territory-row')).toEqual([]);
  });

  it('is accessible', async () => {
    getTerritories.mockResolvedValue(TERRITORIES);
    const { element } = await mount();
    $(element, '.territory-add').click();
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
