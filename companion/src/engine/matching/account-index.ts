import type { AccountRecord, OpportunityRecord } from '../model.js';
import {
  TOKEN_WEIGHTS,
  alignScore,
  allowedEdits,
  editDistance,
  isPlaceholderCompany,
  isPlaceholderTokens,
  companyNameTokens,
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
/** At most this many accounts are scored in full for one name, highest bound first. */
const MAX_SCORED_NAMES = 400;
/** Accounts sharing only a legal form or generic word with a name are looked at without a country up to this many. */
const GENERIC_WALK_LIMIT = 50_000;
/**
 * How alike a word of this length may be to a word outside its typo neighbourhood (which holds
 * every word one edit away): two edits or more, as far as `tokenSimilarity` still counts them.
 */
function unreachedSimilarity(length: number): number {
  let best = 0;
  for (let other = Math.max(1, length - 3); other <= length + 3; other += 1) {
    const longest = Math.max(length, other);
    const edits = Math.max(2, Math.abs(length - other));
    if (edits <= allowedEdits(longest)) best = Math.max(best, 1 - edits / longest);
  }
  return best;
}
/** Slots stay below 2^27 (134 million accounts) so a bound and a slot pack into one safe integer. */
const SLOT_RANGE = 2 ** 27;
/** Typo neighbourhoods of this many recent query words are kept: names share most of their words. */
const SIMILAR_CACHE_SIZE = 20_000;

interface QueryWord {
  text: string;
  kind: TokenKind;
  known: boolean;
  /** Dictionary words within typo reach, with their similarity (shared across lookups: never written). */
  similar: ReadonlyMap<number, number>;
  /** Similarity to other dictionary words, filled as scoring meets them. */
  other: Map<number, number>;
}

const KINDS: readonly TokenKind[] = ['core', 'generic', 'legal'];
const KIND_WEIGHTS: readonly number[] = KINDS.map((kind) => TOKEN_WEIGHTS[kind]);
const CORE = KINDS.indexOf('core');

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

/**
 * Hashes of the keys under which typos meet: the word itself and the word with one letter left out,
 * and with `depth` 2 also with two letters left out. Words under 3 letters are only themselves.
 * Leaving out any letter of a run of equal letters gives the same key, so only the first is visited.
 */
function forEachDeletionHash(text: string, depth: 1 | 2, visit: (hash: number) => void): void {
  visit(hashText(text));
  if (text.length < 3) return;
  for (let i = 0; i < text.length; i += 1) {
    if (i > 0 && text.charCodeAt(i) === text.charCodeAt(i - 1)) continue;
    visit(hashText(text, i));
    if (depth === 1) continue;
    for (let j = i + 1; j < text.length; j += 1) {
      if (j > i + 1 && text.charCodeAt(j) === text.charCodeAt(j - 1)) continue;
      visit(hashText(text, i, j));
    }
  }
}

/**
 * Dictionary words are keyed with two letters left out (up to 12 letters; longer ones with one), so a
 * word typed past recognition still meets every word two edits away ("Iahke" and "Ratke").
 */
function indexDepth(text: string): 1 | 2 {
  return text.length <= 12 ? 2 : 1;
}

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

function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}

function rounded(score: number): number {
  return Math.round(score * 1000) / 1000;
}

/**
 * Lead → account matching over an in-memory snapshot, kept fresh one record at a time. Accounts are
 * found by registrable email domain, by website, and by company name through word postings with
 * typo-tolerant keys (one-letter deletions): a lookup walks a few short posting lists, never every
 * account. Built from a snapshot, the structures are typed arrays (a million accounts fit in a few
 * hundred megabytes); later changes go to small maps beside them.
 */
export class AccountIndex implements AccountLookup {
  readonly acceptScore: number;
  private readonly policy: TieBreakPolicy;
  private readonly aliases: CompanyAliases;

  private readonly accounts: Array<AccountRecord | undefined> = [];
  private readonly freeSlots: number[] = [];
  private readonly slotById = new Map<string, number>();
  private readonly slotWords = new SparseRows();
  /**
   * Per account, in one number so a lookup reads one place: its country number (low 16 bits) and the
   * total weight of its name words in quarters (next 8 bits), to bound scores without reading the words.
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
  private readonly wordIds = new Map<string, number>();
  private readonly postings = new SparseRows();
  private readonly wordsByDeletion = new HashMultiMap();

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
  /** Per account found in a lookup: the weight of the name's words it holds, as alike as they are, and in full. */
  private slotMatched = new Float32Array(1024);
  private slotMarked = new Float32Array(1024);
  private readonly placeCache = new Map<string, string | null>();
  /** Query word → its typo neighbourhood in the dictionary; emptied whenever the dictionary grows. */
  private readonly similarCache = new Map<string, ReadonlyMap<number, number>>();
  /** The dictionary as typed names are repaired against it. */
  private readonly vocabulary: Vocabulary = {
    has: (word) => this.wordIds.has(word),
    near: (word) => {
      let best = 0;
      for (const similarity of this.similarWords(word).values()) best = Math.max(best, similarity);
      return best;
    },
  };

  constructor(options: AccountIndexOptions = {}) {
    this.acceptScore = options.acceptScore ?? DEFAULT_ACCEPT_SCORE;
    this.policy = options.policy ?? DEFAULT_TIE_BREAK_POLICY;
    this.aliases = new CompanyAliases(options.aliases);
    for (const opportunity of options.opportunities ?? []) this.upsertOpportunity(opportunity);
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
    const words = this.wordsOf(account, (hash, word) => this.wordsByDeletion.add(hash, word));
    this.setSlotFacts(slot, account.BillingCountry, words);
    this.slotWords.set(slot, words);
    if (words.length > 0) this.slotsByName.add(nameHash(words), slot);
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
    const byDomain = this.domainCandidates(lead);
    if (byDomain.length > 0) {
      byDomain.sort(order);
      return { outcome: 'matched', candidates: byDomain.slice(0, limit), reason: byDomain[0]?.reason ?? '' };
    }
    const company = lead.Company ?? '';
    if (isPlaceholderCompany(lead.Company))
      return { outcome: 'none', candidates: [], reason: 'the lead names no company and no company domain' };

    const ranked = this.matchName(lead, limit + 2);
    for (const alias of this.aliases.alternatives(company)) {
      for (const found of this.matchName({ ...lead, Company: alias }, limit + 2)) {
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
    const deletionHashes = new GrowableU32(1 << 18);
    const deletionWords = new GrowableU32(1 << 18);
    const domainHashes = new GrowableU32(1 << 16);
    const domainSlots = new GrowableU32(1 << 16);
    const nameHashes = new GrowableU32(1 << 16);
    const nameSlots = new GrowableU32(1 << 16);
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
      const words = this.wordsOf(account, (hash, word) => {
        deletionHashes.push(hash);
        deletionWords.push(word);
      });
      this.setSlotFacts(slot, account.BillingCountry, words);
      for (const word of words) slotWordValues.push(word);
      if (words.length > 0) {
        nameHashes.push(nameHash(words));
        nameSlots.push(slot);
      }
      const domain = companyWebsiteDomain(account.Website);
      if (domain !== null) {
        domainHashes.push(hashText(domain));
        domainSlots.push(slot);
      }
    }
    slotStarts.push(slotWordValues.length);
    const slotWordArray = slotWordValues.toArray();
    this.slotWords.load(slotStarts.toArray(), slotWordArray);
    this.wordsByDeletion.load(deletionHashes.data, deletionWords.data, deletionHashes.length);
    this.slotsByDomain.load(domainHashes.data, domainSlots.data, domainHashes.length);
    this.slotsByName.load(nameHashes.data, nameSlots.data, nameHashes.length);
    this.postings.load(...this.invert(slotStarts.data, slotWordArray));
    for (const account of later) this.upsert(account);
  }

  /** word → slots from slot → words, each slot once per word. */
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
    for (let slot = 0; slot < slots; slot += 1)
      distinct(slot, (word) => {
        values[fill[word] as number] = slot;
        fill[word] = (fill[word] as number) + 1;
      });
    return [starts, values];
  }

  /** The account's name as dictionary word ids, adding new words (and their deletion keys) as met. */
  private wordsOf(account: AccountRecord, onDeletionKey: (hash: number, word: number) => void): number[] {
    const tokens = companyNameTokens(account.Name);
    return isPlaceholderTokens(tokens) ? [] : this.internWords(tokens, onDeletionKey);
  }

  private internWords(
    tokens: readonly NameToken[],
    onDeletionKey: (hash: number, word: number) => void,
  ): number[] {
    return tokens.map((token) => {
      let id = this.wordIds.get(token.text);
      if (id === undefined) {
        id = this.words.length;
        this.words.push(token.text);
        if (this.wordKinds.length <= id) {
          const grown = new Uint8Array(this.wordKinds.length * 2);
          grown.set(this.wordKinds);
          this.wordKinds = grown;
        }
        this.wordKinds[id] = KINDS.indexOf(token.kind);
        this.wordIds.set(token.text, id);
        if (this.similarCache.size > 0) this.similarCache.clear();
        const word = id;
        forEachDeletionHash(token.text, indexDepth(token.text), (hash) => onDeletionKey(hash, word));
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
    for (const word of words)
      quarters += TOKEN_WEIGHTS[KINDS[this.wordKinds[word] as number] as TokenKind] * 4;
    this.slotFacts[slot] = this.countryNumber(country) | (Math.min(255, quarters) << 16);
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
   * Accounts scored against the lead's company name: every account holding one of the name's
   * distinctive words (or a typo of one) is found, its score bounded from which words it holds, and
   * the best bounds are scored in full until no bound can reach the `keep` best scores.
   */
  private matchName(lead: LeadForMatching, keep: number): ScoredName[] {
    const name = normaliseTypedName(lead.Company, this.vocabulary);
    if (name.tokens.length === 0) return [];
    const leadCountryCode = normaliseCountry(lead.Country);
    const leadCountry = leadCountryCode === null ? 0 : (this.countryNumbers.get(leadCountryCode) ?? -1);
    const exactSlots = this.exactNameSlots(name.tokens, leadCountry);
    // Typo neighbourhoods are needed only to search; an exact name's accounts are scored without them.
    const none: ReadonlyMap<number, number> = new Map();
    const query: QueryWord[] = name.tokens.map((token) => ({
      text: token.text,
      kind: token.kind,
      known: token.kind !== 'core' || this.wordIds.has(token.text),
      similar: exactSlots.length > 0 ? none : this.similarWords(token.text),
      other: new Map(),
    }));
    // An upper bound of each candidate's score from which of the name's words (or their typos) it
    // holds and how alike they are, gathered while the postings are walked: most candidates are
    // dropped unscored.
    const positionWeights = query.map((q) => typedWeight(q.text, q.kind, q.known));
    // A query word may pair with an account word beyond its typo neighbourhood too, a little less alike.
    const unreached = query.map((q) => unreachedSimilarity(q.text.length));
    const mostUnreached = Math.max(...unreached);
    const tracked = Math.min(query.length, TRACKED_WORDS);
    let untrackedWeight = 0;
    for (let p = tracked; p < query.length; p += 1) untrackedWeight += positionWeights[p] as number;
    // Legal forms and generic words are not walked: every account is assumed to hold them.
    let assumedMask = 0;
    let assumedWeight = 0;
    let total = untrackedWeight;
    for (let p = 0; p < tracked; p += 1) {
      total += positionWeights[p] as number;
      if ((query[p] as QueryWord).kind === 'core') continue;
      assumedMask |= 1 << p;
      assumedWeight += TOKEN_WEIGHTS[(query[p] as QueryWord).kind];
    }
    // For each set of the name's words an account holds: their part of the score at best, and how many are missing.
    const masks = 1 << tracked;
    const maskShared = new Float64Array(masks);
    const maskMissing = new Uint8Array(masks);
    const positionBest = query.map((q, p) => {
      let best = unreached[p] as number;
      for (const similarity of q.similar.values()) best = Math.max(best, similarity);
      return best;
    });
    for (let mask = 0; mask < masks; mask += 1) {
      let shared = untrackedWeight;
      for (let p = 0; p < tracked; p += 1) {
        const held = (mask & (1 << p)) !== 0;
        if (!held) maskMissing[mask] = (maskMissing[mask] as number) + 1;
        shared += (positionWeights[p] as number) * ((held ? positionBest[p] : unreached[p]) as number);
      }
      maskShared[mask] = shared;
    }
    if (this.wordMasks.length < this.words.length) {
      this.wordMasks = new Uint8Array(this.words.length * 2);
      this.wordSims = new Float32Array(this.words.length * 2);
    }
    const markedWords: number[] = [];
    for (let p = 0; p < tracked; p += 1) {
      for (const [word, similarity] of (query[p] as QueryWord).similar) {
        if (this.wordMasks[word] === 0) markedWords.push(word);
        this.wordMasks[word] = (this.wordMasks[word] as number) | (1 << p);
        this.wordSims[word] = Math.max(this.wordSims[word] as number, similarity);
      }
    }
    // An account of exactly this name in the lead's country is the match: no other name can rival it.
    const found = exactSlots.length > 0 ? [] : this.nameCandidates(query, markedWords, leadCountry);
    for (const word of markedWords) {
      this.wordMasks[word] = 0;
      this.wordSims[word] = 0;
    }
    if (found.length === 0 && exactSlots.length === 0) return [];

    const floor = Math.min(NEAR_SCORE, this.acceptScore - MATCH_MARGIN);
    if (this.bounds.length < found.length) this.bounds = new Float64Array(found.length * 2);
    const buckets = this.buckets.fill(0);
    const bucketOf = (bound: number): number =>
      Math.min(
        BOUND_BUCKETS - 1,
        Math.max(0, Math.floor(((bound - floor) / (1.01 - floor)) * BOUND_BUCKETS)),
      );
    let kept = 0;
    for (const slot of found) {
      const mask = (this.marks[slot] as number) | assumedMask;
      const facts = this.slotFacts[slot] as number;
      const accountWeight = (facts >>> 16) / 4;
      // The account's other words may be the name's legal forms and generic words, or pair with its
      // missing words as far as those reach.
      const unmarked = Math.max(0, accountWeight - (this.slotMarked[slot] as number));
      const assumed = Math.min(unmarked, assumedWeight);
      let accountMatched =
        (this.slotMatched[slot] as number) +
        assumed +
        mostUnreached * Math.min(unmarked - assumed, maskMissing[mask] as number);
      accountMatched = Math.min(accountWeight, accountMatched + untrackedWeight);
      this.marks[slot] = 0;
      this.slotMatched[slot] = 0;
      this.slotMarked[slot] = 0;
      const accountCountry = facts & 0xffff;
      const factor =
        leadCountry === 0 || accountCountry === 0
          ? UNKNOWN_COUNTRY
          : leadCountry === accountCountry
            ? SAME_COUNTRY
            : OTHER_COUNTRY;
      const similarityBound = Math.min(
        1,
        ((maskShared[mask] as number) + accountMatched) / (total + accountWeight),
      );
      const bound = similarityBound * factor + SAME_STATE_BONUS + SAME_CITY_BONUS;
      // Each kept candidate as one number, bound (in millionths) above slot, so a numeric sort orders them.
      if (bound >= floor) {
        this.bounds[kept] = Math.round(bound * 1e6) * SLOT_RANGE + slot;
        kept += 1;
        const bucket = bucketOf(bound);
        buckets[bucket] = (buckets[bucket] as number) + 1;
      }
    }
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
    if (exactSlots.length > 0) {
      for (const slot of exactSlots) scoreSlot(slot);
      return scored;
    }
    // Highest bounds first: the accounts kept are laid out by bucket, highest first (no sort of every
    // account found), and each bucket is sorted when it is reached, until no bound reaches a rival of
    // the best (within the margin) or the `keep` best.
    if (this.ordered.length < kept) this.ordered = new Float64Array(kept * 2);
    const ends = this.bucketEnds;
    let end = 0;
    for (let bucket = BOUND_BUCKETS - 1; bucket >= 0; bucket -= 1) {
      end += buckets[bucket] as number;
      ends[bucket] = end;
    }
    for (let k = 0; k < kept; k += 1) {
      const packed = this.bounds[k] as number;
      const bucket = bucketOf(Math.floor(packed / SLOT_RANGE) / 1e6);
      ends[bucket] = (ends[bucket] as number) - 1;
      this.ordered[ends[bucket] as number] = packed;
    }
    // Each bucket now starts at its `ends` entry and runs to the next higher one's start.
    let scoredCount = 0;
    let from = 0;
    for (let bucket = BOUND_BUCKETS - 1; bucket >= 0 && from < kept; bucket -= 1) {
      const to = from + (buckets[bucket] as number);
      if (to === from) continue;
      const run = this.ordered.subarray(from, to).sort();
      from = to;
      for (let k = run.length - 1; k >= 0; k -= 1) {
        const packed = run[k] as number;
        const bound = Math.floor(packed / SLOT_RANGE) / 1e6;
        const top = best[0];
        if (
          (top !== undefined && bound < top - MATCH_MARGIN && best.length >= keep) ||
          scoredCount >= MAX_SCORED_NAMES
        )
          return scored;
        scoredCount += 1;
        scoreSlot(packed % SLOT_RANGE);
      }
    }
    return scored;
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

  /**
   * Every account holding one of the name's distinctive words or a typo of it: the postings of each
   * such word are walked to the end, so no account sharing the name's evidence is left out, whatever
   * the order accounts were loaded in.
   */
  private nameCandidates(query: QueryWord[], markedWords: readonly number[], leadCountry: number): number[] {
    if (this.marks.length < this.accounts.length) {
      this.marks = new Uint8Array(this.accounts.length * 2);
      this.slotMatched = new Float32Array(this.accounts.length * 2);
      this.slotMarked = new Float32Array(this.accounts.length * 2);
    }
    const touched: number[] = [];
    // Each account found keeps which of the name's words it holds, and their weight as held and as alike.
    const walk = (word: number, onlyCountry = 0): void => {
      const mask = this.wordMasks[word] as number;
      const weight = KIND_WEIGHTS[this.wordKinds[word] as number] as number;
      const matched = weight * (this.wordSims[word] as number);
      const slots = this.postings.rowValues(word);
      const start = this.postings.rowStart(word);
      const end = this.postings.rowEnd(word);
      for (let i = start; i < end; i += 1) {
        const slot = slots[i] as number;
        if (onlyCountry !== 0 && ((this.slotFacts[slot] as number) & 0xffff) !== onlyCountry) continue;
        if (this.marks[slot] === 0) touched.push(slot);
        this.marks[slot] = (this.marks[slot] as number) | mask;
        this.slotMatched[slot] = (this.slotMatched[slot] as number) + matched;
        this.slotMarked[slot] = (this.slotMarked[slot] as number) + weight;
      }
    };
    for (const word of markedWords) if (this.wordKinds[word] === CORE) walk(word);
    // A name of legal forms and generic words only ("Global Holdings Ltd"): the accounts holding its
    // rarest word, all of them in the lead's country (or anywhere, when that is not too many).
    if (touched.length === 0 && query.every((q) => q.kind !== 'core')) {
      let rarest = -1;
      for (const q of query.slice(0, TRACKED_WORDS)) {
        const word = this.wordIds.get(q.text);
        if (word === undefined || this.wordKinds[word] === CORE) continue;
        if (rarest < 0 || this.postings.length(word) < this.postings.length(rarest)) rarest = word;
      }
      if (rarest >= 0 && (leadCountry > 0 || this.postings.length(rarest) <= GENERIC_WALK_LIMIT))
        walk(rarest, Math.max(0, leadCountry));
    }
    return touched;
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
    let similarity = query.similar.get(word) ?? query.other.get(word);
    if (similarity === undefined) {
      similarity = tokenSimilarity(query.text, this.words[word] as string);
      query.other.set(word, similarity);
    }
    return similarity;
  }

  /** Dictionary words within the typos a word of this length may carry, with their similarity. */
  private similarWords(text: string): ReadonlyMap<number, number> {
    let result = this.similarCache.get(text);
    if (result === undefined) {
      result = this.findSimilarWords(text);
      if (this.similarCache.size >= SIMILAR_CACHE_SIZE) this.similarCache.clear();
      this.similarCache.set(text, result);
    }
    return result;
  }

  /**
   * A known word's neighbours are the words one edit away (two for longer words); a word not in the
   * dictionary, likely a typo, reaches two edits as far as its length allows.
   */
  private findSimilarWords(text: string): Map<number, number> {
    const result = new Map<number, number>();
    const exact = this.wordIds.get(text);
    if (exact !== undefined) result.set(exact, 1);
    if (text.length < 3) return result;
    const deep = exact === undefined && text.length <= 12;
    const consider = (word: number): void => {
      if (result.has(word)) return;
      const candidate = this.words[word] as string;
      const longest = Math.max(candidate.length, text.length);
      const max = Math.min(2, deep ? allowedEdits(longest) : Math.floor(longest / 3));
      if (max === 0 || editDistance(text, candidate, max) > max) return;
      const similarity = tokenSimilarity(text, candidate);
      if (similarity > 0) result.set(word, similarity);
    };
    // The dictionary's keys leave out two letters: leaving out one here reaches two edits for a known word.
    const depth = deep ? 2 : 1;
    forEachDeletionHash(text, depth, (hash) => this.wordsByDeletion.forEach(hash, consider));
    return result;
  }
}
