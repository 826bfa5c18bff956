import { LEGAL_FORMS } from './legal-forms.js';
import { remembered } from '../remembered.js';

/**
 * Company names as people type them: "ACME Ltd.", "Acme Limited", "Acme & Sons", "Sons Acme and",
 * "Acme GmbH & Co. KG", "Acmee Ltd". Normalisation removes what does not tell companies apart
 * (case, accents, punctuation, conjunctions) and marks what tells them apart only weakly (legal
 * forms, generic words such as "Group" or "Sons"), so a score can weigh them less without losing them.
 */

export type TokenKind = 'core' | 'generic' | 'legal';

export interface NameToken {
  text: string;
  kind: TokenKind;
}

export interface NormalisedName {
  tokens: NameToken[];
  /** Core and generic words, sorted: equal keys mean the same name up to legal form, order and punctuation. */
  key: string;
}

/** How much a word counts when two names are compared. */
export const TOKEN_WEIGHTS: Readonly<Record<TokenKind, number>> = { core: 1, generic: 0.5, legal: 0.25 };

const FOLDED: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  ø: 'o',
  œ: 'oe',
  ł: 'l',
  đ: 'd',
  þ: 'th',
  ı: 'i',
};

/** Lower case without accents: "Ösinski" → "osinski", "Straße" → "strasse". */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæøœłđþı]/g, (c) => FOLDED[c] ?? c);
}

/** Words that join names but never distinguish them. */
const CONJUNCTIONS: ReadonlySet<string> = new Set(['and', 'und', 'en', 'et', 'y']);
const ARTICLES: ReadonlySet<string> = new Set([
  'the',
  'of',
  'de',
  'del',
  'la',
  'le',
  'les',
  'der',
  'die',
  'das',
  'het',
  'el',
]);

/**
 * Words that many unrelated companies share. They still count ("Brown Group" is not "Brown
 * Holdings"), at half weight.
 */
const GENERIC_WORDS: ReadonlySet<string> = new Set([
  'group',
  'groupe',
  'gruppe',
  'groep',
  'grupo',
  'gruppo',
  'sons',
  'son',
  'brothers',
  'bros',
  'holding',
  'holdings',
  'international',
  'intl',
  'global',
  'worldwide',
  'solutions',
  'services',
  'systems',
  'technologies',
  'technology',
  'tech',
  'partners',
  'associates',
  'consulting',
  'industries',
  'enterprises',
  'ventures',
  'labs',
  'capital',
  'management',
  'trading',
  'software',
]);

/** Abbreviations in the legal-form list that are also everyday words or too short to trust. */
const UNSAFE_LEGAL_WORDS: ReadonlySet<string> = new Set([
  'at',
  'is',
  'et',
  'uk',
  'eu',
  'ok',
  'ii',
  'ent',
  'private',
  'privatei',
  'firma',
  'sem',
  'ses',
  'sep',
  'ps',
  'ud',
]);

/** Placeholders people type when they will not name a company; they never match anything. */
const PLACEHOLDER_NAMES: ReadonlySet<string> = new Set([
  '',
  'na',
  'n a',
  'none',
  'null',
  'unknown',
  'not provided',
  'notprovided',
  'not applicable',
  'test',
  'private',
  'individual',
  'self',
  'self employed',
  'selfemployed',
  'personal',
  'home',
  'student',
  'retired',
  'freelance',
  'freelancer',
]);

/** Splits folded text into words: apostrophes and dots join ("O'Hara", "S.A."), other marks separate or vanish. */
function rawTokens(name: string): string[] {
  // Plain ASCII (most names) takes a single pass instead of Unicode folding and patterns: same result.
  if (/^[\x20-\x7e]*$/.test(name)) return asciiTokens(name.toLowerCase());
  return foldText(name)
    .replace(/[&+]/g, ' and ')
    .replace(/(^|[^\p{L}\p{N}])(\p{L})\/(\p{L})(?![\p{L}\p{N}])/gu, '$1$2$3')
    .replace(/['’‘`´.]/g, '')
    .replace(/(\p{L}{2})\p{N}+(?=\p{L}{2})/gu, '$1 ')
    .replace(/[\s,;:\-–—/()]+/g, ' ')
    .replace(/[^\p{L}\p{N} ]+/gu, '')
    .split(' ')
    .filter((t) => t !== '');
}

const isLetter = (c: number | undefined): boolean => c !== undefined && c >= 97 && c <= 122;
export const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 57;
const isAlnum = (c: number | undefined): boolean => isLetter(c) || isDigit(c);
const SPACE = 32;
const SEPARATORS = new Set([SPACE, 44, 59, 58, 45, 47, 40, 41]); // space , ; : - / ( )

/** `rawTokens` for lower-case printable ASCII, in one pass per rule group and without regular expressions. */
/** Files the token read so far (if any) and starts the next: a function of its own, made once, not per name. */
function endToken(tokens: string[], current: string): string {
  if (current !== '') tokens.push(current);
  return '';
}

function asciiTokens(text: string): string[] {
  const codes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 38 || c === 43)
      codes.push(SPACE, 97, 110, 100, SPACE); // & + → and
    else codes.push(c);
  }
  // "a/s", "b/v": a slash between two lone letters joins them; apostrophes, backticks and dots join.
  const joined: number[] = [];
  for (let i = 0; i < codes.length; i += 1) {
    const c = codes[i] as number;
    if (
      c === 47 &&
      isLetter(codes[i - 1]) &&
      !isAlnum(codes[i - 2]) &&
      isLetter(codes[i + 1]) &&
      !isAlnum(codes[i + 2])
    )
      continue;
    if (c === 39 || c === 96 || c === 46) continue;
    joined.push(c);
  }
  const tokens: string[] = [];
  let current = '';
  for (let i = 0; i < joined.length; i += 1) {
    const c = joined[i] as number;
    if (isLetter(c)) current += String.fromCharCode(c);
    else if (isDigit(c)) {
      let last = i;
      while (isDigit(joined[last + 1])) last += 1;
      // Digits standing in for a space between two words: "Roberts6LLC".
      const between =
        isLetter(joined[i - 1]) &&
        isLetter(joined[i - 2]) &&
        isLetter(joined[last + 1]) &&
        isLetter(joined[last + 2]);
      if (between) current = endToken(tokens, current);
      else for (let k = i; k <= last; k += 1) current += String.fromCharCode(joined[k] as number);
      i = last;
    } else if (SEPARATORS.has(c)) current = endToken(tokens, current);
  }
  endToken(tokens, current);
  return tokens;
}

interface LegalTables {
  /** Canonical legal-form words. */
  words: Set<string>;
  /** Word sequences (space-joined) that spell a legal form, to their canonical word. */
  phrases: Map<string, string>;
  longestPhrase: number;
  /** Words that start a phrase of more than one word, with the longest such phrase. */
  phraseStarts: Map<string, number>;
}

function buildLegalTables(): LegalTables {
  const words = new Set<string>();
  const phrases = new Map<string, string>();
  let longestPhrase = 1;
  const phraseStarts = new Map<string, number>();
  const addPhrase = (tokens: string[], canonical: string): void => {
    if (tokens.length === 0) return;
    const phrase = tokens.join(' ');
    if (tokens.length === 1 && (UNSAFE_LEGAL_WORDS.has(phrase) || phrase.length < 2)) return;
    if (!phrases.has(phrase)) phrases.set(phrase, canonical);
    longestPhrase = Math.max(longestPhrase, tokens.length);
    const first = tokens[0] as string;
    if (tokens.length > 1) phraseStarts.set(first, Math.max(phraseStarts.get(first) ?? 0, tokens.length));
  };
  // Common English forms first, so "limited" canonicalises to "ltd" wherever the list spells it out.
  const entries: Array<readonly [string, string]> = [
    ['ltd', 'limited'],
    ['inc', 'incorporated'],
    ['corp', 'corporation'],
    ['co', 'company'],
    ['llc', 'limited liability company'],
    ['plc', 'public limited company'],
    ['pty', 'proprietary'],
    ...LEGAL_FORMS,
  ];
  for (const [abbreviation, fullName] of entries) {
    const abbreviationTokens = rawTokens(abbreviation).filter((t) => !CONJUNCTIONS.has(t));
    const joined = abbreviationTokens.join('');
    const canonical = phrases.get(abbreviationTokens.join(' ')) ?? joined;
    if (canonical.length < 2 || UNSAFE_LEGAL_WORDS.has(canonical)) continue;
    words.add(canonical);
    addPhrase(abbreviationTokens, canonical);
    addPhrase([canonical], canonical);
    addPhrase(
      rawTokens(fullName).filter((t) => !CONJUNCTIONS.has(t)),
      canonical,
    );
  }
  return { words, phrases, longestPhrase, phraseStarts };
}

const LEGAL = buildLegalTables();

function kindOf(word: string): TokenKind {
  if (LEGAL.words.has(word)) return 'legal';
  if (GENERIC_WORDS.has(word)) return 'generic';
  return 'core';
}

/** True for words the normaliser knows without any index: conjunctions, articles, legal forms, generic words. */
export function isBuiltinWord(word: string): boolean {
  return CONJUNCTIONS.has(word) || ARTICLES.has(word) || LEGAL.phrases.has(word) || GENERIC_WORDS.has(word);
}

function replaceLegalPhrases(words: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < words.length) {
    let taken = 0;
    const longest = Math.min(LEGAL.phraseStarts.get(words[i] as string) ?? 1, words.length - i);
    for (let length = longest; length >= 1; length -= 1) {
      const canonical = LEGAL.phrases.get(
        length === 1 ? (words[i] as string) : words.slice(i, i + length).join(' '),
      );
      // A lone word is only a legal form when something else names the company.
      if (canonical !== undefined && !(length === words.length)) {
        out.push(canonical);
        taken = length;
        break;
      }
    }
    if (taken === 0) {
      out.push(words[i] as string);
      taken = 1;
    }
    i += taken;
  }
  return out;
}

/** A word of figures only ("54", "2020"): a number, which no other word is a typo of. */
export function isNumberWord(word: string): boolean {
  if (word.length === 0) return false;
  for (let i = 0; i < word.length; i += 1) if (!isDigit(word.charCodeAt(i))) return false;
  return true;
}

/** A number as its value is written: "054" → "54", "000" → "0". */
function withoutLeadingZeros(figures: string): string {
  let start = 0;
  while (start < figures.length - 1 && figures.charCodeAt(start) === 48) start += 1;
  return start === 0 ? figures : figures.slice(start);
}

/**
 * The numbers a company name carries, by value and in order of value, space-separated ('' for none):
 * its words of figures ("Studio 54", "Acme 2020 Ltd") and runs of two figures or more inside a word
 * ("Studio54"). A lone figure inside a word is read as a slip of the keyboard ("Bernier 4roup"), not as
 * a number. Names whose numbers differ are other companies, however alike their letters: "Studio 54" is
 * not "Studio 55", nor "Studio", and "Acme 2020 Ltd" is not "Acme Ltd" (`AccountIndex` applies it).
 */
export function nameNumbers(words: Iterable<string>): string {
  let numbers: string[] | null = null;
  for (const word of words) {
    if (isNumberWord(word)) {
      (numbers ??= []).push(withoutLeadingZeros(word));
      continue;
    }
    for (let i = 0; i < word.length; i += 1) {
      if (!isDigit(word.charCodeAt(i))) continue;
      let end = i + 1;
      while (end < word.length && isDigit(word.charCodeAt(end))) end += 1;
      if (end - i >= 2) (numbers ??= []).push(withoutLeadingZeros(word.slice(i, end)));
      i = end;
    }
  }
  if (numbers === null) return '';
  return numbers.length === 1
    ? (numbers[0] as string)
    : numbers.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)).join(' ');
}

function toTokens(typed: string[]): NameToken[] {
  // A number counts by its value: "Studio 054" is "Studio 54".
  const words = typed.map((w) => (isNumberWord(w) ? withoutLeadingZeros(w) : w));
  const meaningful = words.filter((w) => !CONJUNCTIONS.has(w));
  const replaced = replaceLegalPhrases(meaningful);
  const withoutArticles = replaced.filter((w) => !ARTICLES.has(w));
  const kept = withoutArticles.length > 0 ? withoutArticles : replaced;
  const kinds = kept.map(kindOf);
  const onlyLegal = kinds.every((kind) => kind === 'legal');
  return kept.map((text, i) => ({ text, kind: onlyLegal ? 'core' : (kinds[i] as TokenKind) }));
}

function toNormalised(words: string[]): NormalisedName {
  const tokens = toTokens(words);
  const distinctive = tokens.filter((t) => t.kind !== 'legal').map((t) => t.text);
  const key = (distinctive.length > 0 ? distinctive : tokens.map((t) => t.text)).sort().join(' ');
  return { tokens, key };
}

/** "Feeney, Aufderhar & Kirlin Ltd." → tokens feeney, aufderhar, kirlin, ltd (legal); key "aufderhar feeney kirlin". */
export function normaliseCompanyName(name: string | null | undefined): NormalisedName {
  return toNormalised(typeof name === 'string' ? rawTokens(name) : []);
}

/** The words of `normaliseCompanyName` without the key, for indexes that do not need it. */
export function companyNameTokens(name: string | null | undefined): NameToken[] {
  return toTokens(typeof name === 'string' ? rawTokens(name) : []);
}

/** True when the normalised words are a placeholder ("N/A", "Unknown"…) rather than a name. */
export function isPlaceholderTokens(tokens: readonly NameToken[]): boolean {
  if (tokens.length > 3) return false;
  return PLACEHOLDER_NAMES.has(tokens.map((t) => t.text).join(' '));
}

/** True for "N/A", "Unknown", "[not provided]", "Self-employed"… and empty names. */
export function isPlaceholderCompany(name: string | null | undefined): boolean {
  return typeof name !== 'string' || isPlaceholderWords(rawTokens(name));
}

const isPlaceholderWords = (words: readonly string[]): boolean => PLACEHOLDER_NAMES.has(words.join(' '));

/** Keys by name as typed: a lead's name is keyed again at each lookup and when its decision is filed. */
const rememberedKey = remembered(keyOf);

/** The key of `normaliseCompanyName`, or null for placeholders and names without words. */
export function companyNameKey(name: string | null | undefined): string | null {
  return typeof name === 'string' ? rememberedKey(name) : null;
}

function keyOf(name: string): string | null {
  const words = rawTokens(name);
  if (isPlaceholderWords(words)) return null;
  const key = toNormalised(words).key;
  return key === '' ? null : key;
}

/** What the words of a typed name are checked against when they are repaired. */
export interface Vocabulary {
  /** The word is known exactly. */
  has(word: string): boolean;
  /** Similarity (0..1) of the word to the closest known word; 0 when none is close. */
  near(word: string): number;
  /**
   * How many words are known, when the vocabulary only ever grows: its answers stay the same while
   * this does, so the repair of a word is remembered until it changes (none kept without it).
   */
  readonly size?: number;
}

const NEAR_ENOUGH = 0.75;

const BUILTIN_LIST: readonly string[] = [
  ...CONJUNCTIONS,
  ...[...GENERIC_WORDS].filter((w) => w.length >= 4),
  ...['ltd', 'inc', 'llc', 'plc', 'corp', 'gmbh', 'limited', 'company', 'corporation', 'incorporated'],
];

function nearBuiltin(word: string): boolean {
  if (isBuiltinWord(word)) return true;
  for (const known of BUILTIN_LIST) {
    if (Math.abs(known.length - word.length) <= 1 && tokenSimilarity(word, known) >= 0.6) return true;
  }
  return false;
}

/** "aUd", "Mnd" → "and"; "Lmited" → "limited": one slip in a word the normaliser knows. */
function slipOfBuiltin(word: string): string | undefined {
  if (word.length < 3) return undefined;
  for (const builtin of BUILTIN_LIST) {
    if (Math.abs(builtin.length - word.length) <= 1 && editDistance(word, builtin, 1) <= 1) return builtin;
  }
  return undefined;
}

const LETTERS_ONLY = /^\p{L}+$/u;

/** A word known to the vocabulary or to the normaliser, as a test made once per vocabulary. */
const knownTests = new WeakMap<Vocabulary, (word: string) => boolean>();

function knownTo(vocabulary: Vocabulary): (word: string) => boolean {
  let known = knownTests.get(vocabulary);
  if (known === undefined) {
    known = (word) => vocabulary.has(word) || isBuiltinWord(word);
    knownTests.set(vocabulary, known);
  }
  return known;
}

/** Repairs of long words (see `repairWords`) remembered at most, per vocabulary. */
const REPAIRS_KEPT = 10_000;

/** Per vocabulary with a `size`, the repairs of long words made while it had that many words. */
const repairsOf = new WeakMap<Vocabulary, { size: number; repairs: Map<string, readonly string[]> }>();

/**
 * Repairs typing slips against known words: "Harb-er" → "harber", "an-d" → "and",
 * "FritschKunde" → "fritsch kunde", "JenkinsLud" → "jenkins lud". Only words that are not known
 * as typed are touched, and only into words that are known.
 */
function repairWords(words: string[], vocabulary: Vocabulary): string[] {
  const known = knownTo(vocabulary);
  const joined: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] as string;
    const next = words[i + 1];
    if (next !== undefined && !(known(word) && known(next))) {
      const both = word + next;
      // Two unknown pieces are one word typed apart when together they are near a known word;
      // figures are not typed apart ("Newco 2024"), so only letters are tried.
      const pieces = !known(word) && !known(next) && LETTERS_ONLY.test(both);
      if (known(both) || (pieces && vocabulary.near(both) >= NEAR_ENOUGH)) {
        joined.push(both);
        i += 1;
        continue;
      }
    }
    joined.push(word);
  }
  const out: string[] = [];
  const size = vocabulary.size;
  let kept = size === undefined ? undefined : repairsOf.get(vocabulary);
  if (size !== undefined && kept?.size !== size) {
    // New words may repair a word otherwise: what was remembered with fewer is forgotten.
    kept = { size, repairs: new Map() };
    repairsOf.set(vocabulary, kept);
  }
  for (const typed of joined) {
    const remembered = kept?.repairs.get(typed);
    if (remembered !== undefined) {
      out.push(...remembered);
      continue;
    }
    const pieces = repairWord(typed, vocabulary, known);
    out.push(...pieces);
    // Only long words are worth remembering: a short one is looked at without a split.
    if (kept !== undefined && typed.length >= 6) {
      if (kept.repairs.size >= REPAIRS_KEPT) kept.repairs.clear();
      kept.repairs.set(typed, pieces);
    }
  }
  return out;
}

/** One typed word repaired: as it is, its builtin word ("Lmited" → "limited"), or split in two known words. */
function repairWord(
  typed: string,
  vocabulary: Vocabulary,
  known: (word: string) => boolean,
): readonly string[] {
  const word = known(typed) ? typed : (slipOfBuiltin(typed) ?? typed);
  if (word.length < 6 || known(word) || vocabulary.near(word) >= NEAR_ENOUGH) return [word];
  let split: [string, string] | null = null;
  for (let k = word.length - 2; k >= 3 && split === null; k -= 1) {
    const head = word.slice(0, k);
    const tail = word.slice(k);
    const headExact = known(head);
    // A misspelt head needs a name word after it (4 letters or more, or a known one; see below): before
    // a shorter tail it is not asked for.
    const headNear =
      !headExact &&
      head.length >= 4 &&
      (tail.length >= 4 || (tail.length === 3 && known(tail))) &&
      vocabulary.near(head) >= NEAR_ENOUGH;
    if (!headExact && !headNear) continue;
    // A misspelt head needs a real name word after it, not a scrap that happens to spell a legal form.
    const tailWord = tail.length >= 4 && (vocabulary.has(tail) || vocabulary.near(tail) >= NEAR_ENOUGH);
    const tailScrap = known(tail) || (tail.length >= 3 && nearBuiltin(tail));
    const tailExact = tail.length >= 3 && known(tail);
    if (tailWord || (headExact && tailScrap) || tailExact) split = [head, tail];
  }
  return split ?? [word];
}

/** Normalises a name as typed by a person, repairing slips against the words of `vocabulary`. */
export function normaliseTypedName(name: string | null | undefined, vocabulary: Vocabulary): NormalisedName {
  const words = typeof name === 'string' ? rawTokens(name) : [];
  return toNormalised(repairWords(words, vocabulary));
}

/** Per UTF-16 unit, the places it holds in the word being compared (all 0 between uses). */
const placeMasks = new Int32Array(0x10000);

/** `b` of `editDistance` as UTF-16 units, for the comparison that reads them from an array. */
let comparedUnits = new Uint16Array(64);

/**
 * Optimal string alignment distance (typos incl. swapped neighbours), or `max + 1` once it exceeds `max`.
 * Words of up to 31 letters take one column of the distance table at a time as bits (Hyyrö's
 * bit-vector algorithm with transpositions, 2003): a few operations a letter, not one per cell.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0 || lb === 0) return Math.max(la, lb);
  if (la > 31) return slowEditDistance(a, b, max);
  if (comparedUnits.length < lb) comparedUnits = new Uint16Array(lb * 2);
  for (let j = 0; j < lb; j += 1) comparedUnits[j] = b.charCodeAt(j);
  return unitsEditDistance(a, comparedUnits, 0, lb, max);
}

/**
 * `editDistance` of `a` and the word held as UTF-16 units in `units[from, to)` (a dictionary's words
 * packed in one array are compared where they lie, without reading their strings).
 */
export function unitsEditDistance(
  a: string,
  units: Uint16Array,
  from: number,
  to: number,
  max: number,
): number {
  const la = a.length;
  const lb = to - from;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0 || lb === 0) return Math.max(la, lb);
  if (la > 31) return slowEditDistance(a, String.fromCharCode(...units.subarray(from, to)), max);
  for (let i = 0; i < la; i += 1) {
    const unit = a.charCodeAt(i);
    placeMasks[unit] = (placeMasks[unit] as number) | (1 << i);
  }
  const last = 1 << (la - 1);
  // Vertical deltas of the current column (+1, -1), and the matches of the previous letter of `b`.
  let plus = la === 31 ? 0x7fffffff : (1 << la) - 1;
  let minus = 0;
  let diagonal = 0;
  let previousMatches = 0;
  let distance = la;
  for (let j = 0; j < lb; j += 1) {
    const matches = placeMasks[units[from + j] as number] as number;
    const swapped = ((~diagonal & matches) << 1) & previousMatches;
    diagonal = (((matches & plus) + plus) ^ plus) | matches | minus | swapped;
    const horizontalPlus = minus | ~(diagonal | plus);
    const horizontalMinus = diagonal & plus;
    if ((horizontalPlus & last) !== 0) distance += 1;
    else if ((horizontalMinus & last) !== 0) distance -= 1;
    // The last cell falls by at most one a letter: past reach once it cannot come back within `max`.
    if (distance - (lb - 1 - j) > max) break;
    const shifted = (horizontalPlus << 1) | 1;
    minus = shifted & diagonal;
    plus = (horizontalMinus << 1) | ~(shifted | diagonal);
    previousMatches = matches;
  }
  for (let i = 0; i < la; i += 1) placeMasks[a.charCodeAt(i)] = 0;
  return distance > max ? max + 1 : distance;
}

function slowEditDistance(a: string, b: string, max: number): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1)
    rows.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i] as number[];
      const up = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = value;
    }
  }
  const result = (rows[a.length] as number[])[b.length] as number;
  return result > max ? max + 1 : result;
}

/** How many typos a word of this length may carry and still be the same word. */
export function allowedEdits(length: number): number {
  if (length <= 2) return 0;
  if (length <= 4) return 1;
  if (length <= 7) return 2;
  return 3;
}

/** The letters of a word as bits (a–z, digits folded onto 5 more bits, anything else on the last). */
export function letterBits(word: string): number {
  let bits = 0;
  for (let i = 0; i < word.length; i += 1) {
    const c = word.charCodeAt(i);
    bits |= c >= 97 && c <= 122 ? 1 << (c - 97) : c >= 48 && c <= 57 ? 1 << (26 + (c % 5)) : 1 << 31;
  }
  return bits;
}

export function bitCount(bits: number): number {
  let v = bits - ((bits >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/** 0..1 between two normalised words; 0 when they differ by more typos than their length allows. */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  const max = allowedEdits(longest);
  if (max === 0 || Math.abs(a.length - b.length) > max) return 0;
  // Each typo adds or removes at most two letters from the set of letters a word uses, so words whose
  // sets differ by more than twice the allowance are too far apart, without the full comparison.
  if (bitCount(letterBits(a) ^ letterBits(b)) > 2 * max) return 0;
  // A number is no typo of another word, nor another word of it: 2020 and 2021 are two numbers.
  if (isNumberWord(a) || isNumberWord(b)) return 0;
  const distance = editDistance(a, b, max);
  return distance > max ? 0 : 1 - distance / longest;
}

/** A word taking part in a comparison: its kind, and whether it is a real word (not an unknown typo). */
export interface AlignedToken {
  kind: TokenKind;
  known: boolean;
  /** Overrides the weight of its kind. */
  weight?: number;
}

/** Weight of a typed word: an unknown scrap of one or two letters is more likely a slip than a name. */
export function typedWeight(text: string, kind: TokenKind, known: boolean): number {
  return !known && text.length <= 2 ? TOKEN_WEIGHTS[kind] / 2 : TOKEN_WEIGHTS[kind];
}

const weightOf = (token: AlignedToken): number => token.weight ?? TOKEN_WEIGHTS[token.kind];

/**
 * Weighted, order-free agreement of two word lists (0..1): words are paired greedily, best pair
 * first; each pair counts its similarity times its weight; unpaired words count against. An unknown
 * word paired with a legal form or generic word ("Hnc" ~ "Inc") weighs what its partner weighs.
 * With `pairs`, the candidate word each query word was paired with (-1: none) is written there.
 */
export function alignScore(
  query: readonly AlignedToken[],
  candidate: readonly AlignedToken[],
  similarity: (queryIndex: number, candidateIndex: number) => number,
  pairs?: Int32Array,
): number {
  const rows = query.length;
  const columns = candidate.length;
  const cells = rows * columns;
  if (cells > ALIGN_SCRATCH) return alignScore(query.slice(0, 16), candidate.slice(0, 16), similarity, pairs);
  if (pairs !== undefined) pairs.fill(-1, 0, Math.min(rows, pairs.length));
  // Pair values in a reused matrix; the best remaining pair is taken until none is left.
  const sims = alignSims;
  const values = alignValues;
  for (let i = 0; i < rows; i += 1) {
    const q = query[i] as AlignedToken;
    for (let j = 0; j < columns; j += 1) {
      const cell = i * columns + j;
      const sim = similarity(i, j);
      sims[cell] = sim;
      if (sim <= 0) {
        values[cell] = 0;
        continue;
      }
      const c = candidate[j] as AlignedToken;
      const qWeight = !q.known && q.kind === 'core' ? weightOf(c) : weightOf(q);
      values[cell] = sim * (qWeight + weightOf(c));
    }
  }
  let total = 0;
  for (let j = 0; j < columns; j += 1) total += weightOf(candidate[j] as AlignedToken);
  const queryWeights = query.map(weightOf);
  let matched = 0;
  for (let round = Math.min(rows, columns); round > 0; round -= 1) {
    let bestCell = -1;
    let bestValue = 0;
    for (let cell = 0; cell < cells; cell += 1) {
      const value = values[cell] as number;
      if (
        value > bestValue ||
        (value === bestValue && value > 0 && (sims[cell] as number) > (sims[bestCell] as number))
      ) {
        bestValue = value;
        bestCell = cell;
      }
    }
    if (bestCell < 0) break;
    matched += bestValue;
    const i = Math.floor(bestCell / columns);
    const j = bestCell - i * columns;
    const q = query[i] as AlignedToken;
    if (!q.known && q.kind === 'core') queryWeights[i] = weightOf(candidate[j] as AlignedToken);
    if (pairs !== undefined && i < pairs.length) pairs[i] = j;
    for (let k = 0; k < columns; k += 1) values[i * columns + k] = 0;
    for (let k = 0; k < rows; k += 1) values[k * columns + j] = 0;
  }
  for (const w of queryWeights) total += w;
  return total === 0 ? 0 : Math.min(1, matched / total);
}

const ALIGN_SCRATCH = 256;
const alignSims = new Float64Array(ALIGN_SCRATCH);
const alignValues = new Float64Array(ALIGN_SCRATCH);

function vocabularyOf(name: NormalisedName): Vocabulary {
  const words = new Set(name.tokens.map((t) => t.text));
  return {
    has: (word) => words.has(word),
    near: (word) => {
      let best = 0;
      for (const known of words) best = Math.max(best, tokenSimilarity(word, known));
      return best;
    },
  };
}

function directedSimilarity(typed: string, reference: NormalisedName): number {
  const vocabulary = vocabularyOf(reference);
  const query = normaliseTypedName(typed, vocabulary);
  if (query.tokens.length === 0 || reference.tokens.length === 0) return 0;
  const queryTokens = query.tokens.map((t) => {
    const known = vocabulary.has(t.text) || t.kind !== 'core';
    return { kind: t.kind, known, weight: typedWeight(t.text, t.kind, known) };
  });
  const referenceTokens = reference.tokens.map((t) => ({ kind: t.kind, known: true }));
  return alignScore(queryTokens, referenceTokens, (i, j) =>
    tokenSimilarity((query.tokens[i] as NameToken).text, (reference.tokens[j] as NameToken).text),
  );
}

/**
 * @internal The account index scores with the same parts; this pairwise form is what the name tests measure.
 * 0..1 between two company names as typed, tolerant of case, accents, punctuation, "&"/"and",
 * legal forms, word order and typos. 1 means the same name up to those differences.
 */
export function companyNameSimilarity(a: string | null | undefined, b: string | null | undefined): number {
  if (isPlaceholderCompany(a) || isPlaceholderCompany(b)) return 0;
  const left = normaliseCompanyName(a);
  const right = normaliseCompanyName(b);
  if (left.key === right.key && left.key !== '') {
    return alignScore(
      left.tokens.map((t) => ({ kind: t.kind, known: true })),
      right.tokens.map((t) => ({ kind: t.kind, known: true })),
      (i, j) => ((left.tokens[i] as NameToken).text === (right.tokens[j] as NameToken).text ? 1 : 0),
    );
  }
  return Math.max(directedSimilarity(a as string, right), directedSimilarity(b as string, left));
}
