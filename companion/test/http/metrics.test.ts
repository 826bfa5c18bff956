import { describe, expect, it } from 'vitest';
import { countCalls } from '../../src/http/metrics.js';

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

describe('countCalls (CRM API calls in local mode)', () => {
  it('counts each call by method and answers as the port does', async () => {
    const { port, counts } = countCalls(new Port());
    expect(await port.get('1')).toBe('lead:1');
    expect(await port.getMany(['2', '3'])).toEqual(['lead:2', 'lead:3']);
    await port.get('4');
    expect(port.label).toBe('local');
    expect(counts()).toEqual({ total: 3, byKind: { get: 2, getMany: 1 } });
  });
});
