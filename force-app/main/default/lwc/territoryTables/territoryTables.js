import { LightningElement, api } from 'lwc';
import getTerritories from '@salesforce/apex/SwitchyardController.getTerritories';
import saveTerritoryRow from '@salesforce/apex/SwitchyardController.saveTerritoryRow';
import removeTerritoryRow from '@salesforce/apex/SwitchyardController.removeTerritoryRow';
import TABLE from '@salesforce/label/c.Switchyard_Admin_Territory_Table';
import NOTE from '@salesforce/label/c.Switchyard_Admin_Territory_Note';
import ERROR from '@salesforce/label/c.Switchyard_Admin_Territory_Error';
import SAVE_ERROR from '@salesforce/label/c.Switchyard_Admin_Territory_Save_Error';
import REMOVE_ERROR from '@salesforce/label/c.Switchyard_Admin_Territory_Remove_Error';
import COLUMN_ROW from '@salesforce/label/c.Switchyard_Admin_Territory_Column_Row';
import COLUMN_LEADS from '@salesforce/label/c.Switchyard_Admin_Territory_Column_Leads';
import COLUMN_GOES_TO from '@salesforce/label/c.Switchyard_Admin_Territory_Column_Goes_To';
import REGION from '@salesforce/label/c.Switchyard_Admin_Territory_Region';
import COUNTRY from '@salesforce/label/c.Switchyard_Admin_Territory_Country';
import STATE from '@salesforce/label/c.Switchyard_Admin_Territory_State';
import POSTAL from '@salesforce/label/c.Switchyard_Admin_Territory_Postal';
import INDUSTRY from '@salesforce/label/c.Switchyard_Admin_Territory_Industry';
import EMPLOYEES_BETWEEN from '@salesforce/label/c.Switchyard_Admin_Territory_Employees_Between';
import EMPLOYEES_MIN from '@salesforce/label/c.Switchyard_Admin_Territory_Employees_Min';
import EMPLOYEES_MAX from '@salesforce/label/c.Switchyard_Admin_Territory_Employees_Max';
import EVERY_LEAD from '@salesforce/label/c.Switchyard_Admin_Territory_Every_Lead';
import POOL from '@salesforce/label/c.Switchyard_Admin_Territory_Pool';
import QUEUE from '@salesforce/label/c.Switchyard_Admin_Territory_Queue';
import NOBODY from '@salesforce/label/c.Switchyard_Admin_Territory_Nobody';
import EDIT from '@salesforce/label/c.Switchyard_Admin_Territory_Edit';
import EDIT_ROW from '@salesforce/label/c.Switchyard_Admin_Territory_Edit_Row';
import REMOVE from '@salesforce/label/c.Switchyard_Admin_Territory_Remove';
import REMOVE_ROW from '@salesforce/label/c.Switchyard_Admin_Territory_Remove_Row';
import ADD from '@salesforce/label/c.Switchyard_Admin_Territory_Add';
import ADD_ROW from '@salesforce/label/c.Switchyard_Admin_Territory_Add_Row';
import FORM_ADD from '@salesforce/label/c.Switchyard_Admin_Territory_Form_Add';
import FORM_EDIT from '@salesforce/label/c.Switchyard_Admin_Territory_Form_Edit';
import FORM_HELP from '@salesforce/label/c.Switchyard_Admin_Territory_Form_Help';
import FIELD_REGIONS from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Regions';
import FIELD_COUNTRIES from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Countries';
import FIELD_STATES from '@salesforce/label/c.Switchyard_Admin_Territory_Field_States';
import FIELD_POSTAL from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Postal';
import FIELD_INDUSTRIES from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Industries';
import FIELD_EMPLOYEES_MIN from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Employees_Min';
import FIELD_EMPLOYEES_MAX from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Employees_Max';
import FIELD_KIND from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Kind';
import KIND_POOL from '@salesforce/label/c.Switchyard_Admin_Territory_Kind_Pool';
import KIND_QUEUE from '@salesforce/label/c.Switchyard_Admin_Territory_Kind_Queue';
import KIND_USER from '@salesforce/label/c.Switchyard_Admin_Territory_Kind_User';
import FIELD_TARGET_POOL from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Target_Pool';
import FIELD_TARGET_QUEUE from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Target_Queue';
import FIELD_TARGET_USER from '@salesforce/label/c.Switchyard_Admin_Territory_Field_Target_User';
import TARGET_MISSING from '@salesforce/label/c.Switchyard_Admin_Territory_Target_Missing';
import SAVE from '@salesforce/label/c.Switchyard_Admin_Territory_Save';
import REMOVE_TITLE from '@salesforce/label/c.Switchyard_Admin_Territory_Remove_Title';
import REMOVE_CONFIRM from '@salesforce/label/c.Switchyard_Admin_Territory_Remove_Confirm';
import SAVED_TITLE from '@salesforce/label/c.Switchyard_Admin_Territory_Saved_Title';
import SAVED from '@salesforce/label/c.Switchyard_Admin_Territory_Saved';
import UNCHANGED from '@salesforce/label/c.Switchyard_Admin_Territory_Unchanged';
import REMOVED_TITLE from '@salesforce/label/c.Switchyard_Admin_Territory_Removed_Title';
import COLUMN_ACTIONS from '@salesforce/label/c.Switchyard_Admin_Column_Actions';
import INACTIVE from '@salesforce/label/c.Switchyard_Admin_Inactive';
import { formatLabel } from 'c/switchyardService';
import { readInto, toastChange, versionNote } from 'c/adminPanel';

const LABEL = {
  TABLE,
  ERROR,
  SAVE_ERROR,
  REMOVE_ERROR,
  COLUMN_ROW,
  COLUMN_LEADS,
  COLUMN_GOES_TO,
  REGION,
  COUNTRY,
  STATE,
  POSTAL,
  INDUSTRY,
  EMPLOYEES_BETWEEN,
  EMPLOYEES_MIN,
  EMPLOYEES_MAX,
  EVERY_LEAD,
  POOL,
  QUEUE,
  NOBODY,
  EDIT,
  EDIT_ROW,
  REMOVE,
  REMOVE_ROW,
  ADD,
  ADD_ROW,
  FORM_ADD,
  FORM_EDIT,
  FORM_HELP,
  FIELD_KIND,
  KIND_POOL,
  KIND_QUEUE,
  KIND_USER,
  FIELD_TARGET_POOL,
  FIELD_TARGET_QUEUE,
  FIELD_TARGET_USER,
  TARGET_MISSING,
  SAVE,
  REMOVE_TITLE,
  REMOVE_CONFIRM,
  SAVED_TITLE,
  SAVED,
  UNCHANGED,
  REMOVED_TITLE,
  COLUMN_ACTIONS,
  INACTIVE,
};

const LISTS = [
  ['region', REGION, 'regions'],
  ['country', COUNTRY, 'countries'],
  ['state', STATE, 'states'],
  ['postalCode', POSTAL, 'postal'],
  ['industry', INDUSTRY, 'industries'],
];
const EMPTY_FORM = {
  regions: '',
  countries: '',
  states: '',
  postal: '',
  industries: '',
  min: '',
  max: '',
  kind: 'pool',
  target: '',
  reason: '',
};
/** The form's ids: one form or confirmation is open at a time, so each is unique in the page. */
const IDS = {
  countries: 'territory-countries',
  industries: 'territory-industries',
  kind: 'territory-kind',
  max: 'territory-max',
  min: 'territory-min',
  postal: 'territory-postal',
  regions: 'territory-regions',
  states: 'territory-states',
  target: 'territory-target',
  targetMissing: 'territory-target-missing',
};
/** The row's lists and employee band, in the form's order: the field, its label, what it takes. */
const WIDE = 'slds-col slds-size_1-of-1 slds-medium-size_1-of-3 slds-form-element';
const NARROW = 'slds-col slds-size_1-of-2 slds-medium-size_1-of-6 slds-form-element';
const INPUTS = [
  { field: 'regions', label: FIELD_REGIONS, type: 'text', colClass: WIDE },
  { field: 'countries', label: FIELD_COUNTRIES, type: 'text', colClass: WIDE },
  { field: 'states', label: FIELD_STATES, type: 'text', colClass: WIDE },
  { field: 'postal', label: FIELD_POSTAL, type: 'text', colClass: WIDE },
  { field: 'industries', label: FIELD_INDUSTRIES, type: 'text', colClass: WIDE },
  { field: 'min', label: FIELD_EMPLOYEES_MIN, type: 'number', min: '0', step: '1', colClass: NARROW },
  { field: 'max', label: FIELD_EMPLOYEES_MAX, type: 'number', min: '0', step: '1', colClass: NARROW },
];
const TARGET_FIELD = { pool: FIELD_TARGET_POOL, queue: FIELD_TARGET_QUEUE, user: FIELD_TARGET_USER };

const values = (text) =>
  String(text || '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);

/** What leads a row takes, in the page's words: "Country DE, AT; 50 to 500 employees". */
function leadsOf(row) {
  const parts = LISTS.filter(([key]) => row[key] && row[key].length).map(([key, label]) =>
    formatLabel(label, row[key].join(', ')),
  );
  const band = row.employees || {};
  const hasMin = band.min !== undefined && band.min !== null;
  const hasMax = band.max !== undefined && band.max !== null;
  if (hasMin && hasMax) {
    parts.push(formatLabel(EMPLOYEES_BETWEEN, band.min, band.max));
  } else if (hasMin) {
    parts.push(formatLabel(EMPLOYEES_MIN, band.min));
  } else if (hasMax) {
    parts.push(formatLabel(EMPLOYEES_MAX, band.max));
  }
  return parts.length ? parts.join('; ') : EVERY_LEAD;
}

/** Where a row's leads go: the pool, the queue or the person, by the name they stand for. */
function targetOf(target) {
  if (!target) {
    return '';
  }
  if (target.name === null || target.name === undefined) {
    return formatLabel(NOBODY, target.written);
  }
  const shown = target.name === target.written ? target.name : `${target.name} (${target.written})`;
  if (target.kind === 'pool') {
    return formatLabel(POOL, shown);
  }
  if (target.kind === 'queue') {
    return formatLabel(QUEUE, shown);
  }
  return target.name;
}

/**
 * The live territory tables on the admin page: each row with the leads it takes and where they go, and
 * add, edit and remove with a reason. The companion checks each change with the whole routing set (an
 * unknown country or region, an overlapping row, a person missing or inactive) and stores it as a new
 * version; the page's own version is sent, so a change over rows another admin changed is refused.
 * Fires `routingchange` after a stored change, so the page reloads its versions.
 */
export default class TerritoryTables extends LightningElement {
  label = LABEL;
  ids = IDS;

  territories;
  error;
  /** The row being added or edited: { table, row (null to add), fields }, or null. */
  form = null;
  formError;
  /** Field problems the page finds before asking: { target, reason }. */
  missing = {};
  /** The row whose removal is being confirmed: { table, row, reason }, or null. */
  removal = null;
  removeError;
  busy = false;

  connectedCallback() {
    this.refresh();
  }

  /** Reads the tables again (the page's Refresh, a rollback). */
  @api
  refresh() {
    return readInto(this, 'territories', getTerritories);
  }

  get note() {
    return versionNote(NOTE, this.territories);
  }

  get tables() {
    const items = (this.territories && this.territories.items) || [];
    return items.map((table) => {
      const formHere = this.form && this.form.table === table.name;
      return {
        key: table.name,
        name: table.name,
        heading: formatLabel(TABLE, table.name),
        addTitle: formatLabel(ADD_ROW, table.name),
        rows: table.rows.map((row) => {
          const removing = this.removal && this.removal.table === table.name && this.removal.row === row.row;
          return {
            key: `${table.name}-${row.row}`,
            removeKey: `${table.name}-${row.row}-remove`,
            row: row.row,
            leads: leadsOf(row),
            target: targetOf(row.target),
            inactive: Boolean(row.target && row.target.kind === 'user' && row.target.active === false),
            editTitle: formatLabel(EDIT_ROW, row.row, table.name),
            removeTitle: formatLabel(REMOVE_ROW, row.row, table.name),
            removing,
            removeHeading: formatLabel(REMOVE_TITLE, row.row, table.name),
          };
        }),
        formHere,
        formHeading: formHere
          ? this.form.row === null
            ? formatLabel(FORM_ADD, table.name)
            : formatLabel(FORM_EDIT, this.form.row, table.name)
          : '',
      };
    });
  }

  get fields() {
    return (this.form && this.form.fields) || EMPTY_FORM;
  }

  /** The row's inputs with their ids and the form's values. */
  get inputs() {
    const fields = this.fields;
    return INPUTS.map((input) => ({
      ...input,
      id: IDS[input.field],
      className: `slds-input field-${input.field}`,
      value: fields[input.field],
    }));
  }

  get kinds() {
    const kind = this.fields.kind;
    return [
      { value: 'pool', label: KIND_POOL, selected: kind === 'pool' },
      { value: 'queue', label: KIND_QUEUE, selected: kind === 'queue' },
      { value: 'user', label: KIND_USER, selected: kind === 'user' },
    ];
  }

  get targetLabel() {
    return TARGET_FIELD[this.fields.kind];
  }

  get targetClass() {
    return this.missing.target ? 'slds-form-element slds-has-error' : 'slds-form-element';
  }

  get targetDescribedBy() {
    return this.missing.target ? IDS.targetMissing : null;
  }

  rowOf(tableName, rowNumber) {
    const table = this.territories.items.find((t) => t.name === tableName);
    return table && table.rows.find((r) => r.row === rowNumber);
  }

  handleAdd(event) {
    this.openForm(event.currentTarget.dataset.table, null, { ...EMPTY_FORM });
  }

  handleEdit(event) {
    const tableName = event.currentTarget.dataset.table;
    const rowNumber = Number(event.currentTarget.dataset.row);
    const row = this.rowOf(tableName, rowNumber);
    const band = row.employees || {};
    this.openForm(tableName, rowNumber, {
      regions: (row.region || []).join(', '),
      countries: (row.country || []).join(', '),
      states: (row.state || []).join(', '),
      postal: (row.postalCode || []).join(', '),
      industries: (row.industry || []).join(', '),
      min: band.min === undefined || band.min === null ? '' : String(band.min),
      max: band.max === undefined || band.max === null ? '' : String(band.max),
      kind: row.target ? row.target.kind : 'pool',
      target: row.target ? row.target.written : '',
      reason: '',
    });
  }

  openForm(table, row, fields) {
    this.form = { table, row, fields };
    this.formError = undefined;
    this.missing = {};
    this.removal = null;
  }

  handleField(event) {
    const name = event.target.dataset.field;
    this.form = { ...this.form, fields: { ...this.form.fields, [name]: event.target.value } };
  }

  handleReason(event) {
    this.form = { ...this.form, fields: { ...this.form.fields, reason: event.detail.value } };
  }

  handleCancel() {
    const { table, row } = this.form || {};
    this.form = null;
    this.formError = undefined;
    this.missing = {};
    this.focusButton(
      row === null
        ? `.territory-add[data-table="${table}"]`
        : `.territory-edit[data-table="${table}"][data-row="${row}"]`,
    );
  }

  focusButton(selector) {
    Promise.resolve().then(() => {
      const button = this.template.querySelector(selector);
      if (button) {
        button.focus();
      }
    });
  }

  rowFromFields(fields) {
    const row = {};
    for (const [key, , field] of LISTS) {
      const list = values(fields[field]);
      if (list.length) {
        row[key] = list;
      }
    }
    const employees = {};
    if (String(fields.min).trim() !== '') {
      employees.min = Number(fields.min);
    }
    if (String(fields.max).trim() !== '') {
      employees.max = Number(fields.max);
    }
    if (Object.keys(employees).length) {
      row.employees = employees;
    }
    row.assign = { [fields.kind]: fields.target.trim() };
    return row;
  }

  async handleSave() {
    const fields = this.form.fields;
    this.missing = { target: !fields.target.trim(), reason: !fields.reason.trim() };
    if (this.missing.target || this.missing.reason) {
      return;
    }
    const { table, row } = this.form;
    await this.change(
      () =>
        saveTerritoryRow({
          tableName: table,
          rowNumber: row,
          row: this.rowFromFields(fields),
          reason: fields.reason.trim(),
          baseVersion: this.territories.version,
        }),
      SAVED_TITLE,
      (error) => {
        this.formError = error;
      },
      () => {
        this.form = null;
      },
    );
  }

  handleRemoveStart(event) {
    this.removal = {
      table: event.currentTarget.dataset.table,
      row: Number(event.currentTarget.dataset.row),
      reason: '',
    };
    this.removeError = undefined;
    this.missing = {};
    this.form = null;
  }

  handleRemoveReason(event) {
    this.removal = { ...this.removal, reason: event.detail.value };
  }

  handleRemoveCancel() {
    const { table, row } = this.removal || {};
    this.removal = null;
    this.removeError = undefined;
    this.missing = {};
    this.focusButton(`.territory-remove[data-table="${table}"][data-row="${row}"]`);
  }

  async handleRemoveConfirm() {
    const { table, row, reason } = this.removal;
    this.missing = { removeReason: !reason.trim() };
    if (this.missing.removeReason) {
      return;
    }
    await this.change(
      () =>
        removeTerritoryRow({
          tableName: table,
          rowNumber: row,
          reason: reason.trim(),
          baseVersion: this.territories.version,
        }),
      REMOVED_TITLE,
      (error) => {
        this.removeError = error;
      },
      () => {
        this.removal = null;
      },
    );
  }

  /** Runs a change; on success says so, closes what was open, reads the tables again and tells the page. */
  async change(action, title, onError, onDone) {
    this.busy = true;
    this.formError = undefined;
    this.removeError = undefined;
    try {
      const answer = await action();
      onDone();
      toastChange(this, { title, answer, stored: SAVED, unchanged: UNCHANGED });
      await this.refresh();
      this.dispatchEvent(new CustomEvent('routingchange'));
    } catch (error) {
      onError(error);
    } finally {
      this.busy = false;
    }
  }
}
