import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  AccountRecord,
  CampaignMemberRecord,
  CampaignRecord,
  LeadRecord,
  Membership,
  OpportunityRecord,
  QueueRecord,
  SfRecord,
  UserRecord,
} from '../../engine/model.js';
import type { MemberStats } from '../../engine/distribution/distribution.types.js';
import { demoId, KEY_PREFIX } from '../../engine/salesforce-id.js';
import { atomic } from '../../store/json.js';
import type { Database } from '../../store/schema.js';
import type { CrmPort, LeadContext, LeadConversion, LeadUpdate, WriteResult } from '../crm.port.js';
import { CONVERTED_LEAD_STATUSES } from './demo-org.generator.js';
import { changedFields, type ChangeOrigin, type LeadChange, LocalChangeFeed } from './local-change-feed.js';
import {
  getRecords,
  normaliseId,
  replaceRecords,
  SYSTEM_FIELDS,
  toRecord,
  upsertRecords,
  type CrmObject,
} from './local-records.js';

export interface LocalCrmOptions {
  /** Records per page of the streams. Default 2000. */
  pageSize?: number;
  /** The clock for dates the org stamps (conversion dates, created dates). */
  now?: () => Date;
  /** Told about every committed lead change; one is created when not given. */
  feed?: LocalChangeFeed;
}

/** Statuses of leads nobody works any more; every other unconverted lead counts toward an owner's load. */
const CLOSED_LEAD_STATUSES = ['Qualified', 'Disqualified', 'Ineligible', 'Unqualified', 'Recycle'];

/** Fields only conversion sets. */
const CONVERSION_FIELDS = [
  'IsConverted',
  'ConvertedAccountId',
  'ConvertedContactId',
  'ConvertedOpportunityId',
  'ConvertedDate',
];
const READ_ONLY_FIELDS = new Set<string>([...SYSTEM_FIELDS, ...CONVERSION_FIELDS]);

type Failure = Extract<WriteResult, { ok: false }>;
const fail = (id: string, code: string, message: string, retryable = false): Failure => ({
  id,
  ok: false,
  code,
  message,
  retryable,
});

/**
 * The CRM port over the embedded demo org (crm_records in the companion's own database). It
 * answers, and refuses, the way Salesforce does: per-record results, Salesforce's status codes,
 * no writes to converted leads, owners that must exist and be active, and the OWNER_CHANGED guard.
 * Give it the store's `db`, not a transaction's, and call it outside `store.transaction`: like a
 * remote org it commits on its own (on the embedded store, a call from inside a transaction would
 * wait for the only connection, which that transaction holds).
 */
export class LocalCrm implements CrmPort {
  readonly feed: LocalChangeFeed;
  protected readonly pageSize: number;
  protected readonly now: () => Date;

  constructor(
    protected readonly db: Kysely<Database>,
    options: LocalCrmOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 2000;
    this.now = options.now ?? (() => new Date());
    this.feed = options.feed ?? new LocalChangeFeed();
  }

  async getLeadContexts(leadIds: string[]): Promise<Map<string, LeadContext>> {
    const wanted = new Map<string, string>();
    for (const id of leadIds) {
      const id18 = normaliseId(id);
      if (id18) wanted.set(id, id18);
    }
    const leads = await getRecords<LeadRecord>(this.db, 'Lead', [...wanted.values()]);
    const memberRows = leads.size
      ? await this.db
          .selectFrom('crm_records')
          .select(['id', 'data', 'modstamp'])
          .where('object', '=', 'CampaignMember')
          .where(sql<string>`data->>'LeadId'`, '=', sql<string>`any(${[...leads.keys()]}::text[])`)
          .execute()
      : [];
    const members = memberRows.map((r) => toRecord<CampaignMemberRecord>(r));
    const campaigns = await getRecords<CampaignRecord>(
      this.db,
      'Campaign',
      members.map((m) => m.CampaignId),
    );
    const byLead = new Map<string, Membership[]>();
    for (const member of members) {
      const campaign = campaigns.get(member.CampaignId);
      if (!campaign || !member.LeadId) continue;
      const list = byLead.get(member.LeadId) ?? [];
      list.push({ member, campaign });
      byLead.set(member.LeadId, list);
    }
    const contexts = new Map<string, LeadContext>();
    for (const [asked, id18] of wanted) {
      const lead = leads.get(id18);
      if (!lead) continue;
      const memberships = (byLead.get(id18) ?? []).sort((a, b) =>
        String(b.member.CreatedDate ?? '').localeCompare(String(a.member.CreatedDate ?? '')),
      );
      contexts.set(asked, { lead, memberships });
    }
    return contexts;
  }

  streamAccounts(): AsyncIterable<AccountRecord[]> {
    return this.stream<AccountRecord>('Account');
  }

  streamOpenOpportunities(): AsyncIterable<OpportunityRecord[]> {
    return this.stream<OpportunityRecord>(
      'Opportunity',
      sql`coalesce((data->>'IsClosed')::boolean, false) = false`,
    );
  }

  streamLeads(): AsyncIterable<LeadRecord[]> {
    return this.stream<LeadRecord>('Lead', sql`coalesce((data->>'IsConverted')::boolean, false) = false`);
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.listAll<UserRecord>('User');
  }

  async listQueues(): Promise<QueueRecord[]> {
    return this.listAll<QueueRecord>('Queue');
  }

  /** Open load: unconverted leads owned in a working status. Performance: converted / all leads owned. */
  async userStats(userIds: string[]): Promise<Map<string, MemberStats>> {
    const stats = new Map<string, MemberStats>();
    if (userIds.length === 0) return stats;
    const { rows } = await sql<{ owner: string; open: string; converted: string; total: string }>`
      select data->>'OwnerId' as owner,
        count(*) filter (where coalesce((data->>'IsConverted')::boolean, false) = false
          and coalesce(data->>'Status', '') <> all(${CLOSED_LEAD_STATUSES}::text[])) as open,
        count(*) filter (where coalesce((data->>'IsConverted')::boolean, false)) as converted,
        count(*) as total
      from crm_records
      where object = 'Lead' and data->>'OwnerId' = any(${userIds}::text[])
      group by 1
    `.execute(this.db);
    const byOwner = new Map(rows.map((r) => [r.owner, r]));
    for (const id of userIds) {
      const r = byOwner.get(id);
      const total = Number(r?.total ?? 0);
      stats.set(id, {
        openLoad: Number(r?.open ?? 0),
        performance: total === 0 ? 0 : Number(r?.converted ?? 0) / total,
      });
    }
    return stats;
  }

  updateLeads(updates: LeadUpdate[]): Promise<WriteResult[]> {
    return this.writeLeads(updates, 'routing');
  }

  /**
   * Converts leads as Salesforce's convertLead does with allOrNone false: each record is checked on
   * its own and fails alone; the ones that pass are written together (a batch is a few statements).
   */
  async convertLeads(conversions: LeadConversion[]): Promise<WriteResult[]> {
    if (conversions.length === 0) return [];
    const { results, changes } = await atomic(this.db, async (tx) => {
      const leadIds = conversions.map((c) => normaliseId(c.leadId)).filter((id): id is string => id !== null);
      const accountIds = conversions
        .map((c) => normaliseId(c.accountId))
        .filter((id): id is string => id !== null);
      const leads = await getRecords<LeadRecord>(tx, 'Lead', leadIds, { forUpdate: true });
      const accounts = await getRecords<AccountRecord>(tx, 'Account', accountIds);
      const owners = await this.owners(tx);
      const results: WriteResult[] = [];
      const passed: Checked[] = [];
      for (const c of conversions) {
        const checked = this.checkConversion(c, leads, accounts, owners);
        if ('ok' in checked) {
          results.push(checked);
          continue;
        }
        // A lead converted earlier in this batch is converted now.
        leads.set(checked.lead.Id, { ...checked.lead, IsConverted: true });
        passed.push({ c, ...checked, index: results.length });
        results.push({ id: c.leadId, ok: true });
      }
      const changes = await this.writeConversions(tx, passed, results);
      return { results, changes };
    });
    this.feed.emit(changes);
    return results;
  }

  private checkConversion(
    c: LeadConversion,
    leads: Map<string, LeadRecord>,
    accounts: Map<string, AccountRecord>,
    owners: Map<string, Owner>,
  ): Failure | { lead: LeadRecord; account: AccountRecord; ownerId: string } {
    const leadId = normaliseId(c.leadId);
    if (!leadId) return fail(c.leadId, 'MALFORMED_ID', `Lead ID: id value of incorrect type: ${c.leadId}`);
    const lead = leads.get(leadId);
    if (!lead) return fail(c.leadId, 'ENTITY_IS_DELETED', 'entity is deleted');
    if (lead.IsConverted)
      return fail(c.leadId, 'CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
    if (c.expectedOwnerId !== undefined && (lead.OwnerId ?? null) !== c.expectedOwnerId) {
      return fail(
        c.leadId,
        'OWNER_CHANGED',
        `The lead's owner is now ${lead.OwnerId ?? 'nobody'}, not ${c.expectedOwnerId ?? 'nobody'} as when it was routed: someone changed it meanwhile.`,
      );
    }
    if (!(CONVERTED_LEAD_STATUSES as readonly string[]).includes(c.convertedStatus)) {
      return fail(
        c.leadId,
        'INVALID_STATUS',
        `invalid convertedStatus: ${c.convertedStatus} (use one of ${CONVERTED_LEAD_STATUSES.join(', ')})`,
      );
    }
    const accountId = normaliseId(c.accountId);
    const account = accountId ? accounts.get(accountId) : undefined;
    if (!account) {
      return fail(
        c.leadId,
        'INVALID_CROSS_REFERENCE_KEY',
        `invalid cross reference id: accountId ${c.accountId}`,
      );
    }
    // Contacts and opportunities must belong to an active user, never a queue.
    const ownerRefused = this.refuseOwner(c.leadId, c.ownerId, owners, false);
    if (ownerRefused) return ownerRefused;
    return { lead, account, ownerId: normaliseId(c.ownerId)! };
  }

  /** Writes the contacts, opportunities and converted leads of checked conversions; fills in their Ids. */
  private async writeConversions(
    tx: Kysely<Database>,
    passed: Checked[],
    results: WriteResult[],
  ): Promise<LeadChange[]> {
    if (passed.length === 0) return [];
    const now = this.now();
    const today = now.toISOString().slice(0, 10);
    const withOpportunity = passed.filter((p) => p.c.createOpportunity).length;
    const numbers = await nextNumbers(tx, passed.length + withOpportunity);
    const contacts: SfRecord[] = [];
    const opportunities: OpportunityRecord[] = [];
    const converted: Array<{ id: string; data: LeadRecord }> = [];
    const changes: LeadChange[] = [];
    for (const { c, lead, account, ownerId, index } of passed) {
      const contactId = demoId(KEY_PREFIX.contact, numbers.shift()!);
      contacts.push({
        Id: contactId,
        AccountId: account.Id,
        FirstName: lead.FirstName ?? null,
        LastName: lead.LastName ?? null,
        Title: lead.Title ?? null,
        Email: lead.Email ?? null,
        OwnerId: ownerId,
        LeadSource: lead.LeadSource ?? null,
        MailingCountry: lead.Country ?? null,
        MailingState: lead.State ?? null,
        MailingCity: lead.City ?? null,
        CreatedDate: now.toISOString(),
      });
      let opportunityId: string | null = null;
      if (c.createOpportunity) {
        opportunityId = demoId(KEY_PREFIX.opportunity, numbers.shift()!);
        opportunities.push({
          Id: opportunityId,
          AccountId: account.Id,
          Name: c.opportunityName?.trim() || `${account.Name} -`,
          StageName: 'Prospecting',
          IsClosed: false,
          IsWon: false,
          OwnerId: ownerId,
          Amount: null,
          CloseDate: new Date(now.getTime() + 90 * 86_400_000).toISOString().slice(0, 10),
          LeadSource: lead.LeadSource ?? null,
          CreatedDate: now.toISOString(),
        });
      }
      const data: LeadRecord = {
        ...lead,
        IsConverted: true,
        Status: c.convertedStatus,
        OwnerId: ownerId,
        ConvertedAccountId: account.Id,
        ConvertedContactId: contactId,
        ConvertedOpportunityId: opportunityId,
        ConvertedDate: today,
      };
      converted.push({ id: lead.Id, data });
      results[index] = { id: c.leadId, ok: true, contactId, ...(opportunityId ? { opportunityId } : {}) };
      const fields = changedFields(lead, data);
      changes.push({
        leadId: lead.Id,
        kind: 'converted',
        changedFields: fields,
        previous: Object.fromEntries(fields.map((f) => [f, lead[f] ?? null])),
        lead: data,
        origin: 'routing',
      });
    }
    await upsertRecords(tx, 'Contact', contacts);
    await upsertRecords(tx, 'Opportunity', opportunities);
    await replaceRecords(tx, converted);
    return changes;
  }

  /** Updates leads as `origin` (routing, a person, the inbound stream) and tells the feed. */
  protected async writeLeads(updates: LeadUpdate[], origin: ChangeOrigin): Promise<WriteResult[]> {
    if (updates.length === 0) return [];
    const owners = await this.owners();
    const { results, changes } = await atomic(this.db, async (tx) => {
      const ids = updates.map((u) => normaliseId(u.id)).filter((id): id is string => id !== null);
      const current = await getRecords<LeadRecord>(tx, 'Lead', ids, { forUpdate: true });
      const next = new Map<string, LeadRecord>();
      const results: WriteResult[] = [];
      const changes: LeadChange[] = [];
      for (const update of updates) {
        const id = normaliseId(update.id);
        if (!id) {
          results.push(fail(update.id, 'MALFORMED_ID', `Lead ID: id value of incorrect type: ${update.id}`));
          continue;
        }
        const lead = next.get(id) ?? current.get(id);
        const refused = lead ? this.refuseUpdate(lead, update, owners) : null;
        if (!lead || refused) {
          results.push(refused ?? fail(update.id, 'ENTITY_IS_DELETED', 'entity is deleted'));
          continue;
        }
        const updated: LeadRecord = { ...lead, ...update.fields, Id: id };
        next.set(id, updated);
        results.push({ id: update.id, ok: true });
        const fields = changedFields(lead, updated);
        if (fields.length > 0) {
          changes.push({
            leadId: id,
            kind: 'updated',
            changedFields: fields,
            previous: Object.fromEntries(fields.map((f) => [f, lead[f] ?? null])),
            lead: updated,
            origin,
          });
        }
      }
      await replaceRecords(
        tx,
        [...next.values()].map((data) => ({ id: data.Id, data })),
      );
      return { results, changes };
    });
    this.feed.emit(changes);
    return results;
  }

  private refuseUpdate(lead: LeadRecord, update: LeadUpdate, owners: Map<string, Owner>): Failure | null {
    if (lead.IsConverted) {
      return fail(update.id, 'CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
    }
    const readOnly = Object.keys(update.fields).filter((f) => READ_ONLY_FIELDS.has(f));
    if (readOnly.length > 0) {
      return fail(
        update.id,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      );
    }
    if (update.expectedOwnerId !== undefined && (lead.OwnerId ?? null) !== update.expectedOwnerId) {
      return fail(
        update.id,
        'OWNER_CHANGED',
        `The lead's owner is now ${lead.OwnerId ?? 'nobody'}, not ${update.expectedOwnerId ?? 'nobody'} as when it was routed: someone changed it meanwhile.`,
      );
    }
    if ('OwnerId' in update.fields) {
      return this.refuseOwner(update.id, update.fields.OwnerId, owners, true);
    }
    return null;
  }

  private refuseOwner(
    id: string,
    ownerId: unknown,
    owners: Map<string, Owner>,
    queueAllowed: boolean,
  ): Failure | null {
    const owner = typeof ownerId === 'string' ? owners.get(normaliseId(ownerId) ?? ownerId) : undefined;
    if (!owner || (owner.kind === 'queue' && !queueAllowed)) {
      return fail(
        id,
        'INVALID_CROSS_REFERENCE_KEY',
        `invalid cross reference id: OwnerId ${String(ownerId)}`,
      );
    }
    if (!owner.active) {
      return fail(
        id,
        'INACTIVE_OWNER_OR_USER',
        `operation performed with inactive user [${owner.id}] as owner of lead`,
      );
    }
    return null;
  }

  /** Users and queues by Id: who may own a record. */
  protected async owners(db: Kysely<Database> = this.db): Promise<Map<string, Owner>> {
    const rows = await db
      .selectFrom('crm_records')
      .select(['id', 'object', sql<boolean | null>`(data->>'IsActive')::boolean`.as('active')])
      .where('object', 'in', ['User', 'Queue'])
      .execute();
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          kind: r.object === 'Queue' ? 'queue' : 'user',
          active: r.object === 'Queue' || r.active === true,
        },
      ]),
    );
  }

  protected async listAll<T extends SfRecord>(object: CrmObject): Promise<T[]> {
    const rows = await this.db
      .selectFrom('crm_records')
      .select(['data', 'modstamp'])
      .where('object', '=', object)
      .orderBy('id')
      .execute();
    return rows.map((r) => toRecord<T>(r));
  }

  /** Keyset pages in Id order: stable while records change, and each page is one index range scan. */
  protected async *stream<T extends SfRecord>(
    object: CrmObject,
    filter?: RawBuilder<boolean>,
  ): AsyncGenerator<T[]> {
    let after = '';
    for (;;) {
      let query = this.db
        .selectFrom('crm_records')
        .select(['id', 'data', 'modstamp'])
        .where('object', '=', object)
        .where('id', '>', after)
        .orderBy('id')
        .limit(this.pageSize);
      if (filter) query = query.where(filter);
      const rows = await query.execute();
      if (rows.length === 0) return;
      yield rows.map((r) => toRecord<T>(r));
      if (rows.length < this.pageSize) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}

/** A conversion that passed its checks, with its place in the results. */
interface Checked {
  c: LeadConversion;
  lead: LeadRecord;
  account: AccountRecord;
  ownerId: string;
  index: number;
}

/** `count` fresh numbers for new record Ids, from the sequence far above the seeded ranges. */
async function nextNumbers(db: Kysely<Database>, count: number): Promise<number[]> {
  const { rows } = await sql<{ n: string }>`
    select nextval('crm_id_seq') as n from generate_series(1, ${count}::integer)
  `.execute(db);
  return rows.map((r) => Number(r.n));
}

interface Owner {
  id: string;
  kind: 'user' | 'queue';
  active: boolean;
}
