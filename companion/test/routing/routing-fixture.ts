import { ensureDemoOrg } from '../../src/crm/local/demo-org.seed.js';
import { DEMO_SCENARIO } from '../../src/crm/local/demo-scenarios.js';
import { LocalOrg } from '../../src/crm/local/local-org.js';
import { RoutingService, type RoutingServiceOptions } from '../../src/routing/routing.service.js';
import type { Store } from '../../src/store/store.js';
import { MONDAY, shippedRoutingSet } from '../engine/support/demo-routing.js';

export { MONDAY, shippedRoutingSet } from '../engine/support/demo-routing.js';

/** A small demo org (the curated scenarios plus some generated bulk) in the given store. */
export async function seedSmallDemoOrg(store: Store): Promise<LocalOrg> {
  await ensureDemoOrg(store.db, {
    accounts: 200,
    leads: 400,
    scenario: DEMO_SCENARIO,
    now: () => new Date(MONDAY),
  });
  return new LocalOrg(store.db, { now: () => new Date(MONDAY) });
}

/** A routing service over the local org with the shipped flows and the clock pinned to MONDAY. */
export async function demoRoutingService(
  store: Store,
  crm: LocalOrg,
  options: Partial<RoutingServiceOptions> = {},
): Promise<RoutingService> {
  return RoutingService.create({
    crm,
    store,
    routingSet: options.routingSet ?? (await shippedRoutingSet()),
    clock: () => new Date(MONDAY),
    ...options,
  });
}
