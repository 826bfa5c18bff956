/**
 * A synthetic org for benchmarks: deterministic accounts whose names reuse words the way real ones do.
 */
import type { AccountRecord } from '../../../companion/src/engine/model.js';

const SURNAMES = 200_000;

/** Deterministic pseudo-random numbers (mulberry32), so every run indexes the same accounts. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ONSETS = [
  'b',
  'br',
  'c',
  'ch',
  'd',
  'f',
  'g',
  'gr',
  'h',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  'sch',
  'st',
  't',
  'v',
  'w',
  'z',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ei', 'ou', 'ie', 'y'];
const CODAS = ['', 'n', 'r', 'l', 's', 'rt', 'nd', 'ck', 'm', 'tz', 'ng', 'ss'];
const WORDS = [
  'Blue',
  'River',
  'Summit',
  'North',
  'Bright',
  'Cedar',
  'Harbor',
  'Iron',
  'Maple',
  'Silver',
  'Stone',
  'Pioneer',
  'Atlas',
  'Vertex',
  'Nova',
  'Orbit',
  'Prime',
  'Quantum',
  'Apex',
  'Falcon',
  'Golden',
  'Green',
  'Oak',
  'Red',
  'Analytics',
  'Logistics',
  'Foods',
  'Energy',
  'Health',
  'Media',
  'Robotics',
  'Finance',
  'Pharma',
  'Motors',
];
const SUFFIXES = [
  'Ltd',
  'Inc',
  'LLC',
  'PLC',
  'GmbH',
  'S.A.',
  'B.V.',
  'Group',
  'and Sons',
  'Holdings',
  'Technologies',
  '',
];
const PLACES: Array<{ country: string; tld: string; cities: string[] }> = [
  { country: 'United Kingdom', tld: 'co.uk', cities: ['London', 'Leeds', 'Bristol'] },
  { country: 'Germany', tld: 'de', cities: ['Berlin', 'Munich', 'Hamburg'] },
  { country: 'France', tld: 'fr', cities: ['Paris', 'Lyon'] },
  { country: 'Netherlands', tld: 'nl', cities: ['Amsterdam', 'Utrecht'] },
  { country: 'United States', tld: 'com', cities: ['New York', 'Austin', 'Chicago', 'Seattle'] },
  { country: 'Australia', tld: 'com.au', cities: ['Sydney', 'Melbourne'] },
  { country: 'Spain', tld: 'es', cities: ['Madrid', 'Barcelona'] },
  { country: 'Denmark', tld: 'dk', cities: ['Copenhagen', 'Aarhus'] },
];
const TYPES = ['Customer', 'Target', 'Partner', 'Consultant', 'Prospect', 'Non-Target'];

export function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)] as T;
}

export function generateAccounts(count: number): AccountRecord[] {
  const next = random(20261122);
  // Names reuse words the way real ones do: a pool of surnames drawn with a Zipf-like skew (1 / (rank + 100)), so a
  // few are as common as "Smith" and most are rare.
  const pool: string[] = [];
  for (let i = 0; i < SURNAMES; i += 1) {
    const syllables = 2 + Math.floor(next() * 2);
    let word = '';
    for (let k = 0; k < syllables; k += 1)
      word += pick(next, ONSETS) + pick(next, VOWELS) + pick(next, CODAS);
    pool.push(word.charAt(0).toUpperCase() + word.slice(1));
  }
  const cumulative = new Float64Array(SURNAMES);
  let total = 0;
  for (let rank = 0; rank < SURNAMES; rank += 1) {
    total += 1 / (rank + 100);
    cumulative[rank] = total;
  }
  const surname = (): string => {
    const target = next() * total;
    let lo = 0;
    let hi = SURNAMES - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return pool[lo] as string;
  };
  const accounts: AccountRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const shape = next();
    let core: string;
    if (shape < 0.35) core = surname();
    else if (shape < 0.6) core = `${surname()}-${surname()}`;
    else if (shape < 0.75) core = `${surname()}, ${surname()} and ${surname()}`;
    else core = `${pick(next, WORDS)} ${surname()} ${pick(next, WORDS)}`;
    const suffix = pick(next, SUFFIXES);
    const place = pick(next, PLACES);
    const slug = core.toLowerCase().replace(/[^a-z]+/g, '');
    accounts.push({
      Id: `001${i.toString(36).padStart(12, '0')}`,
      Name: suffix === '' ? core : `${core} ${suffix}`,
      Website: `https://www.${slug}${i % 50 === 0 ? '' : i.toString(36)}.${place.tld}`,
      Type: pick(next, TYPES),
      BillingCountry: place.country,
      BillingCity: pick(next, place.cities),
      OwnerId: `005${Math.floor(next() * 400)}`,
      LastActivityDate: `2026-${String(1 + Math.floor(next() * 12)).padStart(2, '0')}-15`,
    });
  }
  return accounts;
}
