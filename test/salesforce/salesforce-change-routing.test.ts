import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import avro from 'avsc';
import type { ChangeEvent, ChangeObject } from '../../companion/src/crm/crm.port.js';
import {
  SalesforceChangeFeed,
  decodeFieldBitmaps,
  pubSubClientConstructor,
} from '../../companion/src/crm/salesforce/salesforce-changes.js';
import { SalesforceOrgRead } from '../../companion/src/crm/salesforce/salesforce-org-read.js';
import { loadRoutingSet } from '../../companion/src/engine/flow/routing-set.js';
import { SalesforceChangeTrigger } from '../../companion/src/jobs/salesforce-change.trigger.js';
import { RoutingService } from '../../companion/src/routing/routing.service.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import type { Store } from '../../companion/src/store/store.js';
import { orgCatalog, seedLeads, seedUser, startHarness, type Harness } from './salesforce.fixture.js';
import { PubSubStandIn, type PubSubStandInOptions } from './stand-in/pubsub.server.js';

// Every lead routed whatever path its events take, and none twice: the companion's change feed and
// change trigger against the stand-in's REST and Pub/Sub APIs, with a routing set that sends new
// leads to one rep, a ticked Re-run Routing box to another and new campaign members to a third.

// One store for the file (opening one takes seconds); each test starts from an empty one, as its
// stand-in org starts from its first record Ids again.
let store: Store;
let h: Harness | undefined;
let pubsub: PubSubStandIn | undefined;
let feed: SalesforceChangeFeed | undefined;
beforeAll(async () => {
  store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
}, 120_000);
afterAll(() => store.close());
afterEach(async () => {
  await feed?.stop();
  await pubsub?.close();
  await h?.standIn.close();
  h = pubsub = feed = undefined;
  for (const table of ['outbox', 'idempotency', 'decisions', 'replay_ids'] as const)
    await store.db.deleteFrom(table).execute();
});

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 800 && !(await condition()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await condition()).toBe(true);
}

const tick = () => new Promise((r) => setTimeout(r, 5));

function flows(ids: { rep: string; rerouter: string; partner: string }) {
  const assign = (name: string, trigger: string, user: string, guard = '') => ({
    file: `${name}.flow.yaml`,
    text: `
flow: ${name}
version: 1
label: ${name}
trigger:
${trigger}
start: ${guard ? 'asked' : 'to-user'}
nodes:${guard}
  to-user:
    type: assign
    to: { user: ${user} }
    next: done
  done:
    type: end
`,
  });
  return [
    assign('new-leads', '  on: [created]', ids.rep),
    assign(
      'rerun',
      '  on: [updated]\n  changed: [Rerun_Routing__c]',
      ids.rerouter,
      `
  asked:
    type: decision
    branches:
      - when:
          all:
            - { field: lead.Rerun_Routing__c, op: changed }
            - { field: lead.Rerun_Routing__c, op: equals, value: true }
        next: to-user
    default: done`,
    ),
    assign('partners', '  on: [campaign-member]', ids.partner),
    assign(
      'status-watch',
      '  on: [updated]\n  changed: [Status]',
      ids.rep,
      `
  asked:
    type: decision
    branches:
      - when: { field: lead.Status, op: equals, value: Qualified }
        next: to-user
    default: done`,
    ),
  ];
}

interface World {
  h: Harness;
  service: RoutingService;
  trigger: SalesforceChangeTrigger;
  feed: SalesforceChangeFeed;
  rep: string;
  rerouter: string;
  partner: string;
  other: string;
  /** Leads the org held before Switchyard first started. */
  before: string[];
  handled: ChangeEvent[];
}

async function world(
  options: {
    pubSub?: PubSubStandInOptions | false;
    objects?: ChangeObject[];
    batchSize?: number;
    fetchKeepAliveMs?: number;
    onChange?: (e: ChangeEvent) => Promise<void>;
  } = {},
): Promise<World> {
  h = await startHarness();
  h.clock.now = Date.now();
  if (options.pubSub !== false) pubsub = await PubSubStandIn.start(h.standIn, options.pubSub ?? {});
  const rep = seedUser(h.standIn, 'Rita Rep');
  const rerouter = seedUser(h.standIn, 'Rob Rerouter');
  const partner = seedUser(h.standIn, 'Pat Partner');
  const other = seedUser(h.standIn, 'Olga Other');
  const before = seedLeads(h.standIn, 2, other, { Status: 'MQL' });
  const routingSet = loadRoutingSet(
    {
      flows: flows({ rep, rerouter, partner }),
      pools: { file: 'pools.yaml', text: 'pools: []\n' },
      territories: { file: 'territories.yaml', text: 'territories: []\n' },
    },
    orgCatalog(h.standIn),
  );
  const service = await RoutingService.create({ crm: h.crm, store, routingSet });
  await tick();
  const trigger = new SalesforceChangeTrigger({
    crm: h.crm,
    org: new SalesforceOrgRead(h.api),
    service,
    resume: store.replayIds,
  });
  await trigger.start();
  await tick();
  h.clock.now = Date.now();
  const handled: ChangeEvent[] = [];
  const harness = h;
  const make = () =>
    new SalesforceChangeFeed({
      api: harness.api,
      auth: harness.auth,
      store: store.replayIds,
      objects: options.objects ?? ['Lead'],
      pubSub: pubsub ? { address: pubsub.address, insecure: true } : null,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.fetchKeepAliveMs ? { fetchKeepAliveMs: options.fetchKeepAliveMs } : {}),
      pollIntervalMs: 3_600_000,
      onChange: async (event) => {
        await options.onChange?.(event);
        await trigger.onChange(event);
        handled.push(event);
      },
    });
  feed = make();
  const w: World = { h, service, trigger, feed, rep, rerouter, partner, other, before, handled };
  return w;
}

async function subscribed(w: World, count = 1): Promise<void> {
  expect(await w.feed.start()).toBe('pubsub');
  await until(() => pubsub!.activeSubscriptions() === count);
}

const triggers = async (w: World, leadId: string) =>
  (await w.service.history(leadId, 10)).map((d) => d.decision.trigger);
const ownerOf = (w: World, leadId: string) => w.h.standIn.org.get('Lead', leadId)?.['OwnerId'];

/** Waits until the lead has one decision and its owner is written; returns the decisions' triggers. */
async function routedTo(w: World, leadId: string, owner: string): Promise<string[]> {
  await until(async () => ownerOf(w, leadId) === owner && (await triggers(w, leadId)).length > 0);
  return triggers(w, leadId);
}

/** A lead entered by a person in Salesforce (a web form, an import): owned by someone, as every lead is. */
const newLead = (w: World, name: string) =>
  w.h.standIn.org.insert('Lead', { LastName: name, Company: `${name} Ltd`, Status: 'MQL', OwnerId: w.other })
    .Id;

describe('leads whose events name no fields are routed, once', () => {
  it('after an expired replay id: the leads created meanwhile are routed as new, the older ones are not', async () => {
    const w = await world();
    await subscribed(w);
    const org = w.h.standIn.org;
    const first = newLead(w, 'First');
    expect(await routedTo(w, first, w.rep)).toEqual(['created']);
    await w.feed.stop();

    // While the companion is down, a lead arrives and automation touches it; someone edits an older lead.
    const fresh = newLead(w, 'Fresh');
    org.update('Lead', fresh, { Title: 'Set by a workflow' });
    org.update('Lead', w.before[0]!, { Title: 'Edited' });
    pubsub!.expireEvents();

    feed = w.feed = new SalesforceChangeFeed({
      api: w.h.api,
      auth: w.h.auth,
      store: store.replayIds,
      objects: ['Lead'],
      pubSub: { address: pubsub!.address, insecure: true },
      onChange: (event) => w.trigger.onChange(event),
    });
    await w.feed.start();
    expect(await routedTo(w, fresh, w.rep)).toEqual(['created']);
    await until(() => pubsub!.activeSubscriptions() === 1);
    expect(await triggers(w, first)).toEqual(['created']);
    expect(await triggers(w, w.before[0]!)).toEqual([]);
    expect(ownerOf(w, w.before[0]!)).toBe(w.other);
  });

  it('gap and overflow events: new leads routed as new, a ticked Re-run box routed, an untouched lead left alone', async () => {
    const w = await world();
    await subscribed(w);
    const org = w.h.standIn.org;
    const since = Date.now();
    // One transaction too big for change events: Salesforce sends an overflow event naming no records.
    const imported = seedLeads(w.h.standIn, 3, w.other, { Status: 'MQL' });
    pubsub!.emitOverflow('Lead', since);
    // Salesforce could not build the events for these two: a gap event names them, without fields.
    const [ticked, untouched] = w.before as [string, string];
    Object.assign(org.get('Lead', ticked)!, { Rerun_Routing__c: true });
    pubsub!.emitGap('Lead', [ticked, untouched]);

    expect(await routedTo(w, ticked, w.rerouter)).toEqual(['updated']);
    for (const id of imported) expect(await routedTo(w, id, w.rep)).toEqual(['created']);
    expect(org.get('Lead', ticked)?.['Rerun_Routing__c']).toBe(false);
    // Routing's own writes come back as events; none of them is routed.
    const echoed = () => w.handled.filter((e) => e.byIntegrationUser === true).flatMap((e) => e.ids);
    await until(() => [ticked, ...imported].every((id) => echoed().includes(id)));
    for (const id of imported) expect(await triggers(w, id)).toEqual(['created']);
    expect(await triggers(w, ticked)).toEqual(['updated']);
    expect(await triggers(w, untouched)).toEqual([]);
  });

  it('polling: a lead touched by automation before the poll is new, the Re-run box works, routing’s own writes are not news', async () => {
    const w = await world({ pubSub: false });
    expect(await w.feed.start()).toBe('polling');
    await until(async () => (await store.replayIds.get('poll:Lead')) !== null);
    const org = w.h.standIn.org;
    const fresh = newLead(w, 'Fresh');
    org.update('Lead', fresh, { Title: 'Set by a workflow' });
    org.update('Lead', w.before[0]!, { Rerun_Routing__c: true });
    org.update('Lead', w.before[1]!, { Title: 'Edited' });
    await w.feed.pollOnce();
    expect(await triggers(w, fresh)).toEqual(['created']);
    expect(ownerOf(w, fresh)).toBe(w.rep);
    expect(await triggers(w, w.before[0]!)).toEqual(['updated']);
    expect(ownerOf(w, w.before[0]!)).toBe(w.rerouter);
    expect(await triggers(w, w.before[1]!)).toEqual([]);

    // The next poll sees routing's writes (owners, the cleared box): nothing is routed again.
    await w.feed.pollOnce();
    expect(await triggers(w, fresh)).toEqual(['created']);
    expect(await triggers(w, w.before[0]!)).toEqual(['updated']);
    expect(w.handled.flatMap((e) => e.ids)).toEqual(expect.arrayContaining([fresh, w.before[0]]));
  });
});

describe('a decision that changes nothing writes nothing', () => {
  it('a rep setting Status, or clearing the Re-run box, adds no history entry and no write', async () => {
    const w = await world();
    await subscribed(w);
    const org = w.h.standIn.org;
    const [lead] = w.before as [string];
    org.update('Lead', lead, { Rerun_Routing__c: true });
    expect(await routedTo(w, lead, w.rerouter)).toEqual(['updated']);
    const reason = org.get('Lead', lead)?.['Routing_Reason__c'];
    expect(reason).toBe('Assigned to Rob Rerouter (named user)');
    const echoed = () => w.handled.filter((e) => e.byIntegrationUser === true).length;
    await until(() => echoed() === 1);
    const writes = w.h.standIn.calls()['composite'];

    // A rep works the lead; later someone ticks the box while routing is away and clears it again.
    org.update('Lead', lead, { Status: 'Working' });
    Object.assign(org.get('Lead', lead)!, { Rerun_Routing__c: true });
    org.update('Lead', lead, { Rerun_Routing__c: false });
    await until(() => w.handled.length === 4);
    expect(await triggers(w, lead)).toEqual(['updated']);
    expect(org.get('Lead', lead)?.['Routing_Reason__c']).toBe(reason);
    expect(w.h.standIn.calls()['composite']).toBe(writes);
    expect(echoed()).toBe(1);

    // The flow's own condition met: that one is routed.
    org.update('Lead', lead, { Status: 'Qualified' });
    expect(await routedTo(w, lead, w.rep)).toEqual(['updated', 'updated']);
  });
});

describe('campaign members and opportunities', () => {
  it('a lead added to a campaign is routed with the campaign-member trigger, once per membership', async () => {
    const w = await world({ objects: ['Lead', 'CampaignMember'] });
    await subscribed(w, 2);
    const org = w.h.standIn.org;
    const campaign = org.insert('Campaign', { Name: 'Partner summit', Type: 'Partner Event' }, true).Id;
    const [lead] = w.before as [string];
    const member = org.insert('CampaignMember', { CampaignId: campaign, LeadId: lead, Status: 'Sent' }).Id;
    expect(await routedTo(w, lead, w.partner)).toEqual(['campaign-member']);
    org.update('CampaignMember', member, { Status: 'Attended' });
    await until(() => w.handled.some((e) => e.object === 'CampaignMember' && e.kind === 'updated'));
    expect(await triggers(w, lead)).toEqual(['campaign-member']);
  });

  it('opportunities stay fresh from their change events', async () => {
    const w = await world({ objects: ['Opportunity', 'Account'] });
    await subscribed(w, 2);
    const org = w.h.standIn.org;
    const account = org.insert('Account', { Name: 'Acme' }).Id;
    await until(() => w.service.org.accounts.get(account) !== undefined);
    const opp = org.insert('Opportunity', {
      AccountId: account,
      Name: 'Acme renewal',
      StageName: 'Negotiation',
      IsClosed: false,
    }).Id;
    await until(() => w.service.org.accounts.openOpportunities(account).some((o) => o.Id === opp));
    org.update('Opportunity', opp, { StageName: 'Closed Won', IsClosed: true });
    await until(() => w.service.org.accounts.openOpportunities(account).length === 0);
  });
});

describe('cost', () => {
  it('a change event naming 200 accounts costs one query', async () => {
    const w = await world({ objects: ['Account'] });
    await subscribed(w);
    const org = w.h.standIn.org;
    const ids = Array.from({ length: 200 }, (_, i) => org.insert('Account', { Name: `Co ${i}` }, true).Id);
    w.h.standIn.resetCounts();
    // A mass update in one transaction: one event naming every account.
    org.transaction(() => {
      for (const id of ids) org.update('Account', id, { Type: 'Customer' });
    });
    await until(() => w.handled.length === 1);
    expect(w.handled[0]!.ids).toHaveLength(200);
    expect(w.h.standIn.calls()['query']).toBe(1);
    expect(w.service.org.accounts.get(ids[199]!)?.Type).toBe('Customer');
  });
});

describe('Pub/Sub flow control and streams that end', () => {
  it('a batch handled for longer than the stand-in waits for a FetchRequest keeps its stream', async () => {
    const slow = () => new Promise<void>((r) => setTimeout(r, 400));
    const w = await world({
      pubSub: { fetchWithinMs: 150 },
      batchSize: 2,
      fetchKeepAliveMs: 40,
      onChange: slow,
    });
    await subscribed(w);
    const [a, b] = [0, 1].map((i) => newLead(w, `L${i}`));
    expect(await routedTo(w, a!, w.rep)).toEqual(['created']);
    expect(await routedTo(w, b!, w.rep)).toEqual(['created']);
    // Routing's own writes come back as two more events (alike ones handed over together), handled as slowly.
    await until(() => w.handled.flatMap((e) => e.ids).length === 4);
    expect(pubsub!.idleClosed).toBe(0);
    expect(pubsub!.subscribeCalls).toBe(1);
  });

  it('the stand-in closes a stream that sends no FetchRequest in time after its events came', async () => {
    // A bare client: the feed asks for more before its pending count reaches zero, so it never trips this.
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn, { fetchWithinMs: 150 });
    const Client = pubSubClientConstructor();
    const client = new Client(pubsub.address, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('accesstoken', h.api.conn.accessToken ?? '');
    md.set('instanceurl', h.api.conn.instanceUrl);
    md.set('tenantid', h.standIn.orgId);
    const stream = client.Subscribe(md);
    const received: number[] = [];
    let ended = false;
    stream.on('data', (res: { events: unknown[] }) => received.push(res.events.length));
    stream.on('error', () => undefined);
    stream.on('status', () => (ended = true));
    stream.write({ topic_name: '/data/LeadChangeEvent', replay_preset: 'LATEST', num_requested: 1 });
    await until(() => pubsub!.activeSubscriptions() === 1);
    h.standIn.org.insert('Lead', { LastName: 'Lovelace', Company: 'Analytical' });
    await until(() => ended);
    // An empty keep-alive at the start, then the one event asked for, then nothing more asked: closed.
    expect(received).toEqual([0, 1]);
    expect(pubsub.idleClosed).toBe(1);
    client.close();
  });

  it.each([
    ['CANCELLED', grpc.status.CANCELLED],
    ['INTERNAL', grpc.status.INTERNAL],
  ])('reconnects when Salesforce ends the stream with %s', async (_name, code) => {
    const w = await world();
    await subscribed(w);
    pubsub!.dropStreams(code);
    await until(() => pubsub!.activeSubscriptions() === 1);
    const lead = newLead(w, 'After');
    expect(await routedTo(w, lead, w.rep)).toEqual(['created']);
    expect(pubsub!.subscribeCalls).toBe(2);
    expect(w.feed.mode).toBe('pubsub');
  });

  it('past the daily delivery allocation the stream is refused and the feed polls instead', async () => {
    const w = await world({ pubSub: { dailyDeliveries: 2 } });
    await subscribed(w);
    const ids = [0, 1, 2].map((i) => newLead(w, `L${i}`));
    await until(() => w.feed.mode === 'polling');
    for (const id of ids) expect(await routedTo(w, id, w.rep)).toEqual(['created']);
    // The leads the org held before Switchyard started are in the poll's window, and are not new.
    for (const id of w.before) expect(await triggers(w, id)).toEqual([]);
  });
});

describe('the stand-in’s change events as Salesforce sends them', () => {
  it('one event names every record a transaction changed alike; nulledFields names what was cleared', async () => {
    h = await startHarness();
    pubsub = await PubSubStandIn.start(h.standIn);
    const owner = seedUser(h.standIn, 'Owner');
    const org = h.standIn.org;
    const ids = seedLeads(h.standIn, 3, owner, { Email: 'x@example.com' });
    const before = pubsub.eventCount('Lead');
    org.transaction(() => {
      for (const id of ids) org.update('Lead', id, { Status: 'Working', Email: null });
      org.update('Lead', ids[0]!, { Country: 'NL' });
    });
    // The first lead changed differently (Country too): an event of its own, then one for the other two.
    expect(pubsub.eventCount('Lead') - before).toBe(2);
    const header = pubsub.lastHeader('Lead')!;
    expect(header['recordIds']).toEqual([ids[1], ids[2]]);
    // The stand-in's Lead change event schema, in its field order (what the bitmaps index).
    const schema = avro.Type.forSchema({
      type: 'record',
      name: 'E',
      fields: ['ChangeEventHeader', 'Name', 'Company', 'Email', 'Country', 'Status', 'OwnerId'].map(
        (name) => ({
          name,
          type: 'string',
        }),
      ),
    });
    expect(decodeFieldBitmaps(schema, header['changedFields'] as string[])).toEqual(['Email', 'Status']);
    expect(decodeFieldBitmaps(schema, header['nulledFields'] as string[])).toEqual(['Email']);
  });
});
