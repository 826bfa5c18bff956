import type { CustomNotificationPort } from '../crm/crm.port.js';
import type { UserRecord } from '../engine/model.js';
import {
  claimNotifications,
  markSent,
  markUnsent,
  type NotificationRow,
} from '../store/notification.repository.js';
import type { Store } from '../store/store.js';

/**
 * One way notifications reach people (a webhook, Slack, Salesforce's bell): throws when it could not,
 * with `retryable: false` on the error when trying again cannot help.
 */
export interface Notifier {
  channel: string;
  send(notification: NotificationRow, recipient: UserRecord | undefined): Promise<void>;
}

/** Posts each notification as JSON to a URL (a Slack incoming webhook or any service that takes one). */
export function webhookNotifier(url: string, fetchFn: typeof fetch = fetch, timeoutMs = 10_000): Notifier {
  return {
    channel: 'webhook',
    async send(n, recipient) {
      const response = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          // Slack's incoming webhooks show `text`; other receivers read the fields.
          text: recipient ? `${recipient.Name}: ${n.message}` : n.message,
          kind: n.kind,
          leadId: n.leadId,
          recipientId: n.recipientId,
          recipientEmail: recipient?.Email ?? null,
          step: n.step,
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        const body = (await response.text().catch(() => '')).slice(0, 200);
        throw new Error(`the webhook answered ${response.status}${body ? `: ${body}` : ''}`);
      }
    },
  };
}

/** The package's custom notification type (force-app/main/default/notificationtypes). */
export const LEAD_CLOCK_NOTIFICATION_TYPE = 'Switchyard_Lead_Clock';

/** The bell's title for each kind of notice; its body is the notice's message. */
const BELL_TITLES: Record<string, string> = {
  assigned: 'New lead for you',
  remind: 'A lead is waiting for you',
  reassigned: 'A lead passed to you',
  escalated: 'A lead escalated to you',
};

/**
 * Salesforce's bell (and the mobile app's push) through the CRM port: each notice about a lead opens
 * that lead. In local mode the demo org records it.
 */
export function bellNotifier(port: CustomNotificationPort): Notifier {
  return {
    channel: 'salesforce-bell',
    async send(n) {
      await port.sendCustomNotification({
        type: LEAD_CLOCK_NOTIFICATION_TYPE,
        recipientIds: [n.recipientId],
        title: BELL_TITLES[n.kind] ?? 'Switchyard',
        body: n.message,
        targetId: n.leadId,
      });
    },
  };
}

export interface NotificationSenderOptions {
  store: Store;
  notifiers: readonly Notifier[];
  user: (id: string) => UserRecord | undefined;
  clock?: () => Date;
  /** Tries before a notification is marked failed (and shown as failed). Default 5. */
  maxAttempts?: number;
  /** Between tries: this, doubled each time. Default 30 s. */
  backoffMs?: number;
}

export interface Delivery {
  sent: number;
  /** Failed this time; tried again later. */
  retrying: number;
  /** Failed for good: listed as failed. */
  failed: number;
}

/**
 * Sends the queued notifications through their channel, on whichever instance claims them first; a
 * failed send is tried again with back-off and, after the last try (or at once when the error says
 * retrying cannot help), kept as failed with the error.
 */
export class NotificationSender {
  constructor(private readonly options: NotificationSenderOptions) {}

  async deliver(limit = 200): Promise<Delivery> {
    const { store, maxAttempts = 5, backoffMs = 30_000 } = this.options;
    const now = (this.options.clock ?? (() => new Date()))();
    const claimed = await claimNotifications(store.db, now.toISOString(), limit, 60_000);
    const delivery: Delivery = { sent: 0, retrying: 0, failed: 0 };
    const sent: string[] = [];
    for (const n of claimed) {
      const notifier = this.options.notifiers.find((x) => x.channel === n.channel);
      try {
        if (!notifier) throw new Error(`no notifier for the channel '${n.channel}' is configured`);
        await notifier.send(n, this.options.user(n.recipientId));
        sent.push(n.id);
        delivery.sent += 1;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // A refusal that only a change in the org can lift (CustomNotificationPort) fails at once, so
        // the failed list shows it and what to do while the clock still matters.
        const refusedForGood = (error as { retryable?: unknown } | null)?.retryable === false;
        const last = n.attempts >= maxAttempts || !notifier || refusedForGood;
        const retryAt = last
          ? null
          : new Date(now.getTime() + backoffMs * 2 ** (n.attempts - 1)).toISOString();
        await markUnsent(store.db, n.id, message, retryAt);
        if (last) delivery.failed += 1;
        else delivery.retrying += 1;
      }
    }
    await markSent(store.db, sent, now.toISOString());
    return delivery;
  }
}
