/**
 * Name-matching quality on De Nederlandsche Bank's name_matching test set (500 names typed with
 * typos, reordered words and moved legal forms; the country as the supporting field):
 * - against the 500 originals alone;
 * - with the originals hidden among 1,000,000 accounts of the bench generator;
 * - with the originals hidden in a hard gallery of 1,000,000 names made of the same surnames and
 *   patterns, queried with the typed names and with the exact names; with DATABASE_URL set, a sample
 *   of the same queries (every MATCHING_BENCH_TRGM_EVERY-th, default 5th) also goes to PostgreSQL
 *   pg_trgm (GiST nearest neighbours) on the same names, side by side with ours on that sample.
 * Lookup times are taken after a warm-up of other lookups (a running service is warm: the first few
 * hundred lookups of a fresh process run before the JIT compiler has optimised them).
 * MATCHING_BENCH_ACCOUNTS sets a smaller gallery for a quick run.
 */
import { performance } from 'node:perf_hooks';
import { AccountIndex, DEFAULT_ACCEPT_SCORE } from '../../companion/src/engine/matching/account-index.js';
import type { AccountRecord } from '../../companion/src/engine/model.js';
import type { Report } from './run.js';
import { hardGallery } from './support/hard-gallery.js';
import { readNameMatchingSet, NAME_MATCHING_DIR, type CompanyName } from './support/name-matching-data.js';
import { sampleOf, trigramBaseline } from './support/pg-trigram.js';
import { generateAccounts, random } from './support/synthetic-accounts.js';

const GALLERY = Number(process.env.MATCHING_BENCH_ACCOUNTS ?? 1_000_000);

export interface Quality {
  top1: number;
  accepted: number;
  acceptedCorrect: number;
  total: number;
  times: number[];
  /** CPU time of each lookup: on a machine shared with other work, what the lookup itself costs. */
  cpuTimes: number[];
}

/** Looks every query up; query i belongs to account `${prefix}${i}`. */
function measure(index: AccountIndex, queries: readonly CompanyName[], prefix: string): Quality {
  const quality: Quality = {
    top1: 0,
    accepted: 0,
    acceptedCorrect: 0,
    total: queries.length,
    times: [],
    cpuTimes: [],
  };
  queries.forEach((query, i) => {
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    const result = index.lookup({ Company: query.name, Country: query.country }, { limit: 3 });
    quality.times.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuStarted);
    quality.cpuTimes.push((cpu.user + cpu.system) / 1000);
    if (result.candidates[0]?.account.Id === `${prefix}${i}`) quality.top1 += 1;
    if (result.outcome === 'matched') {
      quality.accepted += 1;
      if (result.candidates[0]?.account.Id === `${prefix}${i}`) quality.acceptedCorrect += 1;
    }
  });
  return quality;
}

/**
 * Looks up `count` names of the index's own accounts (not the measured queries), one letter changed,
 * so the measured lookups run on optimised code.
 */
export function warmUp(index: AccountIndex, accounts: readonly AccountRecord[], count = 500): void {
  const next = random(5);
  for (let i = 0; i < count; i += 1) {
    const account = accounts[Math.floor(next() * accounts.length)] as AccountRecord;
    const at = Math.floor(next() * account.Name.length);
    const name = account.Name.slice(0, at) + 'q' + account.Name.slice(at + 1);
    index.lookup({ Company: name, Country: account.BillingCountry }, { limit: 3 });
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
  // Typed arrays live outside the JavaScript heap: counted too.
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.arrayBuffers) / (1024 * 1024);
}

function reportQuality(
  report: Report,
  label: string,
  q: Quality,
  targets: { precision?: string; recall?: string; top1?: string },
): void {
  report({
    name: `${label}: top-1`,
    value: (100 * q.top1) / q.total,
    unit: '%',
    ...(targets.top1 ? { target: targets.top1 } : {}),
  });
  report({
    name: `${label}: precision at the accept score ${DEFAULT_ACCEPT_SCORE}`,
    value: q.accepted === 0 ? 0 : (100 * q.acceptedCorrect) / q.accepted,
    unit: '%',
    ...(targets.precision ? { target: targets.precision } : {}),
  });
  report({
    name: `${label}: recall at the accept score ${DEFAULT_ACCEPT_SCORE}`,
    value: (100 * q.acceptedCorrect) / q.total,
    unit: '%',
    ...(targets.recall ? { target: targets.recall } : {}),
  });
}

/** Builds the index, reporting build time and heap; the accounts are dropped by the caller after use. */
function timedBuild(report: Report, label: string, accounts: AccountRecord[]): AccountIndex {
  const before = heapMb();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const index = AccountIndex.build(accounts);
  const cpu = process.cpuUsage(cpuStarted);
  report({
    name: `${label}: index build`,
    value: (performance.now() - started) / 1000,
    unit: 's',
    target: '<= 15 s',
  });
  report({ name: `${label}: index build, CPU time`, value: (cpu.user + cpu.system) / 1e6, unit: 's' });
  report({
    name: `${label}: memory of the index (beyond the accounts)`,
    value: heapMb() - before,
    unit: 'MB',
  });
  report({
    name: `${label}: memory after build (accounts and index)`,
    value: heapMb(),
    unit: 'MB',
    target: '<= 1500 MB',
  });
  return index;
}

export default async function (report: Report): Promise<void> {
  const set = readNameMatchingSet();
  if (set === null) {
    process.stderr.write(`matching.bench: ${NAME_MATCHING_DIR} not found; no name-matching figures.\n`);
    return;
  }
  const { originals, typed } = set;
  const hiddenAs = (prefix: string): AccountRecord[] =>
    originals.map((o, i) => ({ Id: `${prefix}${i}`, Name: o.name, BillingCountry: o.country }));

  // The 500 originals alone.
  reportQuality(
    report,
    'names vs the 500 originals',
    measure(AccountIndex.build(hiddenAs('H')), typed, 'H'),
    {
      precision: '>= 99.5 %',
      recall: '>= 97 %',
    },
  );

  // Hidden among the bench generator's accounts.
  {
    const accounts = generateAccounts(GALLERY - originals.length);
    accounts.push(...hiddenAs('H'));
    const index = AccountIndex.build(accounts);
    reportQuality(report, `names among ${GALLERY} generated accounts`, measure(index, typed, 'H'), {
      precision: '>= 99.5 %',
      recall: '>= 97 %',
    });
  }

  // Hidden in the hard gallery.
  const label = `hard gallery (${GALLERY} names)`;
  let accounts: AccountRecord[] | null = hardGallery(originals, GALLERY);
  const index = timedBuild(report, label, accounts);
  warmUp(index, accounts);
  const typedQuality = measure(index, typed, 'H');
  const exactQuality = measure(index, originals, 'H');
  reportQuality(report, `${label}, typed names`, typedQuality, {
    top1: ">= 95 % and ahead of pg_trgm's",
    precision: '>= 99.5 %',
    recall: '>= 90 %',
  });
  report({
    name: `${label}, exact names with their country found`,
    value: (100 * exactQuality.acceptedCorrect) / exactQuality.total,
    unit: '%',
    target: '100 %',
  });
  const times = [...typedQuality.times, ...exactQuality.times];
  report({ name: `${label}: lookup p50`, value: percentile(times, 0.5), unit: 'ms' });
  report({ name: `${label}: lookup p99`, value: percentile(times, 0.99), unit: 'ms', target: '<= 5 ms' });
  const cpuTimes = [...typedQuality.cpuTimes, ...exactQuality.cpuTimes];
  report({ name: `${label}: lookup CPU time p50`, value: percentile(cpuTimes, 0.5), unit: 'ms' });
  report({
    name: `${label}: lookup CPU time p99`,
    value: percentile(cpuTimes, 0.99),
    unit: 'ms',
    target: '<= 5 ms',
  });

  // The same names, in another order, give the same answers.
  const names = accounts;
  accounts = null;
  const reordered = AccountIndex.build([...names].reverse());
  let differing = 0;
  for (const query of [...typed, ...originals]) {
    const lead = { Company: query.name, Country: query.country };
    const a = index.lookup(lead, { limit: 3 });
    const b = reordered.lookup(lead, { limit: 3 });
    if (a.outcome !== b.outcome || a.candidates[0]?.account.Id !== b.candidates[0]?.account.Id)
      differing += 1;
  }
  report({
    name: `${label}: answers that change with the load order`,
    value: differing,
    unit: 'queries',
    target: '0',
  });

  if (process.env.DATABASE_URL) {
    const sample = sampleOf(typed.length, Number(process.env.MATCHING_BENCH_TRGM_EVERY ?? 5));
    const trigram = await trigramBaseline(
      process.env.DATABASE_URL,
      names,
      { typed, exact: originals },
      sample,
    );
    if (trigram.buildSeconds !== null)
      report({
        name: `${label}, pg_trgm: load and GiST index build`,
        value: trigram.buildSeconds,
        unit: 's',
      });
    const ours = (list: readonly CompanyName[]): number =>
      sample.filter((i) => {
        const query = list[i] as CompanyName;
        const result = index.lookup({ Company: query.name, Country: query.country }, { limit: 3 });
        return result.candidates[0]?.account.Id === `H${i}`;
      }).length;
    const sampled = `${sample.length} sampled queries`;
    report({
      name: `${label}, pg_trgm: top-1, typed names (${sampled}; ours on them: ${((100 * ours(typed)) / sample.length).toFixed(1)} %)`,
      value: (100 * trigram.typedTop1) / sample.length,
      unit: '%',
    });
    report({
      name: `${label}, pg_trgm: exact names with their country first (${sampled}; ours on them: ${((100 * ours(originals)) / sample.length).toFixed(1)} %)`,
      value: (100 * trigram.exactTop1) / sample.length,
      unit: '%',
    });
    report({ name: `${label}, pg_trgm: lookup p50`, value: percentile(trigram.times, 0.5), unit: 'ms' });
    report({ name: `${label}, pg_trgm: lookup p99`, value: percentile(trigram.times, 0.99), unit: 'ms' });
  }
}
