import { LightningElement, api, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import getMatchedLeads from '@salesforce/apex/SwitchyardController.getMatchedLeads';
import getRerouteAccess from '@salesforce/apex/SwitchyardController.getRerouteAccess';
import { ownerLabel } from 'c/switchyardService';

/** Datatable column (fieldName) → the companion's sort key. */
const SORT_KEYS = {
  recordUrl: 'name',
  title: 'title',
  email: 'email',
  status: 'status',
  ownerName: 'owner',
  lastActivity: 'lastActivity',
  lastFlowName: 'lastFlowName',
  activeFlowsCount: 'activeFlowsCount',
  matchReason: 'matchScore',
};
const COLUMNS = [
  {
    label: 'Full Name',
    fieldName: 'recordUrl',
    type: 'url',
    typeAttributes: { label: { fieldName: 'name' }, tooltip: { fieldName: 'name' } },
    sortable: true,
  },
  { label: 'Title', fieldName: 'title', sortable: true },
  { label: 'Email', fieldName: 'email', type: 'email', sortable: true },
  { label: 'Status', fieldName: 'status', sortable: true },
  { label: 'Owner', fieldName: 'ownerName', sortable: true },
  {
    label: 'Last Activity',
    fieldName: 'lastActivity',
    type: 'date-local',
    typeAttributes: { year: 'numeric', month: 'short', day: 'numeric' },
    sortable: true,
  },
  { label: 'Last Flow Name', fieldName: 'lastFlowName', sortable: true },
  {
    label: 'Active Flows',
    fieldName: 'activeFlowsCount',
    type: 'number',
    sortable: true,
    cellAttributes: { alignment: 'left' },
  },
  { label: 'Why It Matched', fieldName: 'matchReason', wrapText: true, sortable: true },
];
const REROUTE_ACTION = { label: 'Re-route', name: 'reroute' };
/** Wait this long after the last keystroke before searching, so typing a name is one request. */
const SEARCH_DELAY_MS = 300;

/**
 * Matched leads (Account page): every lead Switchyard matched to this account, a page at a time, sortable,
 * with why each one matched. Users allowed to re-route get a row action that re-routes in place.
 */
export default class MatchedLeads extends LightningElement {
  @api recordId;
  /** Leads per page; set in the Lightning App Builder. */
  @api pageSize = 25;

  offset = 0;
  sortedBy = 'lastActivity';
  sortDirection = 'desc';
  /** The search applied to the list (sent to the companion); '' for all matched leads. */
  searchTerm = '';
  searchTimer;
  /** The lead being re-routed from a row action: { id, name }. */
  rerouteTarget;
  refreshing = false;
  /** True from a page or sort change until its data arrives. */
  waiting = false;

  wiredLeads;
  currentPage;
  error;

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
    } else if (result.error) {
      this.error = result.error;
      this.waiting = false;
    }
  }

  @wire(getRerouteAccess)
  access;

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

  /** Columns of fields the user's field-level security hides are left out, not shown empty. */
  get columns() {
    const hidden = new Set((this.currentPage && this.currentPage.hiddenFields) || []);
    const shown = COLUMNS.filter((column) => !hidden.has(column.fieldName));
    return this.canReroute
      ? [...shown, { type: 'action', typeAttributes: { rowActions: [REROUTE_ACTION] } }]
      : shown;
  }

  get loading() {
    return (!this.currentPage && !this.error) || this.waiting;
  }

  get total() {
    return this.currentPage ? this.currentPage.total : 0;
  }

  get cardTitle() {
    return this.currentPage ? `Matched Leads (${this.total})` : 'Matched Leads';
  }

  get rows() {
    if (!this.currentPage) {
      return [];
    }
    return this.currentPage.items.map((lead) => ({
      id: lead.id,
      name: lead.name,
      recordUrl: `/${lead.id}`,
      title: lead.title,
      email: lead.email,
      status: lead.status,
      ownerName: ownerLabel(lead.owner),
      lastActivity: lead.lastActivity,
      lastFlowName: lead.lastFlowName,
      activeFlowsCount: lead.activeFlowsCount,
      matchReason: lead.matchReason,
    }));
  }

  get hasRows() {
    return this.rows.length > 0;
  }

  get isEmpty() {
    return Boolean(this.currentPage) && !this.error && this.total === 0;
  }

  get showSearch() {
    return Boolean(this.searchTerm) || this.total > 0;
  }

  get emptyTitle() {
    return this.searchTerm
      ? `No matched leads fit "${this.searchTerm}".`
      : 'No leads are matched to this account yet.';
  }

  get emptyHint() {
    return this.searchTerm
      ? 'Search looks at name, title, email and company. Clear the search to see every matched lead.'
      : 'Leads are matched when they come in, by email domain, website and company name.';
  }

  get showTable() {
    return this.hasRows && !this.error;
  }

  get rangeText() {
    const first = this.total === 0 ? 0 : this.currentPage.offset + 1;
    const last = Math.min(this.currentPage.offset + this.currentPage.items.length, this.total);
    return `${first}–${last} of ${this.total}`;
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

  handleSort(event) {
    this.sortedBy = event.detail.fieldName;
    this.sortDirection = event.detail.sortDirection;
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

  handleRowAction(event) {
    if (event.detail.action.name === REROUTE_ACTION.name) {
      const { id, name } = event.detail.row;
      this.rerouteTarget = { id, name };
    }
  }

  handleRerouteCancel() {
    this.rerouteTarget = undefined;
  }

  async handleRerouted() {
    this.rerouteTarget = undefined;
    await this.handleRefresh();
  }
}
