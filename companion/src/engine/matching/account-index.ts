import type { AccountRecord, OpportunityRecord } from '../model.js';
import {
  TOKEN_WEIGHTS,
  alignScore,
  isPlaceholderCompany,
  isPlaceholderTokens,
  companyNameTokens,
  nameNumbers,
  normaliseTypedName,
  tokenSimilarity,
  typedWeight,
  type AlignedToken,
  type NameToken,
  type TokenKind,
  type Vocabulary,
} from './company-name.js';
import { CompanyAliases, type AliasGroups } from './company-aliases.js';
import { companyEmailDomain, companyWebsiteDomain } from './domain.js';
import { normaliseCountry, normalisePlace } from './location.js';
import { GrowableU32, HashMultiMap, SparseRows, hashText } from './packed-postings.js';
import { TypoKeys } from './typo-keys.js';
import type {
  AccountCandidate,
  AccountLookup,
  AccountMatch,
  MatchOptions,
  LeadForMatching,
  MatchMethod,
  TieBreakPolicy,
} from './matching.types.js';

/** Customer > Target > Partner > Consultant > Prospect > Non-Target, then most open opportunities, then most recent activity. */
export const DEFAULT_TIE_BREAK_POLICY: TieBreakPolicy = Object.freeze({
  typeOrder: ['Customer', 'Target', 'Partner', 'Consultant', 'Prospect', 'Non-Target'],
  then: ['openOpportunities', 'lastActivity'],
}) as TieBreakPolicy;

export interface AccountIndexOptions {
  /** Candidates scoring below this are not returned (0..1). Default `DEFAULT_ACCEPT_SCORE`. */
  acceptScore?: number;
  /** Policy used when `match` is called without one. */
  policy?: TieBreakPolicy;
  /** Names companies also go by (IBM, International Business Machines): each name finds the others' accounts. */
  aliases?: AliasGroups;
  /** Open opportunities of the snapshot, by their AccountId. Closed ones are ignored. */
  opportunities?: Iterable<OpportunityRecord>;
}

/** Candidates scoring below this are not returned, unless the index is built with another. */
export const DEFAULT_ACCEPT_SCORE = 0.65;

/** Scores by evidence: a domain is near proof, a name never quite is. */
const EMAIL_DOMAIN_SCORE = 1;
const WEBSITE_SCORE = 0.97;
const NAME_SCORE_CAP = 0.95;
const SAME_COUNTRY = 1;
const UNKNOWN_COUNTRY = 0.9;
const OTHER_COUNTRY = 0.7;
const SAME_STATE_BONUS = 0.001;
const SAME_CITY_BONUS = 0.002;
/** A name is taken only this far (on the 0..1 score) ahead of the best account of another name. */
export const MATCH_MARGIN = 0.05;
/**
 * Core words out of the query's order cost at most this share of a name's score: more than the
 * margin, so "Murray-Towne" is taken for "Murray-Towne" over "Towne-Murray".
 */
const ORDER_WEIGHT = 0.12;
/** Names scoring below this are neither candidates nor near misses. */
const NEAR_SCORE = 0.4;
/** The first this many words of a name find accounts and bound their scores (all count in the score). */
const TRACKED_WORDS = 8;
/** Bounds are bucketed so the highest can be taken without sorting every account found. */
const BOUND_BUCKETS = 512;
/** Up to this many accounts found at once are sorted outright, not bucketed. */
const SORTED_POOL = 64;
/** At most this many accounts are scored in full for one name, highest bound first. */
const MAX_SCORED_NAMES = 400;
/** Accounts sharing only a legal form or generic word with a name are looked at without a country up to this many. */
const GENERIC_WALK_LIMIT = 50_000;
/** In an account's `slotFacts`: its name carries a number (`nameNumbers`). */
const NUMBERED = 1 << 24;

/** The total weight of an account's name words, in quarters, from its `slotFacts`. */
const quartersOf = (facts: number): number => (facts >>> 16) & 0xff;

/** Slots stay below 2^27 (134 million accounts) so a bound and a slot pack into one safe integer. */
const SLOT_RANGE = 2 ** 27;
/** Typo neighbourhoods of this many recent query words are kept: names share most of their words. */
const SIMILAR_CACHE_SIZE = 20_000;
/**
 * A kept neighbourhood is brought up to date by comparing its word with the dictionary words added
 * since, up to this many; past that it is looked up again through the typo keys.
 */
const SIMILAR_CATCH_UP = 512;

/** A query word's typo neighbourhood as of a dictionary size. */
interface Neighbourhood {
  /** Dictionary words 0 … words - 1 were looked at. */
  words: number;
  similar: ReadonlyMap<number, number>;
}

interface QueryWord {
  text: string;
  kind: TokenKind;
  known: boolean;
  /** Dictionary words within typo reach, with their similarity (shared across lookups: never written). */
  similar: ReadonlyMap<number, number>;
  /**
   * Whether words beyond `similar` are compared at all (only when an exact name's accounts are scored);
   * otherwise a word out of typo reach counts 0, as the bounds of the search assume.
   */
  anyWord: boolean;
  /** Similarity to other dictionary words, filled as scoring meets them. */
  other: Map<number, number>;
}

const KINDS: readonly TokenKind[] = ['core', 'generic', 'legal'];
const CORE = KINDS.indexOf('core');

/** How far one name lookup goes. */
interface NameSearch {
  /** At least this many of the best names are scored. */
  keep: number;
  /** This slot is never a candidate (-1: none). */
  excluded: number;
  /** Names ranked below this are not scored. */
  floor: number;
}

interface ScoredName {
  candidate: AccountCandidate;
  /** The score before the cap that keeps names below domains: what names are ranked and told apart by. */
  rank: number;
  /** The account's name words as indexed: equal keys are the same name (duplicates, not rivals). */
  key: string;
  /** The same words in the same order, and not in another country than the lead. */
  exact: boolean;
}
const INDEXED_TOKENS: Readonly<Record<TokenKind, AlignedToken>> = {
  core: { kind: 'core', known: true },
  generic: { kind: 'generic', known: true },
  legal: { kind: 'legal', known: true },
};

/** A name's words, as dictionary ids in their order, as one number: accounts of the same name share it. */
function nameHash(words: ArrayLike<number>, start = 0, end = words.length): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i += 1) {
    hash ^= words[i] as number;
    hash = Math.imul(hash, 0x01000193);
    hash ^= hash >>> 13;
  }
  return hash >>> 0;
}

/** Two dictionary words, in either order, as one number. */
function pairHash(a: number, b: number): number {
  return a < b ? nameHash([a, b]) : nameHash([b, a]);
}

/** Name pairs are looked up together only up to this many (words in reach of one name word × of another). */
const PAIR_LOOKUP_LIMIT = 4096;

function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}

function rounded(score: number): number {
  return Math.round(score * 1000) / 1000;
}

/**
 * Upper bounds of `alignScore` between a typed name and an account's name, from how alike the
 * account's words can be to each of the name's words. A name word pairs with at most one account
 * word; paired, it adds its similarity times both weights, and every word of both names counts in
 * the total. An unknown typed word weighs what its partner weighs. Similarity beyond a word's typo
 * reach is 0 (see `similarity`), so an account holding no word near a name word gains nothing from it.
 */
class NameBounds {
  /** Per tracked name word: how alike the nearest legal form or generic word in its reach is. */
  readonly other: Float64Array;
  private readonly weights: Float64Array;
  /** Weight of the name word when paired with an account's name word (an unknown word takes its partner's). */
  private readonly pairedWeights: Float64Array;
  private readonly unknown: Uint8Array;
  private readonly untrackedWeight: number;
  private readonly untrackedCount: number;

  constructor(query: readonly QueryWord[], tracked: number) {
    this.other = new Float64Array(tracked);
    this.weights = new Float64Array(tracked);
    this.pairedWeights = new Float64Array(tracked);
    this.unknown = new Uint8Array(tracked);
    let untrackedWeight = 0;
    query.forEach((q, p) => {
      const weight = typedWeight(q.text, q.kind, q.known);
      if (p >= tracked) {
        untrackedWeight += weight;
        return;
      }
      const unknown = !q.known && q.kind === 'core';
      this.weights[p] = weight;
      this.unknown[p] = unknown ? 1 : 0;
      this.pairedWeights[p] = unknown ? TOKEN_WEIGHTS.core : weight;
    });
    this.untrackedWeight = untrackedWeight;
    this.untrackedCount = query.length - tracked;
  }

  /**
   * The highest similarity an account of this total word weight can reach, holding for each name word
   * p a name word as alike as `core[p]` and a legal form or generic word as alike as `other[p]` (0: none).
   */
  highest(core: Float64Array, other: Float64Array, accountWeight: number): number {
    return this.solve(core, other, accountWeight);
  }

  /**
   * The highest similarity of an account holding, for each name word p, no name word nearer than
   * `reach[p]` (and any legal form or generic word in reach), of whatever words helps it most; with
   * `onlyOne`, holding such a name word for one of the name's words at most.
   */
  unreached(reach: Float64Array, onlyOne: boolean): number {
    if (!onlyOne) return this.solve(reach, this.other, -1);
    // Holding a name word near one of the name's words at most.
    const one = new Float64Array(reach.length);
    let best = this.solve(one, this.other, -1);
    for (let p = 0; p < reach.length; p += 1) {
      if ((reach[p] as number) <= 0) continue;
      one.fill(0);
      one[p] = reach[p] as number;
      best = Math.max(best, this.solve(one, this.other, -1));
    }
    return best;
  }

  /**
   * The best ratio over each name word's choices (unpaired, paired with a name word, paired with a legal
   * form or generic word), found by Dinkelbach's iteration: with the ratio so far, each word takes the
   * choice that adds most to `matched - ratio * total`; the ratio of those choices is the next, until it
   * stops rising. With `accountWeight` < 0 the account's words are free: only those that pair, each of the
   * weight that helps most.
   */
  private solve(core: Float64Array, other: Float64Array, accountWeight: number): number {
    const free = accountWeight < 0;
    let ratio = 0;
    for (let round = 0; round < 12; round += 1) {
      // Words past the tracked ones: taken as held, paired with an account's name word.
      let matched = this.untrackedWeight + this.untrackedCount * TOKEN_WEIGHTS.core;
      let total = this.untrackedWeight + (free ? this.untrackedCount * TOKEN_WEIGHTS.core : accountWeight);
      for (let p = 0; p < this.weights.length; p += 1) {
        const weight = this.weights[p] as number;
        let bestGain = -ratio * weight;
        let bestMatched = 0;
        let bestTotal = weight;
        const nearCore = core[p] as number;
        if (nearCore > 0) {
          const paired = this.pairedWeights[p] as number;
          const gained = nearCore * (paired + TOKEN_WEIGHTS.core);
          const counted = paired + (free ? TOKEN_WEIGHTS.core : 0);
          if (gained - ratio * counted > bestGain) {
            bestGain = gained - ratio * counted;
            bestMatched = gained;
            bestTotal = counted;
          }
        }
        const nearOther = other[p] as number;
        // Paired with a legal form (weight 0.25) or a generic word (0.5).
        for (let k = 0; nearOther > 0 && k < 2; k += 1) {
          const partner = k === 0 ? TOKEN_WEIGHTS.legal : TOKEN_WEIGHTS.generic;
          const paired = this.unknown[p] === 1 ? partner : weight;
          const gained = nearOther * (paired + partner);
          const counted = paired + (free ? partner : 0);
          if (gained - ratio * counted > bestGain) {
            bestGain = gained - ratio * counted;
            bestMatched = gained;
            bestTotal = counted;
          }
        }
        matched += bestMatched;
        total += bestTotal;
      }
      const next = total <= 0 ? 0 : matched / total;
      if (next <= ratio + 1e-12) break;
      ratio = next;
    }
    return Math.min(1, ratio);
  }
}

/** Each alias list's lookup table, made once however many decisions use it. */
const ALIAS_TABLES = new WeakMap<AliasGroups, CompanyAliases>();

function sameGroups(a: AliasGroups, b: AliasGroups): boolean {
  return a.length === b.length && a.every((group, i) => group.join('\0') === b[i]!.join('\0'));
}

/**
 * Lead → account matching over an in-memory snapshot, kept fresh one record at a time. Accounts are
 * found by registrable email domain, by website, and by company name through word postings with
 * typo keys (`typo-keys.ts`: a word's neighbours without comparing it with the whole dictionary): a
 * lookup walks a few short posting lists, never every account. Built from a snapshot, the structures are typed arrays (a million accounts fit in a few
 * hundred megabytes); later changes go to small maps beside them.
 */
export class AccountIndex implements AccountLookup {
  readonly acceptScore: number;
  private readonly policy: TieBreakPolicy;
  private aliases: CompanyAliases;
  /** The groups `aliases` was made from, to tell a set with other aliases (`withAliases`). */
  private aliasGroups: AliasGroups;
  /** Another list found to hold the same groups as `aliasGroups`. */
  private sameGroupsSeen: AliasGroups | null = null;

  private readonly accounts: Array<AccountRecord | undefined> = [];
  private readonly freeSlots: number[] = [];
  private readonly slotById = new Map<string, number>();
  private readonly slotWords = new SparseRows();
  /**
   * Per account, in one number so a lookup reads one place: its country number (low 16 bits), the
   * total weight of its name words in quarters (next 8 bits), to bound scores without reading the words,
   * and whether its name carries a number (`NUMBERED`).
   */
  private slotFacts = new Uint32Array(1024);
  private readonly countryCodes: Array<string | null> = [null];
  private readonly countryNumbers = new Map<string, number>();
  private readonly countryCache = new Map<string, number>();
  /** domain hash → slots; entries may be stale (the website changed), so hits are checked. */
  private readonly slotsByDomain = new HashMultiMap();
  /** name hash → slots of that exact name (entries may be stale: the account was renamed, so hits are checked). */
  private readonly slotsByName = new HashMultiMap();

  private readonly words: string[] = [];
  private wordKinds = new Uint8Array(1024);
  /** Per dictionary word: 1 when it carries a number ("54", "studio54"; see `nameNumbers`). */
  private wordNumbered = new Uint8Array(1024);
  private readonly wordIds = new Map<string, number>();
  private readonly postings = new SparseRows();
  /**
   * pair hash → slots of the accounts holding both name words (entries may be stale or collide: hits are
   * bounded from the account's words as they are).
   */
  private readonly slotsByPair = new HashMultiMap();
  /** Dictionary words by the keys under which their typos meet them. */
  private readonly typoKeys = new TypoKeys(this.words);

  private readonly opportunities = new Map<string, Map<string, OpportunityRecord>>();
  private readonly opportunityAccount = new Map<string, string>();

  /** Scratch space for one lookup, cleared after use: accounts seen, and which name words a dictionary word is. */
  private marks = new Uint8Array(1024);
  private wordMasks = new Uint8Array(1024);
  private wordSims = new Float32Array(1024);
  private bounds = new Float64Array(1024);
  private readonly buckets = new Uint32Array(BOUND_BUCKETS);
  private readonly bucketEnds = new Uint32Array(BOUND_BUCKETS);
  private ordered = new Float64Array(1024);
  /** The accounts found in one lookup. */
  private readonly touched = new GrowableU32(1024);
  private readonly placeCache = new Map<string, string | null>();
  /** Query word → its typo neighbourhood in the dictionary, caught up with words added since when read. */
  private readonly similarCache = new Map<string, Neighbourhood>();
  /**
   * Neighbourhoods the repair of the name being looked up found (kept out of `similarCache`: most are
   * of pieces tried and dropped), so a word the repair kept is not looked up again to search with it.
   */
  private readonly repairNeighbours = new Map<string, ReadonlyMap<number, number>>();
  /** The dictionary as typed names are repaired against it. */
  private readonly vocabulary: Vocabulary;

  constructor(options: AccountIndexOptions = {}) {
    this.acceptScore = options.acceptScore ?? DEFAULT_ACCEPT_SCORE;
    this.policy = options.policy ?? DEFAULT_TIE_BREAK_POLICY;
    this.aliasGroups = options.aliases ?? [];
    this.aliases = new CompanyAliases(this.aliasGroups);
    for (const opportunity of options.opportunities ?? []) this.upsertOpportunity(opportunity);
    const words = this.words;
    this.vocabulary = {
      has: (word) => this.wordIds.has(word),
      near: (word) => {
        let best = 0;
        let similar: ReadonlyMap<number, number>;
        if (this.similarCache.has(word)) similar = this.similarWords(word);
        else {
          similar = this.typoKeys.neighbours(word);
          this.repairNeighbours.set(word, similar);
        }
        for (const similarity of similar.values()) best = Math.max(best, similarity);
        return best;
      },
      // Words are only ever added (a renamed or removed account's stay): the answers change with the count.
      get size() {
        return words.length;
      },
    };
  }

  /**
   * Takes another list of company aliases (the live routing version changed `aliases.yaml`). Aliases
   * are read at lookup only, so nothing indexed changes: the next lookup uses them.
   */
  useAliases(groups: AliasGroups): void {
    this.aliasGroups = groups;
    this.sameGroupsSeen = null;
    this.aliases = new CompanyAliases(groups);
  }

  /** Whether the index matches with these alias groups (the same list, or one of the same groups). */
  usesAliases(groups: AliasGroups): boolean {
    if (groups === this.aliasGroups || groups === this.sameGroupsSeen) return true;
    if (!sameGroups(groups, this.aliasGroups)) return false;
    // A candidate's copy of the same list: asked again for each of its decisions.
    this.sameGroupsSeen = groups;
    return true;
  }

  /**
   * The index as a routing set with these aliases matches through it (a candidate in a simulation or a
   * backtest): `through` itself when they are the index's own, else `through` asked with them.
   */
  withAliases(groups: AliasGroups, through: AccountLookup = this): AccountLookup {
    if (this.usesAliases(groups)) return through;
    let table = ALIAS_TABLES.get(groups);
    if (!table) ALIAS_TABLES.set(groups, (table = new CompanyAliases(groups)));
    const aliases = table;
    return {
      lookup: (lead, options) => through.lookup(lead, { ...options, aliases }),
      match: (lead, options) => through.match(lead, { ...options, aliases }),
      get: (id) => through.get(id),
      openOpportunities: (id) => through.openOpportunities(id),
    };
  }

  /** Builds the index from a snapshot of accounts (and, in the options, their open opportunities). */
  static build(accounts: Iterable<AccountRecord>, options: AccountIndexOptions = {}): AccountIndex {
    const index = new AccountIndex(options);
    index.load(accounts);
    return index;
  }

  get size(): number {
    return this.slotById.size;
  }

  get(accountId: string): AccountRecord | undefined {
    const slot = this.slotById.get(accountId);
    return slot === undefined ? undefined : this.accounts[slot];
  }

  /** Adds the account, or replaces the one with the same Id (its name, website or place may have changed). */
  upsert(account: AccountRecord): void {
    const existing = this.slotById.get(account.Id);
    if (existing !== undefined) this.unlinkWords(existing);
    const slot = existing ?? this.freeSlots.pop() ?? this.accounts.length;
    this.accounts[slot] = account;
    this.slotById.set(account.Id, slot);
    const words = this.wordsOf(account);
    this.setSlotFacts(slot, account.BillingCountry, words);
    this.slotWords.set(slot, words);
    if (words.length > 0) this.slotsByName.add(nameHash(words), slot);
    this.forEachWordPair(words, (hash) => this.slotsByPair.add(hash, slot));
    for (const word of new Set(words)) this.postings.append(word, slot);
    const domain = companyWebsiteDomain(account.Website);
    if (domain !== null) this.slotsByDomain.add(hashText(domain), slot);
  }

  /** Forgets the account (and its open opportunities). Unknown ids are ignored. */
  remove(accountId: string): void {
    const slot = this.slotById.get(accountId);
    if (slot === undefined) return;
    this.unlinkWords(slot);
    this.slotWords.set(slot, []);
    this.accounts[slot] = undefined;
    this.slotById.delete(accountId);
    this.freeSlots.push(slot);
    for (const id of this.opportunities.get(accountId)?.keys() ?? []) this.opportunityAccount.delete(id);
    this.opportunities.delete(accountId);
  }

  /** Replaces the open opportunities of one account. */
  setOpenOpportunities(accountId: string, opportunities: Iterable<OpportunityRecord>): void {
    for (const id of this.opportunities.get(accountId)?.keys() ?? []) this.opportunityAccount.delete(id);
    this.opportunities.delete(accountId);
    for (const opportunity of opportunities) this.upsertOpportunity({ ...opportunity, AccountId: accountId });
  }

  /** Adds or updates one opportunity; a closed one, or one moved to another account, leaves its old account. */
  upsertOpportunity(opportunity: OpportunityRecord): void {
    this.removeOpportunity(opportunity.Id);
    if (opportunity.IsClosed === true) return;
    let byId = this.opportunities.get(opportunity.AccountId);
    if (byId === undefined) {
      byId = new Map();
      this.opportunities.set(opportunity.AccountId, byId);
    }
    byId.set(opportunity.Id, opportunity);
    this.opportunityAccount.set(opportunity.Id, opportunity.AccountId);
  }

  removeOpportunity(opportunityId: string): void {
    const accountId = this.opportunityAccount.get(opportunityId);
    if (accountId === undefined) return;
    this.opportunityAccount.delete(opportunityId);
    const byId = this.opportunities.get(accountId);
    byId?.delete(opportunityId);
    if (byId !== undefined && byId.size === 0) this.opportunities.delete(accountId);
  }

  openOpportunities(accountId: string): OpportunityRecord[] {
    return [...(this.opportunities.get(accountId)?.values() ?? [])];
  }

  /**
   * The other names `lookup` also tries for the company, with the options' aliases or else the index's
   * own: all a lookup reads of the aliases, so two lookups given the same names answer alike.
   */
  alternatives(company: string, options: MatchOptions = {}): readonly string[] {
    return (options.aliases ?? this.aliases).alternatives(company);
  }

  /** The candidates of a `matched` lookup: accepted ones, best first, equally good ones ordered by the policy. */
  match(lead: LeadForMatching, options: MatchOptions = {}): AccountCandidate[] {
    const result = this.lookup(lead, options);
    return result.outcome === 'matched' ? result.candidates : [];
  }

  /**
   * The lead's account when one is clearly best: by email domain or website (either names the account
   * outright), else by company name, where the best account must score at least `MATCH_MARGIN` above
   * the best account of another name (or be the exact name, in the lead's country, when the other is
   * not). Otherwise the look-alikes, as `ambiguous`, or the closest names below the accept score.
   */
  lookup(lead: LeadForMatching, options: MatchOptions = {}): AccountMatch {
    const limit = Math.max(0, options.limit ?? 10);
    const policy = options.policy ?? this.policy;
    const order = (a: AccountCandidate, b: AccountCandidate): number =>
      b.score - a.score || this.compareByPolicy(a.account, b.account, policy);
    const excluded = options.exclude === undefined ? -1 : (this.slotById.get(options.exclude) ?? -1);
    const byDomain = this.domainCandidates(lead).filter((c) => c.account.Id !== options.exclude);
    if (byDomain.length > 0) {
      byDomain.sort(order);
      return { outcome: 'matched', candidates: byDomain.slice(0, limit), reason: byDomain[0]?.reason ?? '' };
    }
    const company = lead.Company ?? '';
    if (isPlaceholderCompany(lead.Company))
      return { outcome: 'none', candidates: [], reason: 'the lead names no company and no company domain' };

    // Below this a name is neither a candidate nor a near miss (nor the rival of one that is accepted).
    const floor =
      options.nearMisses === false
        ? this.acceptScore - MATCH_MARGIN
        : Math.min(NEAR_SCORE, this.acceptScore - MATCH_MARGIN);
    const search: NameSearch = { keep: limit + 2, excluded, floor };
    const ranked = this.matchName(lead, search);
    for (const alias of this.alternatives(company, options)) {
      for (const found of this.matchName({ ...lead, Company: alias }, search)) {
        const { candidate } = found;
        const reason = `"${company}" is also known as "${alias}" (company aliases); ${candidate.reason}`;
        const same = ranked.findIndex((s) => s.candidate.account.Id === candidate.account.Id);
        if (same >= 0 && (ranked[same] as ScoredName).rank >= found.rank) continue;
        if (same >= 0) ranked.splice(same, 1);
        ranked.push({ ...found, candidate: { ...candidate, reason } });
      }
    }
    ranked.sort(
      (a, b) => b.rank - a.rank || this.compareByPolicy(a.candidate.account, b.candidate.account, policy),
    );
    const best = ranked[0];
    if (best === undefined || best.candidate.score < this.acceptScore) {
      const near = ranked.slice(0, limit).map((s) => s.candidate);
      const closest = near[0];
      return {
        outcome: 'none',
        candidates: near,
        reason:
          closest === undefined
            ? `no account is named like "${company}"`
            : `no account is named closely enough like "${company}": the closest, ${closest.account.Name}, scores ${closest.score.toFixed(2)} (${this.acceptScore.toFixed(2)} needed)`,
      };
    }
    const rival = ranked.find((s) => s.key !== best.key);
    const clear =
      rival === undefined || best.rank - rival.rank >= MATCH_MARGIN || (best.exact && !rival.exact);
    if (!clear) {
      const close = ranked.filter((s) => s.rank > best.rank - MATCH_MARGIN).map((s) => s.candidate);
      return {
        outcome: 'ambiguous',
        candidates: close.slice(0, limit),
        reason:
          `"${company}" is about as close to ${rival.candidate.account.Name} (${rival.candidate.score.toFixed(2)}) ` +
          `as to ${best.candidate.account.Name} (${best.candidate.score.toFixed(2)}): ` +
          `neither is clearly the lead's account, so none is taken`,
      };
    }
    const accepted = ranked.filter((s) => s.candidate.score >= this.acceptScore).map((s) => s.candidate);
    return { outcome: 'matched', candidates: accepted.slice(0, limit), reason: best.candidate.reason };
  }

  /** Accounts whose website domain is the lead's email domain or website domain, each once at its best. */
  private domainCandidates(lead: LeadForMatching): AccountCandidate[] {
    const found = new Map<number, AccountCandidate>();
    const offer = (slot: number, score: number, method: MatchMethod, reason: string): void => {
      const account = this.accounts[slot] as AccountRecord;
      const previous = found.get(slot);
      if (previous === undefined || previous.score < score)
        found.set(slot, { account, score, method, reason });
    };
    const emailDomain = companyEmailDomain(lead.Email);
    if (emailDomain !== null) {
      for (const slot of this.slotsWithDomain(emailDomain)) {
        const name = (this.accounts[slot] as AccountRecord).Name;
        offer(
          slot,
          EMAIL_DOMAIN_SCORE,
          'email-domain',
          `email domain ${emailDomain} is the website domain of ${name}`,
        );
      }
    }
    const websiteDomain = companyWebsiteDomain(lead.Website);
    if (websiteDomain !== null) {
      for (const slot of this.slotsWithDomain(websiteDomain)) {
        const name = (this.accounts[slot] as AccountRecord).Name;
        offer(
          slot,
          WEBSITE_SCORE,
          'website',
          `lead website ${websiteDomain} is the website domain of ${name}`,
        );
      }
    }
    return [...found.values()];
  }

  /** Bulk load of a snapshot straight into the packed structures. */
  private load(snapshot: Iterable<AccountRecord>): void {
    const slotStarts = new GrowableU32(1 << 16);
    const slotWordValues = new GrowableU32(1 << 18);
    const domainHashes = new GrowableU32(1 << 16);
    const domainSlots = new GrowableU32(1 << 16);
    const nameHashes = new GrowableU32(1 << 16);
    const nameSlots = new GrowableU32(1 << 16);
    const pairHashes = new GrowableU32(1 << 18);
    const pairSlots = new GrowableU32(1 << 18);
    const later: AccountRecord[] = [];
    for (const account of snapshot) {
      if (this.slotById.has(account.Id)) {
        later.push(account);
        continue;
      }
      const slot = this.accounts.length;
      this.accounts.push(account);
      this.slotById.set(account.Id, slot);
      slotStarts.push(slotWordValues.length);
      const words = this.wordsOf(account);
      this.setSlotFacts(slot, account.BillingCountry, words);
      for (const word of words) slotWordValues.push(word);
      if (words.length > 0) {
        nameHashes.push(nameHash(words));
        nameSlots.push(slot);
      }
      this.forEachWordPair(words, (hash) => {
        pairHashes.push(hash);
        pairSlots.push(slot);
      });
      const domain = companyWebsiteDomain(account.Website);
      if (domain !== null) {
        domainHashes.push(hashText(domain));
        domainSlots.push(slot);
      }
    }
    slotStarts.push(slotWordValues.length);
    const slotWordArray = slotWordValues.toArray();
    this.slotWords.load(slotStarts.toArray(), slotWordArray);
    this.slotsByDomain.load(domainHashes.data, domainSlots.data, domainHashes.length);
    this.slotsByName.load(nameHashes.data, nameSlots.data, nameHashes.length);
    this.slotsByPair.load(pairHashes.data, pairSlots.data, pairHashes.length);
    this.postings.load(...this.invert(slotStarts.data, slotWordArray));
    for (const account of later) this.upsert(account);
  }

  /** word → slots from slot → words, each slot once per word, lightest names (`slotFacts`) first. */
  private invert(slotStarts: Uint32Array, slotWords: Uint32Array): [Uint32Array, Uint32Array] {
    const slots = this.accounts.length;
    const counts = new Uint32Array(this.words.length + 1);
    const distinct = (slot: number, visit: (word: number) => void): void => {
      const start = slotStarts[slot] as number;
      const end = slotStarts[slot + 1] as number;
      for (let i = start; i < end; i += 1) {
        const word = slotWords[i] as number;
        let repeated = false;
        for (let j = start; j < i && !repeated; j += 1) repeated = slotWords[j] === word;
        if (!repeated) visit(word);
      }
    };
    for (let slot = 0; slot < slots; slot += 1)
      distinct(slot, (word) => {
        counts[word + 1] = (counts[word + 1] as number) + 1;
      });
    for (let word = 0; word < this.words.length; word += 1)
      counts[word + 1] = (counts[word + 1] as number) + (counts[word] as number);
    const starts = counts.slice();
    const fill = counts.slice(0, this.words.length);
    const values = new Uint32Array(starts[this.words.length] as number);
    // Each word's accounts lightest name first, so a lookup that needs only light names stops early.
    const byWeight = new Uint32Array(257);
    for (let slot = 0; slot < slots; slot += 1) {
      const quarters = quartersOf(this.slotFacts[slot] as number);
      byWeight[quarters + 1] = (byWeight[quarters + 1] as number) + 1;
    }
    for (let quarters = 0; quarters < 256; quarters += 1)
      byWeight[quarters + 1] = (byWeight[quarters + 1] as number) + (byWeight[quarters] as number);
    const order = new Uint32Array(slots);
    for (let slot = 0; slot < slots; slot += 1) {
      const quarters = quartersOf(this.slotFacts[slot] as number);
      order[byWeight[quarters] as number] = slot;
      byWeight[quarters] = (byWeight[quarters] as number) + 1;
    }
    for (const slot of order)
      distinct(slot, (word) => {
        values[fill[word] as number] = slot;
        fill[word] = (fill[word] as number) + 1;
      });
    return [starts, values];
  }

  /** The account's name as dictionary word ids, adding new words (filed under their typo keys) as met. */
  private wordsOf(account: AccountRecord): number[] {
    const tokens = companyNameTokens(account.Name);
    return isPlaceholderTokens(tokens) ? [] : this.internWords(tokens);
  }

  private internWords(tokens: readonly NameToken[]): number[] {
    return tokens.map((token) => {
      let id = this.wordIds.get(token.text);
      if (id === undefined) {
        id = this.words.length;
        this.words.push(token.text);
        if (this.wordKinds.length <= id) {
          const grown = new Uint8Array(this.wordKinds.length * 2);
          grown.set(this.wordKinds);
          this.wordKinds = grown;
          const numbered = new Uint8Array(this.wordKinds.length);
          numbered.set(this.wordNumbered);
          this.wordNumbered = numbered;
        }
        this.wordKinds[id] = KINDS.indexOf(token.kind);
        this.wordNumbered[id] = nameNumbers([token.text]) === '' ? 0 : 1;
        this.wordIds.set(token.text, id);
        this.typoKeys.add(id);
      }
      return id;
    });
  }

  private setSlotFacts(slot: number, country: string | null | undefined, words: readonly number[]): void {
    if (this.slotFacts.length <= slot) {
      const grown = new Uint32Array(Math.max(slot + 1, this.slotFacts.length * 2));
      grown.set(this.slotFacts);
      this.slotFacts = grown;
    }
    let quarters = 0;
    let numbered = 0;
    for (const word of words) {
      quarters += TOKEN_WEIGHTS[KINDS[this.wordKinds[word] as number] as TokenKind] * 4;
      if (this.wordNumbered[word] === 1) numbered = NUMBERED;
    }
    this.slotFacts[slot] = (this.countryNumber(country) | (Math.min(255, quarters) << 16) | numbered) >>> 0;
  }

  /** Hashes of every two different name words (core) of an account. */
  private forEachWordPair(words: readonly number[], visit: (hash: number) => void): void {
    for (let i = 0; i < words.length; i += 1) {
      const a = words[i] as number;
      if (this.wordKinds[a] !== CORE || words.indexOf(a) < i) continue;
      for (let j = i + 1; j < words.length; j += 1) {
        const b = words[j] as number;
        if (b !== a && this.wordKinds[b] === CORE && words.indexOf(b) === j) visit(pairHash(a, b));
      }
    }
  }

  /** Countries as small numbers (0: unknown), cached by how they were written. */
  private countryNumber(country: string | null | undefined): number {
    if (typeof country !== 'string') return 0;
    const cached = this.countryCache.get(country);
    if (cached !== undefined) return cached;
    const code = normaliseCountry(country);
    let number = 0;
    if (code !== null) {
      number = this.countryNumbers.get(code) ?? this.countryCodes.length;
      if (number === this.countryCodes.length && this.countryCodes.length < 0xffff) {
        this.countryCodes.push(code);
        this.countryNumbers.set(code, number);
      }
    }
    if (this.countryCache.size < 10_000) this.countryCache.set(country, number);
    return number;
  }

  private slotsWithDomain(domain: string): number[] {
    const slots: number[] = [];
    this.slotsByDomain.forEach(hashText(domain), (slot) => {
      const account = this.accounts[slot];
      if (account !== undefined && !slots.includes(slot) && companyWebsiteDomain(account.Website) === domain)
        slots.push(slot);
    });
    return slots;
  }

  private unlinkWords(slot: number): void {
    for (const word of new Set(this.slotWords.toArray(slot))) this.postings.remove(word, slot);
  }

  private compareByPolicy(a: AccountRecord, b: AccountRecord, policy: TieBreakPolicy): number {
    const typeA = a.Type ?? '';
    const typeB = b.Type ?? '';
    const rank = (type: string): number => {
      const at = policy.typeOrder.findIndex((t) => t.toLowerCase() === type.toLowerCase());
      return at < 0 ? policy.typeOrder.length : at;
    };
    const unlisted = rank(typeA) === policy.typeOrder.length && rank(typeB) === policy.typeOrder.length;
    const byType = rank(typeA) - rank(typeB) || (unlisted && typeA !== typeB ? (typeA < typeB ? -1 : 1) : 0);
    if (byType !== 0) return byType;
    for (const measure of policy.then) {
      if (measure === 'openOpportunities') {
        const difference =
          (this.opportunities.get(b.Id)?.size ?? 0) - (this.opportunities.get(a.Id)?.size ?? 0);
        if (difference !== 0) return difference;
      } else {
        const lastA = a.LastActivityDate ?? '';
        const lastB = b.LastActivityDate ?? '';
        if (lastA !== lastB) return lastA < lastB ? 1 : -1;
      }
    }
    return a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0;
  }

  /**
   * Accounts scored against the lead's company name, rarest evidence first. Each of the name's words
   * reaches the accounts holding a word within its typo reach; the word whose postings are shortest is
   * read first, each account found is bounded from its own words and the best bounds are scored in full.
   * Before the next word's postings are read, the best score an account not found yet could reach is
   * worked out (it holds none of the words read so far): once that cannot rival the best found, the
   * search stops. So every account that could be the answer or its rival is scored, whatever the order
   * accounts were loaded in, and a common word is read only when the rarer ones leave the answer open.
   */
  private matchName(lead: LeadForMatching, search: NameSearch): ScoredName[] {
    const { keep, excluded, floor } = search;
    this.repairNeighbours.clear();
    const name = normaliseTypedName(lead.Company, this.vocabulary);
    if (name.tokens.length === 0) return [];
    const leadCountryCode = normaliseCountry(lead.Country);
    const leadCountry = leadCountryCode === null ? 0 : (this.countryNumbers.get(leadCountryCode) ?? -1);
    const exactSlots = this.exactNameSlots(name.tokens, leadCountry).filter((slot) => slot !== excluded);
    const exact = exactSlots.length > 0;
    // Typo neighbourhoods are needed only to search; an exact name's accounts are scored without them.
    const none: ReadonlyMap<number, number> = new Map();
    const query: QueryWord[] = name.tokens.map((token) => ({
      text: token.text,
      kind: token.kind,
      known: token.kind !== 'core' || this.wordIds.has(token.text),
      similar: exact ? none : this.similarWords(token.text),
      anyWord: exact,
      other: new Map(),
    }));
    /** The best `keep` name scores so far, highest first: a candidate whose bound is below the last cannot enter. */
    const best: number[] = [];
    const scored: ScoredName[] = [];

    const leadState = this.place(lead.State);
    const leadCity = this.place(lead.City);
    const queryTokens: AlignedToken[] = query.map((q) => ({
      kind: q.kind,
      known: q.known,
      weight: typedWeight(q.text, q.kind, q.known),
    }));
    // The candidate's words, read in place; one token list and one comparison reused for every candidate.
    let words: ArrayLike<number> = [];
    let wordsStart = 0;
    const accountTokens: AlignedToken[] = [];
    const pairs = new Int32Array(Math.min(query.length, 16));
    const pairSimilarity = (i: number, j: number): number =>
      this.similarity(query[i] as QueryWord, words[wordsStart + j] as number);
    const scoreSlot = (slot: number): void => {
      if (slot === excluded) return;
      const account = this.accounts[slot] as AccountRecord;
      words = this.slotWords.rowValues(slot);
      wordsStart = this.slotWords.rowStart(slot);
      const wordsEnd = this.slotWords.rowEnd(slot);
      accountTokens.length = 0;
      for (let i = wordsStart; i < wordsEnd; i += 1) {
        accountTokens.push(INDEXED_TOKENS[KINDS[this.wordKinds[words[i] as number] as number] as TokenKind]);
      }
      const similarity = alignScore(queryTokens, accountTokens, pairSimilarity, pairs);
      if (similarity <= 0) return;
      // Core words in another order cost a little: "Murray-Towne" is nearer "Murray-Towne" than "Towne-Murray".
      let inOrder = 0;
      let steps = 0;
      let previous = -1;
      for (let i = 0; i < pairs.length; i += 1) {
        const j = pairs[i] as number;
        if (j < 0 || (query[i] as QueryWord).kind !== 'core') continue;
        if (previous >= 0) {
          steps += 1;
          if (j > previous) inOrder += 1;
        }
        previous = j;
      }
      const order = steps === 0 ? 1 : inOrder / steps;
      const accountCountry = (this.slotFacts[slot] as number) & 0xffff;
      const known = leadCountry !== 0 && accountCountry !== 0;
      const sameCountry = known && leadCountry === accountCountry;
      const otherCountry = known && leadCountry !== accountCountry;
      // A shared state or city only tells equal names apart: the name part stops just short of the cap.
      let rank =
        similarity *
        (1 - ORDER_WEIGHT * (1 - order)) *
        (sameCountry ? SAME_COUNTRY : otherCountry ? OTHER_COUNTRY : UNKNOWN_COUNTRY);
      let score = Math.min(NAME_SCORE_CAP - SAME_STATE_BONUS - SAME_CITY_BONUS, rank);
      const sameState = !otherCountry && leadState !== null && leadState === this.place(account.BillingState);
      const sameCity = !otherCountry && leadCity !== null && leadCity === this.place(account.BillingCity);
      const bonus = (sameState ? SAME_STATE_BONUS : 0) + (sameCity ? SAME_CITY_BONUS : 0);
      score += bonus;
      rank += bonus;
      if (rank < floor) return;
      const evidence = [
        `company name "${lead.Company ?? ''}" matches account ${account.Name} (${percent(similarity)} similar${order < 1 ? ', words in another order' : ''})`,
      ];
      const countryCode = this.countryCodes[accountCountry] ?? '';
      if (sameCountry) evidence.push(`both in ${countryCode}`);
      if (otherCountry)
        evidence.push(`but the account is in ${countryCode} and the lead in ${lead.Country ?? ''}`);
      if (sameCity) evidence.push(`same city ${account.BillingCity ?? ''}`);
      else if (sameState) evidence.push(`same state ${account.BillingState ?? ''}`);
      scored.push({
        candidate: { account, score: rounded(score), method: 'company-name', reason: evidence.join(', ') },
        rank,
        key: Array.prototype.join.call(Array.prototype.slice.call(words, wordsStart, wordsEnd), ' '),
        exact: similarity >= 1 && order === 1 && !otherCountry,
      });
      best.push(rank);
      best.sort((a, b) => b - a);
      if (best.length > keep) best.pop();
    };
    // An account of exactly this name in the lead's country is the match: no other name can rival it.
    if (exact) {
      for (const slot of exactSlots) scoreSlot(slot);
      return scored;
    }
    const marked = this.markNameWords(query);
    try {
      this.searchNames(
        query,
        nameNumbers(name.tokens.map((t) => t.text)),
        leadCountry,
        search,
        best,
        scoreSlot,
      );
    } finally {
      for (const word of marked) {
        this.wordMasks[word] = 0;
        this.wordSims[word] = 0;
      }
    }
    return scored;
  }

  /**
   * Marks, for every dictionary word within typo reach of the name's first `TRACKED_WORDS` words,
   * which of them it is near (a bit each) and how alike at most. Returns the words marked.
   */
  private markNameWords(query: readonly QueryWord[]): number[] {
    if (this.wordMasks.length < this.words.length) {
      this.wordMasks = new Uint8Array(this.words.length * 2);
      this.wordSims = new Float32Array(this.words.length * 2);
    }
    const marked: number[] = [];
    for (let p = 0; p < Math.min(query.length, TRACKED_WORDS); p += 1) {
      for (const [word, similarity] of (query[p] as QueryWord).similar) {
        if (this.wordMasks[word] === 0) marked.push(word);
        this.wordMasks[word] = (this.wordMasks[word] as number) | (1 << p);
        this.wordSims[word] = Math.max(this.wordSims[word] as number, similarity);
      }
    }
    return marked;
  }

  /**
   * See `matchName`: finds, bounds and scores (through `scoreSlot`) the accounts named like `query`
   * whose names carry the same `numbers` (`nameNumbers`): one with other numbers, or a number where the
   * query has none or none where it has one, is another company, never a candidate nor a rival.
   */
  private searchNames(
    query: readonly QueryWord[],
    numbers: string,
    leadCountry: number,
    { keep, floor }: NameSearch,
    best: readonly number[],
    scoreSlot: (slot: number) => void,
  ): void {
    const tracked = Math.min(query.length, TRACKED_WORDS);
    const bounds = new NameBounds(query, tracked);
    // Whether an account's name carries numbers is in its facts; which ones, only asked when both do.
    const numbered = numbers === '' ? 0 : NUMBERED;
    // Per name word: the name words in its reach, nearest first (then those with the fewest accounts),
    // read in that order; how alike the nearest legal form or generic word in reach is (never read).
    const near: number[][] = [];
    const reach = new Float64Array(tracked);
    for (let p = 0; p < tracked; p += 1) {
      const similar = (query[p] as QueryWord).similar;
      const words: number[] = [];
      for (const [word, similarity] of similar) {
        if (this.wordKinds[word] === CORE) words.push(word);
        else bounds.other[p] = Math.max(bounds.other[p] as number, similarity);
      }
      words.sort(
        (a, b) =>
          (similar.get(b) as number) - (similar.get(a) as number) ||
          this.postings.length(a) - this.postings.length(b) ||
          a - b,
      );
      near.push(words);
      reach[p] = words.length === 0 ? 0 : (similar.get(words[0] as number) as number);
    }
    const cursors = new Uint32Array(tracked);
    const mostFactor = leadCountry > 0 ? SAME_COUNTRY : UNKNOWN_COUNTRY;
    if (this.marks.length < this.accounts.length) this.marks = new Uint8Array(this.accounts.length * 2);
    const touched = this.touched;
    touched.length = 0;
    const slotCore = new Float64Array(tracked);
    const slotOther = new Float64Array(tracked);
    /** The best an account can score, from the words it holds: which of the name's words each is near, and how near. */
    const slotBound = (slot: number): number => {
      const facts = this.slotFacts[slot] as number;
      // A name with other numbers is another company: below every floor.
      if ((facts & NUMBERED) !== numbered || (numbered !== 0 && !this.carriesNumbers(slot, numbers)))
        return -1;
      const values = this.slotWords.rowValues(slot);
      const end = this.slotWords.rowEnd(slot);
      slotCore.fill(0);
      slotOther.fill(0);
      for (let i = this.slotWords.rowStart(slot); i < end; i += 1) {
        const word = values[i] as number;
        let mask = this.wordMasks[word] as number;
        if (mask === 0) continue;
        const similarity = this.wordSims[word] as number;
        const held = this.wordKinds[word] === CORE ? slotCore : slotOther;
        while (mask !== 0) {
          const p = 31 - Math.clz32(mask & -mask);
          mask &= mask - 1;
          if (similarity > (held[p] as number)) held[p] = similarity;
        }
      }
      const country = facts & 0xffff;
      const factor =
        leadCountry === 0 || country === 0
          ? UNKNOWN_COUNTRY
          : leadCountry === country
            ? SAME_COUNTRY
            : OTHER_COUNTRY;
      return (
        bounds.highest(slotCore, slotOther, quartersOf(facts) / 4) * factor +
        SAME_STATE_BONUS +
        SAME_CITY_BONUS
      );
    };
    let scoredCount = 0;
    /** Scores the first `count` pooled candidates highest bound first; false once `MAX_SCORED_NAMES` is reached. */
    /** Scores `run` (ascending) from its end; false once `MAX_SCORED_NAMES` is reached, true once the rest cannot count. */
    const scoreRun = (run: Float64Array): boolean | undefined => {
      for (let k = run.length - 1; k >= 0; k -= 1) {
        const packed = run[k] as number;
        const bound = Math.floor(packed / SLOT_RANGE) / 1e6;
        const top = best[0];
        // The rest cannot rival the best (within the margin) nor enter the `keep` best.
        if (top !== undefined && bound < top - MATCH_MARGIN && best.length >= keep) return true;
        if (scoredCount >= MAX_SCORED_NAMES) return false;
        scoredCount += 1;
        scoreSlot(packed % SLOT_RANGE);
      }
      return undefined;
    };
    const scorePool = (count: number): boolean => {
      if (count === 0) return true;
      if (this.ordered.length < count) this.ordered = new Float64Array(count * 2);
      // A few are sorted outright; many are laid out by bucket first.
      if (count <= SORTED_POOL) {
        this.ordered.set(this.bounds.subarray(0, count));
        return scoreRun(this.ordered.subarray(0, count).sort()) ?? true;
      }
      const bucketOf = (bound: number): number =>
        Math.min(
          BOUND_BUCKETS - 1,
          Math.max(0, Math.floor(((bound - floor) / (1.01 - floor)) * BOUND_BUCKETS)),
        );
      // Laid out by bucket, highest first (no sort of every account found); each bucket is sorted when reached.
      const buckets = this.buckets.fill(0);
      for (let k = 0; k < count; k += 1) {
        const bucket = bucketOf(Math.floor((this.bounds[k] as number) / SLOT_RANGE) / 1e6);
        buckets[bucket] = (buckets[bucket] as number) + 1;
      }
      if (this.ordered.length < count) this.ordered = new Float64Array(count * 2);
      const ends = this.bucketEnds;
      let end = 0;
      for (let bucket = BOUND_BUCKETS - 1; bucket >= 0; bucket -= 1) {
        end += buckets[bucket] as number;
        ends[bucket] = end;
      }
      for (let k = 0; k < count; k += 1) {
        const packed = this.bounds[k] as number;
        const bucket = bucketOf(Math.floor(packed / SLOT_RANGE) / 1e6);
        ends[bucket] = (ends[bucket] as number) - 1;
        this.ordered[ends[bucket] as number] = packed;
      }
      let from = 0;
      for (let bucket = BOUND_BUCKETS - 1; bucket >= 0 && from < count; bucket -= 1) {
        const to = from + (buckets[bucket] as number);
        if (to === from) continue;
        const done = scoreRun(this.ordered.subarray(from, to).sort());
        if (done !== undefined) return done;
        from = to;
      }
      return true;
    };
    /** Bounds the accounts found from `from` on and scores those that may count. */
    const boundAndScore = (from: number): boolean => {
      const top = best[0];
      const least = top !== undefined && best.length >= keep ? Math.max(floor, top - MATCH_MARGIN) : floor;
      if (this.bounds.length < touched.length - from)
        this.bounds = new Float64Array((touched.length - from) * 2);
      let count = 0;
      for (let k = from; k < touched.length; k += 1) {
        const slot = touched.data[k] as number;
        const bound = slotBound(slot);
        // Each as one number, bound (in millionths) above slot, so a numeric sort orders them.
        if (bound >= least) {
          this.bounds[count] = Math.round(bound * 1e6) * SLOT_RANGE + slot;
          count += 1;
        }
      }
      return scorePool(count);
    };
    /**
     * Marks the accounts holding `word` (in `onlyCountry`, unless 0) whose words weigh up to `maxQuarters`
     * / 4, from entry `start` of its postings on; returns where a row as built (lightest names first)
     * stopped being light enough, or the row's end.
     */
    const walk = (word: number, start: number, onlyCountry: number, maxQuarters: number): number => {
      const slots = this.postings.rowValues(word);
      const end = this.postings.rowEnd(word);
      const sorted = this.postings.isPacked(word);
      for (let i = start; i < end; i += 1) {
        const slot = slots[i] as number;
        const facts = this.slotFacts[slot] as number;
        if (quartersOf(facts) > maxQuarters) {
          if (sorted) return i;
          continue;
        }
        if (this.marks[slot] !== 0 || (facts & NUMBERED) !== numbered) continue;
        if (onlyCountry !== 0 && (facts & 0xffff) !== onlyCountry) continue;
        this.marks[slot] = 1;
        touched.push(slot);
      }
      return end;
    };
    try {
      // First the accounts holding words near two of the name's words (few: most pairs of surnames are
      // rare together); then an account not found holds a name word near one of them at most.
      let pairLookups = 0;
      for (let p = 0; p < tracked; p += 1)
        for (let q = p + 1; q < tracked; q += 1)
          pairLookups += (near[p] as number[]).length * (near[q] as number[]).length;
      const byPairs = tracked > 1 && pairLookups <= PAIR_LOOKUP_LIMIT;
      if (byPairs) {
        const visit = (slot: number): void => {
          if (this.marks[slot] !== 0 || this.accounts[slot] === undefined) return;
          this.marks[slot] = 1;
          touched.push(slot);
        };
        for (let p = 0; p < tracked; p += 1)
          for (let q = p + 1; q < tracked; q += 1)
            for (const a of near[p] as number[])
              for (const b of near[q] as number[])
                if (a !== b) this.slotsByPair.forEach(pairHash(a, b), visit);
        if (!boundAndScore(0)) return;
      }
      for (;;) {
        // Of each name word's next word to read, the one held by the fewest accounts.
        let next = -1;
        let nextWord = -1;
        for (let p = 0; p < tracked; p += 1) {
          const word = (near[p] as number[])[cursors[p] as number];
          if (word === undefined) continue;
          if (nextWord < 0 || this.postings.length(word) < this.postings.length(nextWord)) {
            next = p;
            nextWord = word;
          }
        }
        if (next < 0) break;
        // An account not found yet holds, for each name word, no word nearer than those left to read:
        // once the best it could score cannot rival the best found (within the margin when that is
        // accepted, else beat it), no account left can change the answer.
        const top = best[0];
        const needed = top === undefined ? floor : top >= this.acceptScore ? top - MATCH_MARGIN : top;
        if (bounds.unreached(reach, byPairs) * mostFactor + SAME_STATE_BONUS + SAME_CITY_BONUS < needed)
          return;
        const words = near[next] as number[];
        cursors[next] = (cursors[next] as number) + 1;
        const following = words[cursors[next] as number];
        reach[next] =
          following === undefined ? 0 : ((query[next] as QueryWord).similar.get(following) as number);
        // An account found now holds this word, nothing nearer for its name word, and (after the pairs)
        // nothing near another: its bound falls as its words weigh more, so the heavier ones are passed over.
        // Taken one weight at a time, lightest first, as far as the best found so far leaves worth it.
        const holding = byPairs ? new Float64Array(tracked) : reach.slice();
        holding[next] = (query[next] as QueryWord).similar.get(nextWord) as number;
        // Worked out again only when the best found so far moved the line.
        let heaviestFor = -1;
        let heaviestWeight = -1;
        const heaviest = (): number => {
          const least = best.length >= keep ? Math.max(floor, (best[0] as number) - MATCH_MARGIN) : floor;
          if (least === heaviestFor) return heaviestWeight;
          let lo = -1;
          let hi = 255;
          while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            const bound = bounds.highest(holding, bounds.other, mid / 4) * mostFactor;
            if (bound + SAME_STATE_BONUS + SAME_CITY_BONUS >= least) lo = mid;
            else hi = mid - 1;
          }
          heaviestFor = least;
          heaviestWeight = lo;
          return lo;
        };
        const postings = this.postings.rowValues(nextWord);
        const end = this.postings.rowEnd(nextWord);
        const sorted = this.postings.isPacked(nextWord);
        for (let at = this.postings.rowStart(nextWord); at < end;) {
          const most = heaviest();
          const lightest = quartersOf(this.slotFacts[postings[at] as number] as number);
          if (sorted && lightest > most) break;
          const from = touched.length;
          at = walk(nextWord, at, 0, sorted ? lightest : most);
          if (!boundAndScore(from)) return;
          if (!sorted) break;
        }
      }
      // A name of legal forms and generic words only ("Global Holdings Ltd"): the accounts holding its
      // rarest word, all of them in the lead's country (or anywhere, when that is not too many).
      if (touched.length === 0 && query.every((q) => q.kind !== 'core')) {
        let rarest = -1;
        for (const q of query.slice(0, TRACKED_WORDS)) {
          const word = this.wordIds.get(q.text);
          if (word === undefined || this.wordKinds[word] === CORE) continue;
          if (rarest < 0 || this.postings.length(word) < this.postings.length(rarest)) rarest = word;
        }
        if (rarest >= 0 && (leadCountry > 0 || this.postings.length(rarest) <= GENERIC_WALK_LIMIT)) {
          walk(rarest, this.postings.rowStart(rarest), Math.max(0, leadCountry), 255);
          boundAndScore(0);
        }
      }
    } finally {
      for (let k = 0; k < touched.length; k += 1) this.marks[touched.data[k] as number] = 0;
    }
  }
  /** Accounts named exactly as the query (the same words in the same order) in the lead's country or with none. */
  private exactNameSlots(query: readonly NameToken[], leadCountry: number): number[] {
    const ids: number[] = [];
    for (const q of query) {
      const id = this.wordIds.get(q.text);
      if (id === undefined) return [];
      ids.push(id);
    }
    const slots: number[] = [];
    this.slotsByName.forEach(nameHash(ids), (slot) => {
      if (this.accounts[slot] === undefined || slots.includes(slot)) return;
      const country = (this.slotFacts[slot] as number) & 0xffff;
      if (leadCountry !== 0 && country !== 0 && country !== leadCountry) return;
      const words = this.slotWords.rowValues(slot);
      const start = this.slotWords.rowStart(slot);
      if (this.slotWords.rowEnd(slot) - start !== ids.length) return;
      for (let i = 0; i < ids.length; i += 1) if (words[start + i] !== ids[i]) return;
      slots.push(slot);
    });
    return slots;
  }

  /** Whether the account's name carries exactly these numbers (`nameNumbers`). */
  private carriesNumbers(slot: number, numbers: string): boolean {
    const values = this.slotWords.rowValues(slot);
    const end = this.slotWords.rowEnd(slot);
    const numbered: string[] = [];
    for (let i = this.slotWords.rowStart(slot); i < end; i += 1) {
      const word = values[i] as number;
      if (this.wordNumbered[word] === 1) numbered.push(this.words[word] as string);
    }
    return nameNumbers(numbered) === numbers;
  }

  /** Cities and states repeat across accounts: normalised once each. */
  private place(text: string | null | undefined): string | null {
    if (typeof text !== 'string') return null;
    let place = this.placeCache.get(text);
    if (place === undefined) {
      place = normalisePlace(text);
      if (this.placeCache.size < 50_000) this.placeCache.set(text, place);
    }
    return place;
  }

  private similarity(query: QueryWord, word: number): number {
    const near = query.similar.get(word);
    if (near !== undefined || !query.anyWord) return near ?? 0;
    let similarity = query.other.get(word);
    if (similarity === undefined) {
      similarity = tokenSimilarity(query.text, this.words[word] as string);
      query.other.set(word, similarity);
    }
    return similarity;
  }

  /** Dictionary words within the typos a word of this length may carry, with their similarity. */
  private similarWords(text: string): ReadonlyMap<number, number> {
    const known = this.words.length;
    const kept = this.similarCache.get(text);
    if (kept !== undefined && kept.words === known) return kept.similar;
    let similar: ReadonlyMap<number, number>;
    if (kept !== undefined && known - kept.words <= SIMILAR_CATCH_UP) {
      // Words arrived since (a new account's or lead's name): only those are compared.
      let grown: Map<number, number> | null = null;
      for (let word = kept.words; word < known; word += 1) {
        const similarity = tokenSimilarity(text, this.words[word] as string);
        if (similarity <= 0) continue;
        grown ??= new Map(kept.similar);
        grown.set(word, similarity);
      }
      similar = grown ?? kept.similar;
    } else {
      similar = this.repairNeighbours.get(text) ?? this.typoKeys.neighbours(text);
      if (kept === undefined && this.similarCache.size >= SIMILAR_CACHE_SIZE) this.similarCache.clear();
    }
    this.similarCache.set(text, { words: known, similar });
    return similar;
  }
}
