import { afterEach, describe, expect, it } from 'vitest';
import {
  bellNotifier,
  LEAD_CLOCK_NOTIFICATION_TYPE,
} from '../../companion/src/routing/notification-sender.js';
import type { NotificationRow } from '../../companion/src/store/notification.repository.js';
import { seedLeads, seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.standIn.close();
});

function notice(leadId: string, recipientId: string, message: string): NotificationRow {
  return {
    id: '1',
    leadId,
    clockId: 'clock-1',
    step: 0,
    kind: 'remind',
    recipientId,
    channel: 'salesforce-bell',
    message,
    status: 'pending',
    attempts: 1,
    lastError: null,
    createdAt: '2026-11-23T15:00:00.000Z',
    sentAt: null,
  };
}

describe('Salesforce adapter: the bell (custom notifications)', () => {
  it('sends a pickup clock notice through the Custom Notification action, opening the lead', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const [leadId] = seedLeads(h.standIn, 1, rep) as [string];
    const bell = bellNotifier(h.crm);
    await bell.send(notice(leadId, rep, 'Reminder: a lead is waiting for you.'), undefined);
    await bell.send(notice(leadId, rep, 'Second reminder.'), undefined);

    const type = [...h.standIn.org.table('CustomNotificationType').values()].find(
      (t) => t['DeveloperName'] === LEAD_CLOCK_NOTIFICATION_TYPE,
    )!;
    expect(h.standIn.notifications).toEqual([
      {
        typeId: type['Id'],
        recipientIds: [rep],
        title: 'A lead is waiting for you',
        body: 'Reminder: a lead is waiting for you.',
        targetId: leadId,
      },
      expect.objectContaining({ body: 'Second reminder.' }),
    ]);
    // The type is looked up once; each notice is one action call.
    expect(h.standIn.calls()).toEqual({ query: 1, customNotification: 2 });
  });

  it('fails with Salesforce’s reason when the org refuses a notice', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const [leadId] = seedLeads(h.standIn, 1, rep) as [string];
    const bell = bellNotifier(h.crm);
    // A lead is no recipient: Salesforce takes users, queues and groups (and account or opportunity teams).
    await expect(bell.send(notice(leadId, leadId, 'Hello'), undefined)).rejects.toThrow(
      `Invalid recipient Id: ${leadId}.`,
    );
    expect(h.standIn.notifications).toEqual([]);
  });

  it('says the package is not deployed when the org has no Switchyard notification type', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const [leadId] = seedLeads(h.standIn, 1, rep) as [string];
    for (const type of [...h.standIn.org.table('CustomNotificationType').values()])
      h.standIn.org.delete('CustomNotificationType', type['Id'] as string);
    await expect(bellNotifier(h.crm).send(notice(leadId, rep, 'Hello'), undefined)).rejects.toThrow(
      /no custom notification type Switchyard_Lead_Clock: deploy the package/,
    );
  });
});
