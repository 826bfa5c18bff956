import { afterEach, describe, expect, it } from 'vitest';
import { SalesforceCrm } from '../../companion/src/crm/salesforce/salesforce-crm.js';
import type { AccountRecord } from '../../companion/src/engine/model.js';
import { startHarness, type Harness } from './salesforce.fixture.js';

// Bulk API 2.0 query jobs: the stand-in answers them as the Bulk API 2.0 and Bulk API Developer Guide
// documents ("Create a Query Job", "Get Information About a Query Job", "Get Results for a Query Job",
// "Understanding Bulk API 2.0 Query"), and the adapter reads a large object for the org snapshot
// through them instead of REST pages.

let h: Harness | undefined;
afterEach(async () => {
  await h?.standIn.close();
  h = undefined;
});

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/** A request to the stand-in with the adapter's session, as curl would send it. */
async function call(
  method: string,
  path: string,
  body?: unknown,
  version = h!.api.apiVersion,
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${h!.standIn.url}/services/data/v${version}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${h!.api.conn.accessToken}`,
      'content-type': 'application/json',
      accept: 'text/csv',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function seedAccounts(n: number): void {
  for (let i = 0; i < n; i++) {
    h!.standIn.org.insert(
      'Account',
      {
        Name: i === 0 ? 'Quote "Co", Inc\nSecond line' : `Company ${i}`,
        Website: i % 2 === 0 ? null : `co${i}.example`,
        NumberOfEmployees: i * 10,
        BillingCity: 'Berlin',
      },
      true,
    );
  }
}

describe('Bulk API 2.0 query jobs in the stand-in', () => {
  it('runs a job through its states and answers CSV result sets named by Sforce-Locator', async () => {
    h = await startHarness({ bulk: { checksToComplete: 2 } });
    seedAccounts(5);
    const created = await call('POST', '/jobs/query', {
      operation: 'query',
      query: 'SELECT Id, Name, Website, NumberOfEmployees FROM Account',
    });
    expect(created.status).toBe(200);
    const job = JSON.parse(created.text) as {
      id: string;
      state: string;
      contentType: string;
      object: string;
    };
    expect(job).toMatchObject({ state: 'UploadComplete', contentType: 'CSV', object: 'Account' });

    // Results only once the job is complete.
    expect((await call('GET', `/jobs/query/${job.id}/results`)).status).toBe(412);
    const states: string[] = [];
    for (let i = 0; i < 3; i++)
      states.push((JSON.parse((await call('GET', `/jobs/query/${job.id}`)).text) as { state: string }).state);
    expect(states).toEqual(['InProgress', 'InProgress', 'JobComplete']);
    // With the API version the job was created with, or 409.
    expect((await call('GET', `/jobs/query/${job.id}/results`, undefined, '58.0')).status).toBe(409);

    const first = await call('GET', `/jobs/query/${job.id}/results?maxRecords=3`);
    expect(first.headers.get('content-type')).toBe('text/csv');
    expect(first.headers.get('sforce-numberofrecords')).toBe('3');
    const locator = first.headers.get('sforce-locator')!;
    expect(locator).not.toBe('null');
    const lines = first.text.split('\n');
    expect(lines[0]).toBe('"Id","Name","Website","NumberOfEmployees"');
    expect(lines[1]).toMatch(/^"001\w+","Quote ""Co"", Inc$/);
    expect(lines[2]).toBe('Second line",,"0"');
    const second = await call('GET', `/jobs/query/${job.id}/results?locator=${locator}&maxRecords=3`);
    expect(second.headers.get('sforce-numberofrecords')).toBe('2');
    expect(second.headers.get('sforce-locator')).toBe('null');
    // A locator keeps naming its set as long as the job exists.
    const again = await call('GET', `/jobs/query/${job.id}/results?locator=${locator}&maxRecords=3`);
    expect(again.text).toBe(second.text);
  });

  it.each([
    ['aggregate functions', 'SELECT COUNT() FROM Account'],
    ['GROUP BY', 'SELECT BillingCity, COUNT(Id) n FROM Account GROUP BY BillingCity'],
    ['OFFSET', 'SELECT Id FROM Account LIMIT 5 OFFSET 2'],
    ['parent-to-child queries', 'SELECT Id, (SELECT Id FROM CampaignMembers) FROM Lead'],
    ['compound fields', 'SELECT Id, BillingAddress FROM Account'],
  ])('refuses a query with %s', async (_what, query) => {
    h = await startHarness();
    const res = await call('POST', '/jobs/query', { operation: 'query', query });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual([expect.objectContaining({ errorCode: 'INVALIDJOB' })]);
  });

  it('refuses an operation other than query or queryAll, and counts every request as an API call', async () => {
    h = await startHarness();
    const res = await call('POST', '/jobs/query', { operation: 'insert', query: 'SELECT Id FROM Account' });
    expect(res.status).toBe(400);
    expect(h.standIn.calls()).toEqual({ bulkQuery: 1 });
  });
});

describe('the org snapshot through Bulk API 2.0', () => {
  it('reads a large object through a query job, typed as the REST pages are', async () => {
    h = await startHarness({ bulk: { checksToComplete: 3 } });
    seedAccounts(12);
    const rest = await collect(h.crm.streamAccounts());
    h.standIn.resetCounts();
    const bulk = new SalesforceCrm(h.api, { bulkFrom: 5, bulk: { maxRecords: 5, pollMs: 200 } });
    const read = await collect<AccountRecord>(bulk.streamAccounts());
    // REST answers every field it was asked for; what is null there is null here.
    expect(read).toEqual(rest.map((r) => ({ ...r })));
    expect(read[0]?.Name).toBe('Quote "Co", Inc\nSecond line');
    expect(read[1]?.NumberOfEmployees).toBe(10);
    // One REST page to learn the size, a job created and checked until complete (InProgress three
    // times, pausing longer each time), three result sets.
    expect(h.standIn.calls()).toEqual({ query: 1, bulkQuery: 1 + 4, bulkResults: 3 });
    expect(h.sleeps.slice(-4)).toEqual([200, 400, 800, 1600]);
  });

  it('stays with REST pages for an object no larger than the threshold', async () => {
    h = await startHarness();
    seedAccounts(5);
    const crm = new SalesforceCrm(h.api, { bulkFrom: 5 });
    expect(await collect(crm.streamAccounts())).toHaveLength(5);
    expect(h.standIn.calls()).toEqual({ query: 1 });
  });

  it('a job that fails is an error that says so, not an empty snapshot', async () => {
    // The field leaves the org while the job waits to run: the job fails when it reads the records.
    h = await startHarness({
      policy: { sleep: async () => void h!.standIn.org.missingFields.add('Account.BillingCity') },
    });
    seedAccounts(6);
    const crm = new SalesforceCrm(h.api, { bulkFrom: 5 });
    const err = await collect(crm.streamAccounts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_BULK_QUERY_FAILED' });
    expect((err as Error).message).toMatch(/Failed: .*BillingCity/);
  });
});
