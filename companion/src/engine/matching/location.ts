import { foldText } from './company-name.js';

/**
 * Countries as people and orgs write them ("UK", "GB", "United Kingdom", "SP", "España") reduced to
 * one code, so a lead and an account in the same country agree however each was typed.
 */
const COUNTRY_ALIASES: ReadonlyArray<readonly [code: string, aliases: readonly string[]]> = [
  [
    'GB',
    [
      'gb',
      'uk',
      'united kingdom',
      'great britain',
      'britain',
      'england',
      'scotland',
      'wales',
      'northern ireland',
    ],
  ],
  ['US', ['us', 'usa', 'united states', 'united states of america', 'america']],
  ['ES', ['es', 'sp', 'spain', 'espana']],
  ['DE', ['de', 'germany', 'deutschland']],
  ['FR', ['fr', 'france']],
  ['NL', ['nl', 'netherlands', 'the netherlands', 'holland', 'nederland']],
  ['BE', ['be', 'belgium', 'belgique', 'belgie']],
  ['LU', ['lu', 'luxembourg', 'luxemburg']],
  ['DK', ['dk', 'denmark', 'danmark']],
  ['IT', ['it', 'italy', 'italia']],
  ['IE', ['ie', 'ireland', 'eire']],
  ['PT', ['pt', 'portugal']],
  ['AT', ['at', 'austria', 'osterreich']],
  ['CH', ['ch', 'switzerland', 'schweiz', 'suisse', 'svizzera']],
  ['SE', ['se', 'sweden', 'sverige']],
  ['NO', ['no', 'norway', 'norge']],
  ['FI', ['fi', 'finland', 'suomi']],
  ['PL', ['pl', 'poland', 'polska']],
  ['CZ', ['cz', 'czechia', 'czech republic']],
  ['CA', ['ca', 'canada']],
  ['MX', ['mx', 'mexico']],
  ['BR', ['br', 'brazil', 'brasil']],
  ['AR', ['ar', 'argentina']],
  ['AU', ['au', 'australia']],
  ['NZ', ['nz', 'new zealand']],
  ['JP', ['jp', 'japan']],
  ['CN', ['cn', 'china', 'prc']],
  ['IN', ['in', 'india']],
  ['SG', ['sg', 'singapore']],
  ['HK', ['hk', 'hong kong']],
  ['KR', ['kr', 'south korea', 'korea']],
  ['ZA', ['za', 'south africa']],
  ['AE', ['ae', 'uae', 'united arab emirates']],
  ['IL', ['il', 'israel']],
];

const COUNTRY_CODES: ReadonlyMap<string, string> = new Map(
  COUNTRY_ALIASES.flatMap(([code, aliases]) => aliases.map((alias) => [alias, code] as const)),
);

function simplify(text: string): string {
  return foldText(text)
    .replace(/[.'’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** One code per country ("United Kingdom" → "GB"); other values folded; null when empty. */
export function normaliseCountry(country: string | null | undefined): string | null {
  if (typeof country !== 'string') return null;
  const simple = simplify(country);
  if (simple === '') return null;
  return COUNTRY_CODES.get(simple) ?? simple.toUpperCase();
}

/** Cities and states compared without case, accents or punctuation; null when empty. */
export function normalisePlace(place: string | null | undefined): string | null {
  if (typeof place !== 'string') return null;
  const simple = simplify(place);
  return simple === '' ? null : simple;
}
