import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { toJson } from './sql-values.js';

export type NotificationStatus = 'pending' | 'sent' | 'failed';

export interface NotificationInsert {
  leadId: string;
  clockId: string;
  /** The SLA step it tells of; -1 for a lead's arrival. */
  step: number;
  /** assigned, remind, reassigned, escalated. */
  kind: string;
  recipientId: string;
  channel: string;
  message: string;
}

export interface NotificationRow extends NotificationInsert {
  id: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** Queues notifications; one per step, kind, recipient and channel, however often it is asked. */
export async function queueNotifications(
  db: Kysely<Database>,
  rows: NotificationInsert[],
  /** When they are due to be sent: now, by the caller's clock. */
  now: string,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into notifications (lead_id, clock_id, step, kind, recipient_id, channel, message, next_attempt_at,
      created_at)
    select n."leadId", n."clockId", n.step, n.kind, n."recipientId", n.channel, n.message, ${now}::timestamptz,
      ${now}::timestamptz
    from jsonb_to_recordset(${toJson(rows)}::jsonb) as n("leadId" text, "clockId" uuid, step integer, kind text,
      "recipientId" text, channel text, message text)
    on conflict (clock_id, step, kind, recipient_id, channel) do nothing
  `.execute(db);
}

/**
 * Takes due notifications for sending: each is held for `leaseMs` (another instance leaves it alone;
 * after a crash it is due again) and its attempt counted.
 */
export async function claimNotifications(
  db: Kysely<Database>,
  now: string,
  limit: number,
  leaseMs: number,
): Promise<NotificationRow[]> {
  const { rows } = await sql<RawNotification>`
    update notifications set attempts = attempts + 1,
      next_attempt_at = ${now}::timestamptz + make_interval(secs => ${leaseMs / 1000})
    where id in (
      select id from notifications where status = 'pending' and next_attempt_at <= ${now}::timestamptz
      order by next_attempt_at limit ${limit} for update skip locked
    )
    returning *
  `.execute(db);
  return rows.map(toNotification);
}

export async function markSent(db: Kysely<Database>, ids: string[], at: string): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update notifications set status = 'sent', sent_at = ${at}::timestamptz, last_error = null
    where id in (select jsonb_array_elements_text(${toJson(ids)}::jsonb)::bigint)
  `.execute(db);
}

/** A send failed: tried again at `retryAt`, or failed for good (and shown as failed) when null. */
export async function markUnsent(
  db: Kysely<Database>,
  id: string,
  error: string,
  retryAt: string | null,
): Promise<void> {
  await sql`
    update notifications set last_error = ${error.slice(0, 1000)},
      status = ${retryAt === null ? 'failed' : 'pending'},
      next_attempt_at = coalesce(${retryAt}::timestamptz, next_attempt_at)
    where id = ${id}::bigint
  `.execute(db);
}

export async function listNotifications(
  db: Kysely<Database>,
  filter: { status?: NotificationStatus; leadId?: string; limit: number },
): Promise<NotificationRow[]> {
  const { rows } = await sql<RawNotification>`
    select * from notifications
    where (${filter.status ?? null}::text is null or status = ${filter.status ?? null})
      and (${filter.leadId ?? null}::text is null or lead_id = ${filter.leadId ?? null})
    order by id desc limit ${filter.limit}
  `.execute(db);
  return rows.map(toNotification);
}

interface RawNotification {
  id: string;
  lead_id: string;
  clock_id: string;
  step: number;
  kind: string;
  recipient_id: string;
  channel: string;
  message: string;
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const toNotification = (r: RawNotification): NotificationRow => ({
  id: String(r.id),
  leadId: r.lead_id,
  clockId: r.clock_id,
  step: r.step,
  kind: r.kind,
  recipientId: r.recipient_id,
  channel: r.channel,
  message: r.message,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: new Date(r.created_at).toISOString(),
  sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
});
