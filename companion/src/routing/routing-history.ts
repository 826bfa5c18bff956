import type { Kysely } from 'kysely';
import { toId18 } from '../engine/salesforce-id.js';
import type { Database } from '../store/schema.js';
import { toResult, type HistoryItem, type RouteResult } from './route-request.js';
import { decisionsById, decisionsOfLead } from '../store/decision.repository.js';
import { errorsOf } from '../store/outbox.repository.js';

/** The lead's decisions, newest first, with the errors the org gave. */
export async function routingHistory(
  db: Kysely<Database>,
  leadId: string,
  limit: number,
): Promise<HistoryItem[]> {
  const records = await decisionsOfLead(db, toId18(leadId) ?? leadId, limit);
  const errors = await errorsOf(
    db,
    records.map((r) => r.id),
  );
  return records.map((r) => ({
    ...toResult(r, errors.get(r.id) ?? []),
    createdAt: r.createdAt.toISOString(),
    trigger: r.trigger,
  }));
}

/** Stored decisions as routing answers them, with the errors the org gave. */
export async function storedResults(db: Kysely<Database>, ids: string[]): Promise<Map<string, RouteResult>> {
  const records = await decisionsById(db, ids);
  const errors = await errorsOf(db, ids);
  const results = new Map<string, RouteResult>();
  for (const [id, record] of records) results.set(id, toResult(record, errors.get(id) ?? []));
  return results;
}
