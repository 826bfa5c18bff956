import { LightningElement } from 'lwc';
import { request } from 'preview/api';
import { pageUrl } from 'preview/session';

const SEARCH_DELAY_MS = 250;
const PER_KIND = 6;

/** Search the demo org's leads and accounts (GET /v1/leads, /v1/accounts) and open one. */
export default class RecordPicker extends LightningElement {
  term = '';
  leads = [];
  accounts = [];
  searched = false;
  problem;
  timer;
  sequence = 0;

  get hasLeads() {
    return this.leads.length > 0;
  }

  get hasAccounts() {
    return this.accounts.length > 0;
  }

  get open() {
    return this.searched && this.term.length > 0;
  }

  get hasResults() {
    return this.open && (this.hasLeads || this.hasAccounts);
  }

  get resultsNote() {
    const count = this.leads.length + this.accounts.length;
    return `${count} ${count === 1 ? 'result' : 'results'}: Arrow Down to walk them, Enter to open.`;
  }

  get nothingFound() {
    return this.searched && !this.problem && !this.hasLeads && !this.hasAccounts;
  }

  handleInput(event) {
    this.term = (event.target.value || '').trim();
    clearTimeout(this.timer);
    if (!this.term) {
      this.searched = false;
      return;
    }
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.timer = setTimeout(() => this.search(this.term), SEARCH_DELAY_MS);
  }

  /**
   * The keyboard: Arrow Down and Up walk the results (and back to the box), Enter opens the focused
   * result, or the first one from the box; Escape closes the list and returns to the box.
   */
  handleKeydown(event) {
    const links = [...this.template.querySelectorAll('.preview-results a')];
    const at = links.indexOf(this.template.activeElement);
    const input = this.template.querySelector('input.search');
    if (event.key === 'Escape') {
      this.searched = false;
      if (at >= 0) input.focus();
    } else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && this.open && links.length > 0) {
      event.preventDefault();
      const next = event.key === 'ArrowDown' ? Math.min(at + 1, links.length - 1) : at - 1;
      if (next < 0) input.focus();
      else links[next].focus();
    } else if (event.key === 'Enter' && at < 0 && this.open && links.length > 0) {
      event.preventDefault();
      window.location.assign(links[0].href);
    }
  }

  disconnectedCallback() {
    clearTimeout(this.timer);
  }

  async search(term) {
    const mine = ++this.sequence;
    const q = encodeURIComponent(term);
    try {
      const [leads, accounts] = await Promise.all([
        request('GET', `/v1/leads?q=${q}&limit=${PER_KIND}`),
        request('GET', `/v1/accounts?q=${q}&limit=${PER_KIND}`),
      ]);
      if (mine !== this.sequence) return;
      this.problem = undefined;
      this.leads = leads.items.map((lead) => ({
        id: lead.id,
        name: lead.name,
        href: pageUrl(`/preview/lead/${lead.id}`),
        meta: [lead.company, lead.status, lead.owner && lead.owner.name].filter(Boolean).join(' · '),
      }));
      this.accounts = accounts.items.map((account) => ({
        id: account.id,
        name: account.name,
        href: pageUrl(`/preview/account/${account.id}`),
        meta: [account.type, account.country, account.owner && account.owner.name]
          .filter(Boolean)
          .join(' · '),
      }));
    } catch (error) {
      if (mine !== this.sequence) return;
      this.problem = error;
      this.leads = [];
      this.accounts = [];
    }
    this.searched = true;
  }
}
