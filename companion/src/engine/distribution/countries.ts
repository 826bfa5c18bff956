import { remembered } from '../remembered.js';

/**
 * Country names and codes as people type them into lead forms, reduced to ISO 3166-1 alpha-2, and
 * the sales region each country belongs to. English names come from Intl.DisplayNames (ICU data,
 * not I/O); the aliases cover what ICU does not call a country.
 */

export type SalesRegion = 'AMER' | 'EMEA' | 'APJ';

const REGION_CODES: Record<SalesRegion, string> = {
  AMER:
    'US CA MX AG AI AR AW BB BL BM BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GF GL GP GS GT GY HN HT ' +
    'JM KN KY LC MF MQ MS NI PA PE PM PR PY SR SV SX TC TT UM UY VC VE VG VI',
  EMEA:
    'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV ' +
    'MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK ' +
    'AE BH IL IQ IR JO KW LB OM PS QA SA SY TR YE AM AZ GE KZ KG TJ TM UZ ' +
    'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU ' +
    'MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  APJ:
    'AF AS AU BD BN BT CC CK CN CX FJ FM GU HK HM ID IN IO JP KH KI KP KR LA LK MH MM MN MO MP MV MY NC ' +
    'NF NP NR NU NZ PF PG PH PK PN PW SB SG TH TK TL TO TV TW VN VU WF WS',
};

/** The sales regions, as territory rows and the routing.leadRegion field name them. */
export const SALES_REGIONS = Object.keys(REGION_CODES) as SalesRegion[];

const REGION_OF = new Map<string, SalesRegion>(
  (Object.entries(REGION_CODES) as Array<[SalesRegion, string]>).flatMap(([region, codes]) =>
    codes.split(' ').map((code) => [code, region] as [string, SalesRegion]),
  ),
);

/** Uninhabited territories have a code but no sales region. */
const OTHER_CODES = ['AQ', 'BV', 'TF'];

const ALIASES: Record<string, string> = {
  usa: 'US',
  'united states of america': 'US',
  america: 'US',
  'u s': 'US',
  'u s a': 'US',
  uk: 'GB',
  'united kingdom of great britain and northern ireland': 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  holland: 'NL',
  deutschland: 'DE',
  espana: 'ES',
  schweiz: 'CH',
  suisse: 'CH',
  osterreich: 'AT',
  'south korea': 'KR',
  korea: 'KR',
  'republic of korea': 'KR',
  'korea republic of': 'KR',
  'north korea': 'KP',
  russia: 'RU',
  'russian federation': 'RU',
  'czech republic': 'CZ',
  uae: 'AE',
  emirates: 'AE',
  ksa: 'SA',
  turkey: 'TR',
  turkiye: 'TR',
  'viet nam': 'VN',
  'ivory coast': 'CI',
  swaziland: 'SZ',
  burma: 'MM',
  macedonia: 'MK',
  'hong kong': 'HK',
  macao: 'MO',
  macau: 'MO',
  taiwan: 'TW',
  'republic of china': 'TW',
  prc: 'CN',
  'peoples republic of china': 'CN',
  palestine: 'PS',
  vatican: 'VA',
  'vatican city': 'VA',
  'holy see': 'VA',
  'cape verde': 'CV',
  congo: 'CG',
  'republic of the congo': 'CG',
  drc: 'CD',
  'dr congo': 'CD',
  'democratic republic of the congo': 'CD',
  'east timor': 'TL',
  laos: 'LA',
  brunei: 'BN',
  syria: 'SY',
  iran: 'IR',
  bolivia: 'BO',
  venezuela: 'VE',
  moldova: 'MD',
  tanzania: 'TZ',
  micronesia: 'FM',
  'st lucia': 'LC',
  'saint lucia': 'LC',
  'st kitts and nevis': 'KN',
  'saint kitts and nevis': 'KN',
  'st vincent and the grenadines': 'VC',
  'saint vincent and the grenadines': 'VC',
  trinidad: 'TT',
  bosnia: 'BA',
  'bosnia and herzegovina': 'BA',
  antigua: 'AG',
};

/** Alpha-3 codes for the countries leads most often come from; ISO alpha-2 is the norm. */
const ALPHA3 =
  'USA:US GBR:GB DEU:DE FRA:FR CAN:CA AUS:AU NZL:NZ JPN:JP CHN:CN IND:IN BRA:BR MEX:MX ESP:ES ITA:IT ' +
  'NLD:NL BEL:BE LUX:LU CHE:CH AUT:AT SWE:SE NOR:NO DNK:DK FIN:FI ISL:IS IRL:IE PRT:PT POL:PL CZE:CZ ' +
  'HUN:HU ROU:RO GRC:GR TUR:TR ISR:IL ARE:AE SAU:SA QAT:QA EGY:EG ZAF:ZA NGA:NG KEN:KE SGP:SG MYS:MY ' +
  'IDN:ID THA:TH VNM:VN PHL:PH KOR:KR TWN:TW HKG:HK ARG:AR CHL:CL COL:CO PER:PE UKR:UA RUS:RU';

/** Lower case, no accents, no dots, '&' as 'and', single spaces, no leading 'the'. */
export const normalizeName = remembered((value) =>
  value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[.'’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^the /, ''),
);

let byName: Map<string, string> | undefined;

function names(): Map<string, string> {
  if (byName) return byName;
  byName = new Map();
  const codes = [...REGION_OF.keys(), ...OTHER_CODES];
  let display: Intl.DisplayNames | undefined;
  try {
    display = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  } catch {
    // A Node built without full ICU has no names: codes and aliases still work.
  }
  for (const code of codes) {
    byName.set(code.toLowerCase(), code);
    const name = display?.of(code);
    if (!name) continue;
    byName.set(normalizeName(name), code);
    // 'Myanmar (Burma)', 'Hong Kong SAR China', 'Congo - Kinshasa' are also typed without the extra.
    byName.set(normalizeName(name.replace(/\(.*\)/, '')), code);
  }
  for (const pair of ALPHA3.split(' ')) {
    const [alpha3, code] = pair.split(':') as [string, string];
    byName.set(alpha3.toLowerCase(), code);
  }
  for (const [alias, code] of Object.entries(ALIASES)) byName.set(alias, code);
  return byName;
}

/** The ISO 3166-1 alpha-2 code for a country name or code ('usa', 'United States' → 'US'), or null. */
export function countryCode(value: string | null | undefined): string | null {
  if (!value) return null;
  const key = normalizeName(value);
  return key ? (names().get(key) ?? null) : null;
}

/** A value to compare countries by: the ISO code when known, the normalised text otherwise. */
export function countryKey(value: string): string {
  return countryCode(value) ?? normalizeName(value);
}

/** The sales region of a country, for region-based rules such as re-routing; null when unknown. */
export function regionOf(country: string | null | undefined): SalesRegion | null {
  const code = countryCode(country);
  return code ? (REGION_OF.get(code) ?? null) : null;
}

const STATE_CODES: Record<string, string> = {
  US:
    'AL Alabama|AK Alaska|AZ Arizona|AR Arkansas|CA California|CO Colorado|CT Connecticut|DE Delaware|' +
    'DC District of Columbia|FL Florida|GA Georgia|HI Hawaii|ID Idaho|IL Illinois|IN Indiana|IA Iowa|' +
    'KS Kansas|KY Kentucky|LA Louisiana|ME Maine|MD Maryland|MA Massachusetts|MI Michigan|MN Minnesota|' +
    'MS Mississippi|MO Missouri|MT Montana|NE Nebraska|NV Nevada|NH New Hampshire|NJ New Jersey|' +
    'NM New Mexico|NY New York|NC North Carolina|ND North Dakota|OH Ohio|OK Oklahoma|OR Oregon|' +
    'PA Pennsylvania|RI Rhode Island|SC South Carolina|SD South Dakota|TN Tennessee|TX Texas|UT Utah|' +
    'VT Vermont|VA Virginia|WA Washington|WV West Virginia|WI Wisconsin|WY Wyoming|PR Puerto Rico|' +
    'GU Guam|VI US Virgin Islands',
  CA:
    'AB Alberta|BC British Columbia|MB Manitoba|NB New Brunswick|NL Newfoundland and Labrador|' +
    'NS Nova Scotia|NT Northwest Territories|NU Nunavut|ON Ontario|PE Prince Edward Island|QC Quebec|' +
    'SK Saskatchewan|YT Yukon',
  AU:
    'ACT Australian Capital Territory|NSW New South Wales|NT Northern Territory|QLD Queensland|' +
    'SA South Australia|TAS Tasmania|VIC Victoria|WA Western Australia',
};

const STATE_BY_NAME = new Map<string, Map<string, string>>(
  Object.entries(STATE_CODES).map(([country, list]) => [
    country,
    new Map(
      list.split('|').map((entry) => {
        const space = entry.indexOf(' ');
        return [normalizeName(entry.slice(space + 1)), entry.slice(0, space).toLowerCase()];
      }),
    ),
  ]),
);

/**
 * A value to compare states by: the postal abbreviation for US states, Canadian provinces and
 * Australian states written out ('California' → 'ca'), the normalised text otherwise. Without a
 * known country the US, then Canada, then Australia are tried.
 */
export function stateKey(value: string, country: string | null): string {
  const key = normalizeName(value);
  const order = country && STATE_BY_NAME.has(country) ? [country] : country ? [] : ['US', 'CA', 'AU'];
  for (const candidate of order) {
    const code = STATE_BY_NAME.get(candidate)?.get(key);
    if (code) return code;
  }
  return key;
}

let statesByCode: Map<string, string[]> | undefined;

/**
 * The states a value may name, each as `<country>:<postal code>` ('California' → US:ca; 'WA' → US:wa
 * and AU:wa: Washington or Western Australia), for the US states, Canadian provinces and Australian
 * states known here, as a code or written out; otherwise the normalised text alone ('Bayern' → bayern).
 */
function stateReadings(value: string): string[] {
  const key = normalizeName(value);
  if (!statesByCode) {
    statesByCode = new Map();
    for (const [country, list] of Object.entries(STATE_CODES)) {
      for (const entry of list.split('|')) {
        const code = entry.slice(0, entry.indexOf(' ')).toLowerCase();
        statesByCode.set(code, [...(statesByCode.get(code) ?? []), `${country}:${code}`]);
      }
    }
  }
  const readings = [...STATE_BY_NAME]
    .filter(([, byName]) => byName.has(key))
    .map(([country, byName]) => `${country}:${byName.get(key)!}`);
  readings.push(...(statesByCode.get(key) ?? []));
  return readings.length > 0 ? readings : [key];
}

/** Whether two State values can name the same state ('CA' and 'California'; not 'Washington' and 'Western Australia'). */
export function sameState(a: string, b: string): boolean {
  const readings = stateReadings(a);
  return stateReadings(b).some((r) => readings.includes(r));
}
