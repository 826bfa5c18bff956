import { LightningElement } from 'lwc';
import { request } from 'preview/api';
import { page, pageUrl } from 'preview/session';

/** How many accounts the landing page looks through for matched leads, and how many it lists. */
const ACCOUNTS_TO_SCAN = 20;
const ACCOUNTS_TO_LIST = 6;

/**
 * The start page: demo leads (each named after the routing rule it shows), demo accounts, and
 * accounts that already have matched leads, so the matched leads panel has something to show.
 */
export default class Landing extends LightningElement {
  matched = [];
  matchedLoading = true;
  matchedProblem;

  connectedCallback() {
    this.loadMatched();
  }

  async loadMatched() {
    try {
      const accounts = await request('GET', `/v1/accounts?limit=${ACCOUNTS_TO_SCAN}`);
      const pages = await Promise.all(
        accounts.items.map((account) =>
          request('GET', `/v1/accounts/${encodeURIComponent(account.id)}/matched-leads?limit=1`).then(
            (result) => ({ account, total: result.total }),
          ),
        ),
      );
      this.matched = pages
        .filter((entry) => entry.total > 0)
        .sort((a, b) => b.total - a.total)
        .slice(0, ACCOUNTS_TO_LIST)
        .map(({ account, total }) => ({
          id: account.id,
          name: account.name,
          href: pageUrl(`/preview/account/${account.id}`),
          note: [`${total} matched ${total === 1 ? 'lead' : 'leads'}`, account.type, account.country]
            .filter(Boolean)
            .join(' · '),
        }));
    } catch (error) {
      this.matchedProblem = error;
    } finally {
      this.matchedLoading = false;
    }
  }

  get hasMatched() {
    return this.matched.length > 0;
  }

  get leads() {
    return page().samples.leads.map((lead) => ({ ...lead, href: pageUrl(`/preview/lead/${lead.id}`) }));
  }

  get accounts() {
    return page().samples.accounts.map((account) => ({
      ...account,
      href: pageUrl(`/preview/account/${account.id}`),
    }));
  }

  get hasSamples() {
    return this.leads.length + this.accounts.length > 0;
  }
}
