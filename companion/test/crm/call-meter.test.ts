import { describe, expect, it } from 'vitest';
import { CallMeter, meteredPort } from '../../src/crm/call-meter.js';

class Port {
  private readonly prefix = 'lead:';
  async get(id: string): Promise<string> {
    return this.prefix + id;
  }
  async getMany(ids: string[]): Promise<string[]> {
    // An internal call is the adapter's business, not a second call to the CRM.
    return Promise.all(ids.map((id) => this.get(id)));
  }
  readonly label = 'local';
}

describe('meteredPort (CRM API calls in local mode)', () => {
  it('counts each call by method and answers as the port does', async () => {
    const meter = new CallMeter();
    const port = meteredPort(new Port(), meter);
    expect(await port.get('1')).toBe('lead:1');
    expect(await port.getMany(['2', '3'])).toEqual(['lead:2', 'lead:3']);
    await port.get('4');
    expect(port.label).toBe('local');
    expect(meter.counts()).toEqual({ total: 3, byKind: { get: 2, getMany: 1 }, byWork: {}, done: {} });
  });

  it('counts the calls of pieces of work running at once apart, and totals them per work', async () => {
    const meter = new CallMeter();
    const port = meteredPort(new Port(), meter);
    const work = (ids: string[]) =>
      meter.track(
        'route',
        async () => {
          for (const id of ids) {
            await new Promise((resolve) => setImmediate(resolve));
            await port.get(id);
          }
        },
        ids.length,
      );
    const [one, three] = await Promise.all([work(['a']), work(['b', 'c', 'd'])]);
    expect([one.calls, three.calls]).toEqual([1, 3]);
    // A job run's own calls and its decisions' calls count for the run; the decisions' for 'route' too.
    const run = await meter.track('daily-mql-recycle', async () => {
      await port.getMany(['e', 'f']);
      await work(['g', 'h']);
    });
    expect(run.calls).toBe(3);
    await port.get('i');
    expect(meter.counts()).toMatchObject({
      total: 8,
      byWork: { route: 6, 'daily-mql-recycle': 3 },
      done: { route: 6, 'daily-mql-recycle': 1 },
    });
  });
});
