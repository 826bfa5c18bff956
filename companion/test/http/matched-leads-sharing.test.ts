import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUserId } from '../../src/crm/local/demo-people.js';
import type { LeadRecord } from '../../src/engine/model.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

// The matched-leads panel shows a person only the leads and fields Salesforce lets them read. The demo
// org's sharing (crm/local/demo-sharing.ts): leads are private; SDRs work every lead; the SMB Sales
// profile does not read Email or Phone.

const quinn = demoUserId(17); // Quinn Baker, SMB seller: his own leads only, no Email
const ava = demoUserId(1); // Ava Patel, SDR: every lead

let api: TestApi;
let accountId: string;
let quinnsLeads: LeadRecord[];
let othersLeads: LeadRecord[];

beforeAll(async () => {
  api = await startApi();
  // An account nothing is matched to yet, and ten unconverted leads: three Quinn's, seven other people's.
  const { rows: accounts } = await sql<{ id: string }>`
    select a.id from crm_records a where a.object = 'Account' and not exists (
      select 1 from crm_records l where l.object = 'Lead' and l.data->>'Matched_Account__c' = a.id
    ) order by a.id limit 1
  `.execute(api.store.db);
  accountId = accounts[0]!.id;
  const { rows } = await sql<{ data: LeadRecord }>`
    select data from crm_records
    where object = 'Lead' and coalesce((data->>'IsConverted')::boolean, false) = false
      and data->>'Email' is not null and data->>'OwnerId' like '005%' and data->>'OwnerId' <> ${quinn}
    order by id desc limit 10
  `.execute(api.store.db);
  const leads = rows.map((r) => r.data);
  expect(leads).toHaveLength(10);
  await api.org.updateLeadsAsUser(
    leads.map((lead, i) => ({
      id: lead.Id,
      fields: { Matched_Account__c: accountId, ...(i < 3 ? { OwnerId: quinn } : {}) },
    })),
  );
  quinnsLeads = leads.slice(0, 3);
  othersLeads = leads.slice(3);
});

afterAll(async () => {
  await api?.close();
});

const ids = (items: Json[]) => items.map((i) => i.id as string).sort();

describe("an account's matched leads as the viewer sees them", () => {
  it('gives a seller who may see 3 of the 10 exactly those 3, counted and paged, without the Email he may not read', async () => {
    const all = await api.call('GET', `/v1/accounts/${accountId}/matched-leads?limit=25`, { user: ava });
    expect(all.body.total).toBe(10);

    const seen = await api.call('GET', `/v1/accounts/${accountId}/matched-leads?limit=25`, { user: quinn });
    expect(seen.status).toBe(200);
    expect(seen.body.total).toBe(3);
    expect(ids(seen.body.items)).toEqual(quinnsLeads.map((l) => l.Id).sort());
    expect(seen.body.hiddenFields).toEqual(['email']);
    for (const item of seen.body.items) expect(item.email).toBeNull();
    expect(all.body.items.some((i: Json) => i.email !== null)).toBe(true);

    // Pages of two: 2 then 1, never a short first page from leads dropped after paging.
    const first = await api.call('GET', `/v1/accounts/${accountId}/matched-leads?limit=2&sort=name`, {
      user: quinn,
    });
    const second = await api.call(
      'GET',
      `/v1/accounts/${accountId}/matched-leads?limit=2&offset=2&sort=name`,
      { user: quinn },
    );
    expect(first.body.items).toHaveLength(2);
    expect(second.body.items).toHaveLength(1);
    expect(ids([...first.body.items, ...second.body.items])).toEqual(ids(seen.body.items));
  });

  it('never answers a search with a hidden lead or by a hidden field', async () => {
    const other = othersLeads[0]!;
    const byName = await api.call(
      'GET',
      `/v1/accounts/${accountId}/matched-leads?q=${encodeURIComponent(other.LastName ?? '')}`,
      { user: quinn },
    );
    expect(byName.body.items.map((i: Json) => i.id)).not.toContain(other.Id);
    const mine = quinnsLeads[0]!;
    const byEmail = await api.call(
      'GET',
      `/v1/accounts/${accountId}/matched-leads?q=${encodeURIComponent(mine.Email!)}`,
      { user: quinn },
    );
    expect(byEmail.body.total).toBe(0);
  });

  it('with the Ids Apex read in user mode (POST), answers among those only', async () => {
    const visible = [quinnsLeads[0]!.Id, quinnsLeads[1]!.Id];
    const res = await api.call('POST', `/v1/accounts/${accountId}/matched-leads?limit=25`, {
      user: quinn,
      body: { visibleLeadIds: visible },
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(ids(res.body.items)).toEqual([...visible].sort());
    expect(res.body.hiddenFields).toEqual(['email']);
  });
});
