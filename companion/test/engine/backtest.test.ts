import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCENARIO, scenarioMembership } from '../../src/crm/local/demo-scenarios.js';
import { Backtest, type BacktestCase, type BacktestSide } from '../../src/engine/backtest.js';
import type { NodeDoc } from '../../src/engine/flow/flow.schema.js';
import type { RoutingSet } from '../../src/engine/flow/routing-set.js';
import type { OrgSnapshot } from '../../src/engine/routing-context.js';
import { demoOrg, MONDAY, shippedRoutingSet } from './support/demo-routing.js';

/** The demo scenarios' leads five times over, an hour apart, so pools take turns and companies have colleagues. */
function cases(): BacktestCase[] {
  const out: BacktestCase[] = [];
  for (let round = 0; round < 5; round++) {
    DEMO_SCENARIO.leads.forEach((lead, i) => {
      const createdDate = new Date(Date.parse(MONDAY) - ((5 - round) * 100 + i) * 3_600_000).toISOString();
      const copy =
        round === 0 ? lead : { ...lead, Id: `${lead.Id.slice(0, 12)}R${round}${lead.Id.slice(14)}` };
      out.push({
        lead: { ...copy, CreatedDate: createdDate },
        trigger: { kind: 'created', reason: 'Backtest', actorId: null },
        membership: round === 0 ? scenarioMembership(lead.Id) : null,
        now: createdDate,
      });
    });
  }
  return out.sort((a, b) => a.now.localeCompare(b.now));
}

/**
 * The shipped set with the blueprint's region node no longer using the territory table, and the
 * hot-leads pool without its last member: only some leads are decided otherwise.
 */
function changed(live: RoutingSet): RoutingSet {
  const blueprint = live.flows.get('leandata-blueprint')!;
  const region = blueprint.nodes['region-pool'] as Extract<NodeDoc, { type: 'assign' }>;
  const flows = new Map(live.flows);
  flows.set('leandata-blueprint', {
    ...blueprint,
    nodes: { ...blueprint.nodes, 'region-pool': { ...region, to: [{ queue: 'Hopper' }] } },
  });
  const pools = new Map(live.pools);
  const hot = live.pools.get('hot-leads')!;
  pools.set('hot-leads', { ...hot, members: hot.members.slice(0, -1) });
  return { ...live, flows, pools };
}

/** Each lead's side as the set decides it alone (against each lead as it is, where no decision is shared). */
function alone(set: RoutingSet, org: OrgSnapshot, all: BacktestCase[]): BacktestSide[] {
  const backtest = new Backtest({ live: 'as-is', candidate: set, org, poolState: () => undefined });
  return all.map((c) => backtest.add(c).candidate);
}

describe('backtest', () => {
  let live: RoutingSet;
  let org: OrgSnapshot;
  beforeAll(async () => {
    live = await shippedRoutingSet();
    org = demoOrg();
  });

  it('decides each lead with each set exactly as that set alone decides it, where their flows, pools and states differ', () => {
    const candidate = changed(live);
    const all = cases();
    const backtest = new Backtest({ live, candidate, org, poolState: () => undefined });
    const rows = all.map((c) => backtest.add(c));
    expect(rows.map((r) => r.live)).toEqual(alone(live, org, all));
    expect(rows.map((r) => r.candidate)).toEqual(alone(candidate, org, all));
    // Both kinds of lead are there: ones the change moves (region and hot-leads pool) and ones it leaves.
    const moved = rows.filter((r) => r.ownerChanged);
    expect(moved.some((r) => r.live.path.endsWith('/region-pool'))).toBe(true);
    expect(moved.some((r) => r.live.pool === 'hot-leads')).toBe(true);
    expect(rows.filter((r) => !r.ownerChanged).length).toBeGreaterThan(rows.length / 2);
  });

  it('a set against itself changes no owner', () => {
    const backtest = new Backtest({ live, candidate: live, org, poolState: () => undefined });
    const rows = cases().map((c) => backtest.add(c));
    expect(rows.every((r) => !r.ownerChanged && JSON.stringify(r.live) === JSON.stringify(r.candidate))).toBe(
      true,
    );
  });
});
