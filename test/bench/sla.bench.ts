/**
 * The SLA sweep over 100,000 open leads: every lead has an open clock (the amer-sdr SLA), a tenth of
 * them due for their reminder. The figure is the time to sweep them all (the due steps fired, their
 * notifications queued) on the embedded store, and a sweep when nothing is due. The CRM is answered
 * in memory (each due lead still with its owner, untouched): the figure is the SLA's own work.
 */
import { randomUUID } from 'node:crypto';
import { DEMO_CATALOG } from '../../companion/src/crm/local/demo-people.js';
import type { LeadContext } from '../../companion/src/crm/crm.port.js';
import { readRoutingSet, SHIPPED_FLOWS_DIR } from '../../companion/src/routing/flow-files.js';
import { SlaClocks } from '../../companion/src/routing/sla-clocks.js';
import { openClocks, type ClockOpen } from '../../companion/src/store/sla-clock.repository.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import type { Report } from './run.js';

const OPEN = 100_000;
const DUE = 10_000;
const NOW = Date.parse('2026-11-24T16:00:00.000Z');

export default async function (report: Report): Promise<void> {
  const store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  try {
    const set = await readRoutingSet(SHIPPED_FLOWS_DIR, DEMO_CATALOG);
    const members = set.pools.get('amer-sdr')!.members.map((m) => m.userId);
    const ownerOf = new Map<string, string>();
    const clocks: ClockOpen[] = [];
    for (let i = 0; i < OPEN; i++) {
      const leadId = `00Q${String(i).padStart(12, '0')}`;
      const ownerId = members[i % members.length]!;
      ownerOf.set(leadId, ownerId);
      const due = i % (OPEN / DUE) === 0;
      clocks.push({
        leadId,
        id: randomUUID(),
        policy: 'amer-sdr',
        pool: 'amer-sdr',
        flow: 'leandata-blueprint',
        ownerId,
        ownerSince: new Date(NOW - 50 * 60_000).toISOString(),
        arrivedAt: new Date(NOW - 50 * 60_000).toISOString(),
        startStatus: 'MQL',
        minutesBefore: 0,
        nextStep: 0,
        dueAt: new Date(due ? NOW - 60_000 : NOW + 86_400_000).toISOString(),
        lapsed: [],
      });
    }
    for (let i = 0; i < clocks.length; i += 5_000) await openClocks(store.db, clocks.slice(i, i + 5_000));
    const sla = new SlaClocks({
      store,
      crm: {
        async getLeadContexts(ids) {
          return new Map<string, LeadContext>(
            ids.map((id) => [
              id,
              { lead: { Id: id, OwnerId: ownerOf.get(id)!, Status: 'MQL' }, memberships: [] },
            ]),
          );
        },
      },
      set,
      user: (id) => DEMO_CATALOG.users.find((u) => u.Id === id),
      routeMany: () => Promise.reject(new Error('a reminder moves no lead')),
      clock: () => new Date(NOW),
    });

    let reminded = 0;
    const started = performance.now();
    for (;;) {
      const result = await sla.sweep();
      reminded += result.fired.remind;
      if (result.due === 0) break;
    }
    const elapsed = (performance.now() - started) / 1000;
    if (reminded !== DUE) throw new Error(`the sweep reminded ${reminded} leads, not ${DUE}`);
    report({
      name: `sla: sweep over ${OPEN.toLocaleString('en')} open leads, ${DUE.toLocaleString('en')} due (reminders fired and queued)`,
      value: elapsed,
      unit: 's',
      target: '<= 2',
    });
    const quiet = performance.now();
    await sla.sweep();
    report({
      name: `sla: sweep over ${OPEN.toLocaleString('en')} open leads, none due`,
      value: (performance.now() - quiet) / 1000,
      unit: 's',
      target: '<= 2',
    });
  } finally {
    await store.close();
  }
}
