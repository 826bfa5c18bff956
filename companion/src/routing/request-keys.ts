import type { Kysely } from 'kysely';
import { toId18 } from '../engine/salesforce-id.js';
import type { Database } from '../store/schema.js';
import {
  isRouteFailure,
  keyOf,
  routeFailure,
  type RouteItem,
  type RouteManyResult,
} from './route-request.js';
import { RequestKeyReusedError } from './routing.errors.js';
import { storedResults } from './routing-history.js';
import { findKeys } from '../store/idempotency.repository.js';

/**
 * The request keys of a batch: which requests a stored decision already answers (a retry), and which
 * repeat a key used earlier in the batch. Those are answered from the first answer, never decided
 * again; a key once used for another lead fails the request that reuses it.
 */
export class RequestKeys {
  private constructor(
    private readonly db: Kysely<Database>,
    private readonly items: RouteItem[],
    /** Request index → the stored decision that answers it. */
    private readonly answered: Map<number, string>,
    /** Request index → the index of the first request with the same key. */
    private readonly repeats: Map<number, number>,
  ) {}

  static async read(db: Kysely<Database>, items: RouteItem[]): Promise<RequestKeys> {
    const firstWithKey = new Map<string, number>();
    const repeats = new Map<number, number>();
    items.forEach((item, i) => {
      const key = keyOf(item);
      if (key === null) return;
      const first = firstWithKey.get(key);
      if (first === undefined) firstWithKey.set(key, i);
      else repeats.set(i, first);
    });
    const known = await findKeys(db, [...firstWithKey.keys()]);
    const answered = new Map<number, string>();
    for (const [key, i] of firstWithKey) {
      const id = known.get(key);
      if (id) answered.set(i, id);
    }
    return new RequestKeys(db, items, answered, repeats);
  }

  /** True when the request at `i` is answered by its key instead of being decided. */
  answers(i: number): boolean {
    return this.answered.has(i) || this.repeats.has(i);
  }

  /** Another transaction claimed the key of request `i` first: its decision answers this request. */
  async lostRace(i: number): Promise<void> {
    const key = keyOf(this.items[i]!)!;
    const id = (await findKeys(this.db, [key])).get(key);
    if (id) this.answered.set(i, id);
  }

  /** Fills in the answers of retried and repeated keys, once the batch's own answers are in `results`. */
  async answer(results: Array<RouteManyResult | undefined>): Promise<void> {
    if (this.answered.size > 0) {
      const stored = await storedResults(this.db, [...new Set(this.answered.values())]);
      for (const [i, id] of this.answered) results[i] = this.forLead(i, stored.get(id));
    }
    for (const [i, first] of this.repeats) results[i] = this.forLead(i, results[first]);
  }

  /** The answer of an earlier request with the same key, unless that request was for another lead. */
  private forLead(i: number, result: RouteManyResult | undefined): RouteManyResult | undefined {
    const { leadId, requestKey } = this.items[i]!.request;
    if (!result || isRouteFailure(result) || result.decision.leadId === (toId18(leadId) ?? leadId))
      return result;
    return routeFailure(new RequestKeyReusedError(requestKey!, result.decision.leadId), leadId);
  }
}
