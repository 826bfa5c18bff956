import { sql, type Expression, type SqlBool } from 'kysely';
import type {
  AccountRecord,
  CampaignRecord,
  LeadRecord,
  QueueRecord,
  SfRecord,
  UserRecord,
} from '../../engine/model.js';
import { KEY_PREFIX } from '../../engine/salesforce-id.js';
import { atomic } from '../../store/atomic.js';
import type { LeadUpdate, WriteResult } from '../crm.port.js';
import { BASE_FIELDS } from '../../engine/flow/fields.js';
import type {
  OrgLeadSortField,
  OrgMatchedLeadsQuery,
  OrgPage,
  OrgReadPort,
  RecordAccess,
} from '../org-read.port.js';
import { demoHiddenLeadFields, demoLeadAccess } from './demo-sharing.js';
import { LocalCrm } from './local-crm.js';
import {
  containsPattern,
  getAnyRecords,
  getRecords,
  nextId,
  normaliseId,
  toRecord,
  upsertRecords,
  type CrmObject,
} from './local-records.js';

export interface NewInboundLead {
  /** Any Id given is replaced by a new one. */
  fields: Partial<LeadRecord>;
  /** Adds the lead to this campaign, as a form fill or a list import does. */
  campaignId?: string | null;
  memberStatus?: string | null;
}

const MAX_LIMIT = 200;
const clampLimit = (limit: number | undefined, fallback: number): number =>
  Math.max(1, Math.min(MAX_LIMIT, Math.floor(Number.isFinite(limit) ? limit! : fallback)));

/** Sort keys per field; text compares case-insensitively, dates as ISO strings. */
const SORT_EXPRESSIONS: Record<OrgLeadSortField, string[]> = {
  name: [`lower(l.data->>'LastName')`, `lower(l.data->>'FirstName')`],
  title: [`lower(l.data->>'Title')`],
  email: [`lower(l.data->>'Email')`],
  status: [`l.data->>'Status'`],
  owner: [`lower((select o.data->>'Name' from crm_records o where o.id = l.data->>'OwnerId'))`],
  lastActivity: [`l.data->>'LastActivityDate'`],
};

/**
 * The demo org as the API and the preview need it beyond the CRM port: records by Id, text search
 * for pickers, an account's matched leads, new inbound leads, and edits made by a person.
 * Ids may be given in 15- or 18-character form.
 */
export class LocalOrg extends LocalCrm implements OrgReadPort {
  async getLead(id: string): Promise<LeadRecord | null> {
    return this.getOne<LeadRecord>('Lead', id);
  }

  async getAccount(id: string): Promise<AccountRecord | null> {
    return this.getOne<AccountRecord>('Account', id);
  }

  async getUser(id: string): Promise<UserRecord | null> {
    return this.getOne<UserRecord>('User', id);
  }

  async getQueue(id: string): Promise<QueueRecord | null> {
    return this.getOne<QueueRecord>('Queue', id);
  }

  /** The user's access to each lead under the demo org's sharing (`demo-sharing.ts`). */
  async leadAccess(userId: string, leadIds: string[]): Promise<Map<string, RecordAccess>> {
    // The leads and the user in one read: every re-route asks this first.
    const ids = leadIds.map(normaliseId).filter((id): id is string => id !== null);
    const userId18 = normaliseId(userId);
    const found = await getAnyRecords(this.db, userId18 ? [...ids, userId18] : ids);
    const of = <T extends SfRecord>(id: string, object: CrmObject): T | null => {
      const hit = found.get(id);
      return hit?.object === object ? (hit.record as T) : null;
    };
    const user = userId18 ? of<UserRecord>(userId18, 'User') : null;
    const leads = ids.map((id) => of<LeadRecord>(id, 'Lead')).filter((l): l is LeadRecord => l !== null);
    const queues = await this.getMany<QueueRecord>(
      'Queue',
      leads.map((l) => l.OwnerId ?? '').filter((id) => id.startsWith(KEY_PREFIX.queue)),
    );
    return new Map(leads.map((lead) => [lead.Id, demoLeadAccess(user, lead, queues)]));
  }

  /** The Lead fields the user's profile reads in the demo org (`demo-sharing.ts`). */
  async readableLeadFields(userId: string): Promise<Set<string>> {
    const hidden = new Set(demoHiddenLeadFields(await this.getUser(userId)));
    return new Set(['Id', ...Object.keys(BASE_FIELDS.lead)].filter((f) => !hidden.has(f)));
  }

  /** Records of one object by Id, keyed by 18-character Id; missing ones are left out. */
  async getMany<T extends SfRecord>(object: CrmObject, ids: string[]): Promise<Map<string, T>> {
    const ids18 = ids.map(normaliseId).filter((id): id is string => id !== null);
    return getRecords<T>(this.db, object, ids18);
  }

  /** Leads whose name, email or company contains `text`; newest first. Empty text: the newest leads. */
  async searchLeads(text: string, limit = 25): Promise<LeadRecord[]> {
    return this.search<LeadRecord>('Lead', text, limit, `data->>'CreatedDate' desc`);
  }

  /** Accounts whose name or website contains `text`, by name. */
  async searchAccounts(text: string, limit = 25): Promise<AccountRecord[]> {
    return this.search<AccountRecord>('Account', text, limit, `lower(data->>'Name')`);
  }

  /** Users whose name contains `text`, by name; inactive users too, marked IsActive false. */
  async searchUsers(text: string, limit = 25): Promise<UserRecord[]> {
    return this.search<UserRecord>('User', text, limit, `lower(data->>'Name')`);
  }

  /** Leads whose Matched_Account__c is the account, one page at a time, sorted as asked (converted ones left out). */
  async matchedLeads(accountId: string, query: OrgMatchedLeadsQuery = {}): Promise<OrgPage<LeadRecord>> {
    const limit = clampLimit(query.limit, 25);
    const offset = Number.isFinite(query.offset) ? Math.max(0, Math.floor(query.offset!)) : 0;
    const id = normaliseId(accountId);
    if (!id) return { records: [], total: 0, limit, offset };
    const sort = query.sort ?? 'lastActivity';
    const direction = query.direction ?? (sort === 'lastActivity' ? 'desc' : 'asc');
    const order = SORT_EXPRESSIONS[sort].map((e) => `${e} ${direction} nulls last`).join(', ');
    const converted = sql`coalesce((l.data->>'IsConverted')::boolean, false) = false`;
    const { rows } = await sql<{ data: unknown; modstamp: Date; total: string }>`
      select l.data, l.modstamp, count(*) over () as total
      from crm_records l
      where l.object = 'Lead' and l.data->>'Matched_Account__c' = ${id} and ${converted}
      order by ${sql.raw(order)}, l.id
      limit ${limit} offset ${offset}
    `.execute(this.db);
    let total = Number(rows[0]?.total ?? 0);
    if (rows.length === 0 && offset > 0) {
      // Past the last page: still say how many there are.
      const count = await sql<{ n: string }>`
        select count(*) as n from crm_records l
        where l.object = 'Lead' and l.data->>'Matched_Account__c' = ${id} and ${converted}
      `.execute(this.db);
      total = Number(count.rows[0]?.n ?? 0);
    }
    return { records: rows.map((r) => toRecord<LeadRecord>(r)), total, limit, offset };
  }

  /**
   * Adds a new lead (and its campaign membership), as a web form or a list import would, and tells
   * the change feed so it gets routed.
   */
  async insertLead(input: NewInboundLead): Promise<LeadRecord> {
    const now = this.now().toISOString();
    const lead = await atomic(this.db, async (tx) => {
      const lead: LeadRecord = {
        IsConverted: false,
        Status: 'Raw',
        ...input.fields,
        CreatedDate: input.fields.CreatedDate ?? now,
        Id: await nextId(tx, KEY_PREFIX.lead),
      };
      await upsertRecords(tx, 'Lead', [lead]);
      const campaignId = input.campaignId ? normaliseId(input.campaignId) : null;
      if (campaignId) {
        await upsertRecords(tx, 'CampaignMember', [
          {
            Id: await nextId(tx, KEY_PREFIX.campaignMember),
            CampaignId: campaignId,
            LeadId: lead.Id,
            Status: input.memberStatus ?? 'Responded',
            CreatedDate: now,
          },
        ]);
      }
      return (await getRecords<LeadRecord>(tx, 'Lead', [lead.Id])).get(lead.Id)!;
    });
    this.feed.emit([
      {
        leadId: lead.Id,
        kind: 'created',
        changedFields: Object.keys(lead),
        previous: {},
        lead,
        origin: 'inbound',
      },
    ]);
    return lead;
  }

  /** Edits made by a person (or the API for one): checked like routing's writes, told to the feed as 'user'. */
  updateLeadsAsUser(updates: LeadUpdate[]): Promise<WriteResult[]> {
    return this.writeLeads(updates, 'user');
  }

  /** Every campaign, by Id. */
  async listCampaigns(): Promise<CampaignRecord[]> {
    return this.listAll<CampaignRecord>('Campaign');
  }

  /** Records per object, for the preview and health pages. */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('crm_records')
      .select(['object', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('object')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.object, Number(r.n)]));
  }

  private async getOne<T extends SfRecord>(object: CrmObject, id: string): Promise<T | null> {
    const id18 = normaliseId(id);
    if (!id18) return null;
    return (await getRecords<T>(this.db, object, [id18])).get(id18) ?? null;
  }

  private async search<T extends SfRecord>(
    object: CrmObject,
    text: string,
    limit: number,
    order: string,
  ): Promise<T[]> {
    const trimmed = text.trim();
    const asId = trimmed ? normaliseId(trimmed) : null;
    let match: Expression<SqlBool> = sql<boolean>`true`;
    if (trimmed) {
      const byText = sql<boolean>`search like ${containsPattern(trimmed.toLowerCase())}`;
      // Fifteen letters may be a word or an Id: look for both.
      match = asId ? sql<boolean>`(id = ${asId} or ${byText})` : byText;
    }
    const rows = await this.db
      .selectFrom('crm_records')
      .select(['data', 'modstamp'])
      .where('object', '=', object)
      .where(match)
      .orderBy(sql.raw(order))
      .orderBy('id')
      .limit(clampLimit(limit, 25))
      .execute();
    return rows.map((r) => toRecord<T>(r));
  }
}
