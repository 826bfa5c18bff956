import { afterEach, describe, expect, it } from 'vitest';
import {
  bellNotifier,
  LEAD_CLOCK_NOTIFICATION_TYPE,
  NotificationSender,
} from '../../companion/src/routing/notification-sender.js';
import {
  listNotifications,
  queueNotifications,
  type NotificationRow,
} from '../../companion/src/store/notification.repository.js';
import { IN_MEMORY, openDatabase } from '../../companion/src/store/open-database.js';
import type { Store } from '../../companion/src/store/store.js';
import { seedLeads, seedUser, startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness;
let store: Store | undefined;
afterEach(async () => {
  await h?.standIn.close();
  await store?.close();
  store = undefined;
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

  it('fails a notice at once, saying to grant Switchyard_Admin, when the integration user lacks Send Custom Notifications', async () => {
    h = await startHarness();
    store = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
    const rep = seedUser(h.standIn, 'Rep');
    const [leadId] = seedLeads(h.standIn, 1, rep) as [string];
    const org = h.standIn.org;
    const profile = [...org.table('PermissionSet').values()].find((p) => p['IsOwnedByProfile'])!;
    org.update('PermissionSet', profile.Id, { PermissionsSendCustomNotifications: false });
    const now = '2026-11-23T15:00:00.000Z';
    const sender = new NotificationSender({
      store,
      notifiers: [bellNotifier(h.crm)],
      user: () => undefined,
      clock: () => new Date(now),
      maxAttempts: 5,
    });
    const queue = (step: number) =>
      queueNotifications(
        store!.db,
        [
          {
            leadId,
            clockId: '00000000-0000-4000-8000-000000000001',
            step,
            kind: 'remind',
            recipientId: rep,
            channel: 'salesforce-bell',
            message: `Reminder ${step}`,
          },
        ],
        now,
      );

    await queue(0);
    // Not tried again four times over the next minutes: only a change in the org can help.
    expect(await sender.deliver()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect(h.standIn.notifications).toEqual([]);
    const [failed] = await listNotifications(store.db, { status: 'failed', limit: 10 });
    expect(failed).toMatchObject({ leadId, attempts: 1 });
    expect(failed!.lastError).toMatch(
      /^Salesforce refused the notification \(.+\): the integration user lacks/,
    );
    expect(failed!.lastError).toContain('Assign the Switchyard_Admin permission set to the integration user');

    // The admin assigns the package's permission set (force-app: Switchyard_Admin grants SendCustomNotifications).
    const admin = org.insert(
      'PermissionSet',
      { Name: 'Switchyard_Admin', IsOwnedByProfile: false, PermissionsSendCustomNotifications: true },
      true,
    ).Id;
    org.insert(
      'PermissionSetAssignment',
      { AssigneeId: h.standIn.integrationUserId, PermissionSetId: admin },
      true,
    );
    await queue(1);
    expect(await sender.deliver()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(h.standIn.notifications).toEqual([
      expect.objectContaining({ body: 'Reminder 1', targetId: leadId }),
    ]);
  });

  it('keeps other refusals retryable when the integration user holds the permission', async () => {
    h = await startHarness();
    const rep = seedUser(h.standIn, 'Rep');
    const [leadId] = seedLeads(h.standIn, 1, rep) as [string];
    const refusal = await bellNotifier(h.crm)
      .send(notice(leadId, leadId, 'Hello'), undefined)
      .then(
        () => null,
        (e: unknown) => e as { retryable?: boolean; message: string },
      );
    expect(refusal?.message).toBe(
      `Salesforce did not send the notification: Invalid recipient Id: ${leadId}.`,
    );
    expect(refusal?.retryable).toBeUndefined();
  });
});
