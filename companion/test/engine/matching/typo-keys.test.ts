import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/crm/local/demo-org.generator.js';
import { tokenSimilarity } from '../../../src/engine/matching/company-name.js';
import { TypoKeys } from '../../../src/engine/matching/typo-keys.js';

/** Half the words filed before the first lookup (packed then), the rest after it. */
function keysOf(words: readonly string[]): TypoKeys {
  const dictionary: string[] = [];
  const keys = new TypoKeys(dictionary);
  words.forEach((word, id) => {
    dictionary.push(word);
    keys.add(id);
    if (id === words.length >> 1) keys.neighbours(word);
  });
  return keys;
}

/** What comparing the word with every dictionary word finds. */
function scanned(words: readonly string[], text: string): Map<number, number> {
  const found = new Map<number, number>();
  words.forEach((word, id) => {
    const similarity = tokenSimilarity(text, word);
    if (similarity > 0) found.set(id, similarity);
  });
  return found;
}

const sorted = (map: ReadonlyMap<number, number>): Array<[number, number]> =>
  [...map].sort((a, b) => a[0] - b[0]);

describe('TypoKeys.neighbours', () => {
  it('finds the words within three typos of a long word, a swap astride the middle included', () => {
    const words = ['abcdefgh', 'abcdefghij', 'abcdefg', 'zzzzzzzz'];
    const keys = keysOf(words);
    // The middle letters swapped, then a letter changed on each side.
    expect(sorted(keys.neighbours('xbcedfgy'))).toEqual(sorted(scanned(words, 'xbcedfgy')));
    expect(keys.neighbours('xbcedfgy').has(0)).toBe(true);
    // Three letters changed in a ten-letter word; a ten-letter word three letters longer than a seven-letter one.
    expect(keys.neighbours('abXdeYghiZ').get(1)).toBeCloseTo(0.7);
    expect(keys.neighbours('abcdefgxyz').get(2)).toBeCloseTo(0.7);
    expect(keys.neighbours('abcdefgh').get(0)).toBe(1);
  });

  it('finds a number only as itself: other numbers and words are not its typos, nor it theirs', () => {
    const words = ['2020', '2021', '202', '20201', 'a2020', 'studio54', 'studio55', 'studio'];
    const keys = keysOf(words);
    for (const text of ['2020', '2o20', 'studio54', '54'])
      expect(sorted(keys.neighbours(text)), text).toEqual(sorted(scanned(words, text)));
    expect(sorted(keys.neighbours('2020'))).toEqual([[0, 1]]);
    expect(keys.neighbours('2o20').has(0)).toBe(false);
    // Figures inside a word are compared as its letters are.
    expect(keys.neighbours('studio54').get(6)).toBeCloseTo(0.875);
  });

  it('finds exactly what a scan of the dictionary finds, for words of every length with up to three typos', () => {
    const next = mulberry32(17);
    const letters = 'abdeilnorstu';
    const letter = (): string => letters.charAt(Math.floor(next() * letters.length));
    const seen = new Set<string>();
    const words: string[] = [];
    while (words.length < 3000) {
      let word = '';
      for (let length = 1 + Math.floor(next() * 16); word.length < length;) word += letter();
      if (!seen.has(word)) words.push(word);
      seen.add(word);
    }
    const keys = keysOf(words);
    const typo = (word: string): string => {
      let text = word;
      for (let typos = 1 + Math.floor(next() * 3); typos > 0; typos -= 1) {
        const at = Math.floor(next() * text.length);
        const kind = Math.floor(next() * 4);
        if (kind === 0) text = text.slice(0, at) + letter() + text.slice(at);
        else if (kind === 1 && text.length > 1) text = text.slice(0, at) + text.slice(at + 1);
        else if (kind === 2) text = text.slice(0, at) + letter() + text.slice(at + 1);
        else if (at + 1 < text.length)
          text = text.slice(0, at) + text.charAt(at + 1) + text.charAt(at) + text.slice(at + 2);
      }
      return text;
    };
    let pairs = 0;
    for (let query = 0; query < 600; query += 1) {
      const text = typo(words[Math.floor(next() * words.length)] as string);
      const expected = scanned(words, text);
      pairs += expected.size;
      expect(sorted(keys.neighbours(text)), text).toEqual(sorted(expected));
    }
    // The comparison covered many pairs, not only each query's own word.
    expect(pairs).toBeGreaterThan(1200);
  });

  it('finds the same for words longer than the letters it keeps packed, and for letters beyond a–z', () => {
    const next = mulberry32(23);
    const letters = 'aeilnorsßøçž';
    const words = new Set<string>();
    while (words.size < 2500) {
      let word = '';
      for (let length = 12 + Math.floor(next() * 10); word.length < length;)
        word += letters.charAt(Math.floor(next() * letters.length));
      words.add(word);
    }
    const list = [...words];
    const keys = keysOf(list);
    // Words found of up to 16 letters (kept packed) and longer (read from their strings).
    let packed = 0;
    let long = 0;
    for (let query = 0; query < 300; query += 1) {
      const word = list[Math.floor(next() * list.length)] as string;
      const at = Math.floor(next() * (word.length - 1));
      // A letter changed, and two neighbours swapped.
      const text = word.slice(0, at) + word.charAt(at + 1) + word.charAt(at) + word.slice(at + 2, -1) + 'ž';
      const expected = scanned(list, text);
      for (const id of expected.keys())
        if ((list[id] as string).length > 16) long += 1;
        else packed += 1;
      expect(sorted(keys.neighbours(text)), text).toEqual(sorted(expected));
    }
    expect(packed).toBeGreaterThan(50);
    expect(long).toBeGreaterThan(50);
  });
});
