/**
 * Backtest throughput over the demo org at its default size (20,000 leads, 5,000 accounts): a candidate
 * routing set (the shipped one with the blueprint's region node no longer using the territory table)
 * against the live one, every lead decided twice, end to end through the routing service — reading the
 * leads and their campaign memberships from the embedded store, deciding, and building the summary.
 */
import { performance } from 'node:perf_hooks';
import { readRoutingFiles, SHIPPED_FLOWS_DIR } from '../../companion/src/routing/flow-files.js';
import { startLocalCompanion } from '../support/local-companion.js';
import type { Report } from './run.js';

export default async function (report: Report): Promise<void> {
  const companion = await startLocalCompanion({
    now: '2026-11-23T15:00:00.000Z',
    apiKey: 'bench-key-backtest-0123456789',
    size: { accounts: 5_000, leads: 20_000 },
    keepLogs: false,
  });
  try {
    // The whole shipped set (flows, pools, territories, SLAs, aliases), its region node changed.
    const files = Object.entries(await readRoutingFiles(SHIPPED_FLOWS_DIR)).map(([file, text]) => ({
      file,
      text: text.replace(/(\n {2}region-pool:\n(?: {4}.*\n)*? {4}to:\n) {6}- territory: sdr-regions\n/, '$1'),
    }));
    const candidate = companion.routing.candidateSet(files);
    // One warm-up run, then the measured one.
    await companion.routing.backtest(candidate, { days: 3660 });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await companion.routing.backtest(candidate, { days: 3660 });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const leads = result.summary.leads;
    report({ name: 'backtest over the demo org: leads replayed', value: leads, unit: 'leads' });
    report({
      name: 'backtest over the demo org: owners changed by the candidate',
      value: result.summary.ownerChanged,
      unit: 'leads',
    });
    report({
      name: 'backtest over the demo org: leads/s, end to end',
      value: leads / seconds,
      unit: 'leads/s',
      target: '>= 5000',
    });
    report({
      name: 'backtest over the demo org: leads/s per CPU second',
      value: leads / cpuSeconds,
      unit: 'leads/s',
    });
  } finally {
    await companion.close();
  }
}
