import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCrm } from '../../src/crm/local/local-crm.js';
import { bellNotifier, NotificationSender, webhookNotifier } from '../../src/routing/notification-sender.js';
import { listNotifications, queueNotifications } from '../../src/store/notification.repository.js';
import { IN_MEMORY, openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';

const CLOCK_ID = '00000000-0000-4000-8000-000000000001';

describe('SLA notifications through a webhook', () => {
  let store: Store;
  let server: Server;
  let url: string;
  const received: Array<{ text: string; kind: string; leadId: string }> = [];
  let failing = false;
  let now = Date.parse('2026-11-23T15:00:00.000Z');

  beforeAll(async () => {
    store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (failing) {
          res.writeHead(503).end('channel archived');
          return;
        }
        received.push(JSON.parse(body) as { text: string; kind: string; leadId: string });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }, 120_000);
  afterAll(async () => {
    server?.close();
    await store?.close();
  });

  const sender = () =>
    new NotificationSender({
      store,
      notifiers: [webhookNotifier(url)],
      user: (id) => (id === 'u1' ? { Id: 'u1', Name: 'Ava Patel', IsActive: true } : undefined),
      clock: () => new Date(now),
      maxAttempts: 2,
      backoffMs: 1_000,
    });

  it('sends each step once, however often it is queued', async () => {
    const notice = {
      leadId: 'L1',
      clockId: CLOCK_ID,
      step: 0,
      kind: 'remind',
      recipientId: 'u1',
      channel: 'webhook',
      message: 'Reminder: lead L1 is waiting for you.',
    };
    await queueNotifications(store.db, [notice], new Date(now).toISOString());
    await queueNotifications(store.db, [notice], new Date(now).toISOString());
    expect(await sender().deliver()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await sender().deliver()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(received).toEqual([
      expect.objectContaining({ text: 'Ava Patel: Reminder: lead L1 is waiting for you.', kind: 'remind' }),
    ]);
  });

  it('retries a failed send and then shows it as failed, with the error', async () => {
    failing = true;
    await queueNotifications(
      store.db,
      [
        {
          leadId: 'L2',
          clockId: CLOCK_ID,
          step: 1,
          kind: 'escalated',
          recipientId: 'u1',
          channel: 'webhook',
          message: 'Escalated to you.',
        },
      ],
      new Date(now).toISOString(),
    );
    expect(await sender().deliver()).toEqual({ sent: 0, retrying: 1, failed: 0 });
    now += 1_000;
    expect(await sender().deliver()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const [failed] = await listNotifications(store.db, { status: 'failed', limit: 10 });
    expect(failed).toMatchObject({
      leadId: 'L2',
      attempts: 2,
      lastError: 'the webhook answered 503: channel archived',
    });
    failing = false;
    now += 60_000;
    expect(await sender().deliver()).toEqual({ sent: 0, retrying: 0, failed: 0 });
  });
});

describe('SLA notifications on the bell, in local mode', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
  }, 120_000);
  afterAll(async () => store?.close());

  it('records each notice in the demo org, once, titled by its kind and opening the lead', async () => {
    const org = new LocalCrm(store.db, { now: () => new Date('2026-11-23T15:00:00.000Z') });
    const sender = new NotificationSender({
      store,
      notifiers: [bellNotifier(org)],
      user: () => undefined,
      clock: () => new Date('2026-11-23T15:00:00.000Z'),
    });
    const notice = {
      leadId: '00QSY0000000001AAA',
      clockId: CLOCK_ID,
      step: -1,
      kind: 'assigned',
      recipientId: '005SY0000000001AAA',
      channel: 'salesforce-bell',
      message: 'New lead for you: Pia Clock (Bilby Robotics). Accept it within 45 working minutes.',
    };
    await queueNotifications(store.db, [notice, notice], '2026-11-23T15:00:00.000Z');
    expect(await sender.deliver()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await sender.deliver()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(org.bellNotifications()).toEqual([
      {
        type: 'Switchyard_Lead_Clock',
        recipientIds: ['005SY0000000001AAA'],
        title: 'New lead for you',
        body: notice.message,
        targetId: '00QSY0000000001AAA',
        sentAt: '2026-11-23T15:00:00.000Z',
      },
    ]);
    expect((await listNotifications(store.db, { limit: 10 }))[0]).toMatchObject({
      channel: 'salesforce-bell',
      status: 'sent',
    });
  });
});
