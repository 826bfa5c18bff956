import { describe, expect, it } from 'vitest';
import {
  companyNameSimilarity,
  editDistance,
  isPlaceholderCompany,
  normaliseCompanyName,
  tokenSimilarity,
} from '../../../src/engine/matching/company-name.js';

const ACCEPT = 0.65;

describe('normaliseCompanyName', () => {
  it('ignores case, accents, punctuation, "&"/"and"/"+", word order and legal form in the key', () => {
    const key = normaliseCompanyName('Feeney, Aufderhar and Kirlin Ltd.').key;
    expect(normaliseCompanyName('FEENEY & AUFDERHAR + KIRLIN LIMITED').key).toBe(key);
    expect(normaliseCompanyName('Kirlin Feeney Aufderhar').key).toBe(key);
    expect(normaliseCompanyName('Société Générale S.A.').key).toBe(
      normaliseCompanyName('Societe Generale').key,
    );
  });

  it('marks legal forms, spelled out or abbreviated, including multi-word ones', () => {
    const kinds = (name: string): string[] =>
      normaliseCompanyName(name).tokens.map((t) => `${t.text}:${t.kind}`);
    expect(kinds('Acme GmbH')).toEqual(['acme:core', 'gmbh:legal']);
    expect(kinds('Acme B.V.')).toEqual(['acme:core', 'bv:legal']);
    expect(kinds('Acme Public Limited Company')).toEqual(['acme:core', 'plc:legal']);
    expect(kinds('Acme Sociedad Anónima')).toEqual(['acme:core', 'sa:legal']);
    expect(kinds('Brown Group')).toEqual(['brown:core', 'group:generic']);
  });

  it('keeps a legal-form word that is the whole name', () => {
    expect(normaliseCompanyName('Limited').tokens).toEqual([{ text: 'limited', kind: 'core' }]);
  });
});

/** Optimal string alignment distance cell by cell: what `editDistance` must agree with. */
function tableDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => (rows[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i += 1)
    for (let j = 1; j <= b.length; j += 1) {
      let value = Math.min(
        at(i - 1, j) + 1,
        at(i, j - 1) + 1,
        at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = value;
    }
  return at(a.length, b.length);
}

describe('editDistance', () => {
  it('agrees with the distance table for words up to 40 letters, swapped neighbours included', () => {
    let state = 11;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
    const letters = 'abcé';
    const differences: string[] = [];
    for (let round = 0; round < 20_000; round += 1) {
      let a = '';
      for (let n = Math.floor(next() * 41); a.length < n;)
        a += letters.charAt(Math.floor(next() * letters.length));
      let b = a;
      for (let typos = Math.floor(next() * 5); typos > 0; typos -= 1) {
        const at = Math.floor(next() * (b.length + 1));
        const kind = Math.floor(next() * 4);
        if (kind === 0) b = b.slice(0, at) + 'x' + b.slice(at + 1);
        else if (kind === 1) b = b.slice(0, at) + b.slice(at + 1);
        else if (kind === 2) b = b.slice(0, at) + 'y' + b.slice(at);
        else if (at + 1 < b.length) b = b.slice(0, at) + b.charAt(at + 1) + b.charAt(at) + b.slice(at + 2);
      }
      const max = Math.floor(next() * 5);
      const expected = Math.min(max + 1, tableDistance(a, b));
      if (editDistance(a, b, max) !== expected) differences.push(`${a} ${b} ${max}`);
    }
    expect(differences).toEqual([]);
    expect(editDistance('abcd', 'bacd', 1)).toBe(1);
  });
});

describe('tokenSimilarity', () => {
  it('allows up to three typos in a long word, each one costing its share of the length', () => {
    expect(tokenSimilarity('hulstind', 'hulstind')).toBe(1);
    expect(tokenSimilarity('hulstind', 'hulstnid')).toBe(1 - 1 / 8);
    // Three letters changed for three others: as different as the allowance lets words be.
    expect(tokenSimilarity('abcdefgh', 'abxdeygz')).toBe(1 - 3 / 8);
    expect(tokenSimilarity('abcdefgh', 'wbxdeygz')).toBe(0);
    expect(tokenSimilarity('bakery', 'barkey')).toBeCloseTo(1 - 2 / 6);
    expect(tokenSimilarity('acme', 'acne')).toBe(0.75);
    expect(tokenSimilarity('ab', 'ac')).toBe(0);
  });
});

describe('companyNameSimilarity', () => {
  it('scores the same company written differently as a match', () => {
    expect(companyNameSimilarity('Acme Ltd', 'ACME Limited')).toBe(1);
    expect(companyNameSimilarity('Quitzon Group', 'Group Quitzon')).toBe(1);
    expect(companyNameSimilarity('Terry and Sons', 'Terry & Sons')).toBe(1);
    expect(companyNameSimilarity('Schumm PLC', 'SchummPLC')).toBeGreaterThanOrEqual(0.9);
  });

  it('tolerates typos, split and joined words', () => {
    expect(companyNameSimilarity('Swaniawski Ltd', 'Swaniawskx Ltd')).toBeGreaterThanOrEqual(ACCEPT);
    expect(companyNameSimilarity('Ankunding-Harber', 'Ankunding-Harb-er')).toBe(1);
    expect(companyNameSimilarity('Fritsch-Kunde', 'FritschKunde')).toBe(1);
    expect(companyNameSimilarity('Emard Inc', 'Emard Hnc')).toBeGreaterThanOrEqual(0.85);
  });

  it('keeps different companies apart, and counts "Group" as a word', () => {
    expect(companyNameSimilarity('Brown Group', 'Brown-Rath')).toBeLessThan(ACCEPT);
    expect(companyNameSimilarity('Acme Software', 'Acme Media')).toBeLessThan(ACCEPT);
    expect(companyNameSimilarity('Brown Group', 'Brown Holdings')).toBeLessThan(
      companyNameSimilarity('Brown Group', 'Brown Group Ltd'),
    );
  });

  it('never matches placeholders', () => {
    expect(isPlaceholderCompany('[not provided]')).toBe(true);
    expect(isPlaceholderCompany('N/A')).toBe(true);
    expect(isPlaceholderCompany('Acme')).toBe(false);
    expect(companyNameSimilarity('Unknown', 'unknown')).toBe(0);
  });
});
