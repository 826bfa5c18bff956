import { LightningElement, api, wire } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import { refreshApex } from '@salesforce/apex';
import getMatchedLeads from '@salesforce/apex/SwitchyardController.getMatchedLeads';
import getRerouteAccess from '@salesforce/apex/SwitchyardController.getRerouteAccess';
import TITLE from '@salesforce/label/c.Switchyard_Matched_Title';
import TITLE_COUNT from '@salesforce/label/c.Switchyard_Matched_Title_Count';
import REFRESH from '@salesforce/label/c.Switchyard_Matched_Refresh';
import SEARCH from '@salesforce/label/c.Switchyard_Matched_Search';
import SEARCH_PLACEHOLDER from '@salesforce/label/c.Switchyard_Matched_Search_Placeholder';
import LOADING from '@salesforce/label/c.Switchyard_Matched_Loading';
import LOAD_ERROR from '@salesforce/label/c.Switchyard_Matched_Load_Error';
import EMPTY from '@salesforce/label/c.Switchyard_Matched_Empty';
import EMPTY_HINT from '@salesforce/label/c.Switchyard_Matched_Empty_Hint';
import NO_FIT from '@salesforce/label/c.Switchyard_Matched_No_Fit';
import NO_FIT_HINT from '@salesforce/label/c.Switchyard_Matched_No_Fit_Hint';
import RANGE from '@salesforce/label/c.Switchyard_Matched_Range';
import PREVIOUS from '@salesforce/label/c.Switchyard_Previous';
import NEXT from '@salesforce/label/c.Switchyard_Next';
import COL_NAME from '@salesforce/label/c.Switchyard_Matched_Col_Name';
import COL_TITLE from '@salesforce/label/c.Switchyard_Matched_Col_Title';
import COL_EMAIL from '@salesforce/label/c.Switchyard_Matched_Col_Email';
import COL_STATUS from '@salesforce/label/c.Switchyard_Matched_Col_Status';
import COL_OWNER from '@salesforce/label/c.Switchyard_Matched_Col_Owner';
import COL_LAST_ACTIVITY from '@salesforce/label/c.Switchyard_Matched_Col_Last_Activity';
import COL_LAST_FLOW from '@salesforce/label/c.Switchyard_Matched_Col_Last_Flow';
import COL_ACTIVE_FLOWS from '@salesforce/label/c.Switchyard_Matched_Col_Active_Flows';
import COL_WHY from '@salesforce/label/c.Switchyard_Matched_Col_Why';
import COL_ACTION from '@salesforce/label/c.Switchyard_Matched_Col_Action';
import BY_EMAIL_DOMAIN from '@salesforce/label/c.Switchyard_Matched_By_Email_Domain';
import BY_WEBSITE from '@salesforce/label/c.Switchyard_Matched_By_Website';
import BY_COMPANY_NAME from '@salesforce/label/c.Switchyard_Matched_By_Company_Name';
import BY_AMBIGUOUS from '@salesforce/label/c.Switchyard_Matched_By_Ambiguous';
import BY_SET_ON_LEAD from '@salesforce/label/c.Switchyard_Matched_By_Set_On_Lead';
import BY_UNKNOWN from '@salesforce/label/c.Switchyard_Matched_By_Unknown';
import WHY_FOR from '@salesforce/label/c.Switchyard_Matched_Why_For';
import SCORE from '@salesforce/label/c.Switchyard_Matched_Score';
import REROUTE from '@salesforce/label/c.Switchyard_Reroute_Button';
import REROUTE_ROW from '@salesforce/label/c.Switchyard_Matched_Reroute_Row';
import NOT_MQL from '@salesforce/label/c.Switchyard_Matched_Not_MQL';
import NOT_MQL_HELP from '@salesforce/label/c.Switchyard_Matched_Not_MQL_Help';
import { formatDate, formatLabel, ownerLabel } from 'c/switchyardService';

/** Column (fieldName) → the companion's sort key. */
const SORT_KEYS = {
  name: 'name',
  title: 'title',
  email: 'email',
  status: 'status',
  ownerName: 'owner',
  lastActivity: 'lastActivity',
  lastFlowName: 'lastFlowName',
  activeFlowsCount: 'activeFlowsCount',
  matchReason: 'matchScore',
};
/**
 * The table's columns, in order. Widths are shares of the card (fixed table layout), chosen so the
 * table fits a 1,024 px window without a scroll bar: each cell is one line, cut with "…" and whole in
 * its tooltip, and headers wrap instead of being cut.
 */
const COLUMNS = [
  { fieldName: 'name', label: COL_NAME, sortable: true, width: 15 },
  { fieldName: 'title', label: COL_TITLE, sortable: true, width: 11, hides: 'title' },
  { fieldName: 'email', label: COL_EMAIL, sortable: true, width: 11, hides: 'email' },
  { fieldName: 'status', label: COL_STATUS, sortable: true, width: 8, hides: 'status' },
  { fieldName: 'ownerName', label: COL_OWNER, sortable: true, width: 10 },
  { fieldName: 'lastActivity', label: COL_LAST_ACTIVITY, sortable: true, width: 10 },
  { fieldName: 'lastFlowName', label: COL_LAST_FLOW, sortable: true, width: 9 },
  { fieldName: 'activeFlowsCount', label: COL_ACTIVE_FLOWS, sortable: true, width: 6, numeric: true },
  { fieldName: 'matchReason', label: COL_WHY, sortable: true, width: 10 },
];
const ACTION_WIDTH = 10;
/** Columns that start sorted with the biggest or newest first. */
const DESCENDING_FIRST = new Set(['lastActivity', 'activeFlowsCount', 'matchReason']);
/** The matcher's method (matchMethod) → the short words a row shows; the full reason is one click away. */
const MATCHED_BY = {
  'email-domain': BY_EMAIL_DOMAIN,
  website: BY_WEBSITE,
  'company-name': BY_COMPANY_NAME,
  ambiguous: BY_AMBIGUOUS,
  'set-on-lead': BY_SET_ON_LEAD,
};
/** The status the re-route flow re-routes (reroute.flow.yaml, "MQLs only"). */
const REROUTABLE_STATUS = 'MQL';
/** Wait this long after the last keystroke before searching, so typing a name is one request. */
const SEARCH_DELAY_MS = 300;

/**
 * Matched leads (Account page): every lead Switchyard matched to this account, a page at a time,
 * sortable and searchable, with why each one matched. Users allowed to re-route get a Re-route button
 * on each MQL; its confirmation opens under the row it concerns.
 */
export default class MatchedLeads extends NavigationMixin(LightningElement) {
  @api recordId;
  /** Leads per page; set in the Lightning App Builder. */
  @api pageSize = 25;

  offset = 0;
  sortedBy = 'lastActivity';
  sortDirection = 'desc';
  /** The search applied to the list (sent to the companion); '' for all matched leads. */
  searchTerm = '';
  searchTimer;
  /** The lead being re-routed: { id, name }; its confirmation is the row under it. */
  rerouteTarget;
  /** Leads whose full match reason is open, by Id. */
  openReasons = {};
  /** Record page URLs by lead Id, from NavigationMixin. */
  urls = {};
  refreshing = false;
  /** True from a page or sort change until its data arrives. */
  waiting = false;
  /** What to focus after the next render: 'reroute' (the confirmation) or a lead Id (its Re-route button). */
  focusNext;

  wiredLeads;
  currentPage;
  error;

  label = {
    REFRESH,
    SEARCH,
    SEARCH_PLACEHOLDER,
    LOADING,
    LOAD_ERROR,
    PREVIOUS,
    NEXT,
    COL_ACTION,
    REROUTE,
    NOT_MQL,
    NOT_MQL_HELP,
  };

  @wire(getMatchedLeads, {
    accountId: '$recordId',
    pageSize: '$limit',
    pageOffset: '$offset',
    sortBy: '$sortKey',
    sortDirection: '$sortDirection',
    searchTerm: '$searchTerm',
  })
  receiveLeads(result) {
    this.wiredLeads = result;
    if (result.data) {
      const { items, total } = result.data;
      if (items.length === 0 && total > 0 && this.offset > 0) {
        // The page emptied under us (leads re-routed or unmatched since): go to the last page that has leads.
        this.offset = Math.floor((total - 1) / this.limit) * this.limit;
        return;
      }
      this.currentPage = result.data;
      this.error = undefined;
      this.waiting = false;
      this.generateUrls(items);
    } else if (result.error) {
      this.error = result.error;
      this.waiting = false;
    }
  }

  @wire(getRerouteAccess)
  access;

  async generateUrls(items) {
    const missing = items.filter((lead) => !this.urls[lead.id]);
    if (missing.length === 0) {
      return;
    }
    const urls = await Promise.all(
      missing.map((lead) => this[NavigationMixin.GenerateUrl](recordPage(lead.id))),
    );
    const next = { ...this.urls };
    missing.forEach((lead, index) => {
      next[lead.id] = urls[index];
    });
    this.urls = next;
  }

  renderedCallback() {
    const target = this.focusNext;
    if (!target) {
      return;
    }
    this.focusNext = undefined;
    if (target === 'reroute') {
      const confirmation = this.template.querySelector('c-reroute-lead');
      if (confirmation) {
        confirmation.focus();
      }
      return;
    }
    const button = [...this.template.querySelectorAll('button.reroute')].find(
      (element) => element.dataset.id === target,
    );
    if (button) {
      button.focus();
    }
  }

  get limit() {
    const size = Number(this.pageSize);
    return Number.isInteger(size) && size > 0 ? size : 25;
  }

  get sortKey() {
    return SORT_KEYS[this.sortedBy] || 'lastActivity';
  }

  get canReroute() {
    return Boolean(this.access && this.access.data === true);
  }

  get hiddenFields() {
    return new Set((this.currentPage && this.currentPage.hiddenFields) || []);
  }

  /** Columns of fields the user's field-level security hides are left out, not shown empty. */
  get visibleColumns() {
    const hidden = this.hiddenFields;
    return COLUMNS.filter((column) => !column.hides || !hidden.has(column.hides));
  }

  /** The header cells, with the sort state a screen reader announces (aria-sort) and shows (the arrow). */
  get columns() {
    const shown = this.visibleColumns;
    // Columns left out give their share to the others.
    const scale = (100 - (this.canReroute ? ACTION_WIDTH : 0)) / shown.reduce((sum, c) => sum + c.width, 0);
    return shown.map((column) => {
      const sorted = this.sortedBy === column.fieldName;
      const ascending = this.sortDirection === 'asc';
      return {
        fieldName: column.fieldName,
        label: column.label,
        style: `width: ${(column.width * scale).toFixed(2)}%`,
        className: `slds-is-sortable slds-cell-wrap${sorted ? ' slds-is-sorted' : ''}${
          column.numeric ? ' slds-text-align_right' : ''
        }`,
        ariaSort: sorted ? (ascending ? 'ascending' : 'descending') : 'none',
        sorted,
        sortIcon: ascending ? 'utility:arrowup' : 'utility:arrowdown',
      };
    });
  }

  get actionStyle() {
    return `width: ${ACTION_WIDTH}%`;
  }

  get columnCount() {
    return this.visibleColumns.length + (this.canReroute ? 1 : 0);
  }

  get showTitle() {
    return !this.hiddenFields.has('title');
  }

  get showEmail() {
    return !this.hiddenFields.has('email');
  }

  get showStatus() {
    return !this.hiddenFields.has('status');
  }

  get loading() {
    return (!this.currentPage && !this.error) || this.waiting;
  }

  get total() {
    return this.currentPage ? this.currentPage.total : 0;
  }

  get cardTitle() {
    return this.currentPage ? formatLabel(TITLE_COUNT, this.total) : TITLE;
  }

  get tableLabel() {
    return TITLE;
  }

  get rows() {
    if (!this.currentPage) {
      return [];
    }
    const statusKnown = this.showStatus;
    return this.currentPage.items.map((lead) => {
      const matchedBy = MATCHED_BY[lead.matchMethod] || BY_UNKNOWN;
      const reasonOpen = Boolean(this.openReasons[lead.id]);
      const score =
        typeof lead.matchScore === 'number' ? formatLabel(SCORE, Math.round(lead.matchScore * 100)) : '';
      const reroutable = !statusKnown || lead.status === REROUTABLE_STATUS;
      return {
        id: lead.id,
        reasonKey: `${lead.id}-reason`,
        rerouteKey: `${lead.id}-reroute`,
        name: lead.name,
        nameTitle: lead.company ? `${lead.name} · ${lead.company}` : lead.name,
        url: this.urls[lead.id],
        title: lead.title || '',
        email: lead.email || '',
        mailto: lead.email ? `mailto:${lead.email}` : undefined,
        status: lead.status || '',
        ownerName: ownerLabel(lead.owner),
        lastActivity: formatDate(lead.lastActivity),
        lastFlowName: lead.lastFlowName || '',
        activeFlowsCount: lead.activeFlowsCount || 0,
        matchedBy,
        whyLabel: formatLabel(WHY_FOR, matchedBy, lead.name),
        reason: lead.matchReason || '',
        score,
        reasonOpen,
        reasonId: `reason-${lead.id}`,
        offerReroute: this.canReroute && reroutable,
        notReroutable: this.canReroute && !reroutable,
        rerouteLabel: formatLabel(REROUTE_ROW, lead.name),
        rerouteOpen: Boolean(this.rerouteTarget && this.rerouteTarget.id === lead.id),
      };
    });
  }

  get hasRows() {
    return Boolean(this.currentPage) && this.currentPage.items.length > 0;
  }

  get isEmpty() {
    return Boolean(this.currentPage) && !this.error && this.total === 0;
  }

  get showSearch() {
    return Boolean(this.searchTerm) || this.total > 0;
  }

  get emptyTitle() {
    return this.searchTerm ? formatLabel(NO_FIT, this.searchTerm) : EMPTY;
  }

  get emptyHint() {
    return this.searchTerm ? NO_FIT_HINT : EMPTY_HINT;
  }

  get showTable() {
    return this.hasRows && !this.error;
  }

  get rangeText() {
    const first = this.total === 0 ? 0 : this.currentPage.offset + 1;
    const last = Math.min(this.currentPage.offset + this.currentPage.items.length, this.total);
    return formatLabel(RANGE, first, last, this.total);
  }

  get previousDisabled() {
    return this.offset === 0 || this.refreshing;
  }

  get nextDisabled() {
    return !this.currentPage || this.offset + this.limit >= this.total || this.refreshing;
  }

  get paged() {
    return this.total > this.limit;
  }

  handleSearch(event) {
    const term = (event.target.value || '').trim();
    clearTimeout(this.searchTimer);
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.searchTimer = setTimeout(() => {
      if (term !== this.searchTerm) {
        this.searchTerm = term;
        this.offset = 0;
        this.waiting = true;
      }
    }, SEARCH_DELAY_MS);
  }

  disconnectedCallback() {
    clearTimeout(this.searchTimer);
  }

  /** A header pressed: sort by its column, the other way round when it is already the sort. */
  handleSort(event) {
    const fieldName = event.currentTarget.dataset.field;
    if (this.sortedBy === fieldName) {
      this.sortDirection = this.sortDirection === 'asc' ? 'desc' : 'asc';
    } else {
      this.sortedBy = fieldName;
      this.sortDirection = DESCENDING_FIRST.has(fieldName) ? 'desc' : 'asc';
    }
    this.offset = 0;
    this.waiting = true;
  }

  handlePrevious() {
    this.offset = Math.max(0, this.offset - this.limit);
    this.waiting = true;
  }

  handleNext() {
    this.offset += this.limit;
    this.waiting = true;
  }

  async handleRefresh() {
    this.refreshing = true;
    try {
      await refreshApex(this.wiredLeads);
    } finally {
      this.refreshing = false;
    }
  }

  /** A lead's name: its record page, through Lightning navigation (the console opens it as a tab). */
  handleOpen(event) {
    event.preventDefault();
    this[NavigationMixin.Navigate](recordPage(event.currentTarget.dataset.id));
  }

  handleReasonToggle(event) {
    const { id } = event.currentTarget.dataset;
    this.openReasons = { ...this.openReasons, [id]: !this.openReasons[id] };
  }

  handleRerouteOpen(event) {
    const { id } = event.currentTarget.dataset;
    const lead = this.currentPage.items.find((item) => item.id === id);
    this.rerouteTarget = { id, name: lead ? lead.name : '' };
    this.focusNext = 'reroute';
  }

  handleRerouteCancel() {
    const target = this.rerouteTarget;
    this.rerouteTarget = undefined;
    this.focusNext = target && target.id;
  }

  async handleRerouted() {
    const target = this.rerouteTarget;
    this.rerouteTarget = undefined;
    await this.handleRefresh();
    // The lead may have left the list; if it is still there, focus goes back to its row.
    this.focusNext = target && target.id;
  }
}

function recordPage(recordId) {
  return {
    type: 'standard__recordPage',
    attributes: { recordId, objectApiName: 'Lead', actionName: 'view' },
  };
}
