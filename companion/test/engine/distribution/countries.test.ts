import { describe, expect, it } from 'vitest';
import { countryCode, regionOf, sameState, stateKey } from '../../../src/engine/distribution/countries.js';

describe('countryCode', () => {
  it.each([
    ['US', 'US'],
    ['usa', 'US'],
    ['U.S.', 'US'],
    ['United States', 'US'],
    ['UK', 'GB'],
    ['England', 'GB'],
    ['United Kingdom', 'GB'],
    ['Deutschland', 'DE'],
    ['DEU', 'DE'],
    ['the Netherlands', 'NL'],
    ['Holland', 'NL'],
    ['South Korea', 'KR'],
    ['Türkiye', 'TR'],
    ['Turkey', 'TR'],
    ["Côte d'Ivoire", 'CI'],
    ['Ivory Coast', 'CI'],
    ['Myanmar', 'MM'],
    ['Hong Kong', 'HK'],
    ['Bosnia & Herzegovina', 'BA'],
    ['Trinidad and Tobago', 'TT'],
    ['  japan ', 'JP'],
  ])('reads %s as %s', (input, code) => {
    expect(countryCode(input)).toBe(code);
  });

  it('returns null for what is not a country', () => {
    expect(countryCode('Narnia')).toBeNull();
    expect(countryCode('')).toBeNull();
    expect(countryCode(null)).toBeNull();
    expect(countryCode('...')).toBeNull();
  });
});

describe('regionOf', () => {
  it.each([
    ['United States', 'AMER'],
    ['Canada', 'AMER'],
    ['Brazil', 'AMER'],
    ['Mexico', 'AMER'],
    ['Germany', 'EMEA'],
    ['UK', 'EMEA'],
    ['United Arab Emirates', 'EMEA'],
    ['South Africa', 'EMEA'],
    ['Israel', 'EMEA'],
    ['Japan', 'APJ'],
    ['India', 'APJ'],
    ['Australia', 'APJ'],
    ['New Zealand', 'APJ'],
    ['SG', 'APJ'],
  ])('puts %s in %s', (country, region) => {
    expect(regionOf(country)).toBe(region);
  });

  it('has no region for unknown countries or Antarctica', () => {
    expect(regionOf('Narnia')).toBeNull();
    expect(regionOf(undefined)).toBeNull();
    expect(regionOf('Antarctica')).toBeNull();
  });
});

describe('stateKey', () => {
  it('reads state names as their abbreviations in the lead’s country', () => {
    expect(stateKey('California', 'US')).toBe('ca');
    expect(stateKey('CA', 'US')).toBe('ca');
    expect(stateKey('Western Australia', 'AU')).toBe('wa');
    expect(stateKey('Washington', 'US')).toBe('wa');
    expect(stateKey('Québec', 'CA')).toBe('qc');
  });

  it('tries the US, Canada and Australia when the country is unknown, and nothing for others', () => {
    expect(stateKey('Ontario', null)).toBe('on');
    expect(stateKey('Bavaria', 'DE')).toBe('bavaria');
    expect(stateKey('California', 'DE')).toBe('california');
  });
});

describe('sameState', () => {
  it('takes a US state, Canadian province or Australian state by code or name, in any case or accent', () => {
    expect(sameState('CA', 'California')).toBe(true);
    expect(sameState('california', 'CA')).toBe(true);
    expect(sameState('Quebec', 'Québec')).toBe(true);
    expect(sameState('QC', 'Quebec')).toBe(true);
    expect(sameState('NSW', 'New South Wales')).toBe(true);
    expect(sameState('CA', 'Ontario')).toBe(false);
  });

  it('lets a code shared by two countries name either, but a name only its own state', () => {
    expect(sameState('WA', 'Washington')).toBe(true);
    expect(sameState('WA', 'Western Australia')).toBe(true);
    expect(sameState('Washington', 'Western Australia')).toBe(false);
  });

  it('compares other states as text, without case, accents or punctuation', () => {
    expect(sameState('Bavaria', 'BAVARIA')).toBe(true);
    expect(sameState('Île-de-France', 'ile de france')).toBe(true);
    expect(sameState('Bavaria', 'Bayern')).toBe(false);
  });
});
