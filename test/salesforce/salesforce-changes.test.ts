import { afterEach, describe, expect, it } from 'vitest';
import avro from 'avsc';
import type { ChangeEvent } from '../../companion/src/crm/crm.port.js';
import {
  SalesforceChangeFeed,
  decodeFieldBitmaps,
  type ReplayStore,
} from '../../companion/src/crm/salesforce/salesforce-changes.js';
import { seedLeads, seedUser, startHarness, type Harness } from './salesforce.fixture.js';
import { PubSubStandIn } from './stand-in/pubsub.server.js';

class MemoryReplayStore implements ReplayStore {
  readonly values = new Map<string, string>();
  async get(topic: string): Promise<string | null> {
    return this.values.get(topic) ?? null;
  }
  async set(topic: string, replayId: string): Promise<void> {
    this.values.set(topic, replayId);
  }
}

let h: Harness | undefined;
let pubsub: PubSubStandIn | undefined;
const feeds: SalesforceChangeFeed[] = [];
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.stop();
  await pubsub?.close();
  await h?.standIn.close();
  h = pubsub = undefined;
});

/** Waits for a condition the feed reaches asynchronously; fails the test after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

/** Starts a feed and waits until the stand-in has its subscriptions, so no change races the LATEST start. */
async function started(f: SalesforceChangeFeed, subscriptions = 1): Promise<string> {
  const mode = await f.start();
  if (mode === 'pubsub') await until(() => pubsub!.activeSubscriptions() === subscriptions);
  return mode;
}

function feed(
  store: ReplayStore,
  events: ChangeEvent[],
  options: { pubSub?: boolean; objects?: Array<'Lead' | 'Account' | 'User'>; gatherMs?: number } = {},
) {
  const f = new SalesforceChangeFeed({
    api: h!.api,
    auth: h!.auth,
    store,
    objects: options.objects ?? ['Lead'],
    pubSub: options.pubSub === false ? null : { address: pubsub!.address, insecure: true },
    onChange: (e) => {
      events.push(e);
    },
    pollIntervalMs: 60_000,
    ...(options.gatherMs === undefined ? {} : { gatherMs: options.gatherMs }),
  });
  feeds.push(f);
  return f;
}

describe('Salesforce change feed: Pub/Sub API', () => {
  it('reports created, updated (with changed fields, compound ones included) and deleted leads', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const events: ChangeEvent[] = [];
    const store = new MemoryReplayStore();
    expect(await started(feed(store, events))).toBe('pubsub');
    const org = h.standIn.org;
    const lead = org.insert('Lead', { LastName: 'Lovelace', Company: 'Analytical', Status: 'Open' });
    org.update('Lead', lead.Id, { Status: 'Working', LastName: 'King', Rerun_Routing__c: true });
    org.delete('Lead', lead.Id);
    await until(() => events.length === 3);
    const key = expect.stringMatching(/^\/data\/LeadChangeEvent@.+/);
    // Made on the org, not by the integration user: none of them is the companion's own write.
    const byIntegrationUser = false;
    expect(events).toEqual([
      {
        kind: 'created',
        object: 'Lead',
        ids: [lead.Id],
        changedFields: null,
        byIntegrationUser,
        keys: [key],
      },
      {
        kind: 'updated',
        object: 'Lead',
        ids: [lead.Id],
        changedFields: ['Status', 'Rerun_Routing__c', 'LastName'],
        byIntegrationUser,
        keys: [key],
      },
      { kind: 'deleted', object: 'Lead', ids: [lead.Id], changedFields: [], byIntegrationUser, keys: [key] },
    ]);
    // Each event is named by its own replay id, so a redelivered one can be recognised.
    expect(new Set(events.map((e) => e.keys?.[0])).size).toBe(3);
    expect(store.values.get('/data/LeadChangeEvent')).toBeTruthy();
  });

  it('hands a 200-lead insert over as one event of alike events merged, each lead keeping its own event key', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const events: ChangeEvent[] = [];
    // Waiting as long as it takes for the second delivery: only its arrival ends the wait here.
    expect(await started(feed(new MemoryReplayStore(), events, { gatherMs: 600_000 }))).toBe('pubsub');
    const org = h.standIn.org;
    // One transaction, each lead with its own values: Salesforce sends one change event per lead.
    const ids = org.transaction(() =>
      Array.from({ length: 200 }, (_, i) => org.insert('Lead', { LastName: `L${i}`, Company: `C${i}` }).Id),
    );
    await until(() => events.reduce((n, e) => n + e.ids.length, 0) === 200);
    // The Pub/Sub API delivers at most 100 events a FetchResponse; the first used up what was asked for,
    // so the feed waited for the next: one hand-over, one sObject Collections write's worth.
    expect(events.map((e) => e.ids.length)).toEqual([200]);
    expect(events.flatMap((e) => e.ids)).toEqual(ids);
    expect(events.every((e) => e.kind === 'created' && e.keys?.length === e.ids.length)).toBe(true);
    expect(new Set(events.flatMap((e) => e.keys)).size).toBe(200);
  });

  it('hands a real-time change over at once, without waiting for more events', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const events: ChangeEvent[] = [];
    expect(await started(feed(new MemoryReplayStore(), events, { gatherMs: 600_000 }))).toBe('pubsub');
    const org = h.standIn.org;
    const first = org.insert('Lead', { LastName: 'Now', Company: 'Realtime' }).Id;
    // Its delivery leaves events asked for: nothing else is on its way, so nothing is waited for.
    await until(() => events.length === 1);
    const second = org.insert('Lead', { LastName: 'Next', Company: 'Realtime' }).Id;
    await until(() => events.length === 2);
    expect(events.map((e) => e.ids)).toEqual([[first], [second]]);
  });

  it('resumes after a restart from the stored replay id: nothing twice, nothing missed', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const owner = seedUser(h.standIn, 'Owner');
    const store = new MemoryReplayStore();
    const first: ChangeEvent[] = [];
    const a = feed(store, first);
    await started(a);
    const ids = seedLeads(h.standIn, 5, owner);
    for (const id of ids.slice(0, 3)) h.standIn.org.update('Lead', id, { Status: 'Working' });
    const count = (events: ChangeEvent[]) => events.reduce((n, e) => n + e.ids.length, 0);
    await until(() => count(first) === 3);
    await a.stop();

    // Changes while the service is down.
    for (const id of ids.slice(3)) h.standIn.org.update('Lead', id, { Status: 'Working' });
    const second: ChangeEvent[] = [];
    await started(feed(store, second));
    h.standIn.org.update('Lead', ids[0]!, { Status: 'Nurture' });
    await until(() => count(second) === 3);
    // Alike changes may come merged into one event: what counts is each record, in order.
    expect(second.flatMap((e) => e.ids)).toEqual([ids[3], ids[4], ids[0]]);
    expect(count([...first, ...second].filter((e) => e.changedFields?.includes('Status')))).toBe(6);
    expect(pubsub.subscribeCalls).toBe(2);
  });

  it('catches up by query when the stored replay id is older than Salesforce keeps events', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const owner = seedUser(h.standIn, 'Owner');
    const [x, y, z, later] = seedLeads(h.standIn, 4, owner) as [string, string, string, string];
    const store = new MemoryReplayStore();
    const first: ChangeEvent[] = [];
    const a = feed(store, first);
    await started(a);
    h.standIn.org.update('Lead', x, { Status: 'Working' });
    await until(() => first.length === 1);
    await a.stop();

    // Down for longer than the event retention.
    h.standIn.org.update('Lead', y, { Status: 'Working' });
    h.standIn.org.update('Lead', z, { Status: 'Working' });
    pubsub.expireEvents();

    const second: ChangeEvent[] = [];
    const b = feed(store, second);
    await b.start();
    await until(() => second.length > 0);
    expect(second.flatMap((e) => e.ids)).toEqual(expect.arrayContaining([y, z]));
    expect(second.every((e) => e.changedFields === null)).toBe(true);
    await until(() => pubsub!.activeSubscriptions() === 1);
    h.standIn.org.update('Lead', later, { Status: 'Working' });
    await until(() => second.some((e) => e.ids.includes(later)));
    expect(b.mode).toBe('pubsub');
  });

  it('delivers an event again when its handling failed, before any later event', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const owner = seedUser(h.standIn, 'Owner');
    const [x, y] = seedLeads(h.standIn, 2, owner) as [string, string];
    const store = new MemoryReplayStore();
    const handled: string[] = [];
    let failOnce = true;
    const f = new SalesforceChangeFeed({
      api: h.api,
      auth: h.auth,
      store,
      objects: ['Lead'],
      pubSub: { address: pubsub.address, insecure: true },
      onChange: (e) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('database down');
        }
        handled.push(...e.ids);
      },
    });
    feeds.push(f);
    await started(f);
    h.standIn.org.update('Lead', x, { Status: 'Working' });
    h.standIn.org.update('Lead', y, { Status: 'Working' });
    await until(() => handled.length === 2);
    expect(handled).toEqual([x, y]);
    expect(f.mode).toBe('pubsub');
  });

  it('turns gap events into re-reads and an overflow into a resync by query', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const owner = seedUser(h.standIn, 'Owner');
    const store = new MemoryReplayStore();
    const events: ChangeEvent[] = [];
    await started(feed(store, events));
    const since = Date.now();
    const ids = seedLeads(h.standIn, 3, owner);
    pubsub.emitGap('Lead', [ids[0]!]);
    pubsub.emitOverflow('Lead', since);
    await until(() => events.length === 2);
    expect(events[0]).toMatchObject({ kind: 'updated', object: 'Lead', ids: [ids[0]], changedFields: null });
    expect(events[1]).toMatchObject({ kind: 'updated', object: 'Lead', changedFields: null });
    expect(events[1]!.ids).toEqual(expect.arrayContaining(ids));
  });

  it('reconnects from the stored replay id when the stream drops', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const owner = seedUser(h.standIn, 'Owner');
    const [x, y] = seedLeads(h.standIn, 2, owner) as [string, string];
    const store = new MemoryReplayStore();
    const events: ChangeEvent[] = [];
    const f = feed(store, events);
    await started(f);
    h.standIn.org.update('Lead', x, { Status: 'Working' });
    await until(() => events.length === 1);
    pubsub.dropStreams();
    h.standIn.org.update('Lead', y, { Status: 'Working' });
    await until(() => events.length === 2);
    expect(events.map((e) => e.ids[0])).toEqual([x, y]);
    expect(f.mode).toBe('pubsub');
  });

  it('gets a new session when the Pub/Sub API says the old one is invalid', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const owner = seedUser(h.standIn, 'Owner');
    const [x] = seedLeads(h.standIn, 1, owner) as [string];
    const events: ChangeEvent[] = [];
    const f = feed(new MemoryReplayStore(), events);
    await started(f);
    h.standIn.expireTokens();
    pubsub.dropStreams();
    h.standIn.org.update('Lead', x, { Status: 'Working' });
    await until(() => events.length === 1);
    expect(h.auth.tokensIssued).toBe(2);
  });

  it('subscribes to account and user changes for the index and pools', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const events: ChangeEvent[] = [];
    await started(feed(new MemoryReplayStore(), events, { objects: ['Lead', 'Account', 'User'] }), 3);
    const user = seedUser(h.standIn, 'Ann');
    h.standIn.org.update('User', user, { IsActive: false });
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }).Id;
    await until(() => events.length === 2);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'updated',
          object: 'User',
          ids: [user],
          changedFields: ['IsActive'],
        }),
        expect.objectContaining({ kind: 'created', object: 'Account', ids: [account], changedFields: null }),
      ]),
    );
  });
});

describe('Salesforce change feed: polling fallback', () => {
  it('polling spends at most a tenth of the daily API budget, counted by the stand-in', async () => {
    // A Developer Edition org: 15,000 calls a day; the companion's share is half of it.
    h = await startHarness({ dailyApiMax: 15_000 });
    await h.api.refreshLimits();
    const budget = h.api.health().budget!;
    const f = new SalesforceChangeFeed({
      api: h.api,
      auth: h.auth,
      store: new MemoryReplayStore(),
      pubSub: null,
      onChange: () => undefined,
    });
    feeds.push(f);
    h.standIn.resetCounts();
    await f.pollOnce();
    const callsPerPass = h.standIn.apiCalls();
    expect(callsPerPass).toBe(5);
    const callsPerDay = (callsPerPass * 86_400_000) / f.pollEveryMs();
    expect(callsPerDay).toBeLessThanOrEqual(budget * 0.1);
    // Where the budget allows, the configured interval stands.
    await h.standIn.close();
    h = await startHarness({ dailyApiMax: 5_000_000 });
    await h.api.refreshLimits();
    const rich = new SalesforceChangeFeed({
      api: h.api,
      auth: h.auth,
      store: new MemoryReplayStore(),
      pubSub: null,
      onChange: () => undefined,
    });
    expect(rich.pollEveryMs()).toBe(10_000);
  });

  it('polls by SystemModstamp when the Pub/Sub API cannot be reached', async () => {
    h = await startHarness();
    h.clock.now = Date.now();
    pubsub = await PubSubStandIn.start(h.standIn);
    const address = pubsub.address;
    await pubsub.close();
    pubsub = undefined;
    const owner = seedUser(h.standIn, 'Owner');
    const store = new MemoryReplayStore();
    const events: ChangeEvent[] = [];
    const f = new SalesforceChangeFeed({
      api: h.api,
      auth: h.auth,
      store,
      objects: ['Lead'],
      pubSub: { address, insecure: true },
      onChange: (e) => {
        events.push(e);
      },
      pollIntervalMs: 60_000,
    });
    feeds.push(f);
    expect(await f.start()).toBe('polling');
    await until(() => store.values.has('poll:Lead'));

    const [a, b] = seedLeads(h.standIn, 2, owner) as [string, string];
    expect(await f.pollOnce()).toBe(2);
    h.standIn.org.update('Lead', a, { Status: 'Working' });
    h.standIn.org.delete('Lead', b);
    expect(await f.pollOnce()).toBe(2);
    // Nothing new: nothing reported again, although the query looks back over the overlap.
    expect(await f.pollOnce()).toBe(0);
    expect(events).toEqual([
      { kind: 'created', object: 'Lead', ids: [a, b], changedFields: null },
      { kind: 'updated', object: 'Lead', ids: [a], changedFields: null },
      { kind: 'deleted', object: 'Lead', ids: [b], changedFields: null },
    ]);
  });

  it('goes back to the Pub/Sub API when it answers again, resuming after the stored replay id', async () => {
    h = await startHarness();
    h.clock.now = Date.now();
    pubsub = await PubSubStandIn.start(h.standIn);
    const owner = seedUser(h.standIn, 'Owner');
    const [x, y] = seedLeads(h.standIn, 2, owner) as [string, string];
    const store = new MemoryReplayStore();
    const events: ChangeEvent[] = [];
    const f = feed(store, events);
    await started(f);
    h.standIn.org.update('Lead', x, { Status: 'Working' });
    await until(() => events.length === 1);
    await f.stop();

    // The endpoint goes away: the feed polls.
    await pubsub.close();
    const g = feed(store, events);
    expect(await g.start()).toBe('polling');
    expect(await g.retryPubSub()).toBe(false);

    // It comes back on the same address with the events it kept.
    h.standIn.org.update('Lead', y, { Status: 'Working' });
    await pubsub.reopen();
    expect(await g.retryPubSub()).toBe(true);
    expect(g.mode).toBe('pubsub');
    await until(() => events.some((e) => e.ids.includes(y) && e.changedFields !== null));
  });

  it('with no Pub/Sub endpoint configured, polls from the stored watermark after a restart', async () => {
    h = await startHarness();
    h.clock.now = Date.now();
    const owner = seedUser(h.standIn, 'Owner');
    const store = new MemoryReplayStore();
    const first: ChangeEvent[] = [];
    const a = feed(store, first, { pubSub: false });
    expect(await a.start()).toBe('polling');
    await until(() => store.values.has('poll:Lead'));
    const [x] = seedLeads(h.standIn, 1, owner) as [string];
    await a.pollOnce();
    await a.stop();
    const [y] = seedLeads(h.standIn, 1, owner) as [string];
    const second: ChangeEvent[] = [];
    const b = feed(store, second, { pubSub: false });
    await b.start();
    await until(() => second.length > 0);
    expect(first.flatMap((e) => e.ids)).toEqual([x]);
    // After a restart the overlap window may repeat recent records, but never skips one.
    expect(second.flatMap((e) => e.ids)).toContain(y);
  });
});

describe('decodeFieldBitmaps', () => {
  it('reads top-level and compound field bits as Salesforce encodes them', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'E',
      fields: [
        { name: 'ChangeEventHeader', type: 'string' },
        {
          name: 'Name',
          type: [
            'null',
            {
              type: 'record',
              name: 'N',
              fields: [
                { name: 'FirstName', type: 'string' },
                { name: 'LastName', type: 'string' },
              ],
            },
          ],
        },
        { name: 'Status', type: 'string' },
        { name: 'OwnerId', type: 'string' },
      ],
    });
    // Bits 1 and 3: the compound Name (children not listed) and OwnerId.
    expect(decodeFieldBitmaps(type, ['0xA'])).toEqual(['Name', 'OwnerId']);
    expect(decodeFieldBitmaps(type, ['0xE', '1-0x2'])).toEqual(['Status', 'OwnerId', 'LastName']);
  });
});
