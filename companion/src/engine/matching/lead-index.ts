import type { LeadRecord } from '../model.js';
import { companyNameKey } from './company-name.js';
import { companyEmailDomain } from './domain.js';
import type { LeadLookup } from './matching.types.js';

interface Entry {
  lead: LeadRecord;
  domain: string | null;
  companyKey: string | null;
}

function addTo(map: Map<string, Set<string>>, key: string | null, id: string): void {
  if (key === null) return;
  const ids = map.get(key);
  if (ids === undefined) map.set(key, new Set([id]));
  else ids.add(id);
}

function removeFrom(map: Map<string, Set<string>>, key: string | null, id: string): void {
  if (key === null) return;
  const ids = map.get(key);
  ids?.delete(id);
  if (ids !== undefined && ids.size === 0) map.delete(key);
}

/**
 * Lead → lead: the other unconverted leads from the same company, found by the same company email
 * domain (never a free-mail or disposable one) or the same normalised company name, so an
 * unmatched lead can follow the owner who already works its company.
 */
export class LeadIndex implements LeadLookup {
  private readonly entries = new Map<string, Entry>();
  private readonly byDomain = new Map<string, Set<string>>();
  private readonly byCompany = new Map<string, Set<string>>();

  static build(leads: Iterable<LeadRecord>): LeadIndex {
    const index = new LeadIndex();
    for (const lead of leads) index.upsert(lead);
    return index;
  }

  get size(): number {
    return this.entries.size;
  }

  get(leadId: string): LeadRecord | undefined {
    return this.entries.get(leadId)?.lead;
  }

  /** Adds or replaces the lead; a converted lead leaves the index. */
  upsert(lead: LeadRecord): void {
    this.remove(lead.Id);
    if (lead.IsConverted === true) return;
    const entry: Entry = {
      lead,
      domain: companyEmailDomain(lead.Email),
      companyKey: companyNameKey(lead.Company),
    };
    this.entries.set(lead.Id, entry);
    addTo(this.byDomain, entry.domain, lead.Id);
    addTo(this.byCompany, entry.companyKey, lead.Id);
  }

  remove(leadId: string): void {
    const entry = this.entries.get(leadId);
    if (entry === undefined) return;
    this.entries.delete(leadId);
    removeFrom(this.byDomain, entry.domain, leadId);
    removeFrom(this.byCompany, entry.companyKey, leadId);
  }

  /** Other unconverted leads of the lead's company, strongest evidence first, then the most recently active. */
  sameCompany(
    lead: LeadRecord,
    options: { limit?: number } = {},
  ): Array<{ lead: LeadRecord; reason: string }> {
    const limit = options.limit ?? 25;
    const domain = companyEmailDomain(lead.Email);
    const companyKey = companyNameKey(lead.Company);
    // Each found lead with its order keys worked out once: a company may have hundreds of leads.
    const found = new Map<
      string,
      { lead: LeadRecord; byDomain: boolean; byName: boolean; recency: string }
    >();
    const recency = (l: LeadRecord): string => l.LastActivityDate ?? l.CreatedDate ?? '';
    for (const id of domain === null ? [] : (this.byDomain.get(domain) ?? [])) {
      if (id === lead.Id) continue;
      const other = (this.entries.get(id) as Entry).lead;
      found.set(id, { lead: other, byDomain: true, byName: false, recency: recency(other) });
    }
    for (const id of companyKey === null ? [] : (this.byCompany.get(companyKey) ?? [])) {
      if (id === lead.Id) continue;
      const existing = found.get(id);
      if (existing !== undefined) existing.byName = true;
      else {
        const other = (this.entries.get(id) as Entry).lead;
        found.set(id, { lead: other, byDomain: false, byName: true, recency: recency(other) });
      }
    }
    const strength = (f: { byDomain: boolean; byName: boolean }): number =>
      (f.byDomain ? 2 : 0) + (f.byName ? 1 : 0);
    return [...found.values()]
      .sort(
        (a, b) =>
          strength(b) - strength(a) ||
          (a.recency < b.recency ? 1 : a.recency > b.recency ? -1 : 0) ||
          (a.lead.Id < b.lead.Id ? -1 : 1),
      )
      .slice(0, Math.max(0, limit))
      .map((f) => {
        const evidence: string[] = [];
        if (f.byDomain) evidence.push(`same email domain ${domain ?? ''}`);
        if (f.byName)
          evidence.push(`same company name ("${f.lead.Company ?? ''}" and "${lead.Company ?? ''}")`);
        return { lead: f.lead, reason: evidence.join(' and ') };
      });
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
