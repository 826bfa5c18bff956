import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import avro from 'avsc';
import type { ChangeEvent, ChangeObject } from '../crm.port.js';
import { PeriodicTask } from '../../periodic-task.js';
import type { SalesforceApi } from './salesforce-api.js';
import { chunk } from './salesforce-api.js';
import type { JwtBearerAuth } from './salesforce-auth.js';

/** Where the last processed position of each topic is kept, so a restart resumes there. */
export interface ReplayStore {
  get(topic: string): Promise<string | null>;
  set(topic: string, replayId: string): Promise<void>;
}

export interface PubSubEndpoint {
  /** host:port, e.g. api.pubsub.salesforce.com:7443. */
  address: string;
  /** Plain-text gRPC, for the local stand-in only. */
  insecure?: boolean;
}

export interface ChangeFeedOptions {
  api: SalesforceApi;
  auth?: JwtBearerAuth | null;
  store: ReplayStore;
  /** Awaited before the event's replay id is stored: a crash mid-way replays, it does not skip. */
  onChange: (event: ChangeEvent) => Promise<void> | void;
  objects?: ChangeObject[];
  /** null: poll only. */
  pubSub?: PubSubEndpoint | null;
  /** Events asked for at a time (flow control; the Pub/Sub API takes at most 100). */
  batchSize?: number;
  /**
   * While events are handled and none are pending, a FetchRequest goes out this often (default 45 s):
   * the Pub/Sub API closes a stream with no pending events that has had no FetchRequest for 60 s.
   */
  fetchKeepAliveMs?: number;
  pollIntervalMs?: number;
  /** Reconnects tried after a stream fails before falling back to polling. */
  reconnectAttempts?: number;
  /** While polling instead of a configured Pub/Sub endpoint, try it again this often (default 5 min). */
  pubSubRetryMs?: number;
  /** Polling looks back this far behind its watermark, for transactions that committed late. */
  pollOverlapMs?: number;
  /**
   * After a FetchResponse that used up what was asked for (more may wait on the server), how long the
   * next one is waited for, so a bulk insert is handed over in 200s, not 100s (default 250 ms). A
   * real-time change arrives in a response that leaves events asked for, and is handed over at once.
   */
  gatherMs?: number;
  onError?: (err: Error) => void;
}

export const PUBSUB_ADDRESS = 'api.pubsub.salesforce.com:7443';

/** The part of the companion's daily API budget polling may spend. */
const POLLING_BUDGET_SHARE = 0.1;
const DAY_MS = 86_400_000;

const TOPIC: Record<ChangeObject, string> = {
  Lead: '/data/LeadChangeEvent',
  Account: '/data/AccountChangeEvent',
  User: '/data/UserChangeEvent',
  CampaignMember: '/data/CampaignMemberChangeEvent',
  Opportunity: '/data/OpportunityChangeEvent',
};

/** The objects routing listens to: each needs Change Data Capture selected in the org. */
export const CHANGE_OBJECTS = Object.keys(TOPIC) as ChangeObject[];

const PROTO = fileURLToPath(new URL('./pubsub-api.proto', import.meta.url));

interface GrpcEvent {
  event: { id: string; schema_id: string; payload: Buffer };
  replay_id: Buffer;
}
interface FetchResponse {
  events: GrpcEvent[];
  latest_replay_id: Buffer;
  pending_num_requested: number;
}
interface ChangeHeader {
  entityName: string;
  recordIds: string[];
  changeType: string;
  commitTimestamp: number;
  commitUser: string;
  changedFields: string[];
}

type PubSubClient = grpc.Client & {
  GetTopic(
    req: object,
    md: grpc.Metadata,
    opts: grpc.CallOptions,
    cb: grpc.requestCallback<{ schema_id: string; can_subscribe: boolean }>,
  ): void;
  GetSchema(
    req: object,
    md: grpc.Metadata,
    opts: grpc.CallOptions,
    cb: grpc.requestCallback<{ schema_json: string }>,
  ): void;
  Subscribe(md: grpc.Metadata): grpc.ClientDuplexStream<object, FetchResponse>;
};

let clientCtor: (new (address: string, creds: grpc.ChannelCredentials) => PubSubClient) | undefined;

/** Loaded on first use, not at import: no file is read before a feed starts. */
export function pubSubClientConstructor(): new (
  address: string,
  creds: grpc.ChannelCredentials,
) => PubSubClient {
  if (!clientCtor) {
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      eventbus: { v1: { PubSub: new (address: string, creds: grpc.ChannelCredentials) => PubSubClient } };
    };
    clientCtor = pkg.eventbus.v1.PubSub;
  }
  return clientCtor;
}

/**
 * Field names from a change event's bitmap fields: "0x…" sets bit i for the schema's i-th field;
 * "N-0x…" does the same inside the compound field N (e.g. Name → FirstName, LastName).
 */
export function decodeFieldBitmaps(type: avro.Type, bitmaps: string[]): string[] {
  const fields = (type as avro.types.RecordType).fields;
  const names: string[] = [];
  const expanded = new Set<string>();
  const pick = (list: avro.types.Field[], hex: string) => {
    const bits = BigInt(hex);
    list.forEach((f, i) => {
      if ((bits >> BigInt(i)) & 1n) names.push(f.name);
    });
  };
  for (const bitmap of bitmaps) {
    const dash = bitmap.indexOf('-');
    if (dash < 0) {
      pick(fields, bitmap);
      continue;
    }
    const parent = fields[Number(bitmap.slice(0, dash))];
    const inner = parent ? recordOf(parent.type) : undefined;
    if (parent && inner) {
      expanded.add(parent.name);
      pick(inner.fields as avro.types.Field[], bitmap.slice(dash + 1));
    }
  }
  // A compound parent's own bit adds nothing once its children are listed.
  return [...new Set(names)].filter((n) => !expanded.has(n));
}

function recordOf(type: avro.Type): avro.types.RecordType | undefined {
  if (type instanceof avro.types.RecordType) return type;
  const union = type as unknown as { types?: avro.Type[] };
  return union.types?.find((t): t is avro.types.RecordType => t instanceof avro.types.RecordType);
}

/** Two user Ids, 15 or 18 characters: the first 15 name the record, case-sensitively. */
/** A change event as decoded from a FetchResponse, with where it stands in the stream. */
interface Decoded {
  event: ChangeEvent;
  replayId: string;
  /** commitTimestamp, ms. */
  at: number;
  /** The last ChangeEvent its stream event gave (an overflow gives several): its replay id may be stored. */
  last: boolean;
}

/** Records per merged event: what one sObject Collections write takes. */
const MERGE_LIMIT = 200;

const alike = (a: ChangeEvent, b: ChangeEvent): boolean =>
  a.object === b.object &&
  a.kind === b.kind &&
  a.byIntegrationUser === b.byIntegrationUser &&
  (a.changedFields === null
    ? b.changedFields === null
    : b.changedFields !== null &&
      a.changedFields.length === b.changedFields.length &&
      a.changedFields.every((f) => b.changedFields!.includes(f)));

/**
 * Consecutive alike events (same object, kind, changed fields and committer), up to MERGE_LIMIT
 * records and never one record twice, so each group is one event's worth of work and order holds.
 */
function alikeGroups(decoded: Decoded[]): Decoded[][] {
  const groups: Decoded[][] = [];
  let ids = new Set<string>();
  for (const d of decoded) {
    const group = groups[groups.length - 1];
    const fits =
      group !== undefined &&
      alike(group[0]!.event, d.event) &&
      ids.size + d.event.ids.length <= MERGE_LIMIT &&
      d.event.ids.every((id) => !ids.has(id));
    if (fits) group.push(d);
    else {
      groups.push([d]);
      ids = new Set();
    }
    for (const id of d.event.ids) ids.add(id);
  }
  return groups;
}

function merged(group: Decoded[]): ChangeEvent {
  if (group.length === 1) return group[0]!.event;
  return {
    ...group[0]!.event,
    ids: group.flatMap((d) => d.event.ids),
    keys: group.flatMap((d) => d.event.keys ?? d.event.ids.map(() => '')),
  };
}

function sameId(a: string | null | undefined, b: string): boolean {
  return typeof a === 'string' && a.length >= 15 && a.slice(0, 15) === b.slice(0, 15);
}

const KIND: Record<string, ChangeEvent['kind']> = {
  CREATE: 'created',
  UPDATE: 'updated',
  UNDELETE: 'updated',
  DELETE: 'deleted',
};

/**
 * Change data capture for leads, accounts and users: the Pub/Sub API (gRPC, Avro payloads) with
 * the replay id stored after each event is handled, and polling by SystemModstamp when the
 * Pub/Sub API cannot be reached or keeps failing.
 */
export class SalesforceChangeFeed {
  mode: 'stopped' | 'pubsub' | 'polling' = 'stopped';
  private readonly objects: ChangeObject[];
  private readonly batchSize: number;
  private client: PubSubClient | null = null;
  private readonly streams = new Map<string, grpc.ClientDuplexStream<object, FetchResponse>>();
  /** Per stream: events requested and not yet delivered, as last told, and when a FetchRequest last went out. */
  private readonly flow = new Map<
    grpc.ClientDuplexStream<object, FetchResponse>,
    { pending: number; lastFetch: number }
  >();
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private readonly schemas = new Map<string, avro.Type>();
  private readonly chains = new Map<string, Promise<void>>();
  private failures = 0;
  /** Polling's passes, while the Pub/Sub API cannot be used. */
  private readonly polls: PeriodicTask;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly seen = new Map<string, Map<string, string>>();
  /** Per object: records polling reported as created, with their CreatedDate, within the overlap. */
  private readonly createdSeen = new Map<string, Map<string, string>>();
  /** Per stream: wakes the hand-over waiting for the next FetchResponse of a bulk change. */
  private readonly gathering = new Map<grpc.ClientDuplexStream<object, FetchResponse>, () => void>();

  constructor(private readonly options: ChangeFeedOptions) {
    this.objects = options.objects ?? CHANGE_OBJECTS;
    this.batchSize = Math.min(100, options.batchSize ?? 100);
    this.polls = new PeriodicTask({
      everyMs: () => this.pollEveryMs(),
      passAtStart: true,
      pass: async () => {
        if (this.mode === 'polling') await this.pollOnce();
      },
      onError: (err) => this.report(err),
    });
  }

  /** Subscribes through the Pub/Sub API, or polls when it is unavailable. */
  async start(): Promise<'pubsub' | 'polling'> {
    if (this.options.pubSub) {
      // Set first: a stream that fails while the others are still being opened must reconnect.
      this.mode = 'pubsub';
      try {
        await this.subscribeAll();
        return 'pubsub';
      } catch (err) {
        this.report(err);
        this.closeStreams();
      }
    }
    this.startPolling();
    return 'polling';
  }

  async stop(): Promise<void> {
    this.mode = 'stopped';
    const pollsStopped = this.polls.stop();
    if (this.retryTimer) clearInterval(this.retryTimer);
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.retryTimer = this.keepAliveTimer = null;
    this.closeStreams();
    await Promise.all([...this.chains.values(), pollsStopped]);
  }

  /** One polling pass over every object; returns how many changed records it reported. */
  async pollOnce(): Promise<number> {
    let total = 0;
    for (const object of this.objects) total += await this.pollObject(object);
    return total;
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('accesstoken', this.options.api.conn.accessToken ?? '');
    md.set('instanceurl', this.options.api.conn.instanceUrl);
    md.set('tenantid', this.options.auth?.orgId ?? '');
    return md;
  }

  private async subscribeAll(): Promise<void> {
    const endpoint = this.options.pubSub!;
    const Ctor = pubSubClientConstructor();
    this.client = new Ctor(
      endpoint.address,
      endpoint.insecure ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(),
    );
    for (const object of this.objects) {
      const topic = TOPIC[object];
      const info = await this.unary<{ schema_id: string; can_subscribe: boolean }>('GetTopic', {
        topic_name: topic,
      });
      if (!info.can_subscribe) throw new Error(`the integration user may not subscribe to ${topic}`);
      await this.schema(info.schema_id);
    }
    for (const object of this.objects) await this.subscribe(TOPIC[object]);
  }

  private unary<T>(method: 'GetTopic' | 'GetSchema', req: object): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      (this.client![method] as (...a: unknown[]) => void)(
        req,
        this.metadata(),
        { deadline },
        (err: Error | null, res: T) => (err ? reject(err) : resolve(res)),
      );
    });
  }

  private async schema(id: string): Promise<avro.Type> {
    let type = this.schemas.get(id);
    if (!type) {
      const info = await this.unary<{ schema_json: string }>('GetSchema', { schema_id: id });
      type = avro.Type.forSchema(JSON.parse(info.schema_json) as avro.Schema);
      this.schemas.set(id, type);
    }
    return type;
  }

  private async subscribe(topic: string): Promise<void> {
    const stored = await this.options.store.get(topic);
    const stream = this.client!.Subscribe(this.metadata());
    this.streams.set(topic, stream);
    this.flow.set(stream, { pending: 0, lastFetch: 0 });
    this.fetch(stream, this.batchSize, {
      topic_name: topic,
      replay_preset: stored ? 'CUSTOM' : 'LATEST',
      ...(stored ? { replay_id: Buffer.from(stored, 'base64') } : {}),
    });
    this.keepFetching();
    // Responses that arrive while earlier ones are handled wait here and are handled together.
    const received: FetchResponse[] = [];
    stream.on('data', (res: FetchResponse) => {
      const flow = this.flow.get(stream);
      if (flow) flow.pending = res.pending_num_requested;
      received.push(res);
      // Ask for more while this batch waits and is handled, so the next events are already here when it
      // is done ("Pull Subscription and Flow Control": request before the pending count reaches zero);
      // no more than a merged event's worth waits in memory.
      const waiting = received.reduce((n, r) => n + r.events.length, 0);
      if (flow && flow.pending <= this.batchSize / 2 && waiting < MERGE_LIMIT)
        this.fetch(stream, this.batchSize - flow.pending);
      this.gathering.get(stream)?.();
      if (received.length > 1) return;
      const prev = this.chains.get(topic) ?? Promise.resolve();
      this.chains.set(
        topic,
        prev
          // A turn of the event loop first, so responses already on the wire join this batch.
          .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
          .then(() => this.gather(stream, received))
          .then(() => this.handle(topic, stream, received.splice(0)))
          .catch((err: unknown) => {
            this.report(err);
            // Later events must not overtake the failed one: resubscribe after the last stored replay id.
            if (this.streams.get(topic) === stream && this.mode === 'pubsub') void this.reconnect(topic);
          }),
      );
    });
    // Every end of a stream this feed did not cancel itself is followed by a new one, whatever its
    // status (CANCELLED and OK included): Salesforce ends streams for maintenance, idle time and limits.
    stream.on('error', () => undefined);
    stream.on('status', (status: grpc.StatusObject) => {
      this.flow.delete(stream);
      this.gathering.get(stream)?.();
      if (this.mode === 'stopped' || this.streams.get(topic) !== stream) return;
      this.report(
        Object.assign(new Error(`the ${topic} stream ended: ${grpc.status[status.code]} ${status.details}`), {
          code: status.code,
        }),
      );
      if (status.code === grpc.status.INVALID_ARGUMENT && /replay/i.test(status.details ?? '')) {
        void this.catchUp(topic);
        return;
      }
      void this.reconnect(topic, status.code === grpc.status.UNAUTHENTICATED);
    });
  }

  /**
   * Waits, up to `gatherMs`, while the newest response used up what was asked for and fewer than a
   * merged event's worth of records wait: the Pub/Sub API sends at most 100 events at a time ("Pub/Sub
   * API and Event Allocations", https://developer.salesforce.com/docs/platform/pub-sub-api/guide/allocations.html),
   * and one sObject Collections request writes up to 200 records ("Update Records Using sObject
   * Collections", https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm),
   * so a 200-lead insert handed over at once is read once and written once. A response that leaves
   * events asked for (what a real-time change comes in) is handed over without waiting.
   */
  private async gather(
    stream: grpc.ClientDuplexStream<object, FetchResponse>,
    received: FetchResponse[],
  ): Promise<void> {
    const deadline = Date.now() + (this.options.gatherMs ?? 250);
    const moreWaiting = (): boolean => {
      const newest = received[received.length - 1];
      return (
        newest !== undefined &&
        newest.events.length > 0 &&
        newest.pending_num_requested === 0 &&
        received.reduce((n, r) => n + r.events.length, 0) < MERGE_LIMIT
      );
    };
    while (moreWaiting() && Date.now() < deadline && this.flow.has(stream)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.gathering.set(stream, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.gathering.delete(stream);
    }
  }

  /** A FetchRequest asking for `n` more events (the first one also names the topic and where to start). */
  private fetch(stream: grpc.ClientDuplexStream<object, FetchResponse>, n: number, first: object = {}): void {
    const flow = this.flow.get(stream);
    if (!flow) return;
    stream.write({ ...first, num_requested: n });
    flow.pending += n;
    flow.lastFetch = Date.now();
  }

  /**
   * "Subscribe RPC Method" (Pub/Sub API, https://developer.salesforce.com/docs/platform/pub-sub-api/references/methods/subscribe-rpc.html):
   * with no events pending, the client must send a FetchRequest within 60 seconds of the last
   * FetchResponse or the stream closes. While a long batch is handled, one event more is asked for in time.
   */
  private keepFetching(): void {
    if (this.keepAliveTimer) return;
    const every = this.options.fetchKeepAliveMs ?? 45_000;
    this.keepAliveTimer = setInterval(() => {
      for (const stream of this.streams.values()) {
        const flow = this.flow.get(stream);
        if (flow && flow.pending === 0 && Date.now() - flow.lastFetch >= every) this.fetch(stream, 1);
      }
    }, every);
    this.keepAliveTimer.unref();
  }

  /**
   * The stored replay id is older than Salesforce keeps events (three days): subscribe from the
   * newest event, then report by query every record changed since the last event handled.
   * Subscribing first means a change in between is reported twice, never missed.
   */
  private async catchUp(topic: string): Promise<void> {
    const old = this.streams.get(topic);
    this.streams.delete(topic);
    old?.cancel();
    const since = await this.options.store.get(`at:${topic}`);
    await this.options.store.set(topic, '');
    const object = (Object.keys(TOPIC) as ChangeObject[]).find((o) => TOPIC[o] === topic)!;
    try {
      await this.subscribe(topic);
      const from = since ? Date.parse(since) : this.options.api.policy.now() - 72 * 3600 * 1000;
      // Queued with the stream's events so the handler never runs twice at once for a topic.
      const resynced = (this.chains.get(topic) ?? Promise.resolve()).then(async () => {
        for (const event of await this.resync(object, from)) await this.options.onChange(event);
      });
      this.chains.set(
        topic,
        resynced.catch(() => undefined),
      );
      await resynced;
    } catch (err) {
      this.report(err);
      void this.reconnect(topic);
    }
  }

  private async handle(
    topic: string,
    stream: grpc.ClientDuplexStream<object, FetchResponse>,
    responses: FetchResponse[],
  ): Promise<void> {
    if (this.streams.get(topic) !== stream) return;
    const decoded: Decoded[] = [];
    for (const e of responses.flatMap((r) => r.events)) {
      const type = await this.schema(e.event.schema_id);
      const payload = type.fromBuffer(e.event.payload) as { ChangeEventHeader: ChangeHeader };
      const replayId = e.replay_id.toString('base64');
      const key = `${topic}@${replayId}`;
      const events = await this.toChangeEvents(type, payload.ChangeEventHeader);
      events.forEach((event, i) =>
        decoded.push({
          event: { ...event, keys: event.ids.map(() => (events.length === 1 ? key : `${key}#${i}`)) },
          replayId,
          at: payload.ChangeEventHeader.commitTimestamp,
          last: i === events.length - 1,
        }),
      );
    }
    // Alike events of one batch are handed over as one: a 200-lead insert is 200 change events (each
    // record's own values), and routing them together costs one read and one write per batch, not per lead.
    for (const group of alikeGroups(decoded)) {
      await this.options.onChange(merged(group));
      const done = group.findLast((d) => d.last);
      if (!done) continue;
      await this.options.store.set(topic, done.replayId);
      // When the event was committed: where a catch-up by query starts if the replay id expires.
      await this.options.store.set(`at:${topic}`, new Date(done.at).toISOString());
    }
    // An empty batch is a keepalive carrying the newest position: store it so a restart skips nothing and replays little.
    const newest = responses[responses.length - 1];
    if (decoded.length === 0 && newest?.latest_replay_id?.length) {
      await this.options.store.set(topic, newest.latest_replay_id.toString('base64'));
    }
    this.failures = 0;
    // "Pull Subscription and Flow Control" (Pub/Sub API): ask for more before the pending count
    // reaches zero, topping it back up to a batch once half of it has been delivered and handled.
    const flow = this.flow.get(stream);
    if (flow && flow.pending <= this.batchSize / 2) this.fetch(stream, this.batchSize - flow.pending);
  }

  private async toChangeEvents(type: avro.Type, header: ChangeHeader): Promise<ChangeEvent[]> {
    const object = header.entityName as ChangeObject;
    const change = header.changeType;
    if (change === 'GAP_OVERFLOW') return this.resync(object, header.commitTimestamp);
    if (change.startsWith('GAP_')) {
      // Gap events carry ids but no field values: the consumer re-reads those records.
      const kind = KIND[change.slice(4)] ?? 'updated';
      return [{ kind, object, ids: header.recordIds, changedFields: null }];
    }
    const kind = KIND[change] ?? 'updated';
    const event: ChangeEvent = {
      kind,
      object,
      ids: header.recordIds,
      changedFields:
        kind === 'updated' ? decodeFieldBitmaps(type, header.changedFields) : kind === 'created' ? null : [],
    };
    // commitUser is "the ID of the user that ran the change operation" ("ChangeEventHeader Fields",
    // https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_event_fields_header.htm).
    const integrationUser = this.options.auth?.userId;
    if (integrationUser) event.byIntegrationUser = sameId(header.commitUser, integrationUser);
    return [event];
  }

  /** An overflow (too many changes in one transaction) names no ids: find them by query. */
  private async resync(object: ChangeObject, since: number): Promise<ChangeEvent[]> {
    const iso = new Date(since).toISOString();
    const rows = await this.options.api.queryAll<{ Id: string }>(
      `SELECT Id FROM ${object} WHERE SystemModstamp >= ${iso}`,
    );
    return chunk(
      rows.map((r) => r.Id),
      200,
    ).map((ids) => ({ kind: 'updated' as const, object, ids, changedFields: null }));
  }

  private async reconnect(topic: string, renewSession = false): Promise<void> {
    const old = this.streams.get(topic);
    this.streams.delete(topic);
    old?.cancel();
    const max = this.options.reconnectAttempts ?? 3;
    if (++this.failures > max) {
      this.report(new Error(`the Pub/Sub API failed ${this.failures} times in a row; polling instead`));
      this.closeStreams();
      this.startPolling();
      return;
    }
    const policy = this.options.api.policy;
    await policy.sleep(Math.round(1000 * 2 ** (this.failures - 1) * (0.5 + policy.random())));
    if (this.mode !== 'pubsub') return;
    try {
      if (renewSession && this.options.auth) await this.options.auth.renew(this.options.api.conn);
      await this.subscribe(topic);
    } catch (err) {
      this.report(err);
      void this.reconnect(topic);
    }
  }

  private closeStreams(): void {
    const open = [...this.streams.values()];
    this.streams.clear();
    for (const s of open) s.cancel();
    this.client?.close();
    this.client = null;
  }

  private startPolling(): void {
    this.mode = 'polling';
    this.polls.start();
    if (this.options.pubSub) {
      this.retryTimer = setInterval(() => void this.retryPubSub(), this.options.pubSubRetryMs ?? 300_000);
      this.retryTimer.unref();
    }
  }

  /**
   * How often polling runs: the configured interval (default 10 s), made longer where needed so that
   * polling, one query per object a pass, spends at most a tenth of the companion's daily API budget.
   */
  pollEveryMs(): number {
    const configured = this.options.pollIntervalMs ?? 10_000;
    const budget = this.options.api.health().budget;
    if (budget === null || budget <= 0) return configured;
    const passesPerDay = (budget * POLLING_BUDGET_SHARE) / this.objects.length;
    return Math.max(configured, Math.ceil(DAY_MS / passesPerDay));
  }

  /**
   * Back to the Pub/Sub API once it answers again. The subscription resumes after the last stored
   * replay id, so changes polling already reported may come again; none are skipped.
   */
  async retryPubSub(): Promise<boolean> {
    if (this.mode !== 'polling' || !this.options.pubSub) return false;
    try {
      await this.subscribeAll();
    } catch (err) {
      this.report(err);
      this.closeStreams();
      return false;
    }
    const pollsStopped = this.polls.stop();
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    await pollsStopped;
    this.failures = 0;
    this.mode = 'pubsub';
    return true;
  }

  /**
   * Records whose SystemModstamp is at or after the watermark, minus an overlap for transactions
   * that committed late. Ids already reported with the same SystemModstamp are skipped, so the
   * overlap brings no duplicates within a run; after a restart the overlap may report a record
   * again (consumers are idempotent), but never skips one.
   */
  private async pollObject(object: ChangeObject): Promise<number> {
    const key = `poll:${object}`;
    const policy = this.options.api.policy;
    const overlap = this.options.pollOverlapMs ?? 60_000;
    const stored = await this.options.store.get(key);
    const watermark = stored ? Date.parse(stored) : policy.now() - overlap;
    const from = new Date(watermark - overlap).toISOString();
    const deletable = object !== 'User';
    let pollingSince = await this.options.store.get(`poll-since:${object}`);
    if (!pollingSince) {
      pollingSince = new Date(policy.now()).toISOString();
      await this.options.store.set(`poll-since:${object}`, pollingSince);
    }
    const newFrom = Math.max(Date.parse(from), Date.parse(pollingSince));
    const soql =
      `SELECT Id, CreatedDate, SystemModstamp${deletable ? ', IsDeleted' : ''} FROM ${object} ` +
      `WHERE SystemModstamp >= ${from} ORDER BY SystemModstamp ASC, Id ASC`;
    const rows = await this.options.api.queryAll<{
      Id: string;
      CreatedDate: string;
      SystemModstamp: string;
      IsDeleted?: boolean;
    }>(soql, deletable);
    const seen = this.seen.get(object) ?? new Map<string, string>();
    this.seen.set(object, seen);
    const created = this.createdSeen.get(object) ?? new Map<string, string>();
    this.createdSeen.set(object, created);
    const groups: Record<ChangeEvent['kind'], string[]> = { created: [], updated: [], deleted: [] };
    let newest = watermark;
    for (const r of rows) {
      if (seen.get(r.Id) === r.SystemModstamp) continue;
      seen.set(r.Id, r.SystemModstamp);
      const stamp = Date.parse(r.SystemModstamp);
      newest = Math.max(newest, stamp);
      if (r.IsDeleted) groups.deleted.push(r.Id);
      // New by creation time: created inside this pass's window (however often automation touched it
      // since) and after polling first started, and not reported as created by an earlier pass.
      else if (Date.parse(r.CreatedDate) >= newFrom && !created.has(r.Id)) {
        created.set(r.Id, r.CreatedDate);
        groups.created.push(r.Id);
      } else groups.updated.push(r.Id);
    }
    let reported = 0;
    for (const kind of ['created', 'updated', 'deleted'] as const) {
      for (const ids of chunk(groups[kind], 200)) {
        await this.options.onChange({ kind, object, ids, changedFields: null });
        reported += ids.length;
      }
    }
    for (const [id, stamp] of seen) if (Date.parse(stamp) < newest - overlap) seen.delete(id);
    for (const [id, stamp] of created) if (Date.parse(stamp) < newest - overlap) created.delete(id);
    await this.options.store.set(key, new Date(newest).toISOString());
    return reported;
  }

  private report(err: unknown): void {
    this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}
