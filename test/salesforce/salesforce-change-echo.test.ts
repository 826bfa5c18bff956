import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../companion/src/crm/crm.port.js';
import {
  SalesforceChangeFeed,
  type ReplayStore,
} from '../../companion/src/crm/salesforce/salesforce-changes.js';
import { SalesforceOrgRead } from '../../companion/src/crm/salesforce/salesforce-org-read.js';
import { loadRoutingSet } from '../../companion/src/engine/flow/routing-set.js';
import { SalesforceChangeTrigger } from '../../companion/src/jobs/salesforce-change.trigger.js';
import { RoutingService } from '../../companion/src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import type { Store } from '../../companion/src/store/store.js';
import { seedLeads, seedQueue, seedUser, startHarness, type Harness } from './salesforce.fixture.js';
import { PubSubStandIn } from './stand-in/pubsub.server.js';

// Routing's writes come back from the org as change events, like everyone else's. Through the
// stand-in's Pub/Sub API: routing's own Status write must not be routed again, while a person
// changing the same field starts the flow's route-on-update.

let store: Store;
let h: Harness | undefined;
let pubsub: PubSubStandIn | undefined;
let feed: SalesforceChangeFeed | undefined;
beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
});
afterAll(() => store.close());
afterEach(async () => {
  await feed?.stop();
  await pubsub?.close();
  await h?.standIn.close();
  h = pubsub = feed = undefined;
});

/** A held lead is worked in place by a re-route (Status only); a person activating it sends it to the rep. */
function heldLeadsFlow(repId: string): string {
  return `
flow: held-leads
version: 1
label: Held leads
trigger:
  on: [reroute, updated]
  changed: [Status]
start: why
nodes:
  why:
    type: decision
    branches:
      - when: { field: trigger.kind, op: equals, value: reroute }
        next: mark-working
      - when:
          all:
            - { field: owner.Name, op: equals, value: Unqualified Holding }
            - { field: lead.Status, op: changed }
        next: to-rep
    default: done
  mark-working:
    type: update
    set: { Status: Working }
    next: done
  to-rep:
    type: assign
    to: { user: ${repId} }
    next: done
  done:
    type: end
`;
}

class MemoryReplayStore implements ReplayStore {
  private readonly values = new Map<string, string>();
  async get(topic: string): Promise<string | null> {
    return this.values.get(topic) ?? null;
  }
  async set(topic: string, replayId: string): Promise<void> {
    this.values.set(topic, replayId);
  }
}

/** Waits for the feed to hand over an event; fails the test after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe('routing’s own writes coming back from the org', () => {
  it('a Status routing wrote is not routed again; the same field changed by a person is', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const rep = seedUser(h.standIn, 'Rita Rep');
    const holding = seedQueue(h.standIn, 'Unqualified_Holding');
    const [lead] = seedLeads(h.standIn, 1, holding, { Status: 'Unqualified' }) as [string];

    const routingSet = loadRoutingSet(
      {
        flows: [{ file: 'held-leads.flow.yaml', text: heldLeadsFlow(rep) }],
        pools: { file: 'pools.yaml', text: 'pools: []\n' },
        territories: { file: 'territories.yaml', text: 'territories: []\n' },
      },
      { users: await h.crm.listUsers(), queues: await h.crm.listQueues() },
    );
    const service = await RoutingService.create({ crm: h.crm, store, routingSet });
    const router = new SalesforceChangeTrigger({
      crm: h.crm,
      org: new SalesforceOrgRead(h.api),
      service,
    });
    const handled: ChangeEvent[] = [];
    feed = new SalesforceChangeFeed({
      api: h.api,
      auth: h.auth,
      store: new MemoryReplayStore(),
      objects: ['Lead'],
      pubSub: { address: pubsub.address, insecure: true },
      onChange: async (event) => {
        await router.onChange(event);
        handled.push(event);
      },
    });
    expect(await feed.start()).toBe('pubsub');
    await until(() => pubsub!.activeSubscriptions() === 1);
    const statusChanges = () => handled.filter((e) => e.changedFields?.includes('Status'));

    // Routing writes Status itself; the org tells the feed about it as it tells every change.
    const reroute = await service.route({ leadId: lead, trigger: { kind: 'reroute', reason: 'worked' } });
    expect(reroute.decision.fieldUpdates.Status).toBe('Working');
    expect(h.standIn.org.get('Lead', lead)?.['Status']).toBe('Working');
    await until(() => statusChanges().length === 1);
    expect(statusChanges()[0]).toMatchObject({ ids: [lead], byIntegrationUser: true });
    expect((await service.history(lead, 10)).map((d) => d.decision.trigger)).toEqual(['reroute']);
    expect(h.standIn.org.get('Lead', lead)?.['OwnerId']).toBe(holding);

    // A person sets the same field in Salesforce: the flow's route-on-update takes the lead to the rep.
    h.standIn.org.update('Lead', lead, { Status: 'Open' });
    await until(() => statusChanges().length === 2);
    expect(statusChanges()[1]).toMatchObject({ ids: [lead], byIntegrationUser: false });
    const history = await service.history(lead, 10);
    expect(history.map((d) => d.decision.trigger)).toEqual(['updated', 'reroute']);
    expect(history[0]?.decision.owner?.id).toBe(rep);
    expect(h.standIn.org.get('Lead', lead)?.['OwnerId']).toBe(rep);
  });
});
