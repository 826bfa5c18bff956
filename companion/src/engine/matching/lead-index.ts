import type { AccountRecord, LeadRecord } from '../model.js';
import { AccountIndex, MATCH_MARGIN } from './account-index.js';
import { companyNameKey } from './company-name.js';
import { companyEmailDomain } from './domain.js';
import type { LeadLookup } from './matching.types.js';

/** How many leads of one domain or name are gathered before the most recently active are kept. */
const GATHERED = 1_000;

/**
 * A lead as the account matcher sees an account: its company as the name, its company email domain
 * (never a free-mail or disposable one) as the website, its place as the billing address.
 */
function asCompany(lead: LeadRecord): AccountRecord {
  return {
    Id: lead.Id,
    Name: lead.Company ?? '',
    Website: companyEmailDomain(lead.Email),
    BillingCountry: lead.Country ?? null,
    BillingState: lead.State ?? null,
    BillingCity: lead.City ?? null,
  };
}

/**
 * Lead → lead: the other unconverted leads from the same company, found by the account matcher
 * (one home for matching) over the leads: the same company email domain, or the company name the
 * matcher takes for the lead's (typos, legal forms and word order as for accounts; none when two
 * different names are about as close) and the leads of that name up to legal form and word order,
 * so an unmatched lead can follow the owner who already works its company.
 */
export class LeadIndex implements LeadLookup {
  private readonly leads = new Map<string, LeadRecord>();

  constructor(private readonly companies = new AccountIndex()) {}

  static build(leads: Iterable<LeadRecord>): LeadIndex {
    const open = [...leads].filter((lead) => lead.IsConverted !== true);
    const index = new LeadIndex(AccountIndex.build(open.map(asCompany)));
    for (const lead of open) index.leads.set(lead.Id, lead);
    return index;
  }

  get size(): number {
    return this.leads.size;
  }

  get(leadId: string): LeadRecord | undefined {
    return this.leads.get(leadId);
  }

  /** Adds or replaces the lead; a converted lead leaves the index. */
  upsert(lead: LeadRecord): void {
    if (lead.IsConverted === true) {
      this.remove(lead.Id);
      return;
    }
    this.leads.set(lead.Id, lead);
    this.companies.upsert(asCompany(lead));
  }

  remove(leadId: string): void {
    this.leads.delete(leadId);
    this.companies.remove(leadId);
  }

  /** Other unconverted leads of the lead's company, strongest evidence first, then the most recently active. */
  sameCompany(
    lead: LeadRecord,
    options: { limit?: number } = {},
  ): Array<{ lead: LeadRecord; reason: string }> {
    const limit = options.limit ?? 25;
    const found = new Map<string, { lead: LeadRecord; domain: string | null; name: string | null }>();
    const take = (id: string, evidence: { domain?: string; name?: string }): void => {
      const other = this.leads.get(id);
      if (other === undefined) return;
      const entry = found.get(id) ?? { lead: other, domain: null, name: null };
      entry.domain = evidence.domain ?? entry.domain;
      entry.name = evidence.name ?? entry.name;
      found.set(id, entry);
    };
    const domain = companyEmailDomain(lead.Email);
    if (domain !== null) {
      const byDomain = this.companies.lookup({ Email: lead.Email }, { limit: GATHERED, exclude: lead.Id });
      for (const c of byDomain.candidates)
        if (c.method === 'email-domain') take(c.account.Id, { domain: `same email domain ${domain}` });
    }
    const byName = this.companies.lookup(
      { Company: lead.Company, Country: lead.Country, State: lead.State, City: lead.City },
      { limit: GATHERED, exclude: lead.Id, everyAccepted: true },
    );
    const first = byName.candidates[0];
    if (byName.outcome === 'matched' && first !== undefined) {
      // The best name's company: names about as close as it, or the same name up to legal form and order.
      const key = companyNameKey(first.account.Name);
      for (const c of byName.candidates) {
        if (c.score < first.score - MATCH_MARGIN && companyNameKey(c.account.Name) !== key) continue;
        const other = this.leads.get(c.account.Id);
        const similar = `${Math.round(c.score * 100)}%`;
        take(c.account.Id, {
          name: `company name "${lead.Company ?? ''}" matches "${other?.Company ?? ''}" (${similar})`,
        });
      }
    }
    const strength = (f: { domain: string | null; name: string | null }): number =>
      (f.domain !== null ? 2 : 0) + (f.name !== null ? 1 : 0);
    const recency = (l: LeadRecord): string => l.LastActivityDate ?? l.CreatedDate ?? '';
    return [...found.values()]
      .sort(
        (a, b) =>
          strength(b) - strength(a) ||
          (recency(a.lead) < recency(b.lead) ? 1 : recency(a.lead) > recency(b.lead) ? -1 : 0) ||
          (a.lead.Id < b.lead.Id ? -1 : 1),
      )
      .slice(0, Math.max(0, limit))
      .map((f) => ({ lead: f.lead, reason: [f.domain, f.name].filter((e) => e !== null).join(' and ') }));
  }
}

/**
 * The lead index as one batch of decisions sees it: each lead decided earlier in the batch counts
 * as the decision leaves it (its new owner, or gone once converted), so leads of one company that
 * arrive together go to one person rather than to whoever the round robin gives each.
 */
export class BatchLeads implements LeadLookup {
  private readonly decided = new LeadIndex();
  /** Leads decided in this batch: their stored copies in the base index are out of date. */
  private readonly replaced = new Set<string>();

  constructor(private readonly base: LeadLookup) {}

  /** The lead was decided: later leads of the batch see it with the decision's updates. */
  record(lead: LeadRecord, decision: { fieldUpdates: Partial<LeadRecord>; conversion: object | null }): void {
    this.replaced.add(lead.Id);
    this.decided.upsert({
      ...lead,
      ...decision.fieldUpdates,
      ...(decision.conversion ? { IsConverted: true } : {}),
    });
  }

  sameCompany(
    lead: LeadRecord,
    options: { limit?: number } = {},
  ): Array<{ lead: LeadRecord; reason: string }> {
    const limit = options.limit ?? 25;
    const fresh = this.decided.sameCompany(lead, { limit });
    // Stored copies of leads decided in this batch are skipped; ask the base index for more only when
    // skipping left too few, so a long batch (a backtest decides thousands) does not read thousands.
    const most = limit + this.replaced.size;
    let ask = Math.min(most, limit * 2);
    let stored: Array<{ lead: LeadRecord; reason: string }>;
    for (;;) {
      const read = this.base.sameCompany(lead, { limit: ask });
      stored = read.filter((other) => !this.replaced.has(other.lead.Id));
      if (stored.length >= limit || read.length < ask || ask >= most) break;
      ask = Math.min(most, ask * 2);
    }
    return [...fresh, ...stored].slice(0, Math.max(0, limit));
  }
}
