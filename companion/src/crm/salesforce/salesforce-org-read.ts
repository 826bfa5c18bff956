import type {
  OrgLeadSortField,
  OrgMatchedLeadsQuery,
  OrgPage,
  OrgReadObject,
  OrgReadPort,
  RecordAccess,
} from '../org-read.port.js';
import type { AccountRecord, LeadRecord, QueueRecord, SfRecord, UserRecord } from '../../engine/model.js';
import { toId18 } from '../../engine/salesforce-id.js';
import { chunk, soqlIdList, soqlString, type SalesforceApi } from './salesforce-api.js';
import {
  ACCOUNT_FIELDS,
  CAMPAIGN_MEMBER_FIELDS,
  LEAD_FIELDS,
  OPPORTUNITY_FIELDS,
  USER_FIELDS,
} from './salesforce-fields.js';

/** The custom permission that lets a person re-route a lead (force-app customPermissions). */
export const REROUTE_PERMISSION = 'Switchyard_Reroute';
/** The custom permission that makes a person a Switchyard admin (the Switchyard Admin permission set). */
export const ADMIN_PERMISSION = 'Switchyard_Admin';

const SORT: Record<OrgLeadSortField, string[]> = {
  name: ['LastName', 'FirstName'],
  title: ['Title'],
  email: ['Email'],
  status: ['Status'],
  owner: ['Owner.Name'],
  lastActivity: ['LastActivityDate'],
};

const MAX_LIMIT = 200;
/** SOQL refuses an OFFSET above 2,000. */
const MAX_OFFSET = 2000;

type Raw = Record<string, unknown> & { attributes?: unknown };

const clean = <T>(raw: Raw): T => {
  const { attributes: _attributes, ...rest } = raw;
  return rest as T;
};

/** A LIKE literal matching `text` anywhere; quotes, backslashes and the wildcards % and _ are escaped. */
const contains = (text: string): string =>
  `'%${text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/[%_]/g, (c) => `\\${c}`)}%'`;

/** The reads the HTTP API needs, over the customer's org. */
export class SalesforceOrgRead implements OrgReadPort {
  /** DeveloperName → Id of the Switchyard custom permissions the org has. */
  private permissionIds: Map<string, string> | undefined;

  constructor(private readonly api: SalesforceApi) {}

  async getLead(id: string): Promise<LeadRecord | null> {
    return (await this.getMany<LeadRecord>('Lead', [id])).values().next().value ?? null;
  }

  async getAccount(id: string): Promise<AccountRecord | null> {
    return (await this.getMany<AccountRecord>('Account', [id])).values().next().value ?? null;
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const user = (await this.getMany<UserRecord>('User', [id])).values().next().value;
    if (!user) return null;
    const held = await this.heldPermissions(user.Id);
    return {
      ...user,
      HasReroutePermission: held.has(REROUTE_PERMISSION),
      HasAdminPermission: held.has(ADMIN_PERMISSION),
    };
  }

  /**
   * UserRecordAccess: what the user may do with each lead, 200 Ids per query as the object allows
   * (https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-userrecordaccess.html).
   */
  async leadAccess(userId: string, leadIds: string[]): Promise<Map<string, RecordAccess>> {
    const out = new Map<string, RecordAccess>();
    const user = toId18(userId);
    const wanted = [...new Set(leadIds.map(toId18).filter((id): id is string => id !== null))];
    if (!user) return out;
    for (const part of chunk(wanted, 200)) {
      const rows = await this.api.queryAll<{
        RecordId: string;
        HasReadAccess: boolean;
        HasEditAccess: boolean;
        HasTransferAccess: boolean;
      }>(
        `SELECT RecordId, HasReadAccess, HasEditAccess, HasTransferAccess FROM UserRecordAccess ` +
          `WHERE UserId = ${soqlString(user)} AND RecordId IN ${soqlIdList(part)}`,
      );
      for (const row of rows) {
        out.set(toId18(row.RecordId) ?? row.RecordId, {
          read: row.HasReadAccess === true,
          edit: row.HasEditAccess === true,
          transfer: row.HasTransferAccess === true,
        });
      }
    }
    return out;
  }

  /**
   * FieldPermissions of the permission sets (the profile's included) assigned to the user: the Lead
   * fields they read. Fields without field-level security (Id, Name's parts) are always readable
   * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm).
   */
  async readableLeadFields(userId: string): Promise<Set<string>> {
    const user = toId18(userId);
    const readable = new Set(['Id', 'FirstName', 'LastName', 'Company', 'Status', 'OwnerId']);
    if (!user) return readable;
    const sets = await this.api.queryAll<{ PermissionSetId: string }>(
      `SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(user)}`,
    );
    if (sets.length === 0) return readable;
    const rows = await this.api.queryAll<{ Field: string }>(
      `SELECT Field FROM FieldPermissions WHERE SobjectType = 'Lead' AND PermissionsRead = true ` +
        `AND ParentId IN ${soqlIdList(sets.map((s) => s.PermissionSetId))}`,
    );
    for (const row of rows) readable.add(row.Field.replace(/^Lead\./, ''));
    return readable;
  }

  async getQueue(id: string): Promise<QueueRecord | null> {
    return (await this.getMany<QueueRecord>('Queue', [id])).values().next().value ?? null;
  }

  async getMany<T extends SfRecord>(object: OrgReadObject, ids: string[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const wanted = [...new Set(ids.map(toId18).filter((id): id is string => id !== null))];
    for (const part of chunk(wanted, 200)) {
      const rows = await this.api.queryAll<Raw>(this.selectById(object, part));
      for (const raw of rows) {
        const record =
          object === 'Queue' ? toQueue(raw) : object === 'User' ? toUser(raw) : clean<SfRecord>(raw);
        out.set(record.Id, record as T);
      }
    }
    return out;
  }

  async matchedLeads(accountId: string, query: OrgMatchedLeadsQuery): Promise<OrgPage<LeadRecord>> {
    const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(query.limit ?? 25)));
    const offset = Math.max(0, Math.min(MAX_OFFSET, Math.floor(query.offset ?? 0)));
    const id = toId18(accountId);
    if (!id) return { records: [], total: 0, limit, offset };
    const sort = query.sort ?? 'lastActivity';
    const direction = (query.direction ?? (sort === 'lastActivity' ? 'desc' : 'asc')).toUpperCase();
    const where = `WHERE Matched_Account__c = ${soqlString(id)} AND IsConverted = false`;
    const order = [...SORT[sort].map((f) => `${f} ${direction} NULLS LAST`), 'Id ASC'].join(', ');
    const [page, count] = await Promise.all([
      this.api.queryAll<Raw>(
        `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
      ),
      this.api.rest<{ totalSize: number }>('query', {
        method: 'GET',
        url: `/query?q=${encodeURIComponent(`SELECT COUNT() FROM Lead ${where}`)}`,
      }),
    ]);
    return { records: page.map((r) => clean<LeadRecord>(r)), total: count.totalSize, limit, offset };
  }

  async searchLeads(text: string, limit: number): Promise<LeadRecord[]> {
    const t = text.trim();
    const where = t
      ? `WHERE (FirstName LIKE ${contains(t)} OR LastName LIKE ${contains(t)} OR Email LIKE ${contains(t)} OR Company LIKE ${contains(t)}) `
      : '';
    const rows = await this.api.queryAll<Raw>(
      `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead ${where}ORDER BY CreatedDate DESC LIMIT ${clamp(limit)}`,
    );
    return rows.map((r) => clean<LeadRecord>(r));
  }

  async searchAccounts(text: string, limit: number): Promise<AccountRecord[]> {
    const t = text.trim();
    const where = t ? `WHERE (Name LIKE ${contains(t)} OR Website LIKE ${contains(t)}) ` : '';
    const rows = await this.api.queryAll<Raw>(
      `SELECT ${ACCOUNT_FIELDS.join(', ')} FROM Account ${where}ORDER BY Name ASC LIMIT ${clamp(limit)}`,
    );
    return rows.map((r) => clean<AccountRecord>(r));
  }

  async searchUsers(text: string, limit: number): Promise<UserRecord[]> {
    const t = text.trim();
    const where = `WHERE UserType = 'Standard'${t ? ` AND Name LIKE ${contains(t)}` : ''}`;
    const rows = await this.api.queryAll<Raw>(
      `SELECT ${USER_FIELDS.join(', ')}, Profile.Name FROM User ${where} ORDER BY Name ASC LIMIT ${clamp(limit)}`,
    );
    return rows.map(toUser);
  }

  /** The Switchyard custom permissions a permission set assigned to the user grants. */
  private async heldPermissions(userId: string): Promise<Set<string>> {
    if (this.permissionIds === undefined) {
      const rows = await this.api.queryAll<{ Id: string; DeveloperName: string }>(
        `SELECT Id, DeveloperName FROM CustomPermission WHERE DeveloperName IN ` +
          `(${[REROUTE_PERMISSION, ADMIN_PERMISSION].map(soqlString).join(', ')})`,
      );
      this.permissionIds = new Map(rows.map((r) => [r.DeveloperName, r.Id]));
    }
    if (this.permissionIds.size === 0) return new Set();
    const sets = await this.api.queryAll<{ PermissionSetId: string }>(
      `SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(userId)}`,
    );
    if (sets.length === 0) return new Set();
    const grants = await this.api.queryAll<{ SetupEntityId: string }>(
      `SELECT SetupEntityId FROM SetupEntityAccess WHERE SetupEntityId IN ${soqlIdList([...this.permissionIds.values()])} ` +
        `AND ParentId IN ${soqlIdList(sets.map((s) => s.PermissionSetId))}`,
    );
    const granted = new Set(grants.map((g) => g.SetupEntityId));
    return new Set([...this.permissionIds].filter(([, id]) => granted.has(id)).map(([name]) => name));
  }

  private selectById(object: OrgReadObject, ids: string[]): string {
    const list = soqlIdList(ids);
    switch (object) {
      case 'Lead':
        return `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead WHERE Id IN ${list}`;
      case 'Account':
        return `SELECT ${ACCOUNT_FIELDS.join(', ')} FROM Account WHERE Id IN ${list}`;
      case 'User':
        return `SELECT ${USER_FIELDS.join(', ')}, Profile.Name FROM User WHERE Id IN ${list}`;
      case 'Queue':
        return `SELECT Id, Name, (SELECT UserOrGroupId FROM GroupMembers) FROM Group WHERE Type = 'Queue' AND Id IN ${list}`;
      case 'Opportunity':
        return `SELECT ${OPPORTUNITY_FIELDS.join(', ')} FROM Opportunity WHERE Id IN ${list}`;
      case 'CampaignMember':
        return `SELECT ${CAMPAIGN_MEMBER_FIELDS.join(', ')} FROM CampaignMember WHERE Id IN ${list}`;
    }
  }
}

const clamp = (limit: number): number => Math.max(1, Math.min(MAX_LIMIT, Math.floor(limit)));

function toUser(raw: Raw): UserRecord {
  const { Profile, ...rest } = raw;
  return { ...clean<UserRecord>(rest), ProfileName: (Profile as { Name?: string } | null)?.Name ?? null };
}

/** A queue with its user members; queues with more than 200 members page their GroupMembers (rare). */
function toQueue(raw: Raw): QueueRecord {
  const { GroupMembers, ...rest } = raw;
  const members = (GroupMembers as { records: Raw[] } | null)?.records ?? [];
  return {
    ...clean<QueueRecord>(rest),
    MemberIds: members.map((m) => String(m['UserOrGroupId'])).filter((id) => id.startsWith('005')),
  };
}
