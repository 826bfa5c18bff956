import { LightningElement, api } from 'lwc';
import getPools from '@salesforce/apex/SwitchyardController.getPools';
import addPoolMember from '@salesforce/apex/SwitchyardController.addPoolMember';
import changePoolMember from '@salesforce/apex/SwitchyardController.changePoolMember';
import removePoolMember from '@salesforce/apex/SwitchyardController.removePoolMember';
import setPoolPaused from '@salesforce/apex/SwitchyardController.setPoolPaused';
import setPoolCatchUp from '@salesforce/apex/SwitchyardController.setPoolCatchUp';
import POOL_NEXT from '@salesforce/label/c.Switchyard_Admin_Pool_Next';
import POOL_NOBODY_NEXT from '@salesforce/label/c.Switchyard_Admin_Pool_Nobody_Next';
import COLUMN_TODAY from '@salesforce/label/c.Switchyard_Admin_Column_Today';
import COLUMN_OPEN from '@salesforce/label/c.Switchyard_Admin_Column_Open';
import COLUMN_SKIPPED from '@salesforce/label/c.Switchyard_Admin_Column_Skipped';
import POOL_CHANGE from '@salesforce/label/c.Switchyard_Admin_Pool_Change';
import POOL_CHANGE_MEMBER from '@salesforce/label/c.Switchyard_Admin_Pool_Change_Member';
import POOL_AWAY from '@salesforce/label/c.Switchyard_Admin_Pool_Away';
import POOL_AWAY_MEMBER from '@salesforce/label/c.Switchyard_Admin_Pool_Away_Member';
import POOL_REMOVE from '@salesforce/label/c.Switchyard_Admin_Pool_Remove';
import POOL_REMOVE_MEMBER from '@salesforce/label/c.Switchyard_Admin_Pool_Remove_Member';
import POOL_ADD from '@salesforce/label/c.Switchyard_Admin_Pool_Add';
import POOL_ADD_TO from '@salesforce/label/c.Switchyard_Admin_Pool_Add_To';
import POOL_PAUSE from '@salesforce/label/c.Switchyard_Admin_Pool_Pause';
import POOL_RESUME from '@salesforce/label/c.Switchyard_Admin_Pool_Resume';
import POOL_PAUSE_NAMED from '@salesforce/label/c.Switchyard_Admin_Pool_Pause_Named';
import POOL_RESUME_NAMED from '@salesforce/label/c.Switchyard_Admin_Pool_Resume_Named';
import POOL_FORM_ADD from '@salesforce/label/c.Switchyard_Admin_Pool_Form_Add';
import POOL_FORM_CHANGE from '@salesforce/label/c.Switchyard_Admin_Pool_Form_Change';
import POOL_FORM_AWAY from '@salesforce/label/c.Switchyard_Admin_Pool_Form_Away';
import POOL_FORM_REMOVE from '@salesforce/label/c.Switchyard_Admin_Pool_Form_Remove';
import POOL_FORM_PAUSE from '@salesforce/label/c.Switchyard_Admin_Pool_Form_Pause';
import POOL_FORM_RESUME from '@salesforce/label/c.Switchyard_Admin_Pool_Form_Resume';
import POOL_FIELD_PERSON from '@salesforce/label/c.Switchyard_Admin_Pool_Field_Person';
import POOL_FIELD_WEIGHT from '@salesforce/label/c.Switchyard_Admin_Pool_Field_Weight';
import POOL_FIELD_CAP_HOUR from '@salesforce/label/c.Switchyard_Admin_Pool_Field_Cap_Hour';
import POOL_FIELD_CAP_DAY from '@salesforce/label/c.Switchyard_Admin_Pool_Field_Cap_Day';
import POOL_FIELD_MAX_OPEN from '@salesforce/label/c.Switchyard_Admin_Pool_Field_Max_Open';
import POOL_FIELD_PAUSED from '@salesforce/label/c.Switchyard_Admin_Pool_Field_Paused';
import POOL_FIELD_FROM from '@salesforce/label/c.Switchyard_Admin_Pool_Field_From';
import POOL_FIELD_TO from '@salesforce/label/c.Switchyard_Admin_Pool_Field_To';
import POOL_CAPS_HELP from '@salesforce/label/c.Switchyard_Admin_Pool_Caps_Help';
import POOL_BACK from '@salesforce/label/c.Switchyard_Admin_Pool_Back';
import POOL_SAVE from '@salesforce/label/c.Switchyard_Admin_Pool_Save';
import POOL_REMOVE_CONFIRM from '@salesforce/label/c.Switchyard_Admin_Pool_Remove_Confirm';
import POOL_SAVED_TITLE from '@salesforce/label/c.Switchyard_Admin_Pool_Saved_Title';
import POOL_UNCHANGED from '@salesforce/label/c.Switchyard_Admin_Pool_Unchanged';
import POOL_SAVE_ERROR from '@salesforce/label/c.Switchyard_Admin_Pool_Save_Error';
import POOL_PERSON_MISSING from '@salesforce/label/c.Switchyard_Admin_Pool_Person_Missing';
import POOL_DATES_MISSING from '@salesforce/label/c.Switchyard_Admin_Pool_Dates_Missing';
import POOLS_NOTE from '@salesforce/label/c.Switchyard_Admin_Pools_Note';
import POOLS_ERROR from '@salesforce/label/c.Switchyard_Admin_Pools_Error';
import COLUMN_MEMBER from '@salesforce/label/c.Switchyard_Admin_Column_Member';
import COLUMN_WEIGHT from '@salesforce/label/c.Switchyard_Admin_Column_Weight';
import COLUMN_CAPS from '@salesforce/label/c.Switchyard_Admin_Column_Caps';
import COLUMN_AWAY from '@salesforce/label/c.Switchyard_Admin_Column_Away';
import COLUMN_ACTIONS from '@salesforce/label/c.Switchyard_Admin_Column_Actions';
import CAP_HOUR from '@salesforce/label/c.Switchyard_Admin_Cap_Hour';
import CAP_DAY from '@salesforce/label/c.Switchyard_Admin_Cap_Day';
import CAP_OPEN from '@salesforce/label/c.Switchyard_Admin_Cap_Open';
import AWAY_SPAN from '@salesforce/label/c.Switchyard_Admin_Away_Span';
import INACTIVE from '@salesforce/label/c.Switchyard_Admin_Inactive';
import STRATEGY from '@salesforce/label/c.Switchyard_Admin_Strategy';
import PAUSED from '@salesforce/label/c.Switchyard_Admin_Paused';
import SAVED from '@salesforce/label/c.Switchyard_Admin_Territory_Saved';
import CATCH_UP_ON from '@salesforce/label/c.Switchyard_Admin_Pool_Catch_Up_On';
import CATCH_UP_OFF from '@salesforce/label/c.Switchyard_Admin_Pool_Catch_Up_Off';
import CATCH_UP from '@salesforce/label/c.Switchyard_Admin_Pool_Catch_Up';
import CATCH_UP_NAMED from '@salesforce/label/c.Switchyard_Admin_Pool_Catch_Up_Named';
import POOL_FORM_CATCH_UP from '@salesforce/label/c.Switchyard_Admin_Pool_Form_Catch_Up';
import FIELD_CATCH_UP_LEADS from '@salesforce/label/c.Switchyard_Admin_Pool_Field_Catch_Up_Leads';
import FIELD_CATCH_UP_DAYS from '@salesforce/label/c.Switchyard_Admin_Pool_Field_Catch_Up_Days';
import CATCH_UP_HELP from '@salesforce/label/c.Switchyard_Admin_Pool_Catch_Up_Help';
import CATCH_UP_MISSING from '@salesforce/label/c.Switchyard_Admin_Pool_Catch_Up_Missing';
import POOL_PREVIEW from '@salesforce/label/c.Switchyard_Admin_Pool_Preview';
import POOL_CONFIRM from '@salesforce/label/c.Switchyard_Admin_Pool_Confirm';
import NEXT_BEFORE from '@salesforce/label/c.Switchyard_Admin_Pool_Next_Before';
import NEXT_AFTER from '@salesforce/label/c.Switchyard_Admin_Pool_Next_After';
import NEXT_SHARES from '@salesforce/label/c.Switchyard_Admin_Pool_Next_Shares';
import NEXT_NOBODY from '@salesforce/label/c.Switchyard_Admin_Pool_Next_Nobody';
import NEXT_SAME from '@salesforce/label/c.Switchyard_Admin_Pool_Next_Same';
import NEXT_SAME_NOBODY from '@salesforce/label/c.Switchyard_Admin_Pool_Next_Same_Nobody';
import NOTHING_TO_SAVE from '@salesforce/label/c.Switchyard_Admin_Pool_Nothing_To_Save';
import { formatLabel, toProblem } from 'c/switchyardService';
import { readInto, toastChange, versionNote } from 'c/adminPanel';

const LABEL = {
  COLUMN_TODAY,
  COLUMN_OPEN,
  COLUMN_SKIPPED,
  POOL_ADD,
  POOL_FIELD_PERSON,
  POOL_FIELD_PAUSED,
  POOL_CAPS_HELP,
  POOL_SAVE,
  POOL_SAVE_ERROR,
  POOL_PERSON_MISSING,
  POOLS_ERROR,
  COLUMN_MEMBER,
  COLUMN_WEIGHT,
  COLUMN_CAPS,
  COLUMN_AWAY,
  COLUMN_ACTIONS,
  INACTIVE,
  PAUSED,
  CATCH_UP,
  CATCH_UP_HELP,
};

/** The form's ids: one form is open at a time, so each is unique in the page. */
const IDS = {
  person: 'pool-person',
  weight: 'pool-weight',
  capHour: 'pool-cap-hour',
  capDay: 'pool-cap-day',
  maxOpen: 'pool-max-open',
  paused: 'pool-paused',
  from: 'pool-from',
  to: 'pool-to',
  catchUpLeads: 'pool-catch-up-leads',
  catchUpDays: 'pool-catch-up-days',
  personMissing: 'pool-person-missing',
  inputsMissing: 'pool-inputs-missing',
};
const SETTINGS = [
  ['weight', 'weight'],
  ['capHour', 'capPerHour'],
  ['capDay', 'capPerDay'],
  ['maxOpen', 'maxOpenLoad'],
];
/** An input of the pool form: its field (its class is `field-` and the field in kebab case), label and kind. */
const input = (field, label, type, limits = {}) => ({
  field,
  label,
  type,
  className: `slds-input field-${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
  ...limits,
});
const WHOLE = { min: '1', step: '1' };
/** The inputs each kind of form has, in the form's order; its columns; and which problem marks them. */
const INPUTS = {
  settings: [
    input('weight', POOL_FIELD_WEIGHT, 'number', { min: '0', step: 'any' }),
    input('capHour', POOL_FIELD_CAP_HOUR, 'number', WHOLE),
    input('capDay', POOL_FIELD_CAP_DAY, 'number', WHOLE),
    input('maxOpen', POOL_FIELD_MAX_OPEN, 'number', WHOLE),
  ],
  away: [input('from', POOL_FIELD_FROM, 'date'), input('to', POOL_FIELD_TO, 'date')],
  // The companion's limits (engine/distribution/pool.ts, CATCH_UP_MAX_LEADS and CATCH_UP_MAX_DAYS).
  catchUp: [
    input('catchUpLeads', FIELD_CATCH_UP_LEADS, 'number', { ...WHOLE, max: '50' }),
    input('catchUpDays', FIELD_CATCH_UP_DAYS, 'number', { ...WHOLE, max: '14' }),
  ],
};
const COLUMN = {
  settings: 'slds-col slds-size_1-of-2 slds-medium-size_1-of-4 slds-form-element',
  away: 'slds-col slds-size_1-of-1 slds-medium-size_1-of-2 slds-form-element',
  catchUp: 'slds-col slds-size_1-of-2 slds-form-element',
};
/** The problem that marks a kind's inputs, and what the page says of it. */
const PROBLEM = {
  away: ['dates', POOL_DATES_MISSING],
  catchUp: ['catchUp', CATCH_UP_MISSING],
};
const text = (value) => (value === null || value === undefined ? '' : String(value));
/** A button that opens the form in `mode`: its words, its class, and its full name (title, label, focus). */
function action(mode, label, className, title) {
  return { mode, label, className: `slds-button slds-button_neutral ${className}`, title };
}
/** "Ava Patel, Ben Carter, Ava Patel…", or that nobody can take a lead. */
function line(people) {
  return people && people.length ? people.map((p) => p.name || p.userId).join(', ') : NEXT_NOBODY;
}
/**
 * "Emma Schulz 0 → 2, Ava Patel 8 → 6": how many of the next leads each person gets now and with the
 * change, for those the change moves, the largest move first (then the order they first come up in);
 * '' when everyone keeps their share and only the order changes.
 */
function shares(before, after) {
  const people = new Map();
  const tally = (next, side) => {
    for (const person of next) {
      const counted = people.get(person.userId) || { name: person.name || person.userId, n: [0, 0] };
      counted.n[side] += 1;
      people.set(person.userId, counted);
    }
  };
  tally(before, 0);
  tally(after, 1);
  const moved = [...people.values()].filter((p) => p.n[0] !== p.n[1]);
  const size = (p) => Math.abs(p.n[1] - p.n[0]);
  return moved
    .map((p, order) => ({ ...p, order }))
    .sort((a, b) => size(b) - size(a) || a.order - b.order)
    .map((p) => `${p.name} ${p.n[0]} → ${p.n[1]}`)
    .join(', ');
}
/** What the second button does once a change is previewed: it stores what the preview showed. */
const CONFIRM_LABELS = {
  add: POOL_SAVE,
  change: POOL_SAVE,
  away: POOL_SAVE,
  remove: POOL_REMOVE_CONFIRM,
  pause: POOL_PAUSE,
  resume: POOL_RESUME,
  catchUp: POOL_CONFIRM,
};
/**
 * A preview's lines: the next leads now and with the change, or one line when the change keeps them;
 * one line too when the change would leave the pool as it is (nothing to save).
 */
function previewLines(preview, unchanged) {
  if (unchanged) {
    return [{ key: 'unchanged', className: 'next-unchanged', text: NOTHING_TO_SAVE }];
  }
  if (!preview) {
    return [];
  }
  const before = preview.before || [];
  const after = preview.after || [];
  if (before.length === after.length && before.every((p, i) => p.userId === after[i].userId)) {
    return [
      {
        key: 'same',
        className: 'next-same',
        text: before.length ? formatLabel(NEXT_SAME, before.length) : NEXT_SAME_NOBODY,
      },
    ];
  }
  const lines = [
    { key: 'before', className: 'next-before', text: formatLabel(NEXT_BEFORE, line(before)) },
    { key: 'after', className: 'next-after', text: formatLabel(NEXT_AFTER, line(after)) },
  ];
  // Two lists of a dozen names are hard to compare by eye: who gains and who loses, counted. Only when
  // someone can take a lead both now and with the change (a paused pool's line says nobody can).
  const moved = before.length && after.length === before.length ? shares(before, after) : '';
  if (moved) {
    lines.push({
      key: 'shares',
      className: 'next-shares',
      text: formatLabel(NEXT_SHARES, before.length, moved),
    });
  }
  return lines;
}

/**
 * The live pools on the admin page, through the pools API: who is next (or why nobody is), each member's
 * weight, caps, out-of-office days, leads today, open leads and why they are passed over; add or remove
 * a rep, change a weight or a cap, mark someone out of office from a day to a day (or back), pause or resume
 * the pool or set its catch-up (each previewed first: who gets the next leads now and with it), each with a reason,
 * in the admin page's change form (`c-change-form`). The companion checks each change with the whole
 * routing set and stores it as a new version. Fires `routingchange` after a stored change, so the page
 * reloads its versions.
 */
export default class PoolTables extends LightningElement {
  label = LABEL;
  ids = IDS;

  pools;
  error;
  /**
   * The open form: { pool, mode (add, change, away, remove, pause, resume, catchUp), member, fields,
   * preview (the next assignments a dry run answered), baseVersion (the version it was computed on),
   * previewedBack (away: the preview is of back now), unchanged (the change leaves the pool as it is) }, or null.
   */
  form = null;
  formError;
  missing = {};
  busy = false;

  connectedCallback() {
    this.refresh();
  }

  /** Reads the pools again (the page's Refresh, a rollback). */
  @api
  refresh() {
    return readInto(this, 'pools', getPools);
  }

  get note() {
    return versionNote(POOLS_NOTE, this.pools);
  }

  get poolRows() {
    const items = (this.pools && this.pools.items) || [];
    return items.map((pool) => {
      const names = new Map(pool.members.map((m) => [m.userId, m.name || m.userId]));
      const formHere = this.form && this.form.pool === pool.name;
      const heading = pool.label ? `${pool.label} (${pool.name})` : pool.name;
      return {
        key: pool.name,
        name: pool.name,
        heading,
        summary: formatLabel(STRATEGY, pool.strategy, pool.members.length),
        paused: pool.paused,
        next: pool.next
          ? formatLabel(POOL_NEXT, names.get(pool.next) || pool.next)
          : formatLabel(POOL_NOBODY_NEXT, pool.nextReason || ''),
        catchUp: pool.catchUp
          ? formatLabel(CATCH_UP_ON, pool.catchUp.leads, pool.catchUp.withinDays)
          : CATCH_UP_OFF,
        actions: [
          action(
            pool.paused ? 'resume' : 'pause',
            pool.paused ? POOL_RESUME : POOL_PAUSE,
            'pool-pause',
            formatLabel(pool.paused ? POOL_RESUME_NAMED : POOL_PAUSE_NAMED, pool.name),
          ),
          action('catchUp', CATCH_UP, 'pool-catch-up-button', formatLabel(CATCH_UP_NAMED, pool.name)),
        ],
        addTitle: formatLabel(POOL_ADD_TO, pool.name),
        members: pool.members.map((m) => {
          const name = m.name || m.userId;
          return {
            key: `${pool.name}-${m.userId}`,
            userId: m.userId,
            name,
            isNext: m.userId === pool.next,
            inactive: !m.active,
            paused: m.paused,
            weight: m.weight,
            caps: [
              m.capPerHour !== null ? formatLabel(CAP_HOUR, m.capPerHour) : '',
              m.capPerDay !== null ? formatLabel(CAP_DAY, m.capPerDay) : '',
              m.maxOpenLoad !== null ? formatLabel(CAP_OPEN, m.maxOpenLoad) : '',
            ]
              .filter(Boolean)
              .join(', '),
            away: (m.away || []).map((span) => formatLabel(AWAY_SPAN, span.from, span.to)).join(', '),
            today: text(m.turnsToday),
            open: text(m.openLeads),
            skipped: m.skipped || '',
            actions: [
              action(
                'change',
                POOL_CHANGE,
                'member-change',
                formatLabel(POOL_CHANGE_MEMBER, name, pool.name),
              ),
              action('away', POOL_AWAY, 'member-away-button', formatLabel(POOL_AWAY_MEMBER, name, pool.name)),
              action(
                'remove',
                POOL_REMOVE,
                'member-remove',
                formatLabel(POOL_REMOVE_MEMBER, name, pool.name),
              ),
            ],
          };
        }),
        formHere,
        form: formHere ? this.formView(pool.name) : null,
      };
    });
  }

  formView(poolName) {
    const { mode, member, preview, previewedBack, unchanged } = this.form;
    const headings = {
      add: formatLabel(POOL_FORM_ADD, poolName),
      change: formatLabel(POOL_FORM_CHANGE, member && member.name, poolName),
      away: formatLabel(POOL_FORM_AWAY, member && member.name, poolName),
      remove: formatLabel(POOL_FORM_REMOVE, member && member.name, poolName),
      pause: formatLabel(POOL_FORM_PAUSE, poolName),
      resume: formatLabel(POOL_FORM_RESUME, poolName),
      catchUp: formatLabel(POOL_FORM_CATCH_UP, poolName),
    };
    // Each change's first button asks for the preview; the second stores what it showed (back now, when that
    // was previewed: the only button left beside Cancel).
    let saveLabel = POOL_PREVIEW;
    if (preview) {
      saveLabel = previewedBack ? POOL_BACK : CONFIRM_LABELS[mode];
    }
    const canGoBack = mode === 'away' && !preview && member && member.away && member.away.length;
    return {
      heading: headings[mode],
      isAdd: mode === 'add',
      hasSettings: mode === 'add' || mode === 'change',
      isChange: mode === 'change',
      isCatchUp: mode === 'catchUp',
      backLabel: canGoBack ? POOL_BACK : null,
      saveLabel,
      destructive: (mode === 'remove' || mode === 'pause') && Boolean(preview),
      preview: previewLines(preview, unchanged),
    };
  }

  get fields() {
    return (this.form && this.form.fields) || {};
  }

  /** The kind of inputs the open form has: settings (add, change), away or catchUp. */
  get inputKind() {
    const mode = this.form && this.form.mode;
    return mode === 'add' || mode === 'change' ? 'settings' : mode;
  }

  /** What the open form's inputs lack, in words, or ''. */
  get inputsMissing() {
    const problem = PROBLEM[this.inputKind];
    return problem && this.missing[problem[0]] ? problem[1] : '';
  }

  /** The open form's inputs with their ids and the form's values, marked when they lack something. */
  get inputs() {
    const kind = this.inputKind;
    const fields = this.fields;
    const missing = Boolean(this.inputsMissing);
    return (INPUTS[kind] || []).map((field) => ({
      ...field,
      id: IDS[field.field],
      value: fields[field.field],
      colClass: missing ? `${COLUMN[kind]} slds-has-error` : COLUMN[kind],
      describedBy: missing ? IDS.inputsMissing : null,
    }));
  }

  get personClass() {
    return this.missing.person ? 'slds-form-element slds-has-error' : 'slds-form-element';
  }

  get personDescribedBy() {
    return this.missing.person ? IDS.personMissing : null;
  }

  memberOf(poolName, userId) {
    const pool = this.pools.items.find((p) => p.name === poolName);
    const member = pool && pool.members.find((m) => m.userId === userId);
    return member ? { ...member, name: member.name || member.userId } : null;
  }

  handleOpen(event) {
    const { pool, mode, user } = event.currentTarget.dataset;
    const member = user ? this.memberOf(pool, user) : null;
    const fields = { reason: '' };
    if (mode === 'change') {
      for (const [field, key] of SETTINGS) {
        fields[field] = text(member[key]);
      }
      fields.paused = Boolean(member.paused);
    } else if (mode === 'add') {
      Object.assign(fields, { person: '', weight: '', capHour: '', capDay: '', maxOpen: '' });
    } else if (mode === 'away') {
      Object.assign(fields, { from: '', to: '' });
    } else if (mode === 'catchUp') {
      const catchUp = this.pools.items.find((p) => p.name === pool).catchUp;
      fields.catchUpLeads = catchUp ? text(catchUp.leads) : '';
      fields.catchUpDays = catchUp ? text(catchUp.withinDays) : '';
    }
    this.form = { pool, mode, member, fields, opener: event.currentTarget.dataset.opener, preview: null };
    this.formError = undefined;
    this.missing = {};
  }

  handleField(event) {
    const name = event.target.dataset.field;
    const value = event.target.type === 'checkbox' ? event.target.checked : event.target.value;
    // A preview shows the setting it was asked for: another setting needs another preview.
    this.form = {
      ...this.form,
      fields: { ...this.form.fields, [name]: value },
      preview: null,
      previewedBack: false,
      unchanged: false,
    };
  }

  handleReason(event) {
    this.form = { ...this.form, fields: { ...this.form.fields, reason: event.detail.value } };
  }

  handleCancel() {
    const opener = this.form && this.form.opener;
    this.form = null;
    this.formError = undefined;
    this.missing = {};
    Promise.resolve().then(() => {
      const button = opener && this.template.querySelector(`[data-opener="${opener}"]`);
      if (button) {
        button.focus();
      }
    });
  }

  settingsOf(fields) {
    const settings = {};
    for (const [field, key] of SETTINGS) {
      const value = String(fields[field] || '').trim();
      if (value !== '') {
        settings[key] = Number(value);
      }
    }
    return settings;
  }

  /**
   * The call the open form makes, a dry run before the preview, or null when a field it needs is empty
   * (then marked).
   */
  request(back) {
    const { pool, mode, member, fields } = this.form;
    const reason = String(fields.reason || '').trim();
    const missing = { reason: !reason };
    if (mode === 'add') {
      missing.person = !String(fields.person || '').trim();
    }
    if (mode === 'away' && !back) {
      missing.dates = !fields.from || !fields.to;
    }
    const catchUpLeads = String(fields.catchUpLeads || '').trim();
    const catchUpDays = String(fields.catchUpDays || '').trim();
    if (mode === 'catchUp') {
      missing.catchUp = (catchUpLeads === '') !== (catchUpDays === '');
    }
    this.missing = missing;
    if (Object.values(missing).some(Boolean)) {
      return null;
    }
    switch (mode) {
      case 'add':
        return () =>
          addPoolMember({
            poolName: pool,
            person: fields.person.trim(),
            settings: this.settingsOf(fields),
            reason,
            ...this.previewed(),
          });
      case 'change': {
        // Only what the admin changed, so the version's reason says just that.
        const change = {};
        for (const [field, key] of SETTINGS) {
          const value = String(fields[field] || '').trim();
          if (value !== text(member[key])) {
            change[key] = value === '' ? null : Number(value);
          }
        }
        if (Boolean(fields.paused) !== Boolean(member.paused)) {
          change.paused = Boolean(fields.paused);
        }
        if (Object.keys(change).length === 0) {
          // Nothing edited: said without asking the companion.
          return () => Promise.resolve({ published: false, changes: [] });
        }
        return () =>
          changePoolMember({ poolName: pool, userId: member.userId, change, reason, ...this.previewed() });
      }
      case 'away':
        return () =>
          changePoolMember({
            poolName: pool,
            userId: member.userId,
            change: { away: back ? null : { from: fields.from, to: fields.to } },
            reason,
            ...this.previewed(),
          });
      case 'remove':
        return () => removePoolMember({ poolName: pool, userId: member.userId, reason, ...this.previewed() });
      case 'catchUp':
        return () =>
          setPoolCatchUp({
            poolName: pool,
            leads: catchUpLeads === '' ? null : Number(catchUpLeads),
            withinDays: catchUpDays === '' ? null : Number(catchUpDays),
            reason,
            ...this.previewed(),
          });
      default:
        return () => setPoolPaused({ poolName: pool, paused: mode === 'pause', reason, ...this.previewed() });
    }
  }

  /**
   * A dry run before the preview; with it, the change on the version the preview was computed on, so one
   * stored by someone else in between is refused (VERSION_CONFLICT) instead of changed unseen.
   */
  previewed() {
    return this.form.preview ? { dryRun: false, baseVersion: this.form.baseVersion } : { dryRun: true };
  }

  handleSave() {
    return this.submit(false);
  }

  handleBack() {
    return this.submit(true);
  }

  async submit(back) {
    // After a preview the one button left stores what it showed: out of office, or back now.
    const previewing = !this.form.preview;
    const asBack = previewing ? back : Boolean(this.form.previewedBack);
    const call = this.request(asBack);
    if (!call) {
      return;
    }
    this.busy = true;
    this.formError = undefined;
    try {
      const answer = await call();
      if (previewing) {
        const unchanged = Boolean(answer.changes) && answer.changes.length === 0;
        this.form = {
          ...this.form,
          preview: unchanged ? null : answer.nextAssignments || { before: [], after: [] },
          baseVersion: answer.previous,
          previewedBack: asBack,
          unchanged,
        };
        return;
      }
      this.form = null;
      toastChange(this, { title: POOL_SAVED_TITLE, answer, stored: SAVED, unchanged: POOL_UNCHANGED });
      await this.refresh();
      this.dispatchEvent(new CustomEvent('routingchange'));
    } catch (error) {
      this.formError = error;
      if (this.form && this.form.preview && toProblem(error).code === 'VERSION_CONFLICT') {
        // Someone stored a version after the preview: the next click previews the live one again.
        this.form = { ...this.form, preview: null, baseVersion: undefined, previewedBack: false };
      }
    } finally {
      this.busy = false;
    }
  }
}
