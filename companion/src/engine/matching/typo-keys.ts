/**
 * Which dictionary words a typed word may be a typo of — every word `tokenSimilarity` gives more
 * than 0: within `allowedEdits` of the longer of the two (optimal string alignment: a letter
 * changed, added, dropped, or two neighbours swapped) — found through keys, never by comparing the
 * word with the whole dictionary. Each key family is chosen so a pair within reach always shares a
 * key; what shares a key is then compared in full.
 *
 * - Words of up to 7 letters are filed under themselves with up to two letters left out (up to one
 *   for words of up to 4 letters, none for up to 2). Two words within reach of each other meet
 *   under a key once each side leaves out its changed, swapped and extra letters; with the longer
 *   word at most 7 letters (two typos) neither side leaves out more than its share. A word of 8 to
 *   10 letters reaches a shorter word with up to three typos of which at least one is its extra
 *   letter, so the shorter one still leaves out at most two: the long word is looked up with up to
 *   three left out.
 * - Words of 8 letters or more (three typos) are filed under their two halves, each as it is and with
 *   each letter in turn unknown: of two halves sharing three typos, one holds at most one. A swap of
 *   the two letters astride the cut would spoil both halves, so the halves of the word with those two
 *   letters swapped are keys too. The typed word is looked up by its beginnings and endings of every
 *   length such a half (±1 letter) may have, each as it is, with a letter unknown (a letter changed),
 *   with two neighbours swapped, with a letter left out (one added) and with an unknown letter put in
 *   (one dropped): every key names its letters' places, so few words share one.
 */
import {
  allowedEdits,
  bitCount,
  editDistance,
  isDigit,
  isNumberWord,
  unitsEditDistance,
} from './company-name.js';
import { GrowableU32, HashMultiMap } from './packed-postings.js';

/** Words up to this long are filed with letters left out; longer ones by their halves. */
const KEYED_LENGTH = 7;
/**
 * A dictionary of up to this many words is compared with a typed word whole (each word's tag passed
 * over in a few operations): cheaper than working out and looking up the few hundred keys of a word.
 */
const SCANNED_WORDS = 2048;
const WHOLE = 0x811c9dc5;
const BEGINNING = 0x2c1b3c6d;
const ENDING = 0x297a2d39;

/** A letter no name holds, hashed where a key's letter is unknown. */
const UNKNOWN = 0xffff;
/** How `halfKey` changes a half: not at all, one letter unknown, swapped with the next, left out, an unknown one put in before it. */
const AS_IS = 0;
const UNKNOWN_AT = 1;
const SWAPPED_AT = 2;
const LEFT_OUT_AT = 3;
const PUT_IN_AT = 4;

/** FNV-1a from `seed` of `text[from, to)` changed once at `at` as `change` says (`PUT_IN_AT` may be at `to`). */
function halfKey(seed: number, text: string, from: number, to: number, change: number, at: number): number {
  let hash = seed;
  for (let i = from; i <= to; i += 1) {
    let unit = i < to ? text.charCodeAt(i) : -1;
    if (i === at) {
      if (change === PUT_IN_AT) {
        hash ^= UNKNOWN;
        hash = Math.imul(hash, 0x01000193);
      } else if (change === LEFT_OUT_AT) {
        continue;
      } else if (change === UNKNOWN_AT) {
        unit = UNKNOWN;
      } else if (change === SWAPPED_AT) {
        unit = text.charCodeAt(i + 1);
      }
    } else if (i === at + 1 && change === SWAPPED_AT) {
      unit = text.charCodeAt(at);
    }
    if (unit < 0) break;
    hash ^= unit;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Keys of a dictionary word's half `text[from, to)`: itself and with each letter but the one at `kept` unknown. */
function forEachHalfKey(
  seed: number,
  text: string,
  from: number,
  to: number,
  kept: number,
  visit: (hash: number) => void,
): void {
  visit(halfKey(seed, text, from, to, AS_IS, -1));
  for (let i = from; i < to; i += 1) if (i !== kept) visit(halfKey(seed, text, from, to, UNKNOWN_AT, i));
}

/**
 * Keys under which a dictionary half of `least` to `most` letters within one typo of `text[from, to)`
 * is filed (see the module comment).
 */
function forEachTypedHalfKey(
  seed: number,
  text: string,
  from: number,
  to: number,
  least: number,
  most: number,
  visit: (hash: number) => void,
): void {
  const length = to - from;
  const fits = (half: number): boolean => half >= least && half <= most;
  if (fits(length)) {
    // A dictionary half filed as it is is filed with each letter unknown too (a swapped word's, with all
    // but one): the keys with a letter unknown find it, and as it is would only find it again.
    if (length < 2) visit(halfKey(seed, text, from, to, AS_IS, -1));
    for (let i = from; i < to; i += 1) {
      visit(halfKey(seed, text, from, to, UNKNOWN_AT, i));
      if (i + 1 < to && text.charCodeAt(i) !== text.charCodeAt(i + 1))
        visit(halfKey(seed, text, from, to, SWAPPED_AT, i));
    }
  }
  if (fits(length - 1))
    for (let i = from; i < to; i += 1)
      if (i === from || text.charCodeAt(i) !== text.charCodeAt(i - 1))
        visit(halfKey(seed, text, from, to, LEFT_OUT_AT, i));
  if (fits(length + 1))
    for (let i = from; i <= to; i += 1) visit(halfKey(seed, text, from, to, PUT_IN_AT, i));
}

/** FNV-1a of `text[from, to)` leaving out the units at `skipA`, `skipB` and `skipC` (-1 for none), from `seed`. */
function keyHash(
  seed: number,
  text: string,
  from: number,
  to: number,
  skipA: number,
  skipB: number,
  skipC: number,
): number {
  let hash = seed;
  for (let i = from; i < to; i += 1) {
    if (i === skipA || i === skipB || i === skipC) continue;
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Hashes of `text[from, to)` with up to `most` units left out, of the keys `shortest` to `longest`
 * units long. Leaving out any unit of a run of equal ones gives the same key: only the first of a
 * run not itself left out is.
 */
function forEachShortened(
  seed: number,
  text: string,
  from: number,
  to: number,
  most: number,
  shortest: number,
  longest: number,
  visit: (hash: number) => void,
): void {
  const length = to - from;
  const fits = (left: number): boolean => length - left >= shortest && length - left <= longest;
  const repeats = (at: number, before: number): boolean =>
    at > from && at - 1 !== before && text.charCodeAt(at) === text.charCodeAt(at - 1);
  if (fits(0)) visit(keyHash(seed, text, from, to, -1, -1, -1));
  if (most < 1 || length - 1 < shortest) return;
  for (let i = from; i < to; i += 1) {
    if (repeats(i, -1)) continue;
    if (fits(1)) visit(keyHash(seed, text, from, to, i, -1, -1));
    if (most < 2 || length - 2 < shortest) continue;
    for (let j = i + 1; j < to; j += 1) {
      if (repeats(j, i)) continue;
      if (fits(2)) visit(keyHash(seed, text, from, to, i, j, -1));
      if (most < 3 || length - 3 < shortest) continue;
      for (let k = j + 1; k < to; k += 1) {
        if (!repeats(k, j) && fits(3)) visit(keyHash(seed, text, from, to, i, j, k));
      }
    }
  }
}

/** Letters a dictionary word of this length leaves out in its keys (see the module comment). */
function filedDeletions(length: number): number {
  return length <= 2 ? 0 : length <= 4 ? 1 : 2;
}

/** Calls `visit` with every key a dictionary word is filed under (some may repeat). */
function forEachTypoKey(word: string, visit: (hash: number) => void): void {
  const n = word.length;
  if (n <= KEYED_LENGTH) {
    forEachShortened(WHOLE, word, 0, n, filedDeletions(n), 0, n, visit);
    return;
  }
  const cut = n >> 1;
  forEachHalfKey(BEGINNING, word, 0, cut, -1, visit);
  forEachHalfKey(ENDING, word, cut, n, -1, visit);
  if (word.charCodeAt(cut - 1) === word.charCodeAt(cut)) return;
  // The word with the two letters astride the cut swapped: the keys that hold the swapped letter.
  const swapped = word.slice(0, cut - 1) + word.charAt(cut) + word.charAt(cut - 1) + word.slice(cut + 1);
  forEachHalfKey(BEGINNING, swapped, 0, cut, cut - 1, visit);
  forEachHalfKey(ENDING, swapped, cut, n, cut, visit);
}

/**
 * Letters of a word's tag (`tagOf`): 26 bits, one for each of its letters a–z counted with repeats (the
 * k-th "e" of a word has a bit of its own, shared with other letters' repeats); its length above them
 * (63: that or more). A typo adds or removes at most two letters of a word's letters counted so, so two
 * words within reach differ in at most twice the allowance of these bits: most words a key finds are
 * passed over without reading them (reading a word from the heap is what a long word's lookup costs).
 */
const TAG_LETTERS = 0x03ffffff;
const TAG_LENGTH_SHIFT = 26;
const TAG_LONG = 63;

/** What a key's entry carries beside the word, to pass it over without reading the word. */
function tagOf(word: string): number {
  let letters = 0;
  for (let i = 0; i < word.length; i += 1) {
    const c = word.charCodeAt(i);
    if (c < 97 || c > 122) continue;
    let repeats = 0;
    for (let j = 0; j < i; j += 1) if (word.charCodeAt(j) === c) repeats += 1;
    letters |= 1 << ((c - 97 + 11 * repeats) % 26);
  }
  return (letters | (Math.min(word.length, TAG_LONG) << TAG_LENGTH_SHIFT)) >>> 0;
}

/**
 * Each filed word's UTF-16 units, `PACKED_UNITS` a word at its id (zeros after a shorter word; a longer
 * one is read from its string): what a key finds is counted letter by letter from one run of memory,
 * not through the dictionary's array to the string and its characters.
 */
const PACKED_UNITS = 16;

/** `isNumberWord` of a word packed in `units[from, to)`. */
function unitsAreFigures(units: Uint16Array, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) if (!isDigit(units[i] as number)) return false;
  return to > from;
}

/**
 * A second count of a word's letters, each unit with its repeats on 32 bits placed otherwise than in
 * its tag: a word whose letters the tag cannot tell apart is mostly told apart by these.
 */
function spreadOf(word: string): number {
  let units = 0;
  for (let i = 0; i < word.length; i += 1) {
    const c = word.charCodeAt(i);
    let repeats = 0;
    for (let j = 0; j < i; j += 1) if (word.charCodeAt(j) === c) repeats += 1;
    units |= 1 << ((c * 19 + repeats * 5 + 3) & 31);
  }
  return units;
}

/** Scratch for comparing letter counts, by UTF-16 unit: the typed word's, and a dictionary word's so far (all 0 between uses). */
const unitCounts = new Uint16Array(0x10000);
const usedUnits = new Uint16Array(0x10000);

/**
 * The dictionary's words (ids are positions in the list the index keeps, shared, only ever appended
 * to) by their typo keys.
 */
export class TypoKeys {
  private readonly byKey = new HashMultiMap();
  /** Keys filed since the index was built, packed into `byKey` at the first lookup (a snapshot's keys, in bulk). */
  private pending: { hashes: GrowableU32; words: GrowableU32; tags: GrowableU32 } | null = {
    hashes: new GrowableU32(),
    words: new GrowableU32(),
    tags: new GrowableU32(),
  };
  /**
   * Per word, the lookup that last compared it (counted modulo 255: a byte a word, so few reads leave
   * the processor's cache): each is compared once per lookup.
   */
  private seen = new Uint8Array(1024);
  private lookups = 0;
  /** The words filed under a lookup's keys (repeats included), and their tags. */
  private readonly found = new GrowableU32(4096);
  private readonly foundTags = new GrowableU32(4096);
  /** Each filed word's tag, by its id. */
  private readonly tags = new GrowableU32();
  /** Each filed word's `spreadOf`, by its id. */
  private readonly spreads = new GrowableU32();
  /** Each filed word's units, by its id (`PACKED_UNITS`). */
  private units = new Uint16Array(1024 * PACKED_UNITS);

  /** Collects the words filed under a key into `found`: made once, not at each lookup. */
  private readonly find = (hash: number): void => this.byKey.collect(hash, this.found, this.foundTags);

  constructor(private readonly words: readonly string[]) {}

  /** Files a word under its keys. */
  add(word: number): void {
    while (this.tags.length < word) {
      this.tags.push(0);
      this.spreads.push(0);
    }
    const text = this.words[word] as string;
    this.tags.push(tagOf(text));
    this.spreads.push(spreadOf(text));
    if (this.units.length < (word + 1) * PACKED_UNITS) {
      const grown = new Uint16Array(Math.max(this.units.length * 2, (word + 1) * PACKED_UNITS));
      grown.set(this.units);
      this.units = grown;
    }
    if (text.length <= PACKED_UNITS)
      for (let i = 0; i < text.length; i += 1) this.units[word * PACKED_UNITS + i] = text.charCodeAt(i);
    // A small dictionary is compared whole: its words are filed only once it outgrows that, all at once.
    if (this.tags.length <= SCANNED_WORDS) return;
    if (this.tags.length === SCANNED_WORDS + 1) {
      this.pending ??= { hashes: new GrowableU32(), words: new GrowableU32(), tags: new GrowableU32() };
      for (let earlier = 0; earlier < word; earlier += 1) this.file(earlier);
    }
    this.file(word);
  }

  /** Files a word under its keys: packed at the next lookup while a snapshot is loaded, else one by one. */
  private file(word: number): void {
    const tag = this.tags.data[word] as number;
    const text = this.words[word] as string;
    const pending = this.pending;
    if (pending === null) {
      forEachTypoKey(text, (hash) => this.byKey.add(hash, word, tag));
      return;
    }
    forEachTypoKey(text, (hash) => {
      pending.hashes.push(hash);
      pending.words.push(word);
      pending.tags.push(tag);
    });
  }

  /** Every dictionary word within typo reach of `text`, with its `tokenSimilarity` (the word itself: 1). */
  neighbours(text: string): Map<number, number> {
    if (this.pending !== null) {
      const { hashes, words, tags } = this.pending;
      this.byKey.load(hashes.data, words.data, hashes.length, tags.data);
      this.pending = null;
    }
    const m = text.length;
    this.found.length = 0;
    this.foundTags.length = 0;
    if (this.tags.length <= SCANNED_WORDS) {
      for (let word = 0; word < this.tags.length; word += 1) {
        this.found.push(word);
        this.foundTags.push(this.tags.data[word] as number);
      }
      return this.compared(text);
    }
    const find = this.find;
    // Words of up to 7 letters: up to two letters left out (three from a word of 8 to 10 letters).
    if (m <= KEYED_LENGTH + 3) {
      const most = m <= KEYED_LENGTH ? filedDeletions(m) : 3;
      forEachShortened(WHOLE, text, 0, m, most, 0, KEYED_LENGTH, find);
    }
    // Words of 8 letters or more (n within 3 of m): a beginning or ending within one typo of their half.
    const shortestLong = Math.max(KEYED_LENGTH + 1, m - 3);
    const longestLong = m + 3;
    const halves = (seed: number, least: number, most: number): void => {
      // Halves of `least` to `most` letters; the typed side is within one letter of them.
      for (let length = Math.max(1, least - 1); length <= Math.min(m, most + 1); length += 1) {
        const from = seed === BEGINNING ? 0 : m - length;
        forEachTypedHalfKey(seed, text, from, from + length, least, most, find);
      }
    };
    if (shortestLong <= longestLong) {
      halves(BEGINNING, shortestLong >> 1, longestLong >> 1);
      halves(ENDING, shortestLong - (shortestLong >> 1), longestLong - (longestLong >> 1));
    }
    return this.compared(text);
  }

  /** The words found within typo reach of `text`, each compared once (what `tokenSimilarity` does, its checks first). */
  private compared(text: string): Map<number, number> {
    const result = new Map<number, number>();
    if (this.seen.length < this.words.length) this.seen = new Uint8Array(this.words.length * 2);
    this.lookups = (this.lookups + 1) & 0xff;
    if (this.lookups === 0) {
      this.seen.fill(0);
      this.lookups = 1;
    }
    const { seen, words, lookups, units } = this;
    const m = text.length;
    const textTag = tagOf(text);
    const textSpread = spreadOf(text);
    const spreads = this.spreads.data;
    const textIsNumber = isNumberWord(text);
    const counts = unitCounts;
    const used = usedUnits;
    for (let i = 0; i < m; i += 1) counts[text.charCodeAt(i)] = (counts[text.charCodeAt(i)] as number) + 1;
    const candidates = this.found.data;
    const tags = this.foundTags.data;
    for (let k = 0; k < this.found.length; k += 1) {
      const tag = tags[k] as number;
      let n = tag >>> TAG_LENGTH_SHIFT;
      const word = candidates[k] as number;
      if (n === TAG_LONG) n = (words[word] as string).length;
      const longest = n > m ? n : m;
      const edits = allowedEdits(longest);
      if (n - m > edits || m - n > edits) continue;
      // Each typo changes at most two letters of the set a word uses, and of the letters counted with repeats.
      if (bitCount((textTag ^ tag) & TAG_LETTERS) > 2 * edits) continue;
      if (bitCount(textSpread ^ (spreads[word] as number)) > 2 * edits) continue;
      if (seen[word] === lookups) continue;
      seen[word] = lookups;
      let shared = 0;
      const packed = n <= PACKED_UNITS;
      const start = word * PACKED_UNITS;
      if (packed) {
        for (let i = start; i < start + n; i += 1) {
          const unit = units[i] as number;
          const taken = used[unit] as number;
          if (taken < (counts[unit] as number)) shared += 1;
          used[unit] = taken + 1;
        }
        for (let i = start; i < start + n; i += 1) used[units[i] as number] = 0;
      } else {
        const long = words[word] as string;
        for (let i = 0; i < n; i += 1) {
          const unit = long.charCodeAt(i);
          const taken = used[unit] as number;
          if (taken < (counts[unit] as number)) shared += 1;
          used[unit] = taken + 1;
        }
        for (let i = 0; i < n; i += 1) used[long.charCodeAt(i)] = 0;
      }
      if (m + n - 2 * shared > 2 * edits) continue;
      const distance = packed
        ? unitsEditDistance(text, units, start, start + n, edits)
        : editDistance(text, words[word] as string, edits);
      // A number is no typo of another word, nor another word of it (asked last: few words get here).
      if (distance > edits) continue;
      if (
        distance > 0 &&
        (textIsNumber ||
          (packed ? unitsAreFigures(units, start, start + n) : isNumberWord(words[word] as string)))
      )
        continue;
      result.set(word, 1 - distance / longest);
    }
    for (let i = 0; i < m; i += 1) counts[text.charCodeAt(i)] = 0;
    return result;
  }
}
