import { describe, expect, it, vi } from 'vitest';
import type { Decision } from '../../src/engine/decision.js';
import type { RouteRequest, RouteResult, RoutingPort } from '../../src/http/app-context.js';
import { CallerGoneError } from '../../src/http/in-flight-limit.js';
import { RouteCoalescer } from '../../src/http/route-coalescer.js';
import type { StagedRoute } from '../../src/routing/routing.service.js';

/** A routing service that decides a batch when told to, and remembers each batch it was given. */
class HeldRouting implements Pick<RoutingPort, 'decideMany'> {
  readonly batches: string[][] = [];
  private release: Array<() => void> = [];

  async decideMany(requests: RouteRequest[]): Promise<StagedRoute> {
    this.batches.push(requests.map((r) => r.leadId));
    await new Promise<void>((resolve) => this.release.push(resolve));
    const decided = requests.map((r) =>
      r.leadId === 'missing'
        ? { leadId: r.leadId, error: { code: 'NOT_FOUND', message: 'There is no lead missing.' } }
        : ({
            decisionId: `d-${r.leadId}-${this.batches.length}`,
            decision: { leadId: r.leadId } as Decision,
            status: 'applied',
            errors: [],
          } as RouteResult),
    );
    return { decided, applied: Promise.resolve(decided) };
  }

  /** Lets the oldest batch finish, and the coalescer take its turn to start the next. */
  async next(): Promise<void> {
    await turn();
    this.release.shift()?.();
    await turn();
    await turn();
  }
}

/** One turn of the event loop: what the coalescer waits before it cuts a batch. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

const request = (leadId: string): RouteRequest => ({ leadId, trigger: { kind: 'reroute' } });
const applied = (r: RouteRequest) =>
  ({
    decisionId: r.leadId,
    decision: { leadId: r.leadId },
    status: 'applied',
    errors: [],
  }) as unknown as RouteResult;

/** A batch whose answers at the commit are already final. */
const decidedAndApplied = (results: RouteResult[]): StagedRoute => ({
  decided: results,
  applied: Promise.resolve(results),
});

describe('RouteCoalescer (group commit for re-routes)', () => {
  it('routes a lone request after one turn of the event loop', async () => {
    const routing = new HeldRouting();
    const coalescer = new RouteCoalescer(routing);
    const lone = coalescer.route(request('a'));
    expect(routing.batches).toEqual([]);
    await turn();
    expect(routing.batches).toEqual([['a']]);
    await routing.next();
    expect((await lone).decisionId).toBe('d-a-1');
  });

  it('routes the requests of one turn together, and those that arrive meanwhile in the next batch', async () => {
    const routing = new HeldRouting();
    const coalescer = new RouteCoalescer(routing);
    const first = ['a', 'b'].map((id) => coalescer.route(request(id)));
    await turn();
    expect(routing.batches).toEqual([['a', 'b']]);
    const rest = ['c', 'd', 'e'].map((id) => coalescer.route(request(id)));
    await routing.next();
    expect(routing.batches).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    await routing.next();
    expect((await Promise.all(first)).map((r) => r.decisionId)).toEqual(['d-a-1', 'd-b-1']);
    expect((await Promise.all(rest)).map((r) => r.decisionId)).toEqual(['d-c-2', 'd-d-2', 'd-e-2']);
  });

  it('never puts one lead in a batch twice, and keeps batches within their size', async () => {
    const routing = new HeldRouting();
    const coalescer = new RouteCoalescer(routing, { maxBatch: 2 });
    const all = ['a', 'a', 'b', 'c', 'd'].map((id) => coalescer.route(request(id)));
    await turn();
    for (let i = 0; i < 3; i++) await routing.next();
    await Promise.all(all);
    expect(routing.batches).toEqual([['a', 'b'], ['a', 'c'], ['d']]);
  });

  it('fails only the lead routing could not route, with its code', async () => {
    const routing = new HeldRouting();
    const coalescer = new RouteCoalescer(routing);
    const missing = coalescer.route(request('missing')).then(
      () => null,
      (err: unknown) => err,
    );
    const fine = coalescer.route(request('b'));
    await turn();
    expect(routing.batches).toEqual([['missing', 'b']]);
    await routing.next();
    expect(await missing).toMatchObject({ code: 'NOT_FOUND', message: 'There is no lead missing.' });
    expect((await fine).decisionId).toBe('d-b-1');
  });

  it('routes the requests of a batch that throws one by one, so only the culprit fails', async () => {
    const batches: string[][] = [];
    const routing = {
      decideMany: async (requests: RouteRequest[]) => {
        batches.push(requests.map((r) => r.leadId));
        if (requests.some((r) => r.leadId === 'poison')) throw new Error('the store refused the batch');
        return decidedAndApplied(requests.map(applied));
      },
    };
    const coalescer = new RouteCoalescer(routing);
    const outcomes = ['a', 'poison', 'b'].map((id) =>
      coalescer.route(request(id)).then(
        (r) => r.decisionId,
        (err: Error) => err.message,
      ),
    );
    expect(await Promise.all(outcomes)).toEqual(['a', 'the store refused the batch', 'b']);
    expect(batches).toEqual([['a', 'poison', 'b'], ['a'], ['poison'], ['b']]);
    expect((await coalescer.route(request('c'))).decisionId).toBe('c');
  });

  it('fails the whole batch at once when Salesforce is down, without asking again per lead', async () => {
    let calls = 0;
    const down = Object.assign(new Error('Salesforce did not answer in time.'), { code: 'SF_TIMEOUT' });
    const routing = {
      decideMany: async (): Promise<StagedRoute> => {
        calls += 1;
        throw down;
      },
    };
    const coalescer = new RouteCoalescer(routing);
    const outcomes = ['a', 'b', 'c'].map((id) => coalescer.route(request(id)).catch((err: unknown) => err));
    expect(await Promise.all(outcomes)).toEqual([down, down, down]);
    expect(calls).toBe(1);
  });

  it('drops a request whose caller left before its batch was cut, and routes the rest', async () => {
    const routing = new HeldRouting();
    const coalescer = new RouteCoalescer(routing);
    const first = coalescer.route(request('a'));
    await turn();
    const left = new AbortController();
    const abandoned = coalescer.route(request('b'), left.signal).catch((err: unknown) => err);
    const stays = coalescer.route(request('c'), new AbortController().signal);
    left.abort();
    await routing.next();
    await routing.next();
    expect(routing.batches).toEqual([['a'], ['c']]);
    expect(await abandoned).toBeInstanceOf(CallerGoneError);
    expect((await first).decisionId).toBe('d-a-1');
    expect((await stays).decisionId).toBe('d-c-2');
  });
});

/**
 * A routing service that decides at once and applies when told to: each decision is 'pending' at
 * its commit and 'applied' once its lead's writes are released.
 */
class SlowWrites implements Pick<RoutingPort, 'decideMany'> {
  readonly batches: string[][] = [];
  private readonly writes = new Map<string, () => void>();

  async decideMany(requests: RouteRequest[]): Promise<StagedRoute> {
    const n = this.batches.push(requests.map((r) => r.leadId));
    const result = (r: RouteRequest, status: 'pending' | 'applied') =>
      ({
        decisionId: `d-${r.leadId}-${n}`,
        decision: { leadId: r.leadId } as Decision,
        status,
        errors: [],
      }) as RouteResult;
    const written = Promise.all(
      requests.map((r) => new Promise<void>((resolve) => this.writes.set(r.leadId, resolve))),
    );
    return {
      decided: requests.map((r) => result(r, 'pending')),
      applied: written.then(() => requests.map((r) => result(r, 'applied'))),
    };
  }

  release(leadId: string): void {
    this.writes.get(leadId)?.();
  }
}

/** The status a request was answered with, or 'unanswered' if it has not been answered yet. */
async function statusNow(answer: Promise<RouteResult>): Promise<string> {
  return Promise.race([answer.then((r) => r.status), turn().then(() => 'unanswered')]);
}

describe('RouteCoalescer with slow CRM writes', () => {
  it("does not hold up the next batch while one batch's writes are slow", async () => {
    const routing = new SlowWrites();
    const coalescer = new RouteCoalescer(routing, { answerWithinMs: 60_000 });
    const held = coalescer.route(request('held'));
    await turn();
    await turn();
    const other = coalescer.route(request('other'));
    await turn();
    expect(routing.batches).toEqual([['held'], ['other']]);
    routing.release('other');
    expect(await other).toMatchObject({ decisionId: 'd-other-2', status: 'applied' });
    expect(await statusNow(held)).toBe('unanswered');
    routing.release('held');
    expect(await held).toMatchObject({ decisionId: 'd-held-1', status: 'applied' });
  });

  it("answers with the decision as 'pending' once the bound passes, while the write goes on", async () => {
    const routing = new SlowWrites();
    const coalescer = new RouteCoalescer(routing, { answerWithinMs: 1 });
    const answer = await coalescer.route(request('held'));
    expect(answer).toMatchObject({ decisionId: 'd-held-1', status: 'pending' });
    routing.release('held');
  });

  it('decides a lead again only after its previous decision is applied', async () => {
    const routing = new SlowWrites();
    const coalescer = new RouteCoalescer(routing, { answerWithinMs: 60_000 });
    const first = coalescer.route(request('a'));
    await turn();
    await turn();
    const second = coalescer.route(request('a'));
    await turn();
    await turn();
    expect(routing.batches).toEqual([['a']]);
    routing.release('a');
    expect((await first).decisionId).toBe('d-a-1');
    await vi.waitFor(() => expect(routing.batches).toEqual([['a'], ['a']]));
    routing.release('a');
    expect((await second).decisionId).toBe('d-a-2');
  });

  it('tells about a batch whose applying failed after its answers were final, and answers them', async () => {
    const failed = new Error('the store went away after the commit');
    const routing = {
      decideMany: async (requests: RouteRequest[]): Promise<StagedRoute> => ({
        decided: requests.map(applied),
        applied: Promise.reject(failed),
      }),
    };
    const told: unknown[] = [];
    const coalescer = new RouteCoalescer(routing, { onApplyError: (error) => told.push(error) });
    expect((await coalescer.route(request('a'))).decisionId).toBe('a');
    await vi.waitFor(() => expect(told).toEqual([failed]));
  });

  it('refuses a re-route of a lead whose previous decision is still being applied after the bound', async () => {
    const routing = new SlowWrites();
    const coalescer = new RouteCoalescer(routing, { answerWithinMs: 1 });
    expect((await coalescer.route(request('a'))).status).toBe('pending');
    await expect(coalescer.route(request('a'))).rejects.toMatchObject({ code: 'REROUTE_IN_PROGRESS' });
    expect(routing.batches).toEqual([['a']]);
    routing.release('a');
  });
});
