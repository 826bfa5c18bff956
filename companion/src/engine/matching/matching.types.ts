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

/** The read side of the account index that decisions use. Pure, synchronous, in memory. */
export interface AccountLookup {
  /** Accepted candidates only (score >= the index's accept score), best first, ties broken by policy. */
  match(lead: LeadForMatching, options?: { limit?: number; policy?: TieBreakPolicy }): AccountCandidate[];
  get(accountId: string): AccountRecord | undefined;
  openOpportunities(accountId: string): OpportunityRecord[];
}

/** The read side of the lead index: other leads from the same company. */
export interface LeadLookup {
  sameCompany(lead: LeadRecord, options?: { limit?: number }): Array<{ lead: LeadRecord; reason: string }>;
}
