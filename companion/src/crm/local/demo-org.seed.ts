import { sql, type Kysely } from 'kysely';
import type { SfRecord } from '../../engine/model.js';
import { atomic } from '../../store/atomic.js';
import { toJson } from '../../store/sql-values.js';
import type { Database } from '../../store/schema.js';
import {
  DEMO_ORG_DEFAULTS,
  generateDemoOrg,
  type DemoOrgOptions,
  type DemoRecordSet,
} from './demo-org.generator.js';
import { DEMO_QUEUES, DEMO_USERS } from './demo-people.js';
import { DEMO_SCENARIO } from './demo-scenarios.js';
import { upsertRecords, type CrmObject } from './local-records.js';

export interface EnsureDemoOrgOptions extends DemoOrgOptions {
  /**
   * Curated records added beside the generated ones (they win on equal Ids). Default: DEMO_SCENARIO
   * from demo-scenarios.ts, one or more records per routing rule; null leaves them out.
   */
  scenario?: DemoRecordSet | null;
  /** The clock, for the default anchor (today, 00:00 UTC). */
  now?: () => Date;
}

export interface DemoOrgInfo {
  seed: number;
  anchor: string;
  seededAt: string;
  counts: Record<string, number>;
}

export interface EnsureDemoOrgResult extends DemoOrgInfo {
  /** False when the org was already there (nothing was written). */
  seeded: boolean;
}

const META_KEY = 'demo-org';

/** Where the demo org came from, or null before the first seeding. */
export async function demoOrgInfo(db: Kysely<Database>): Promise<DemoOrgInfo | null> {
  const row = await db.selectFrom('crm_meta').select('value').where('key', '=', META_KEY).executeTakeFirst();
  return row ? (row.value as DemoOrgInfo) : null;
}

/**
 * Seeds the demo org once: the first call writes it in one transaction, later calls (and
 * concurrent ones from other instances, which wait on an advisory lock) find it and return at once.
 */
export async function ensureDemoOrg(
  db: Kysely<Database>,
  options: EnsureDemoOrgOptions = {},
): Promise<EnsureDemoOrgResult> {
  const existing = await demoOrgInfo(db);
  if (existing) {
    await namePeople(db);
    return { ...existing, seeded: false };
  }
  return atomic(db, async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('switchyard-demo-org'))`.execute(tx);
    const again = await demoOrgInfo(tx);
    if (again) return { ...again, seeded: false };

    const now = (options.now ?? (() => new Date()))();
    const anchor = options.anchor ?? `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
    const seed = options.seed ?? DEMO_ORG_DEFAULTS.seed;
    const org = generateDemoOrg({ ...options, seed, anchor });
    const scenario = options.scenario === undefined ? DEMO_SCENARIO : options.scenario;
    const batches: Array<[CrmObject, SfRecord[]]> = [
      ['User', org.users],
      ['Queue', org.queues],
      ['Account', [...org.accounts, ...(scenario?.accounts ?? [])]],
      ['Opportunity', [...org.opportunities, ...(scenario?.opportunities ?? [])]],
      ['Campaign', [...org.campaigns, ...(scenario?.campaigns ?? [])]],
      ['Lead', [...org.leads, ...(scenario?.leads ?? [])]],
      ['CampaignMember', [...org.campaignMembers, ...(scenario?.campaignMembers ?? [])]],
    ];
    const counts: Record<string, number> = {};
    for (const [object, records] of batches) {
      await upsertRecords(tx, object, records);
      counts[object] = new Set(records.map((r) => r.Id)).size;
    }
    const info: DemoOrgInfo = { seed, anchor, seededAt: now.toISOString(), counts };
    await tx
      .insertInto('crm_meta')
      .values({ key: META_KEY, value: toJson(info) })
      .execute();
    return { ...info, seeded: true };
  });
}

/**
 * A demo org seeded by a Switchyard before routing sets named people by username and queues by
 * DeveloperName gets those names (and nothing else of its people changes), so the shipped folder
 * resolves against it as against a fresh one.
 */
async function namePeople(db: Kysely<Database>): Promise<void> {
  const names = JSON.stringify([
    ...DEMO_USERS.map((u) => ({ id: u.Id, names: { Username: u.Username, Email: u.Email } })),
    ...DEMO_QUEUES.map((q) => ({
      id: q.Id,
      names: { DeveloperName: q.DeveloperName, TakesLeads: q.TakesLeads },
    })),
  ]);
  await sql`
    update crm_records r set data = r.data || e->'names'
    from jsonb_array_elements(${names}::jsonb) as e
    where r.id = e->>'id' and r.object in ('User', 'Queue')
      and not (r.data ? 'Username' or r.data ? 'DeveloperName')
  `.execute(db);
}
