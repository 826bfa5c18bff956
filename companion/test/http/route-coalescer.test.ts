import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/engine/decision.js';
import type { RouteRequest, RouteResult, RoutingPort } from '../../src/http/app-context.js';
import { RouteCoalescer } from '../../src/http/route-coalescer.js';
import type { RouteManyResult } from '../../src/routing/routing.service.js';

/** A routing service that answers routeMany when told to, and remembers each batch it was given. */
class HeldRouting implements Pick<RoutingPort, 'routeMany'> {
  readonly batches: string[][] = [];
  private release: Array<() => void> = [];

  async routeMany(requests: RouteRequest[]): Promise<RouteManyResult[]> {
    this.batches.push(requests.map((r) => r.leadId));
    await new Promise<void>((resolve) => this.release.push(resolve));
    return requests.map((r) =>
      r.leadId === 'missing'
        ? { leadId: r.leadId, error: { code: 'NOT_FOUND', message: 'There is no lead missing.' } }
        : ({
            decisionId: `d-${r.leadId}-${this.batches.length}`,
            decision: { leadId: r.leadId } as Decision,
            status: 'applied',
            errors: [],
          } as RouteResult),
    );
  }

  /** Lets the oldest batch finish. */
  async next(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.release.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const request = (leadId: string): RouteRequest => ({ leadId, trigger: { kind: 'reroute' } });

describe('RouteCoalescer (group commit for re-routes)', () => {
  it('routes a lone request at once, and those that arrive meanwhile together in the next batch', async () => {
    const routing = new HeldRouting();
    const coalescer = new RouteCoalescer(routing);
    const first = coalescer.route(request('a'));
    const rest = ['b', 'c', 'd'].map((id) => coalescer.route(request(id)));
    expect(routing.batches).toEqual([['a']]);
    await routing.next();
    expect(routing.batches).toEqual([['a'], ['b', 'c', 'd']]);
    await routing.next();
    expect((await first).decisionId).toBe('d-a-1');
    expect((await Promise.all(rest)).map((r) => r.decisionId)).toEqual(['d-b-2', 'd-c-2', 'd-d-2']);
  });

  it('never puts one lead in a batch twice, and keeps batches within their size', async () => {
    const routing = new HeldRouting();
    const coalescer = new RouteCoalescer(routing, 2);
    const all = ['a', 'b', 'b', 'c', 'd'].map((id) => coalescer.route(request(id)));
    for (let i = 0; i < 4; i++) await routing.next();
    await Promise.all(all);
    expect(routing.batches).toEqual([['a'], ['b', 'c'], ['b', 'd']]);
  });

  it('fails only the lead routing could not route, with its code', async () => {
    const routing = new HeldRouting();
    const coalescer = new RouteCoalescer(routing);
    const block = coalescer.route(request('a'));
    const missing = coalescer.route(request('missing')).then(
      () => null,
      (err: unknown) => err,
    );
    const fine = coalescer.route(request('b'));
    await routing.next();
    await routing.next();
    await block;
    expect(await missing).toMatchObject({ code: 'NOT_FOUND', message: 'There is no lead missing.' });
    expect((await fine).decisionId).toBe('d-b-2');
  });

  it('fails every request of a batch whose routeMany throws, and carries on with the next', async () => {
    let calls = 0;
    const routing = {
      routeMany: async (requests: RouteRequest[]) => {
        calls += 1;
        if (calls === 1) throw new Error('the store went away');
        return requests.map((r) => ({
          decisionId: r.leadId,
          decision: { leadId: r.leadId },
          status: 'applied',
          errors: [],
        }));
      },
    } as unknown as Pick<RoutingPort, 'routeMany'>;
    const coalescer = new RouteCoalescer(routing);
    await expect(coalescer.route(request('a'))).rejects.toThrow('the store went away');
    expect((await coalescer.route(request('b'))).decisionId).toBe('b');
  });
});
