/**
 * A local Pub/Sub API (gRPC, eventbus.v1) over the stand-in org: every Lead, Account, User,
 * CampaignMember and Opportunity change becomes a change event with an Avro payload and an 8-byte
 * replay id, kept in a log per topic so subscribers can start LATEST, EARLIEST or after a stored
 * replay id. A transaction's identical changes come as one event naming every record; a stream with
 * nothing pending and no FetchRequest for 60 seconds is closed; deliveries count against the org's
 * daily allocation.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import avro from 'avsc';
import { ORG_ADMIN_ID, type OrgChange } from './org.js';
import type { SalesforceStandIn } from './stand-in.server.js';

const PROTO = new URL('../../../companion/src/crm/salesforce/pubsub-api.proto', import.meta.url).pathname;

const opt = (type: string) => ['null', type];
const HEADER = {
  type: 'record',
  name: 'ChangeEventHeader',
  fields: [
    { name: 'entityName', type: 'string' },
    { name: 'recordIds', type: { type: 'array', items: 'string' } },
    {
      name: 'changeType',
      type: {
        type: 'enum',
        name: 'ChangeType',
        symbols: [
          'CREATE',
          'UPDATE',
          'DELETE',
          'UNDELETE',
          'GAP_CREATE',
          'GAP_UPDATE',
          'GAP_DELETE',
          'GAP_UNDELETE',
          'GAP_OVERFLOW',
        ],
      },
    },
    { name: 'changeOrigin', type: 'string' },
    { name: 'transactionKey', type: 'string' },
    { name: 'sequenceNumber', type: 'int' },
    { name: 'commitTimestamp', type: 'long' },
    { name: 'commitNumber', type: 'long' },
    { name: 'commitUser', type: 'string' },
    { name: 'nulledFields', type: { type: 'array', items: 'string' } },
    { name: 'diffFields', type: { type: 'array', items: 'string' } },
    { name: 'changedFields', type: { type: 'array', items: 'string' } },
  ],
};

/** Field lists per object, in schema order (the order the bitmaps index), trimmed to what tests touch. */
const FIELDS: Record<string, Array<{ name: string; type: unknown }>> = {
  Lead: [
    {
      name: 'Name',
      type: opt({
        type: 'record',
        name: 'PersonName',
        fields: [
          { name: 'Salutation', type: opt('string'), default: null },
          { name: 'FirstName', type: opt('string'), default: null },
          { name: 'LastName', type: opt('string'), default: null },
        ],
      } as never),
    },
    { name: 'Company', type: opt('string') },
    { name: 'Email', type: opt('string') },
    { name: 'Country', type: opt('string') },
    { name: 'Status', type: opt('string') },
    { name: 'OwnerId', type: opt('string') },
    { name: 'Rerun_Routing__c', type: opt('boolean') },
    { name: 'IsConverted', type: opt('boolean') },
  ],
  Account: [
    { name: 'Name', type: opt('string') },
    { name: 'Website', type: opt('string') },
    { name: 'Type', type: opt('string') },
    { name: 'OwnerId', type: opt('string') },
    { name: 'BDR_Assigned__c', type: opt('string') },
  ],
  User: [
    { name: 'Name', type: opt('string') },
    { name: 'IsActive', type: opt('boolean') },
    { name: 'Out_Of_Office_Until__c', type: opt('string') },
  ],
  CampaignMember: [
    { name: 'CampaignId', type: opt('string') },
    { name: 'LeadId', type: opt('string') },
    { name: 'Status', type: opt('string') },
  ],
  Opportunity: [
    { name: 'AccountId', type: opt('string') },
    { name: 'Name', type: opt('string') },
    { name: 'StageName', type: opt('string') },
    { name: 'IsClosed', type: opt('boolean') },
    { name: 'OwnerId', type: opt('string') },
  ],
};

export interface PubSubStandInOptions {
  /**
   * "Subscribe RPC Method" (Pub/Sub API, https://developer.salesforce.com/docs/platform/pub-sub-api/references/methods/subscribe-rpc.html):
   * with no pending events (pending_num_requested 0) "the client must send a new FetchRequest within
   * 60 seconds from when the last FetchResponse" was sent, or the stream closes. Default 60 s.
   */
  fetchWithinMs?: number;
  /**
   * Change Data Capture Developer Guide, "Change Data Capture Allocations": event notifications
   * delivered to subscribers in 24 hours; Developer Edition 10,000 (the default here). Past it,
   * subscriptions are refused until the allocation frees up.
   */
  dailyDeliveries?: number;
}

const COMPOUND: Record<string, string[]> = { Name: ['Salutation', 'FirstName', 'LastName'] };

interface TopicLog {
  object: string;
  schemaId: string;
  schemaJson: string;
  type: avro.Type;
  events: Array<{ id: string; replayId: Buffer; payload: Buffer }>;
}

interface Subscriber {
  call: grpc.ServerDuplexStream<
    { topic_name: string; replay_preset: string; replay_id: Buffer; num_requested: number },
    unknown
  >;
  topic: TopicLog | null;
  cursor: number;
  pending: number;
  /** Closes the stream when no FetchRequest comes in time while nothing is pending. */
  idle: NodeJS.Timeout | null;
}

export class PubSubStandIn {
  private server = new grpc.Server();
  private readonly topics = new Map<string, TopicLog>();
  private readonly subscribers = new Set<Subscriber>();
  private replaySeq = 0;
  /** The oldest replay id still kept; older ones fail validation. */
  private retainedFrom = 1n;
  address = '';
  /** Subscribe calls accepted, to check a restart opened a new stream. */
  subscribeCalls = 0;
  /** Streams closed for want of a FetchRequest within the 60 seconds. */
  idleClosed = 0;
  /** Events delivered, against the daily allocation (tests start a new day with `newDay`). */
  delivered = 0;
  private pumpScheduled = false;

  private constructor(
    private readonly standIn: SalesforceStandIn,
    private readonly options: PubSubStandInOptions = {},
  ) {
    for (const object of Object.keys(FIELDS)) {
      const schema = {
        type: 'record',
        name: `${object}ChangeEvent`,
        namespace: 'com.sforce.eventbus',
        fields: [
          { name: 'ChangeEventHeader', type: HEADER },
          ...FIELDS[object]!.map((f) => ({ ...f, default: null })),
        ],
      };
      const schemaJson = JSON.stringify(schema);
      this.topics.set(`/data/${object}ChangeEvent`, {
        object,
        schemaId: createHash('sha256').update(schemaJson).digest('base64url').slice(0, 22),
        schemaJson,
        type: avro.Type.forSchema(schema as avro.Schema),
        events: [],
      });
    }
    standIn.org.onChange((c) => this.record(c));
  }

  static async start(standIn: SalesforceStandIn, options: PubSubStandInOptions = {}): Promise<PubSubStandIn> {
    const s = new PubSubStandIn(standIn, options);
    await s.listen(0);
    return s;
  }

  /** Serves again on the same address after `close`, with the events kept, as after an outage. */
  async reopen(): Promise<void> {
    this.server = new grpc.Server();
    await this.listen(Number(this.address.split(':')[1]));
  }

  private async listen(port: number): Promise<void> {
    const standIn = this.standIn;
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      eventbus: { v1: { PubSub: { service: grpc.ServiceDefinition } } };
    };
    this.server.addService(pkg.eventbus.v1.PubSub.service, {
      GetTopic: (
        call: grpc.ServerUnaryCall<{ topic_name: string }, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        if (!this.authorised(call.metadata))
          return cb({ code: grpc.status.UNAUTHENTICATED, details: 'Invalid session' });
        const t = this.topics.get(call.request.topic_name);
        if (!t) return cb({ code: grpc.status.NOT_FOUND, details: `no topic ${call.request.topic_name}` });
        cb(null, {
          topic_name: call.request.topic_name,
          tenant_guid: standIn.orgId,
          can_publish: false,
          can_subscribe: true,
          schema_id: t.schemaId,
        });
      },
      GetSchema: (
        call: grpc.ServerUnaryCall<{ schema_id: string }, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        if (!this.authorised(call.metadata))
          return cb({ code: grpc.status.UNAUTHENTICATED, details: 'Invalid session' });
        const t = [...this.topics.values()].find((x) => x.schemaId === call.request.schema_id);
        if (!t) return cb({ code: grpc.status.NOT_FOUND, details: 'unknown schema' });
        cb(null, { schema_json: t.schemaJson, schema_id: t.schemaId });
      },
      Subscribe: (call: Subscriber['call']) => this.subscribe(call),
    });
    const bound = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.address = `127.0.0.1:${bound}`;
  }

  async close(): Promise<void> {
    for (const sub of this.subscribers) {
      if (sub.idle) clearTimeout(sub.idle);
      sub.call.end();
    }
    this.subscribers.clear();
    this.server.forceShutdown();
  }

  /** Ends every open stream with UNAVAILABLE, as during a Salesforce maintenance window; or with `code`. */
  dropStreams(code: grpc.status = grpc.status.UNAVAILABLE): void {
    for (const sub of this.subscribers) {
      if (sub.idle) clearTimeout(sub.idle);
      sub.call.emit('error', { code, details: 'stream reset' });
    }
    this.subscribers.clear();
  }

  /** A new 24-hour period for the delivery allocation. */
  newDay(): void {
    this.delivered = 0;
  }

  /** Retention passes for everything published so far (Salesforce keeps change events three days). */
  expireEvents(): void {
    for (const t of this.topics.values()) t.events = [];
    this.retainedFrom = BigInt(this.replaySeq + 1);
  }

  /** A gap event: Salesforce could not build the change event, only the ids are known. */
  emitGap(object: string, ids: string[]): void {
    this.publish(object, { changeType: 'GAP_UPDATE', ids, changedFields: [] });
  }

  /** An overflow: one transaction changed too many records; no ids are given. */
  emitOverflow(object: string, commitTimestamp: number): void {
    this.publish(object, { changeType: 'GAP_OVERFLOW', ids: [], changedFields: [], commitTimestamp });
  }

  /** The header of the newest change event on the object's topic, as a subscriber decodes it. */
  lastHeader(object: string): Record<string, unknown> | null {
    const topic = this.topics.get(`/data/${object}ChangeEvent`);
    const last = topic?.events[topic.events.length - 1];
    if (!topic || !last) return null;
    return (topic.type.fromBuffer(last.payload) as { ChangeEventHeader: Record<string, unknown> })
      .ChangeEventHeader;
  }

  eventCount(object: string): number {
    return this.topics.get(`/data/${object}ChangeEvent`)?.events.length ?? 0;
  }

  private authorised(md: grpc.Metadata): boolean {
    return (
      this.standIn.isValidToken(String(md.get('accesstoken')[0] ?? '')) &&
      md.get('tenantid')[0] === this.standIn.orgId
    );
  }

  private record(c: OrgChange): void {
    if (!FIELDS[c.object]) return;
    this.publish(c.object, {
      changeType: c.changeType,
      ids: c.ids,
      changedFields: c.changeType === 'UPDATE' ? this.bitmaps(c.object, c.changedFields) : [],
      // "Change Event Header Fields": nulledFields names the fields an update set to null; the Pub/Sub
      // API sends it, like changedFields, as bitmaps ("Event Deserialization Considerations").
      nulledFields:
        c.changeType === 'UPDATE'
          ? this.bitmaps(
              c.object,
              c.changedFields.filter((f) => c.values[f] === null),
            )
          : [],
      values: c.values,
      commitTimestamp: c.commitTimestamp,
      commitUser: c.commitUser,
      changeOrigin: c.changeOrigin,
    });
  }

  /** Salesforce's bitmap encoding: bit i for the i-th schema field, "i-0x…" inside compound field i. */
  private bitmaps(object: string, changed: string[]): string[] {
    const fields = ['ChangeEventHeader', ...FIELDS[object]!.map((f) => f.name)];
    let top = 0n;
    const nested = new Map<number, bigint>();
    for (const name of changed) {
      const direct = fields.indexOf(name);
      if (direct >= 0) {
        top |= 1n << BigInt(direct);
        continue;
      }
      for (const [parent, children] of Object.entries(COMPOUND)) {
        const pi = fields.indexOf(parent);
        const ci = children.indexOf(name);
        if (pi >= 0 && ci >= 0) {
          top |= 1n << BigInt(pi);
          nested.set(pi, (nested.get(pi) ?? 0n) | (1n << BigInt(ci)));
        }
      }
    }
    if (top === 0n) return [];
    return [
      `0x${top.toString(16).toUpperCase()}`,
      ...[...nested].map(([i, bits]) => `${i}-0x${bits.toString(16).toUpperCase()}`),
    ];
  }

  private publish(
    object: string,
    e: {
      changeType: string;
      ids: string[];
      changedFields: string[];
      nulledFields?: string[];
      values?: Record<string, unknown>;
      commitTimestamp?: number;
      commitUser?: string;
      changeOrigin?: string;
    },
  ): void {
    const topic = this.topics.get(`/data/${object}ChangeEvent`)!;
    const record: Record<string, unknown> = {
      ChangeEventHeader: {
        entityName: object,
        recordIds: e.ids,
        changeType: e.changeType,
        // "ChangeEventHeader Fields" (Change Data Capture Developer Guide): changeOrigin names the API
        // and is empty for changes made otherwise; commitUser is the user who ran the change.
        changeOrigin: e.changeOrigin ?? '',
        transactionKey: randomUUID(),
        sequenceNumber: 1,
        commitTimestamp: e.commitTimestamp ?? Date.now(),
        commitNumber: this.replaySeq + 1,
        commitUser: e.commitUser ?? ORG_ADMIN_ID,
        nulledFields: e.nulledFields ?? [],
        diffFields: [],
        changedFields: e.changedFields,
      },
    };
    for (const f of FIELDS[object]!) {
      if (f.name === 'Name' && object === 'Lead') {
        const v = e.values ?? {};
        record['Name'] =
          'FirstName' in v || 'LastName' in v
            ? {
                Salutation: null,
                FirstName: (v['FirstName'] as string) ?? null,
                LastName: (v['LastName'] as string) ?? null,
              }
            : null;
      } else record[f.name] = e.values?.[f.name] ?? null;
    }
    const replayId = Buffer.alloc(8);
    replayId.writeBigUInt64BE(BigInt(++this.replaySeq));
    topic.events.push({ id: randomUUID(), replayId, payload: topic.type.toBuffer(record) });
    // The events a transaction (or a burst of them) publishes go out together: Pub/Sub API, "Subscribe
    // RPC Method": a FetchResponse carries a batch of the events available, up to the number requested.
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      for (const sub of this.subscribers) if (sub.topic) this.pump(sub);
    });
  }

  private subscribe(call: Subscriber['call']): void {
    if (!this.authorised(call.metadata)) {
      call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'Invalid session' });
      return;
    }
    if (this.delivered >= (this.options.dailyDeliveries ?? 10_000)) {
      call.emit('error', {
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: 'The org has used its daily event delivery allocation.',
      });
      return;
    }
    this.subscribeCalls++;
    const sub: Subscriber = { call, topic: null, cursor: 0, pending: 0, idle: null };
    this.subscribers.add(sub);
    call.on('data', (req) => {
      if (sub.idle) clearTimeout(sub.idle);
      sub.idle = null;
      if (!sub.topic) {
        const topic = this.topics.get(req.topic_name);
        if (!topic) {
          call.emit('error', { code: grpc.status.NOT_FOUND, details: `no topic ${req.topic_name}` });
          return;
        }
        sub.topic = topic;
        if (req.replay_preset === 'EARLIEST') sub.cursor = 0;
        else if (req.replay_preset === 'CUSTOM') {
          // Replay ids grow monotonically: resume after every event at or before the given one.
          const after = req.replay_id.length === 8 ? req.replay_id.readBigUInt64BE() : -1n;
          if (after < 0n || after > BigInt(this.replaySeq) || after < this.retainedFrom - 1n) {
            call.emit('error', {
              code: grpc.status.INVALID_ARGUMENT,
              details: 'The Replay ID validation failed.',
            });
            this.subscribers.delete(sub);
            return;
          }
          sub.cursor = topic.events.filter((ev) => ev.replayId.readBigUInt64BE() <= after).length;
        } else sub.cursor = topic.events.length;
        sub.pending += req.num_requested;
        if (!this.pump(sub)) this.keepalive(sub);
        return;
      }
      sub.pending += req.num_requested;
      this.pump(sub);
    });
    call.on('end', () => {
      this.forget(sub);
      call.end();
    });
    call.on('cancelled', () => this.forget(sub));
  }

  private forget(sub: Subscriber): void {
    if (sub.idle) clearTimeout(sub.idle);
    sub.idle = null;
    this.subscribers.delete(sub);
  }

  /** After a FetchResponse that leaves nothing pending: the 60-second rule starts counting. */
  private watchIdle(sub: Subscriber): void {
    if (sub.pending > 0 || sub.idle) return;
    sub.idle = setTimeout(() => {
      if (!this.subscribers.has(sub)) return;
      this.idleClosed++;
      this.forget(sub);
      sub.call.end();
    }, this.options.fetchWithinMs ?? 60_000);
    sub.idle.unref();
  }

  /** Salesforce sends an empty batch with the latest replay id at least every 270 s; the stand-in does so at once. */
  private keepalive(sub: Subscriber): void {
    const latest = Buffer.alloc(8);
    latest.writeBigUInt64BE(BigInt(this.replaySeq));
    sub.call.write({
      events: [],
      latest_replay_id: latest,
      rpc_id: randomUUID(),
      pending_num_requested: sub.pending,
    });
  }

  /** Subscriptions that have named their topic. */
  activeSubscriptions(): number {
    return [...this.subscribers].filter((s) => s.topic).length;
  }

  private pump(sub: Subscriber): boolean {
    const topic = sub.topic;
    if (!topic) return false;
    let sent = false;
    while (sub.pending > 0 && sub.cursor < topic.events.length) {
      const allowed = (this.options.dailyDeliveries ?? 10_000) - this.delivered;
      if (allowed <= 0) {
        this.forget(sub);
        sub.call.emit('error', {
          code: grpc.status.RESOURCE_EXHAUSTED,
          details: 'The org has used its daily event delivery allocation.',
        });
        return sent;
      }
      const batch = topic.events.slice(sub.cursor, sub.cursor + Math.min(sub.pending, 100, allowed));
      sub.cursor += batch.length;
      sub.pending -= batch.length;
      sub.call.write({
        events: batch.map((ev) => ({
          event: { id: ev.id, schema_id: topic.schemaId, payload: ev.payload, headers: [] },
          replay_id: ev.replayId,
        })),
        latest_replay_id: batch[batch.length - 1]!.replayId,
        rpc_id: randomUUID(),
        pending_num_requested: sub.pending,
      });
      this.delivered += batch.length;
      sent = true;
      this.watchIdle(sub);
    }
    return sent;
  }
}
