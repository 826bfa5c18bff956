import { beforeAll, describe, expect, it } from 'vitest';
import type { MemberStats } from '../../src/engine/distribution/distribution.types.js';
import type { RoutingSet } from '../../src/engine/flow/routing-set.js';
import type { OrgSnapshot } from '../../src/engine/routing-context.js';
import { LeadDecider, statsUsersOf } from '../../src/routing/lead-decider.js';
import { demoOrg, MONDAY, shippedRoutingSet } from '../engine/support/demo-routing.js';

let set: RoutingSet;
let org: OrgSnapshot;
/** A member of the shipped load pool (cold-leads), whose open leads routing reads. */
let member: string;

beforeAll(async () => {
  set = await shippedRoutingSet();
  org = demoOrg();
  member = statsUsersOf([set.pools.get('cold-leads')!])[0]!;
});

/** A CRM whose figure reads the test answers one by one: each read waits until the test settles it. */
function heldReads() {
  const reads: Array<{ settle: (openLeads: number) => void; fail: (err: Error) => void }> = [];
  const crm = {
    userStats: (users: string[]) =>
      new Promise<Map<string, MemberStats>>((resolve, reject) => {
        reads.push({
          settle: (openLeads) =>
            resolve(new Map(users.map((id) => [id, { openLeads, openOpportunities: 0, performance: 0 }]))),
          fail: reject,
        });
      }),
  };
  return { crm, reads };
}

const at = (seconds: number) => new Date(Date.parse(MONDAY) + seconds * 1000);

async function openLeadsNow(decider: LeadDecider, seconds: number): Promise<number | undefined> {
  return (await decider.statsNow(at(seconds), [member])).get(member)?.openLeads;
}

describe('open-load figures of load and performance pools', () => {
  it('waits for the first read, then decides on the figures held while a newer read runs in the background', async () => {
    const { crm, reads } = heldReads();
    const decider = new LeadDecider({ crm, set, org, statsMaxAgeMs: 60_000 });

    const first = decider.refreshStats(at(0));
    expect(reads).toHaveLength(1);
    reads[0]!.settle(7);
    await first;
    expect(await openLeadsNow(decider, 30)).toBe(7);
    expect(reads).toHaveLength(1);

    // A minute later: a read starts, and the request goes on at once with the figures held.
    await decider.refreshStats(at(61));
    expect(reads).toHaveLength(2);
    expect(await openLeadsNow(decider, 62)).toBe(7);
    expect(reads).toHaveLength(2);

    reads[1]!.settle(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await openLeadsNow(decider, 63)).toBe(3);
    expect(reads).toHaveLength(2);
  });

  it('keeps the figures held when a background read fails, says so, and reads again on the next decision', async () => {
    const { crm, reads } = heldReads();
    const errors: unknown[] = [];
    const decider = new LeadDecider({
      crm,
      set,
      org,
      statsMaxAgeMs: 60_000,
      onStatsError: (err) => errors.push(err),
    });
    const first = decider.refreshStats(at(0));
    reads[0]!.settle(5);
    await first;

    await decider.refreshStats(at(61));
    reads[1]!.fail(new Error('REQUEST_LIMIT_EXCEEDED'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([new Error('REQUEST_LIMIT_EXCEEDED')]);
    expect(await openLeadsNow(decider, 62)).toBe(5);

    expect(reads).toHaveLength(3);
    reads[2]!.settle(9);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await openLeadsNow(decider, 63)).toBe(9);
  });

  it('fails the first decision when the first read fails, and reads again on the next', async () => {
    const { crm, reads } = heldReads();
    const decider = new LeadDecider({ crm, set, org, statsMaxAgeMs: 60_000 });
    const first = decider.refreshStats(at(0));
    reads[0]!.fail(new Error('INVALID_SESSION_ID'));
    await expect(first).rejects.toThrow('INVALID_SESSION_ID');

    const second = decider.refreshStats(at(1));
    expect(reads).toHaveLength(2);
    reads[1]!.settle(4);
    await second;
    expect(await openLeadsNow(decider, 2)).toBe(4);
  });
});
