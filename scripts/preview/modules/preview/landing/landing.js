import { LightningElement } from 'lwc';
import { request } from 'preview/api';
import { ownerLabel } from 'c/switchyardService';
import { page, pageUrl } from 'preview/session';

/** How many accounts the landing page looks through for matched leads, and how many it lists. */
const ACCOUNTS_TO_SCAN = 20;
const ACCOUNTS_TO_LIST = 6;

/**
 * The start page: demo leads (each named after the routing rule it shows), demo accounts, and
 * accounts that already have matched leads, so the matched leads panel has something to show.
 */
const ACTION_LABELS = { created: 'Route as new', reroute: 'Re-route' };

export default class Landing extends LightningElement {
  /** What each lead's action answered, by lead Id: { working, text, refused }. */
  tried = {};
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

  /** The admin page, opened as the demo org's admin (the page is for Switchyard admins only). */
  get admin() {
    const admin = page().actors.find((actor) => actor.role === 'Admin');
    return admin ? { href: `/preview/admin?as=${encodeURIComponent(admin.id)}`, name: admin.name } : null;
  }

  get hasMatched() {
    return this.matched.length > 0;
  }

  get leads() {
    return page().samples.leads.map((lead) => {
      const tried = this.tried[lead.id] || {};
      return {
        ...lead,
        href: pageUrl(`/preview/lead/${lead.id}`),
        actionLabel: ACTION_LABELS[lead.action],
        actionName: `${ACTION_LABELS[lead.action]} ${lead.name}`,
        working: Boolean(tried.working),
        outcome: tried.text || '',
        outcomeClass: tried.refused ? 'outcome slds-text-color_error' : 'outcome slds-text-color_success',
      };
    });
  }

  /**
   * Runs the routing that shows the lead's rule (inbound routing as when it arrived, or a re-route) and
   * says in the row what happened; the lead's page has the decision in its history.
   */
  async handleTry(event) {
    const { id, action } = event.currentTarget.dataset;
    this.tried = { ...this.tried, [id]: { working: true } };
    let result;
    try {
      const decision = await request('POST', `/v1/leads/${encodeURIComponent(id)}/route`, {
        trigger: action,
        reason: 'Tried from the preview start page',
      });
      const owner = ownerLabel(decision.owner);
      result = { text: `${owner ? `${owner}: ` : ''}${decision.summary}` };
    } catch (error) {
      const body = (error && error.body && error.body.error) || {};
      result = { text: body.message || String(error.message || error), refused: true };
    }
    this.tried = { ...this.tried, [id]: result };
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
