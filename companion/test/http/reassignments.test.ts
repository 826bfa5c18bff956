import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/crm/local/demo-people.js';
import { countryCode, regionOf } from '../../src/engine/distribution/countries.js';
import type { LeadRecord } from '../../src/engine/model.js';
import { reassign } from '../../src/routing/reassignment.js';
import { findKeys } from '../../src/store/idempotency.repository.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

/** The lead Ids of an owner in the demo org, as the org answers them. */
async function leadsOf(api: TestApi, ownerId: string): Promise<string[]> {
  return (await api.routing['crm'].findLeads({ ownerId })).sort();
}

describe('bulk reassignment (a rep leaves, territories change)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 180_000);
  afterAll(() => api.close());

  it('the dry run says where each lead would go, and the real run then does exactly that', async () => {
    // The owner with the most open leads in the demo org.
    const owners = new Map<string, number>();
    for (const user of await api.org.listUsers()) owners.set(user.Id, (await leadsOf(api, user.Id)).length);
    const [ownerId, count] = [...owners].sort((a, b) => b[1] - a[1])[0]!;
    expect(count).toBeGreaterThan(3);

    const dry = await api.call('POST', '/v1/reassignments', {
      body: { ownerId, reason: 'Rep left the company', dryRun: true },
    });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.summary.leads).toBe(count);
    const expected = new Map<string, string | null>(
      dry.body.rows.map((r: Json) => [r.leadId, r.candidate.owner?.id ?? null]),
    );
    // Nothing moved by the dry run.
    expect(await leadsOf(api, ownerId)).toHaveLength(count);

    const real = await api.call('POST', '/v1/reassignments', {
      body: { ownerId, reason: 'Rep left the company', runId: 'rep-left-1' },
    });
    expect(real.status, real.text).toBe(200);
    expect(real.body).toMatchObject({ runId: 'rep-left-1', leads: count, alreadyDone: 0, failed: [] });
    const moved = dry.body.rows.filter((r: Json) => r.ownerChanged).length;
    expect(real.body.moved + real.body.pending).toBe(moved);
    for (const [leadId, owner] of expected) {
      const lead = await api.org.getLead(leadId);
      const row = dry.body.rows.find((r: Json) => r.leadId === leadId);
      expect({ leadId, owner: lead!.OwnerId, row }).toEqual({ leadId, owner: owner ?? lead!.OwnerId, row });
    }
    // Each lead's history says why it moved, with the reason given.
    const [first] = [...expected.keys()];
    const history = await api.call('GET', `/v1/leads/${first}/routing-history`);
    expect(JSON.stringify(history.body)).toContain('inactive-owner');
  });

  it('a run stopped mid-way resumes with the same id without routing a batch twice', async () => {
    const leadIds = (await api.routing['crm'].findLeads({ createdSince: '2000-01-01T00:00:00Z' }))
      .sort()
      .slice(0, 250);
    expect(leadIds.length).toBeGreaterThan(200);
    let batches = 0;
    const deps = {
      choose: async () => ({ ids: leadIds, chosen: `${leadIds.length} leads given by Id` }),
      answered: async (keys: string[]) => new Set((await findKeys(api.store.db, keys)).keys()),
      routeMany: async (requests: Parameters<TestApi['routing']['routeMany']>[0]) => {
        if (batches++ === 1) throw new Error('the companion stopped');
        return api.routing.routeMany(requests);
      },
    };
    const asked = { runId: 'territories-2027', leadIds, reason: 'New territories', actorId: DEMO.admin };
    await expect(reassign(deps, asked)).rejects.toThrow('the companion stopped');
    const decisionsAfterFirst = await Promise.all(
      leadIds.map(async (id) => (await api.routing.history(id, 50)).length),
    );

    const resumed = await api.call('POST', '/v1/reassignments', {
      body: { leadIds, reason: 'New territories', runId: 'territories-2027' },
    });
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.body.leads).toBe(leadIds.length);
    expect(resumed.body.alreadyDone).toBe(200);
    const decisionsAfterResume = await Promise.all(
      leadIds.map(async (id) => (await api.routing.history(id, 50)).length),
    );
    // The first batch's leads have no new decision; each of the rest has exactly one more.
    leadIds.forEach((_, i) =>
      expect(decisionsAfterResume[i]! - decisionsAfterFirst[i]!).toBe(i < 200 ? 0 : 1),
    );
  });

  it('is for admins, and says what to give when the selection is unclear', async () => {
    const rep = await api.call('POST', '/v1/reassignments', {
      user: DEMO.salesLeadership,
      body: { ownerId: DEMO.admin, reason: 'x', dryRun: true },
    });
    expect(rep.status).toBe(403);
    const none = await api.call('POST', '/v1/reassignments', { body: { reason: 'x', dryRun: true } });
    expect(none.status).toBe(400);
    expect(none.body.error.details[0].message).toMatch(
      /choose the leads one way: give exactly one of ownerId, leadIds, pool, territory, filter/,
    );
    const two = await api.call('POST', '/v1/reassignments', {
      body: { pool: 'emea-sdr', filter: { statuses: ['MQL'] }, reason: 'x', dryRun: true },
    });
    expect(two.status).toBe(400);
    expect(two.body.error.details[0].message).toMatch(/exactly one of/);
  });
});

/** Every open lead of the demo org, as the org holds it. */
async function openLeads(api: TestApi): Promise<LeadRecord[]> {
  const leads: LeadRecord[] = [];
  for await (const page of api.org.streamLeads()) leads.push(...page.filter((l) => !l.IsConverted));
  return leads;
}

const dryRun = (api: TestApi, choice: Json) =>
  api.call('POST', '/v1/reassignments', { body: { ...choice, reason: 'Teams changed', dryRun: true } });

describe('choosing the leads of a reassignment by pool, territory or filter', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ user: DEMO.admin });
  }, 180_000);
  afterAll(() => api.close());

  it("by pool: the open leads of the pool's members; the dry run equals what the real run then does", async () => {
    const pools = (await api.call('GET', '/v1/pools')).body.items as Json[];
    const pool = pools.find((p) => p.name === 'emea-sdr')!;
    const members: string[] = pool.members.map((m: Json) => m.userId);
    expect(members.length).toBeGreaterThan(1);
    const expected = (await openLeads(api))
      .filter((l) => members.includes(l.OwnerId!))
      .map((l) => l.Id)
      .sort();
    expect(expected.length).toBeGreaterThan(3);

    const dry = await dryRun(api, { pool: 'emea-sdr' });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.chosen).toBe(`the open leads of the ${members.length} members of pool emea-sdr`);
    expect(dry.body.rows.map((r: Json) => r.leadId).sort()).toEqual(expected);

    const real = await api.call('POST', '/v1/reassignments', {
      body: { pool: 'emea-sdr', reason: 'EMEA team reshuffled', runId: 'emea-reshuffle' },
    });
    expect(real.status, real.text).toBe(200);
    expect(real.body).toMatchObject({ leads: expected.length, alreadyDone: 0, failed: [] });
    expect(real.body.chosen).toBe(dry.body.chosen);
    const changed = dry.body.rows.filter((r: Json) => r.ownerChanged);
    expect(changed.length).toBeGreaterThan(0);
    expect(real.body.moved + real.body.pending).toBe(changed.length);
    for (const row of dry.body.rows as Json[]) {
      const lead = await api.org.getLead(row.leadId);
      const owner = row.ownerChanged ? row.candidate.owner.id : row.live.owner.id;
      expect({ leadId: row.leadId, owner: lead!.OwnerId }).toEqual({ leadId: row.leadId, owner });
    }
  });

  it('by territory: the open leads a row takes now, the most specific row winning', async () => {
    // Japan gets a row of its own: its leads leave the APJ row (3) for the new row (4).
    const added = await api.call('POST', '/v1/territories/sdr-regions/rows', {
      body: { row: { country: ['JP'], assign: { pool: 'apj-sdr' } }, reason: 'Japan on its own' },
    });
    expect(added.status, added.text).toBe(201);
    const leads = await openLeads(api);
    const japan = leads.filter((l) => countryCode(l.Country) === 'JP').map((l) => l.Id);
    const restOfApj = leads
      .filter((l) => regionOf(l.Country) === 'APJ' && countryCode(l.Country) !== 'JP')
      .map((l) => l.Id);
    expect(japan.length).toBeGreaterThan(0);
    expect(restOfApj.length).toBeGreaterThan(0);

    const row4 = await dryRun(api, { territory: { table: 'sdr-regions', row: 4 } });
    expect(row4.status, row4.text).toBe(200);
    expect(row4.body.chosen).toBe(
      'the open leads row 4 of territory table sdr-regions takes (country JP → pool apj-sdr)',
    );
    expect(row4.body.rows.map((r: Json) => r.leadId).sort()).toEqual(japan.sort());
    const row3 = await dryRun(api, { territory: { table: 'sdr-regions', row: 3 } });
    expect(row3.status, row3.text).toBe(200);
    expect(row3.body.rows.map((r: Json) => r.leadId).sort()).toEqual(restOfApj.sort());
  });

  it('by filter: every criterion must hold; a country takes the spelling the org uses, text any case', async () => {
    const leads = await openLeads(api);
    const statuses = [...new Set(leads.map((l) => l.Status))];
    const status = statuses.find(
      (st) => leads.filter((l) => l.Status === st && regionOf(l.Country) === 'EMEA').length > 1,
    )!;
    const emea = [
      ...new Set(leads.filter((l) => regionOf(l.Country) === 'EMEA').map((l) => countryCode(l.Country)!)),
    ];
    const created = leads.map((l) => l.CreatedDate!).sort();
    const since = created[Math.floor(created.length / 4)]!.slice(0, 10);
    const before = created[Math.floor((created.length * 3) / 4)]!.slice(0, 10);
    const expected = leads
      .filter(
        (l) =>
          l.Status === status &&
          emea.includes(countryCode(l.Country)!) &&
          l.CreatedDate! >= `${since}T00:00:00.000Z` &&
          l.CreatedDate! < `${before}T00:00:00.000Z`,
      )
      .map((l) => l.Id)
      .sort();

    const dry = await dryRun(api, {
      filter: {
        statuses: [status!.toUpperCase()],
        countries: emea,
        createdSince: since,
        createdBefore: before,
      },
    });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.chosen).toBe(
      `the open leads with status ${status}; country ${emea.join(', ')}; created since ${since}; created before ${before}`,
    );
    expect(dry.body.rows.map((r: Json) => r.leadId).sort()).toEqual(expected);
    // The filter narrows: the same without the dates takes more.
    const wider = await dryRun(api, { filter: { statuses: [status], countries: emea } });
    expect(wider.body.summary.leads).toBeGreaterThan(expected.length);
  });

  it('by filter: a lead source is matched in any case; one no open lead has is refused, naming those they have', async () => {
    const leads = await openLeads(api);
    const sources = [...new Set(leads.map((l) => l.LeadSource).filter((v): v is string => !!v))];
    expect(sources.length).toBeGreaterThan(1);
    const source = sources[0]!;
    const dry = await dryRun(api, { filter: { leadSources: [source.toLowerCase()] } });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.chosen).toBe(`the open leads with lead source ${source}`);
    expect(dry.body.rows.map((r: Json) => r.leadId).sort()).toEqual(
      leads
        .filter((l) => l.LeadSource === source)
        .map((l) => l.Id)
        .sort(),
    );

    for (const dry of [true, false]) {
      const typo = await api.call('POST', '/v1/reassignments', {
        body: {
          filter: { leadSources: [`${source}x`] },
          reason: 'x',
          ...(dry ? { dryRun: true } : { runId: 'misspelled-source' }),
        },
      });
      expect(typo.status).toBe(400);
      expect(typo.body.error.code).toBe('VALIDATION_FAILED');
      expect(typo.body.error.message).toMatch(
        new RegExp(`^No open lead has lead source '${source}x': the open leads have `),
      );
      for (const s of sources) expect(typo.body.error.message).toContain(s);
    }
  });

  it('by filter: a state given by code or name takes every spelling the org uses for it', async () => {
    // The demo org writes states as codes; some leads here are given the state written out, as
    // hand-entered and imported leads often are.
    const spell = async (from: string, to: string, n: number) => {
      const { rows } = await sql<{ id: string }>`
        update crm_records set data = jsonb_set(data, '{State}', to_jsonb(${to}::text))
        where id in (
          select id from crm_records
          where object = 'Lead' and data->>'State' = ${from}
            and coalesce((data->>'IsConverted')::boolean, false) = false
          order by id limit ${n}
        )
        returning id
      `.execute(api.store.db);
      expect(rows).toHaveLength(n);
    };
    await spell('CA', 'California', 2);
    await spell('ON', 'Ontario', 1);
    const leads = await openLeads(api);
    const withState = (...spellings: string[]) =>
      leads.filter((l) => spellings.includes(l.State ?? '')).map((l) => l.Id);
    const california = withState('CA', 'California');
    expect(withState('CA').length).toBeGreaterThan(0);

    const byCode = await dryRun(api, { filter: { states: ['ca'] } });
    expect(byCode.status, byCode.text).toBe(200);
    expect(byCode.body.chosen).toBe('the open leads with state ca');
    expect(byCode.body.rows.map((r: Json) => r.leadId).sort()).toEqual(california.sort());

    const byName = await dryRun(api, { filter: { states: ['California', 'ON'] } });
    expect(byName.status, byName.text).toBe(200);
    expect(byName.body.rows.map((r: Json) => r.leadId).sort()).toEqual(
      [...california, ...withState('ON', 'Ontario')].sort(),
    );
    // A state no open lead is in takes none, whatever its spelling.
    const none = await dryRun(api, { filter: { states: ['Wyoming'] } });
    expect(none.status, none.text).toBe(200);
    expect(none.body.summary.leads).toBe(0);
  });

  it('by territory: a row without country or region takes the leads of its state and employee band', async () => {
    const added = await api.call('POST', '/v1/territories/sdr-regions/rows', {
      body: {
        row: { state: ['California'], employees: { min: 100 }, assign: { pool: 'amer-sdr' } },
        reason: 'Mid-market California on its own',
      },
    });
    expect(added.status, added.text).toBe(201);
    const rows = (await api.call('GET', '/v1/territories')).body.items.find(
      (t: Json) => t.name === 'sdr-regions',
    ).rows as Json[];
    const row = rows.findIndex((r) => r.state?.includes('California')) + 1;
    expect(row).toBeGreaterThan(0);
    // The demo org writes states as codes; the row names the state, and takes either spelling.
    const expected = (await openLeads(api))
      .filter(
        (l) =>
          ['CA', 'California'].includes(l.State ?? '') &&
          typeof l.NumberOfEmployees === 'number' &&
          l.NumberOfEmployees >= 100,
      )
      .map((l) => l.Id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);

    const dry = await dryRun(api, { territory: { table: 'sdr-regions', row } });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.rows.map((r: Json) => r.leadId).sort()).toEqual(expected);
  });

  it('refuses a choice it cannot make, saying what to give instead, and moves nothing', async () => {
    const cases: Array<[Json, number, RegExp]> = [
      [
        { pool: 'emea-sdrr' },
        400,
        /There is no pool 'emea-sdrr' in the live routing set: use one of amer-sdr, emea-sdr/,
      ],
      [
        { territory: { table: 'regions', row: 1 } },
        400,
        /There is no territory table 'regions'.*use one of sdr-regions/,
      ],
      [{ territory: { table: 'sdr-regions', row: 40 } }, 400, /has rows 1 to \d+, not 40/],
      [{ filter: {} }, 400, /The filter is empty: give at least one of owner, status, country/],
      [
        { filter: { createdSince: '2026-13-01' } },
        400,
        /createdSince '2026-13-01' is not a date: give a day/,
      ],
      [{ filter: { createdBefore: 'yesterday' } }, 400, /createdBefore 'yesterday' is not a date/],
      [
        { filter: { createdSince: '2026-06-01', createdBefore: '2026-01-01' } },
        400,
        /is not before createdBefore 2026-01-01, so no lead can match/,
      ],
      [{ filter: { statuses: ['Sleeping'] } }, 400, /'Sleeping' is not a status an open lead can have: use /],
      [{ filter: { countries: ['Atlantis'] } }, 400, /'Atlantis' is not a country we know: give an ISO code/],
    ];
    for (const [choice, status, message] of cases) {
      for (const dry of [true, false]) {
        const res = await api.call('POST', '/v1/reassignments', {
          body: { ...choice, reason: 'x', ...(dry ? { dryRun: true } : { runId: 'refused' }) },
        });
        expect({ choice, status: res.status }).toEqual({ choice, status });
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.message).toMatch(message);
      }
    }
    const bad = await api.call('POST', '/v1/reassignments', {
      body: { filter: { statuses: [], colour: 'red' }, reason: 'x', dryRun: true },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: Json) => d.message).join('\n')).toMatch(/list at least one value/);
    // Nothing was routed by the refused runs.
    expect(
      await findKeys(
        api.store.db,
        (await openLeads(api)).map((l) => `reassign:refused:${l.Id}`),
      ),
    ).toHaveProperty('size', 0);
  });
});
