import type { LeadRecord } from '../model.js';
import { AccountIndex } from './account-index.js';
import type { AliasGroups } from './company-aliases.js';
import { companyNameKey } from './company-name.js';
import { companyEmailDomain } from './domain.js';
import type { LeadLookup } from './matching.types.js';

/** Matcher answers kept at most (see `LeadIndex.answers`). */
const ANSWERS_KEPT = 10_000;

interface Entry {
  lead: LeadRecord;
  domain: string | null;
  companyKey: string | null;
}

export interface LeadIndexOptions {
  /** Names companies also go by, as the account index is given them (the routing set's `aliases.yaml`). */
  aliases?: AliasGroups;
  /**
   * Whether a company name is also looked up through the account matcher (typos, aliases), not only
   * by its normalised form and email domain; default true. A batch's own few leads go without it.
   */
  matchNames?: boolean;
}

function addTo(map: Map<string, Set<string>>, key: string | null, id: string): void {
  if (key === null) return;
  const ids = map.get(key);
  if (ids === undefined) map.set(key, new Set([id]));
  else ids.add(id);
}

/** Takes the id out of the key's set; true when that left the key with none. */
function removeFrom(map: Map<string, Set<string>>, key: string | null, id: string): boolean {
  if (key === null) return false;
  const ids = map.get(key);
  ids?.delete(id);
  if (ids === undefined || ids.size > 0) return false;
  map.delete(key);
  return true;
}

/** A company name the leads go by, as the account matcher indexes a name: the name's key is its Id. */
function asName(key: string, company: string): { Id: string; Name: string } {
  return { Id: key, Name: company };
}

/**
 * Lead → lead: the other unconverted leads from the same company, so an unmatched lead can follow the
 * owner who already works its company. Found by the same company email domain (never a free-mail or
 * disposable one), by the same normalised company name, and by the account matcher (`AccountIndex`:
 * typos, legal forms, word order, aliases, and only a clear best) run over the company names the
 * other leads go by: the leads of the name it takes for the lead's. The matcher indexes each name
 * once, however many leads share it, and a lead changes it only when its name is new or its last lead
 * leaves (a few words' postings, never a rebuild).
 */
export class LeadIndex implements LeadLookup {
  private readonly entries = new Map<string, Entry>();
  private readonly byDomain = new Map<string, Set<string>>();
  private readonly byCompany = new Map<string, Set<string>>();
  /** The company names the leads go by, one per normalised name (made at the first lead). */
  private names: AccountIndex | null = null;
  /**
   * The matcher's answers by company as typed (and whether the lead's own name was left out), while the
   * names stay as they are: a backtest asks for each lead twice, a batch for its leads' companies again.
   */
  private readonly answers = new Map<string, { key: string; score: number } | null>();

  constructor(private options: LeadIndexOptions = {}) {}

  /** Takes another list of company aliases (see `AccountIndex.useAliases`); answers found with the old ones are dropped. */
  useAliases(aliases: AliasGroups): void {
    this.options = { ...this.options, aliases };
    this.names?.useAliases(aliases);
    this.answers.clear();
  }

  static build(leads: Iterable<LeadRecord>, options: LeadIndexOptions = {}): LeadIndex {
    const index = new LeadIndex(options);
    const names = new Map<string, string>();
    for (const lead of leads) {
      if (lead.IsConverted === true) continue;
      const entry = index.enter(lead);
      if (entry.companyKey !== null && !names.has(entry.companyKey))
        names.set(entry.companyKey, lead.Company as string);
    }
    index.names = AccountIndex.build(
      [...names].map(([key, company]) => asName(key, company)),
      index.options,
    );
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
    const before = this.entries.get(lead.Id);
    const companyKey = companyNameKey(lead.Company);
    if (before !== undefined && lead.IsConverted !== true && before.companyKey === companyKey) {
      // The same name (an owner or status changed): the matcher's names stay as they are.
      const domain = companyEmailDomain(lead.Email);
      if (domain !== before.domain) {
        removeFrom(this.byDomain, before.domain, lead.Id);
        addTo(this.byDomain, domain, lead.Id);
      }
      this.entries.set(lead.Id, { lead, domain, companyKey });
      return;
    }
    this.remove(lead.Id);
    if (lead.IsConverted === true) return;
    const entry = this.enter(lead);
    // A name no other lead goes by is new to the matcher: its words are filed, nothing rebuilt.
    if (
      entry.companyKey !== null &&
      this.byCompany.get(entry.companyKey)?.size === 1 &&
      this.options.matchNames !== false
    ) {
      this.names ??= new AccountIndex(this.options);
      this.names.upsert(asName(entry.companyKey, lead.Company as string));
      this.answers.clear();
    }
  }

  remove(leadId: string): void {
    const entry = this.entries.get(leadId);
    if (entry === undefined) return;
    this.entries.delete(leadId);
    removeFrom(this.byDomain, entry.domain, leadId);
    if (removeFrom(this.byCompany, entry.companyKey, leadId) && entry.companyKey !== null) {
      this.names?.remove(entry.companyKey);
      this.answers.clear();
    }
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
      { lead: LeadRecord; byDomain: boolean; byName: string | null; recency: string }
    >();
    const recency = (l: LeadRecord): string => l.LastActivityDate ?? l.CreatedDate ?? '';
    const take = (
      ids: Iterable<string>,
      byDomain: boolean,
      byName: (other: LeadRecord) => string | null,
    ): void => {
      for (const id of ids) {
        if (id === lead.Id) continue;
        const other = (this.entries.get(id) as Entry).lead;
        const existing = found.get(id);
        if (existing === undefined)
          found.set(id, { lead: other, byDomain, byName: byName(other), recency: recency(other) });
        else {
          existing.byDomain ||= byDomain;
          existing.byName ??= byName(other);
        }
      }
    };
    if (domain !== null) take(this.byDomain.get(domain) ?? [], true, () => null);
    const company = lead.Company ?? '';
    const sameName = companyKey === null ? undefined : this.byCompany.get(companyKey);
    if (sameName !== undefined)
      take(sameName, false, (other) => `same company name ("${other.Company ?? ''}" and "${company}")`);
    const name = companyKey === null ? undefined : this.companyNameOf(lead, companyKey, sameName);
    if (name !== undefined) {
      const score = name.score.toFixed(2);
      take(
        this.byCompany.get(name.key) ?? [],
        false,
        (other) => `company name "${company}" is taken for "${other.Company ?? ''}" (score ${score})`,
      );
    }
    const strength = (f: { byDomain: boolean; byName: string | null }): number =>
      (f.byDomain ? 2 : 0) + (f.byName !== null ? 1 : 0);
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
        if (f.byName !== null) evidence.push(f.byName);
        return { lead: f.lead, reason: evidence.join(' and ') };
      });
  }

  /**
   * The other leads' company name the account matcher takes for the lead's (its key and score): the
   * lead's own name when another lead has it, else the clearly closest one, if any. The lead's own
   * name held by no other lead is not a candidate (the lead is not its own colleague).
   */
  private companyNameOf(
    lead: LeadRecord,
    companyKey: string,
    sameName: ReadonlySet<string> | undefined,
  ): { key: string; score: number } | undefined {
    if (this.names === null) return undefined;
    const alone = sameName === undefined || (sameName.size === 1 && sameName.has(lead.Id));
    const asked = `${alone ? '1' : '0'}${lead.Company ?? ''}`;
    const known = this.answers.get(asked);
    if (known !== undefined) return known ?? undefined;
    // The names carry no place: a lead's company is one company wherever its leads are.
    const found = this.names.lookup(
      { Company: lead.Company },
      { limit: 1, nearMisses: false, ...(alone ? { exclude: companyKey } : {}) },
    );
    // Names with other numbers ("Wombat Works 2", "Wombat Works 0") are other companies to the matcher too.
    const best = found.outcome === 'matched' ? found.candidates[0] : undefined;
    const answer =
      best === undefined || best.account.Id === companyKey
        ? null
        : { key: best.account.Id, score: best.score };
    if (this.answers.size >= ANSWERS_KEPT) this.answers.clear();
    this.answers.set(asked, answer);
    return answer ?? undefined;
  }

  /**
   * An empty index for one batch's decided leads: the same aliases, names compared by their normalised
   * form and email domain only. The matcher's answers would change with every lead a batch decides
   * (a backtest decides thousands), and the stored leads' index still finds a colleague by a typo.
   */
  emptyLike(): LeadIndex {
    return new LeadIndex({ ...this.options, matchNames: false });
  }

  /** Files the lead by its company email domain and company name key. */
  private enter(lead: LeadRecord): Entry {
    const entry: Entry = {
      lead,
      domain: companyEmailDomain(lead.Email),
      companyKey: companyNameKey(lead.Company),
    };
    this.entries.set(lead.Id, entry);
    addTo(this.byDomain, entry.domain, lead.Id);
    addTo(this.byCompany, entry.companyKey, lead.Id);
    return entry;
  }
}

/**
 * The lead index as one batch of decisions sees it: each lead decided earlier in the batch counts
 * as the decision leaves it (its new owner, or gone once converted), so leads of one company that
 * arrive together go to one person rather than to whoever the round robin gives each.
 */
export class BatchLeads implements LeadLookup {
  private readonly decided: LeadIndex;
  /** Leads decided in this batch: their stored copies in the base index are out of date. */
  private readonly replaced = new Set<string>();

  /** `stored`: the index `base` reads, when `base` stands in front of it (its aliases carry over). */
  constructor(
    private readonly base: LeadLookup,
    stored: LeadLookup = base,
  ) {
    this.decided = stored instanceof LeadIndex ? stored.emptyLike() : new LeadIndex();
  }

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
