import { describe, expect, it } from 'vitest';
import {
  companyNameSimilarity,
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
