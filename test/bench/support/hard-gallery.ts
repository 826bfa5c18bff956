/**
 * A hard gallery for name matching: unique company names made from the surnames and patterns of a
 * set of real-looking names ("Schumm PLC", "Frami-Orn", "Towne, Johnston and Murray"), so every
 * surname is shared by thousands of accounts and most names have look-alikes that differ only in
 * one word or in word order — as in a real org, unlike names drawn from a large random vocabulary.
 */
import type { AccountRecord } from '../../../companion/src/engine/model.js';
import type { CompanyName } from './name-matching-data.js';
import { random } from './synthetic-accounts.js';

const SUFFIXES = ['LLC', 'PLC', 'Ltd', 'Group', 'and Sons', 'Inc'];
const SUFFIX_WORDS = new Set(['and', 'llc', 'plc', 'ltd', 'group', 'sons', 'inc', 'new']);

/** The surnames the names are made of: every other word of the given names. */
export function surnamesOf(names: readonly CompanyName[]): string[] {
  const found = new Set<string>();
  for (const { name } of names)
    for (const word of name.split(/[\s,-]+/))
      if (/^\p{L}+$/u.test(word) && !SUFFIX_WORDS.has(word.toLowerCase())) found.add(word);
  return [...found].sort();
}

/**
 * `count` accounts with unique names: the `hidden` names (ids `H0`, `H1`… in their order) among
 * generated ones in the same patterns ("Surname Suffix" while they last, up to a third
 * "Surname-Surname", the rest "Surname, Surname and Surname"), countries drawn from theirs, all in
 * an order given by `seed`.
 */
export function hardGallery(hidden: readonly CompanyName[], count: number, seed = 11): AccountRecord[] {
  const next = random(seed);
  const surnames = surnamesOf(hidden);
  const countries = [...new Set(hidden.map((h) => h.country))].sort();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const names = new Set(hidden.map((h) => h.name.toLowerCase()));
  const generated: string[] = [];
  const add = (name: string): void => {
    const key = name.toLowerCase();
    if (names.has(key)) return;
    names.add(key);
    generated.push(name);
  };
  const wanted = count - hidden.length;
  for (const surname of surnames) for (const suffix of SUFFIXES) add(`${surname} ${suffix}`);
  const pairs = Math.min(Math.floor(wanted / 3), Math.floor(0.7 * surnames.length * (surnames.length - 1)));
  while (generated.length < pairs) {
    const [a, b] = [pick(surnames), pick(surnames)];
    if (a !== b) add(`${a}-${b}`);
  }
  while (generated.length < wanted) {
    const [a, b, c] = [pick(surnames), pick(surnames), pick(surnames)];
    if (a !== b && b !== c && a !== c) add(`${a}, ${b} and ${c}`);
  }
  generated.length = Math.min(generated.length, wanted);

  const accounts: AccountRecord[] = generated.map((name, i) => ({
    Id: `G${i}`,
    Name: name,
    BillingCountry: pick(countries),
  }));
  hidden.forEach((h, i) => accounts.push({ Id: `H${i}`, Name: h.name, BillingCountry: h.country }));
  for (let i = accounts.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [accounts[i], accounts[j]] = [accounts[j] as AccountRecord, accounts[i] as AccountRecord];
  }
  return accounts;
}
