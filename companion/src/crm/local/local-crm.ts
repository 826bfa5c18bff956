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
import { atomic } from '../../store/atomic.js';
import type { Database } from '../../store/schema.js';
import type {
  ChangeOrigin,
  CrmPort,
  CustomNotification,
  CustomNotificationPort,
  KeptObject,
  KeptRecords,
  LeadChange,
  LeadContext,
  LeadStatusValue,
  LeadConversion,
  LeadFilter,
  LeadValueField,
  LeadUpdate,
  RecordChanges,
  WriteResult,
} from '../crm.port.js';
import { NOT_WORKED_STATUSES } from '../../engine/lead-status.js';
import { CONVERTED_LEAD_STATUSES, LEAD_STATUSES } from './demo-org.generator.js';
import { changedFields, LocalChangeFeed } from './local-change-feed.js';
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
export class LocalCrm implements CrmPort, CustomNotificationPort {
  readonly feed: LocalChangeFeed;
  protected readonly pageSize: number;
  protected readonly now: () => Date;
  /** The custom notifications sent, as the demo org's bell would list them, oldest first. */
  private readonly bell: Array<CustomNotification & { sentAt: string }> = [];

  constructor(
    protected readonly db: Kysely<Database>,
    options: LocalCrmOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 2000;
    this.now = options.now ?? (() => new Date());
    this.feed = options.feed ?? new LocalChangeFeed();
  }

  /** Records a custom notification as the demo org's bell (nothing rings: there is no Salesforce here). */
  async sendCustomNotification(notification: CustomNotification): Promise<void> {
    this.bell.push({
      ...notification,
      recipientIds: [...notification.recipientIds],
      sentAt: this.now().toISOString(),
    });
  }

  /** The custom notifications sent so far, oldest first. */
  bellNotifications(): ReadonlyArray<CustomNotification & { sentAt: string }> {
    return this.bell;
  }

  /** One statement: the leads, their campaign memberships and those memberships' campaigns. */
  async getLeadContexts(leadIds: string[]): Promise<Map<string, LeadContext>> {
    const wanted = new Map<string, string>();
    for (const id of leadIds) {
      const id18 = normaliseId(id);
      if (id18) wanted.set(id, id18);
    }
    if (wanted.size === 0) return new Map();
    // The objects are literals, not parameters, so a prepared plan can use the partial indexes.
    const { rows } = await sql<ContextRow>`
      select l.id as lead_id, l.data as lead_data, l.modstamp as lead_modstamp,
        m.data as member_data, m.modstamp as member_modstamp,
        c.data as campaign_data, c.modstamp as campaign_modstamp
      from crm_records l
      left join crm_records m on m.object = 'CampaignMember' and m.data->>'LeadId' = l.id
      left join crm_records c on c.object = 'Campaign' and c.id = m.data->>'CampaignId'
      where l.object = 'Lead' and l.id = any(${[...new Set(wanted.values())]}::text[])
      order by l.id, m.id
    `.execute(this.db);
    const leads = new Map<string, LeadRecord>();
    const byLead = new Map<string, Membership[]>();
    for (const r of rows) {
      if (!leads.has(r.lead_id)) {
        leads.set(r.lead_id, toRecord<LeadRecord>({ data: r.lead_data, modstamp: r.lead_modstamp }));
      }
      // A membership whose campaign is gone is left out, as before.
      if (!r.member_data || !r.campaign_data) continue;
      const list = byLead.get(r.lead_id) ?? [];
      list.push({
        member: toRecord<CampaignMemberRecord>({ data: r.member_data, modstamp: r.member_modstamp! }),
        campaign: toRecord<CampaignRecord>({ data: r.campaign_data, modstamp: r.campaign_modstamp! }),
      });
      byLead.set(r.lead_id, list);
    }
    const contexts = new Map<string, LeadContext>();
    for (const [asked, id18] of wanted) {
      const lead = leads.get(id18);
      if (!lead) continue;
      const memberships = [...(byLead.get(id18) ?? [])].sort((a, b) =>
        String(b.member.CreatedDate ?? '').localeCompare(String(a.member.CreatedDate ?? '')),
      );
      contexts.set(asked, { lead, memberships });
    }
    return contexts;
  }

  streamAccounts(): AsyncIterable<AccountRecord[]> {
    return this.stream<AccountRecord>('Account');
  }

  /** The demo org never deletes a record, so none is reported removed. */
  async changedSince<O extends KeptObject>(object: O, since: string): Promise<RecordChanges<KeptRecords[O]>> {
    const rows = await this.db
      .selectFrom('crm_records')
      .select(['data', 'modstamp'])
      .where('object', '=', object)
      .where('modstamp', '>=', new Date(since))
      .orderBy('id')
      .execute();
    return { records: rows.map((r) => toRecord<KeptRecords[O]>(r)), removedIds: [] };
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

  async findLeads(filter: LeadFilter): Promise<string[]> {
    const where: RawBuilder<unknown>[] = [
      sql`object = 'Lead'`,
      sql`coalesce((data->>'IsConverted')::boolean, false) = false`,
    ];
    if (filter.ownerId !== undefined)
      where.push(sql`data->>'OwnerId' = ${normaliseId(filter.ownerId) ?? filter.ownerId}`);
    if (filter.ownerIds)
      where.push(sql`data->>'OwnerId' = any(${filter.ownerIds.map((id) => normaliseId(id) ?? id)}::text[])`);
    // Text compares without regard to case, as SOQL does for every field but unique case-sensitive
    // ones (SOQL and SOSL Reference, "Comparison Operators").
    const oneOf = (field: string, values: readonly string[]) =>
      where.push(
        sql`lower(coalesce(data->>${field}, '')) = any(${values.map((v) => v.toLowerCase())}::text[])`,
      );
    if (filter.statuses) oneOf('Status', filter.statuses);
    if (filter.countries) oneOf('Country', filter.countries);
    if (filter.states) oneOf('State', filter.states);
    if (filter.leadSources) oneOf('LeadSource', filter.leadSources);
    if (filter.industries) oneOf('Industry', filter.industries);
    const { min, max } = filter.employees ?? {};
    if (min !== undefined || max !== undefined) {
      where.push(sql`jsonb_typeof(data->'NumberOfEmployees') = 'number'`);
      if (min !== undefined) where.push(sql`(data->>'NumberOfEmployees')::numeric >= ${min}`);
      if (max !== undefined) where.push(sql`(data->>'NumberOfEmployees')::numeric <= ${max}`);
    }
    if (filter.personOwned)
      where.push(sql`coalesce(data->>'OwnerId', '') not like ${KEY_PREFIX.queue + '%'}`);
    if (filter.createdSince !== undefined)
      where.push(sql`(data->>'CreatedDate')::timestamptz >= ${new Date(filter.createdSince)}`);
    if (filter.createdBefore !== undefined)
      where.push(sql`(data->>'CreatedDate')::timestamptz < ${new Date(filter.createdBefore)}`);
    if (filter.activelyWorkedByOtherBdr) {
      where.push(sql`exists (
        select 1 from crm_records a
        where a.object = 'Account' and a.id = crm_records.data->>'Matched_Account__c'
          and a.data->>'BDR_Prospecting_Status__c' = 'Actively Working'
          and coalesce(a.data->>'BDR_Assigned__c', '') <> ''
          and (a.data->>'BDR_Assigned__c' <> coalesce(crm_records.data->>'OwnerId', '')
            or coalesce((crm_records.data->>'In_Hopper__c')::boolean, false)))`);
    }
    if (filter.bdrStatusChangedOn !== undefined) {
      where.push(sql`exists (
        select 1 from crm_records a
        where a.object = 'Account' and a.id = crm_records.data->>'Matched_Account__c'
          and left(a.data->>'BDR_Prospecting_Status_Changed__c', 10) = ${filter.bdrStatusChangedOn})`);
    }
    const { rows } = await sql<{ id: string }>`
      select id from crm_records where ${sql.join(where, sql` and `)} order by id
    `.execute(this.db);
    return rows.map((r) => r.id);
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.listAll<UserRecord>('User');
  }

  async listQueues(): Promise<QueueRecord[]> {
    return this.listAll<QueueRecord>('Queue');
  }

  /** The demo org's picklist: the generator's statuses, and the converted ones. */
  async leadStatuses(): Promise<LeadStatusValue[]> {
    const statuses = [...new Set<string>([...LEAD_STATUSES, ...CONVERTED_LEAD_STATUSES])];
    return statuses.map((status) => ({
      status,
      converted: (CONVERTED_LEAD_STATUSES as readonly string[]).includes(status),
    }));
  }

  async leadValues(field: LeadValueField): Promise<Array<{ value: string; leads: number }>> {
    const { rows } = await sql<{ value: string; leads: string }>`
      select data->>${field} as value, count(*) as leads from crm_records
      where object = 'Lead' and coalesce((data->>'IsConverted')::boolean, false) = false
        and coalesce(data->>${field}, '') <> ''
      group by 1 order by 2 desc, 1
    `.execute(this.db);
    return rows.map((r) => ({ value: r.value, leads: Number(r.leads) }));
  }

  /**
   * Open leads: unconverted leads owned in a status someone works (not `NOT_WORKED_STATUSES`, as in
   * Salesforce mode). Open opportunities: owned and not closed. Performance: converted / all leads owned.
   */
  async userStats(userIds: string[]): Promise<Map<string, MemberStats>> {
    const stats = new Map<string, MemberStats>();
    if (userIds.length === 0) return stats;
    const { rows } = await sql<{ owner: string; open: string; converted: string; total: string }>`
      select data->>'OwnerId' as owner,
        count(*) filter (where coalesce((data->>'IsConverted')::boolean, false) = false
          and coalesce(data->>'Status', '') <> all(${[...NOT_WORKED_STATUSES]}::text[])) as open,
        count(*) filter (where coalesce((data->>'IsConverted')::boolean, false)) as converted,
        count(*) as total
      from crm_records
      where object = 'Lead' and data->>'OwnerId' = any(${userIds}::text[])
      group by 1
    `.execute(this.db);
    const { rows: opportunities } = await sql<{ owner: string; open: string }>`
      select data->>'OwnerId' as owner, count(*) as open
      from crm_records
      where object = 'Opportunity' and data->>'OwnerId' = any(${userIds}::text[])
        and coalesce((data->>'IsClosed')::boolean, false) = false
      group by 1
    `.execute(this.db);
    const byOwner = new Map(rows.map((r) => [r.owner, r]));
    const openOpportunities = new Map(opportunities.map((r) => [r.owner, Number(r.open)]));
    for (const id of userIds) {
      const r = byOwner.get(id);
      const total = Number(r?.total ?? 0);
      stats.set(id, {
        openLeads: Number(r?.open ?? 0),
        openOpportunities: openOpportunities.get(id) ?? 0,
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
    const convertedStatus = convertedStatusOf(c);
    if (!(CONVERTED_LEAD_STATUSES as readonly string[]).includes(convertedStatus)) {
      return fail(
        c.leadId,
        'INVALID_STATUS',
        `invalid convertedStatus: ${convertedStatus} (use one of ${CONVERTED_LEAD_STATUSES.join(', ')})`,
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
        Status: convertedStatusOf(c),
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

  /**
   * Updates leads as `origin` (routing, a person, the inbound stream) and tells the feed.
   *
   * Optimistic, like a compare-and-set: one statement reads the leads with their row versions and
   * the owners the updates name, the checks run here, and one statement writes each changed lead
   * only if its row is still the version read. A lead someone else wrote in between is read and
   * checked again; after a few lost races it is refused as Salesforce refuses a locked row
   * (UNABLE_TO_LOCK_ROW, retryable). Two statements and no transaction held open across them.
   */
  protected async writeLeads(updates: LeadUpdate[], origin: ChangeOrigin): Promise<WriteResult[]> {
    const results: WriteResult[] = new Array(updates.length);
    const changes: LeadChange[] = [];
    let todo = updates.map((_, i) => i);
    for (let attempt = 1; todo.length > 0; attempt += 1) {
      const round = await this.writeRound(
        todo.map((i) => updates[i]!),
        origin,
      );
      const lost: number[] = [];
      todo.forEach((i, j) => {
        if (round.lost.has(j)) lost.push(i);
        else results[i] = round.results[j]!;
      });
      changes.push(...round.changes);
      if (attempt >= WRITE_ATTEMPTS) {
        for (const i of lost) {
          results[i] = fail(
            updates[i]!.id,
            'UNABLE_TO_LOCK_ROW',
            'unable to obtain exclusive access to this record',
            true,
          );
        }
        break;
      }
      todo = lost;
    }
    this.feed.emit(changes);
    return results;
  }

  /**
   * One read-check-write round. `lost` holds the positions (in `updates`) of updates whose lead was
   * written by someone else between the read and the write: nothing of theirs was written.
   */
  private async writeRound(
    updates: LeadUpdate[],
    origin: ChangeOrigin,
  ): Promise<{ results: WriteResult[]; changes: LeadChange[]; lost: Set<number> }> {
    const ids = updates.map((u) => normaliseId(u.id)).filter((id): id is string => id !== null);
    const ownerIds = updates
      .map((u) => u.fields.OwnerId)
      .filter((id): id is string => typeof id === 'string')
      .map((id) => normaliseId(id) ?? id);
    const { leads: current, owners } = await readForWrite(this.db, ids, ownerIds);
    const next = new Map<string, LeadRecord>();
    /** Per lead, the fields its accepted updates set, later ones over earlier ones. */
    const patches = new Map<string, Record<string, unknown>>();
    const results: WriteResult[] = [];
    // One entry per update (null: nothing to tell the feed), so lost races can be left out by position.
    const changes: Array<LeadChange | null> = [];
    for (const update of updates) {
      const id = normaliseId(update.id);
      if (!id) {
        results.push(fail(update.id, 'MALFORMED_ID', `Lead ID: id value of incorrect type: ${update.id}`));
        changes.push(null);
        continue;
      }
      const lead = next.get(id) ?? current.get(id)?.record;
      const refused = lead ? this.refuseUpdate(lead, update, owners) : null;
      if (!lead || refused) {
        results.push(refused ?? fail(update.id, 'ENTITY_IS_DELETED', 'entity is deleted'));
        changes.push(null);
        continue;
      }
      const updated: LeadRecord = { ...lead, ...update.fields, Id: id };
      next.set(id, updated);
      patches.set(id, { ...patches.get(id), ...update.fields });
      results.push({ id: update.id, ok: true });
      const fields = changedFields(lead, updated);
      changes.push(
        fields.length === 0
          ? null
          : {
              leadId: id,
              kind: 'updated',
              changedFields: fields,
              previous: Object.fromEntries(fields.map((f) => [f, lead[f] ?? null])),
              lead: updated,
              origin,
            },
      );
    }
    const written = await patchIfUnchanged(
      this.db,
      [...patches].map(([id, fields]) => ({ id, fields, version: current.get(id)!.version })),
    );
    // Every update of a lead that lost the race goes again, refusals included: they saw an old lead.
    const lost = new Set<number>();
    updates.forEach((update, j) => {
      const id = normaliseId(update.id);
      if (id && next.has(id) && !written.has(id)) lost.add(j);
    });
    return {
      results,
      changes: changes.filter((c, j): c is LeadChange => c !== null && !lost.has(j)),
      lost,
    };
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
    return new Map(rows.map((r) => [r.id, toOwner(r)]));
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
      // The object as a literal: a prepared plan then walks the (object, id) index, not every record.
      let query = this.db
        .selectFrom('crm_records')
        .select(['id', 'data', 'modstamp'])
        .where('object', '=', sql.lit(object))
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

/** How many read-check-write rounds an update gets before it is refused as a locked row. */
const WRITE_ATTEMPTS = 5;

interface ContextRow {
  lead_id: string;
  lead_data: unknown;
  lead_modstamp: Date;
  member_data: unknown;
  member_modstamp: Date | null;
  campaign_data: unknown;
  campaign_modstamp: Date | null;
}

/** A lead as read for a write, with its row version (the writing transaction's id, xmin). */
interface Versioned {
  record: LeadRecord;
  version: string;
}

/** In one statement: the leads by Id with their row versions, and the users or queues by Id. */
async function readForWrite(
  db: Kysely<Database>,
  leadIds: string[],
  ownerIds: string[],
): Promise<{ leads: Map<string, Versioned>; owners: Map<string, Owner> }> {
  const leads = new Map<string, Versioned>();
  const owners = new Map<string, Owner>();
  if (leadIds.length === 0) return { leads, owners };
  const { rows } = await sql<{
    id: string;
    object: string;
    data: unknown;
    modstamp: Date;
    version: string;
    active: boolean | null;
  }>`
    select id, object, data, modstamp, xmin::text as version,
      case when object = 'User' then (data->>'IsActive')::boolean end as active
    from crm_records
    where (object = 'Lead' and id = any(${[...new Set(leadIds)]}::text[]))
      or (object in ('User', 'Queue') and id = any(${[...new Set(ownerIds)]}::text[]))
  `.execute(db);
  for (const r of rows) {
    if (r.object === 'Lead') leads.set(r.id, { record: toRecord<LeadRecord>(r), version: r.version });
    else owners.set(r.id, toOwner(r));
  }
  return { leads, owners };
}

/**
 * Sets the fields on each record only if its row is still the version read (no one wrote it since),
 * in one statement; returns the Ids written. The row then holds exactly the record read with these
 * fields over it (a field set to undefined is removed, as JSON would drop it from a whole record),
 * and only the fields travel. A concurrent writer's row is re-checked once it commits, so of two
 * racing writes exactly one wins.
 */
async function patchIfUnchanged(
  db: Kysely<Database>,
  patches: Array<{ id: string; fields: Record<string, unknown>; version: string }>,
): Promise<Set<string>> {
  if (patches.length === 0) return new Set();
  const payload = JSON.stringify(
    patches.map((p) => ({
      id: p.id,
      fields: p.fields,
      removed: Object.keys(p.fields).filter((f) => p.fields[f] === undefined),
      version: p.version,
    })),
  );
  const { rows } = await sql<{ id: string }>`
    update crm_records set data = (crm_records.data || u.fields) - u.removed, modstamp = clock_timestamp()
    from jsonb_to_recordset(${payload}::jsonb) as u(id text, fields jsonb, removed text[], version xid)
    where crm_records.id = u.id and crm_records.xmin = u.version
    returning crm_records.id
  `.execute(db);
  return new Set(rows.map((r) => r.id));
}

function toOwner(r: { id: string; object: string; active: boolean | null }): Owner {
  return {
    id: r.id,
    kind: r.object === 'Queue' ? 'queue' : 'user',
    active: r.object === 'Queue' || r.active === true,
  };
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

/**
 * A flow that names no status gets the demo org's converted status, as the Salesforce adapter gives
 * the org's own; a named one must be converted, as convertLead requires.
 */
function convertedStatusOf(c: LeadConversion): string {
  return c.convertedStatus ?? CONVERTED_LEAD_STATUSES[0];
}
