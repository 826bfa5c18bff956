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

  handleKeydown(event) {
    if (event.key === 'Escape') {
      this.searched = false;
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
