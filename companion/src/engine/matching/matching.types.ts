import type { AccountRecord, LeadRecord, OpportunityRecord } from '../model.js';

export type MatchMethod = 'email-domain' | 'website' | 'company-name';

/** One account a lead may belong to, with how sure we are and why, in words. */
export interface AccountCandidate {
  account: AccountRecord;
  /** 0..1; 1 is an exact domain match. */
  score: number;
  method: MatchMethod;
  /** e.g. 'email domain acme.co.uk is the website domain of Acme Ltd'. */
  reason: string;
}

/** How equally good candidates are ordered: account types first, then the listed measures. */
export interface TieBreakPolicy {
  /** Earlier wins; types not listed come after, in this order's absence alphabetically. */
  typeOrder: string[];
  then: Array<'openOpportunities' | 'lastActivity'>;
}

export type LeadForMatching = Pick<
  LeadRecord,
  'Email' | 'Website' | 'Company' | 'Country' | 'City' | 'State'
>;

/**
 * What a lookup concluded. `matched`: the first candidate is the lead's account (the others are
 * accepted too, but clearly worse or the same name again). `ambiguous`: several different accounts
 * are about equally close and none clearly best, so none is taken; the candidates are those
 * look-alikes. `none`: nothing reached the accept score.
 */
export interface AccountMatch {
  outcome: 'matched' | 'ambiguous' | 'none';
  candidates: AccountCandidate[];
  /** Why, in words: what was matched, which look-alikes tie, or that nothing came close. */
  reason: string;
}

export interface MatchOptions {
  limit?: number;
  policy?: TieBreakPolicy;
  /** This record's Id is never a candidate (a lead's own company name among the leads' names). */
  exclude?: string;
  /**
   * false: names below the accept score are not looked for (less to read); a lookup that finds no
   * name to accept then lists no closest names. Default true.
   */
  nearMisses?: boolean;
  /**
   * Company aliases to match with instead of the index's own (a candidate routing set's, in a
   * simulation or a backtest); see `AccountIndex.withAliases`.
   */
  aliases?: { alternatives(name: string): readonly string[] };
}

/** The read side of the account index that decisions use. Pure, synchronous, in memory. */
export interface AccountLookup {
  /** The lead's account if one is clearly best, else ambiguous look-alikes or nothing; see `AccountMatch`. */
  lookup(lead: LeadForMatching, options?: MatchOptions): AccountMatch;
  /** The candidates of a `matched` lookup (accepted ones, best first, ties broken by policy); else none. */
  match(lead: LeadForMatching, options?: MatchOptions): AccountCandidate[];
  get(accountId: string): AccountRecord | undefined;
  openOpportunities(accountId: string): OpportunityRecord[];
}

/** The read side of the lead index: other leads from the same company. */
export interface LeadLookup {
  sameCompany(lead: LeadRecord, options?: { limit?: number }): Array<{ lead: LeadRecord; reason: string }>;
}
