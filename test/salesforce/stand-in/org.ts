/**
 * The stand-in's in-memory org: records by object, the schema its describe calls report, the
 * relationships SOQL may follow, and a change log the Pub/Sub endpoint turns into change events.
 */
import { assignedPermissionSets, recordAccess, type OrgWideDefault } from './sharing.js';
import { parseSoql, SoqlError, type Condition, type Literal, type Query } from './soql.js';

export type Rec = Record<string, unknown> & { Id: string };

const PREFIX: Record<string, string> = {
  Lead: '00Q',
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  Campaign: '701',
  CampaignMember: '00v',
  User: '005',
  Group: '00G',
  GroupMember: '011',
  QueueSobject: '03g',
  Profile: '00e',
  PermissionSet: '0PS',
  PermissionSetAssignment: '0Pa',
  CustomPermission: '0CP',
  SetupEntityAccess: '0J0',
  LeadStatus: '01J',
  ObjectPermissions: '110',
  FieldPermissions: '01k',
  LeadShare: '01o',
  PlatformEventChannelMember: '0v8',
  ApexClass: '01p',
  CustomNotificationType: '0ML',
};

/** Objects only the Tooling API answers for (Tooling API Developer Guide, "Tooling API Objects"). */
export const TOOLING_OBJECTS: ReadonlySet<string> = new Set(['PlatformEventChannelMember']);

const SYSTEM = ['Id', 'CreatedDate', 'SystemModstamp', 'IsDeleted'];

const USER_RECORD_ACCESS_FIELDS = [
  'UserId',
  'RecordId',
  'HasReadAccess',
  'HasEditAccess',
  'HasDeleteAccess',
  'HasTransferAccess',
  'HasAllAccess',
  'MaxAccessLevel',
];

/** Fields each object has; system fields and the ones marked read-only are not updateable. */
export const SCHEMA: Record<string, { fields: string[]; readOnly: string[] }> = {
  Lead: {
    fields: [
      'FirstName',
      'LastName',
      'Title',
      'Email',
      'Company',
      'Website',
      'Street',
      'Country',
      'State',
      'City',
      'PostalCode',
      'Address',
      'NumberOfEmployees',
      'Industry',
      'LeadSource',
      'Status',
      'OwnerId',
      'IsConverted',
      'LastActivityDate',
      'ConvertedContactId',
      'ConvertedOpportunityId',
      'ConvertedAccountId',
      'Lead_Acquisition_Source__c',
      'Impartner_Partner_Account__c',
      'Partner_Recalled__c',
      'Partner_Recalled_Date__c',
      'Partner_Share_Status__c',
      'Partner_Lead_Status__c',
      'Prospect_Share_Status__c',
      'Partner_Prospect_Status__c',
      'Actively_Being_Sequenced__c',
      'AI_Email_In_Progress__c',
      'High_Priority__c',
      'Rerun_Routing__c',
      'In_Hopper__c',
      'Matched_Account__c',
      'Last_Routing_Flow__c',
      'Last_Routed_At__c',
      'Routing_Reason__c',
      'Last_Interesting_Moment_Date__c',
      'MQL_Date__c',
    ],
    readOnly: [
      'Address',
      'IsConverted',
      'LastActivityDate',
      'ConvertedContactId',
      'ConvertedOpportunityId',
      'ConvertedAccountId',
    ],
  },
  Account: {
    fields: [
      'Name',
      'Website',
      'Type',
      'OwnerId',
      'BDR_Assigned__c',
      'BDR_Prospecting_Status__c',
      'BDR_Prospecting_Status_Changed__c',
      'Segment__c',
      'Customer_Success_Manager__c',
      'BillingStreet',
      'BillingCountry',
      'BillingState',
      'BillingCity',
      'BillingPostalCode',
      'BillingAddress',
      'Industry',
      'NumberOfEmployees',
      'LastActivityDate',
    ],
    readOnly: ['BillingAddress', 'LastActivityDate'],
  },
  Contact: { fields: ['AccountId', 'OwnerId', 'FirstName', 'LastName', 'Email'], readOnly: [] },
  Opportunity: {
    fields: ['AccountId', 'Name', 'StageName', 'IsClosed', 'OwnerId', 'Amount', 'CloseDate'],
    readOnly: ['IsClosed'],
  },
  Campaign: {
    fields: ['Name', 'Type', 'IsActive', 'MDF_Funding__c', 'Channel_Partner_Involved__c'],
    readOnly: [],
  },
  CampaignMember: { fields: ['CampaignId', 'LeadId', 'Status'], readOnly: [] },
  User: {
    // Object Reference, "User": Username (unique across Salesforce) and Email are standard fields.
    fields: [
      'Name',
      'Username',
      'Email',
      'IsActive',
      'TimeZoneSidKey',
      'UserType',
      'ProfileId',
      'Role__c',
      'Region__c',
      'Out_Of_Office_Until__c',
    ],
    readOnly: ['UserType'],
  },
  // Object Reference, "Group": DeveloperName is the unique API name of a group or queue.
  Group: { fields: ['Name', 'DeveloperName', 'Type'], readOnly: [] },
  // Object Reference, "QueueSobject": one row per object a queue supports (QueueId, SobjectType).
  QueueSobject: { fields: ['QueueId', 'SobjectType'], readOnly: [] },
  GroupMember: { fields: ['GroupId', 'UserOrGroupId'], readOnly: [] },
  Profile: { fields: ['Name'], readOnly: [] },
  PermissionSet: {
    fields: [
      'Name',
      'IsOwnedByProfile',
      'PermissionsApiEnabled',
      'PermissionsConvertLeads',
      'PermissionsViewAllUsers',
      'PermissionsViewAllData',
      'PermissionsModifyAllData',
      'PermissionsTransferAnyLead',
      'PermissionsViewSetup',
      'PermissionsSendCustomNotifications',
    ],
    readOnly: [],
  },
  ObjectPermissions: {
    fields: [
      'ParentId',
      'SobjectType',
      'PermissionsRead',
      'PermissionsEdit',
      'PermissionsViewAllRecords',
      'PermissionsModifyAllRecords',
    ],
    readOnly: [],
  },
  // Object Reference, "FieldPermissions"
  // (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm):
  // Field is the field's API name prefixed with its SobjectType (Lead.Email); ParentId is the permission set.
  FieldPermissions: {
    fields: ['ParentId', 'SobjectType', 'Field', 'PermissionsRead', 'PermissionsEdit'],
    readOnly: [],
  },
  // Object Reference, "LeadShare": a lead shared with a user or group, LeadAccessLevel Read, Edit or All.
  LeadShare: { fields: ['LeadId', 'UserOrGroupId', 'LeadAccessLevel', 'RowCause'], readOnly: [] },
  // Object Reference, "UserRecordAccess": read only, answered by query() alone; its rows are worked out
  // from the org's sharing when asked (`userRecordAccess` below, `sharing.ts`).
  UserRecordAccess: { fields: USER_RECORD_ACCESS_FIELDS, readOnly: USER_RECORD_ACCESS_FIELDS },
  PlatformEventChannelMember: { fields: ['DeveloperName', 'EventChannel', 'SelectedEntity'], readOnly: [] },
  ApexClass: { fields: ['Name', 'ApiVersion'], readOnly: [] },
  // Object Reference, "CustomNotificationType": a notification type the org defines (Setup → Notification Builder).
  CustomNotificationType: {
    fields: ['DeveloperName', 'CustomNotifTypeName', 'Desktop', 'Mobile'],
    readOnly: [],
  },
  PermissionSetAssignment: { fields: ['AssigneeId', 'PermissionSetId'], readOnly: [] },
  CustomPermission: { fields: ['DeveloperName'], readOnly: [] },
  SetupEntityAccess: { fields: ['ParentId', 'SetupEntityId', 'SetupEntityType'], readOnly: [] },
  LeadStatus: { fields: ['ApiName', 'MasterLabel', 'IsConverted', 'IsDefault', 'SortOrder'], readOnly: [] },
};

/**
 * The Lead Status picklist a new Developer Edition org ships with, as LeadStatus records (Object
 * Reference, "LeadStatus": one record per picklist value; IsConverted marks the values a converted lead
 * may take, and more than one may).
 */
export const FRESH_ORG_LEAD_STATUSES = [
  { ApiName: 'Open - Not Contacted', IsConverted: false, IsDefault: true },
  { ApiName: 'Working - Contacted', IsConverted: false, IsDefault: false },
  { ApiName: 'Closed - Converted', IsConverted: true, IsDefault: false },
  { ApiName: 'Closed - Not Converted', IsConverted: false, IsDefault: false },
] as const;

/**
 * Compound Address fields and their components (Object Reference, "Compound Fields" and "Address
 * Compound Fields"): the compound is read as one structured value in queries, and is read-only;
 * writes go to the component fields. It cannot be filtered or sorted on ("Compound Field
 * Considerations and Limitations": only DISTANCE may filter on a location).
 */
export const COMPOUND: Record<string, Record<string, Record<string, string>>> = {
  Lead: {
    Address: { street: 'Street', city: 'City', state: 'State', postalCode: 'PostalCode', country: 'Country' },
  },
  Account: {
    BillingAddress: {
      street: 'BillingStreet',
      city: 'BillingCity',
      state: 'BillingState',
      postalCode: 'BillingPostalCode',
      country: 'BillingCountry',
    },
  },
};

/** Parent relationships SOQL may follow; a polymorphic one may point at any of `types`. */
const PARENTS: Record<string, Record<string, { types: string[]; key: string }>> = {
  CampaignMember: { Campaign: { types: ['Campaign'], key: 'CampaignId' } },
  User: { Profile: { types: ['Profile'], key: 'ProfileId' } },
  QueueSobject: { Queue: { types: ['Group'], key: 'QueueId' } },
  Lead: {
    // Lead.OwnerId is polymorphic: a user or a queue (Object Reference, "Lead": OwnerId refers to
    // Group, User).
    Owner: { types: ['User', 'Group'], key: 'OwnerId' },
    Matched_Account__r: { types: ['Account'], key: 'Matched_Account__c' },
  },
  // Accounts are owned by users only; queues cannot own them (Object Reference, "Account": OwnerId).
  Account: { Owner: { types: ['User'], key: 'OwnerId' } },
  PermissionSetAssignment: { PermissionSet: { types: ['PermissionSet'], key: 'PermissionSetId' } },
};

/**
 * What a polymorphic relationship answers with: the Name object's fields, whatever the parent's type
 * (Object Reference, "Name"; SOQL and SOSL Reference, "Understanding Relationship Fields and
 * Polymorphic Fields": `Owner.Type` tells a user from a queue, and only Name's fields may be named
 * through the relationship). Type is 'User' for a user and the group's Type ('Queue') for a queue.
 */
const NAME_FIELDS = ['Id', 'Name', 'Type', 'IsActive', 'FirstName', 'LastName', 'Email', 'Username'];

const CHILDREN: Record<string, Record<string, { type: string; key: string }>> = {
  Lead: { CampaignMembers: { type: 'CampaignMember', key: 'LeadId' } },
  Group: { GroupMembers: { type: 'GroupMember', key: 'GroupId' } },
};

export interface OrgChange {
  object: string;
  changeType: 'CREATE' | 'UPDATE' | 'DELETE';
  ids: string[];
  changedFields: string[];
  values: Record<string, unknown>;
  commitTimestamp: number;
  /** The user who made the change: the session's user for API writes, the org's admin otherwise. */
  commitUser: string;
  /** The API that made the change ("com/salesforce/api/rest/62.0"); empty for changes made in the org. */
  changeOrigin: string;
}

/**
 * Who changes records made directly on the org (tests acting as people in Salesforce): an admin,
 * never the integration user, so routing can tell their changes from its own.
 */
export const ORG_ADMIN_ID = '005SY0000000000ADM';

export class Org {
  private readonly records = new Map<string, Map<string, Rec>>();
  private readonly counters = new Map<string, number>();
  private readonly listeners: Array<(c: OrgChange) => void> = [];
  /**
   * The org's active lead assignment rule: the owner it gives a lead, or null when no entry matches.
   * REST API Developer Guide, "Assignment Rule Header": without `Sforce-Auto-Assign: FALSE` a create
   * or update through REST runs the active rule.
   */
  leadAssignmentRule: ((lead: Rec) => string | null) | null = null;
  /**
   * Organization-wide sharing defaults by object, as a new org has them (Salesforce Help, "Organization-Wide
   * Default Access Settings": Lead Public Read/Write/Transfer, Account Public Read/Write, Opportunity Public
   * Read Only). The objects listed are those on the Sharing Settings page, whose records UserRecordAccess
   * answers for.
   */
  readonly orgWideDefaults: Record<string, OrgWideDefault> = {
    Lead: 'ReadEditTransfer',
    Account: 'Edit',
    Opportunity: 'Read',
  };
  /** Fields removed or made read-only, to test the startup check. */
  readonly missingFields = new Set<string>();
  readonly readOnlyFields = new Set<string>();
  /** Set by the server: pages a big child relationship with its own nextRecordsUrl, as Salesforce does. */
  pageChildren: ((rows: Array<Record<string, unknown>>) => unknown) | null = null;
  /** Rows the last query matched before LIMIT and OFFSET: what COUNT() answers. */
  private lastCount = 0;
  /** The last SystemModstamp given: stamps never run backwards, nor ahead of the clock. */
  private lastStamp = 0;
  /** The stamp of the transaction under way: every record it writes carries it; null outside one. */
  private transactionStamp: number | null = null;
  private committer = { user: ORG_ADMIN_ID, origin: '' };
  /** Changes of the transaction under way, told when it commits; null outside one. */
  private uncommitted: OrgChange[] | null = null;

  onChange(listener: (c: OrgChange) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Makes the changes inside `fn` as `user` through `origin` (an API), in one transaction, as the
   * server's writes are: their change events are told when it commits.
   */
  as<T>(user: string, origin: string, fn: () => T): T {
    const before = this.committer;
    this.committer = { user, origin };
    try {
      return this.transaction(fn);
    } finally {
      this.committer = before;
    }
  }

  /**
   * The changes inside `fn` as one transaction (a person's mass update, an API request). Change Data
   * Capture Developer Guide, "Change Event Header Fields" (recordIds): "if the same change occurs in
   * multiple records of the same object type during the same transaction, Salesforce merges the change
   * notifications, and sends one change event for all affected records"; and one record changed twice
   * in a transaction gives one event with both changes.
   */
  transaction<T>(fn: () => T): T {
    if (this.uncommitted) return fn();
    this.uncommitted = [];
    this.transactionStamp = this.clock();
    let changes: OrgChange[];
    try {
      return fn();
    } finally {
      changes = this.uncommitted;
      this.uncommitted = null;
      this.transactionStamp = null;
      for (const change of mergeChanges(changes)) for (const l of this.listeners) l(change);
    }
  }

  /**
   * SystemModstamp and CreatedDate: the time a user or automated process wrote the record (Object
   * Reference, "System Fields"), so never ahead of the clock; the records one transaction writes share
   * its time. Writes in one millisecond share a stamp, so readers by SystemModstamp ask for `>=` and
   * skip what they have seen.
   */
  stamp(): string {
    return new Date(this.transactionStamp ?? this.clock()).toISOString();
  }

  private clock(): number {
    this.lastStamp = Math.max(Date.now(), this.lastStamp);
    return this.lastStamp;
  }

  /** A valid 18-character Id: key prefix, 'SY', a counter, and Salesforce's case-safe suffix. */
  newId(type: string): string {
    const n = (this.counters.get(type) ?? 0) + 1;
    this.counters.set(type, n);
    const id15 = `${PREFIX[type] ?? '000'}SY${String(n).padStart(10, '0')}`;
    let suffix = '';
    for (let block = 0; block < 3; block++) {
      let bits = 0;
      for (let i = 0; i < 5; i++) {
        const c = id15.charCodeAt(block * 5 + i);
        if (c >= 65 && c <= 90) bits |= 1 << i;
      }
      suffix += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'[bits];
    }
    return id15 + suffix;
  }

  table(type: string): Map<string, Rec> {
    let t = this.records.get(type);
    if (!t) {
      t = new Map();
      this.records.set(type, t);
    }
    return t;
  }

  get(type: string, id: string): Rec | undefined {
    const r = this.table(type).get(id);
    return r && !r['IsDeleted'] ? r : undefined;
  }

  typeOfId(id: string): string | undefined {
    return Object.entries(PREFIX).find(([, p]) => id.startsWith(p))?.[0];
  }

  insert(type: string, fields: Record<string, unknown>, quiet = false): Rec {
    const now = this.stamp();
    const rec: Rec = {
      Id: (fields['Id'] as string | undefined) ?? this.newId(type),
      CreatedDate: now,
      ...fields,
      SystemModstamp: now,
      IsDeleted: false,
    };
    this.table(type).set(rec.Id, rec);
    if (!quiet)
      this.emit(
        type,
        'CREATE',
        [rec.Id],
        Object.keys(fields).filter((f) => f !== 'Id'),
        rec,
      );
    return rec;
  }

  update(type: string, id: string, fields: Record<string, unknown>): Rec {
    const rec = this.get(type, id);
    if (!rec) throw new Error(`no ${type} ${id}`);
    const changed = Object.keys(fields).filter((f) => rec[f] !== fields[f]);
    Object.assign(rec, fields, { SystemModstamp: this.stamp() });
    if (changed.length > 0) this.emit(type, 'UPDATE', [id], changed, fields);
    return rec;
  }

  delete(type: string, id: string): void {
    const rec = this.get(type, id);
    if (!rec) return;
    rec['IsDeleted'] = true;
    rec['SystemModstamp'] = this.stamp();
    this.emit(type, 'DELETE', [id], [], {});
  }

  private emit(
    object: string,
    changeType: OrgChange['changeType'],
    ids: string[],
    changedFields: string[],
    values: Record<string, unknown>,
  ): void {
    const change: OrgChange = {
      object,
      changeType,
      ids,
      changedFields,
      values,
      commitTimestamp: this.lastStamp,
      commitUser: this.committer.user,
      changeOrigin: this.committer.origin,
    };
    if (this.uncommitted) this.uncommitted.push(change);
    else for (const l of this.listeners) l(change);
  }

  /** Field names of an object as its describe reports them. */
  fields(type: string): string[] {
    const s = SCHEMA[type];
    if (!s) return [];
    return [...SYSTEM, ...s.fields].filter((f) => !this.missingFields.has(`${type}.${f}`));
  }

  updateable(type: string, field: string): boolean {
    const s = SCHEMA[type];
    return (
      !!s &&
      !SYSTEM.includes(field) &&
      !s.readOnly.includes(field) &&
      !this.readOnlyFields.has(`${type}.${field}`) &&
      !this.missingFields.has(`${type}.${field}`)
    );
  }

  hasObject(type: string): boolean {
    return type in SCHEMA;
  }

  describe(type: string): Record<string, unknown> {
    return {
      name: type,
      keyPrefix: PREFIX[type],
      queryable: true,
      updateable: true,
      fields: this.fields(type).map((name) => ({
        name,
        type: COMPOUND[type]?.[name]
          ? 'address'
          : name === 'Id' || name.endsWith('Id')
            ? 'reference'
            : 'string',
        updateable: this.updateable(type, name),
        createable: this.updateable(type, name),
        nillable: name !== 'Id',
        compoundFieldName: this.compoundOf(type, name),
      })),
      childRelationships: Object.entries(CHILDREN[type] ?? {}).map(([relationshipName, c]) => ({
        relationshipName,
        childSObject: c.type,
        field: c.key,
      })),
    };
  }

  /**
   * Rows the query selects, in the REST shape (with `attributes`), before paging. `runningUser` is the
   * session's user, for the objects whose answer depends on who asks (UserRecordAccess, FieldPermissions).
   */
  run(
    soql: string,
    includeDeleted: boolean,
    runningUser: string | null = null,
  ): { rows: Array<Record<string, unknown>>; totalSize: number } {
    const q = parseSoql(soql);
    if (q.from === 'FieldPermissions' && runningUser !== null) this.requireViewSetup(runningUser, q.from);
    const rows = this.execute(q, includeDeleted, null, runningUser);
    // COUNT() answers with totalSize only, no records.
    if (q.groupBy.length === 0 && q.select.some((i) => i.kind === 'count' && i.field === null)) {
      return { rows: [], totalSize: this.lastCount };
    }
    return { rows, totalSize: rows.length };
  }

  private execute(
    q: Query,
    includeDeleted: boolean,
    parentFilter: { key: string; id: string } | null,
    runningUser: string | null = null,
  ): Array<Record<string, unknown>> {
    if (!this.hasObject(q.from)) throw new SoqlError(`sObject type '${q.from}' is not supported.`);
    // Checked before any row is read, as Salesforce rejects a bad query even when nothing matches.
    for (const c of q.where.flatMap((w) => w.anyOf ?? [w])) {
      this.checkField(q.from, c.field);
      this.refuseCompound(q.from, c.field, 'filtered');
    }
    for (const o of q.orderBy) this.refuseCompound(q.from, o.field, 'sorted');
    for (const item of q.select) if (item.kind === 'field') this.checkField(q.from, item.path);
    const source =
      q.from === 'UserRecordAccess'
        ? this.userRecordAccess(q, runningUser)
        : [...this.table(q.from).values()];
    let rows = source.filter(
      (r) =>
        (includeDeleted || !r['IsDeleted']) &&
        (!parentFilter || r[parentFilter.key] === parentFilter.id) &&
        q.where.every((c) =>
          (c.anyOf ?? [c]).some((o) => matches(this.value(q.from, r, o.field), o, !isIdField(o.field))),
        ),
    );
    for (const o of [...q.orderBy].reverse()) {
      rows = [...rows].sort((a, b) => {
        const x = this.value(q.from, a, o.field);
        const y = this.value(q.from, b, o.field);
        const xNull = x === null || x === undefined;
        const yNull = y === null || y === undefined;
        if (xNull || yNull) return xNull === yNull ? 0 : xNull === o.nullsLast ? 1 : -1;
        return compare(x, y) * (o.desc ? -1 : 1);
      });
    }
    if (q.groupBy.length > 0) return this.aggregate(q, rows);
    this.lastCount = rows.length;
    rows = rows.slice(q.offset, q.limit !== null ? q.offset + q.limit : undefined);
    return rows.map((r) => this.project(q, r, includeDeleted));
  }

  private aggregate(q: Query, rows: Rec[]): Array<Record<string, unknown>> {
    const groups = new Map<string, Rec[]>();
    for (const r of rows) {
      const key = JSON.stringify(q.groupBy.map((g) => r[g]));
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return [...groups.values()].map((members) => {
      const out: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
      for (const item of q.select) {
        if (item.kind === 'field') out[item.path] = members[0]![item.path];
        else if (item.kind === 'count') out[item.alias] = members.length;
      }
      return out;
    });
  }

  private project(q: Query, r: Rec, includeDeleted: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {
      attributes: { type: q.from, url: `/services/data/v62.0/sobjects/${q.from}/${r.Id}` },
    };
    for (const item of q.select) {
      if (item.kind === 'field') {
        const parts = item.path.split('.');
        if (parts.length === 1)
          out[item.path] = this.compoundValue(q.from, r, item.path) ?? r[item.path] ?? null;
        else {
          const rel = parts[0]!;
          const parent = this.parentOf(q.from, r, rel);
          const existing = out[rel] as Record<string, unknown> | null | undefined;
          if (!parent) out[rel] = null;
          else {
            // A polymorphic relationship's record is typed "Name"; its url names the real object.
            const target = existing ?? {
              attributes: {
                type: parent.polymorphic ? 'Name' : parent.type,
                url: `/services/data/v62.0/sobjects/${parent.type}/${parent.rec.Id}`,
              },
            };
            target[parts[1]!] = parent.rec[parts[1]!] ?? null;
            out[rel] = target;
          }
        }
      } else if (item.kind === 'sub') {
        const rel = CHILDREN[q.from]?.[item.query.from];
        if (!rel)
          throw new SoqlError(
            `Didn't understand relationship '${item.query.from}' in FROM part of query call.`,
          );
        const children = this.execute({ ...item.query, from: rel.type }, includeDeleted, {
          key: rel.key,
          id: r.Id,
        });
        out[item.query.from] =
          children.length === 0
            ? null
            : this.pageChildren
              ? this.pageChildren(children)
              : { totalSize: children.length, done: true, records: children };
      }
    }
    return out;
  }

  /**
   * The parent a relationship points at, if any. Through a polymorphic relationship it is seen as a
   * Name record: Name's fields only, with Type saying what the parent is.
   */
  private parentOf(
    type: string,
    r: Rec,
    rel: string,
  ): { rec: Record<string, unknown>; type: string; polymorphic: boolean } | undefined {
    const p = PARENTS[type]?.[rel];
    if (!p) throw new SoqlError(`Didn't understand relationship '${rel}' in field path.`);
    const id = r[p.key];
    if (typeof id !== 'string') return undefined;
    const parentType = this.typeOfId(id);
    if (!parentType || !p.types.includes(parentType)) return undefined;
    const parent = this.get(parentType, id);
    if (!parent) return undefined;
    if (p.types.length === 1) return { rec: parent, type: parentType, polymorphic: false };
    const name: Record<string, unknown> = {
      Type: parentType === 'User' ? 'User' : parent['Type'],
    };
    for (const f of NAME_FIELDS) if (f !== 'Type') name[f] = parent[f] ?? null;
    return { rec: name, type: parentType, polymorphic: true };
  }

  private value(type: string, r: Rec, path: string): unknown {
    const parts = path.split('.');
    if (parts.length === 1) return r[path];
    return this.parentOf(type, r, parts[0]!)?.rec[parts[1]!];
  }

  private checkField(type: string, path: string): void {
    const parts = path.split('.');
    if (parts.length === 2) {
      const p = PARENTS[type]?.[parts[0]!];
      if (!p) throw new SoqlError(`Didn't understand relationship '${parts[0]}' in field path.`);
      if (p.types.length > 1) {
        if (NAME_FIELDS.includes(parts[1]!)) return;
        const err = new SoqlError(`No such column '${parts[1]}' on entity 'Name'.`);
        (err as { code: string }).code = 'INVALID_FIELD';
        throw err;
      }
      return this.checkField(p.types[0]!, parts[1]!);
    }
    if (!this.fields(type).includes(path)) {
      const err = new SoqlError(`No such column '${path}' on entity '${type}'.`);
      (err as { code: string }).code = 'INVALID_FIELD';
      throw err;
    }
  }

  /** The compound field a component belongs to, as describe reports it (null for others). */
  private compoundOf(type: string, field: string): string | null {
    for (const [compound, parts] of Object.entries(COMPOUND[type] ?? {})) {
      if (Object.values(parts).includes(field)) return compound;
    }
    return null;
  }

  /** A compound Address as the REST API answers it: an object of its components, or null when all are empty. */
  private compoundValue(type: string, r: Rec, field: string): Record<string, unknown> | null | undefined {
    const parts = COMPOUND[type]?.[field];
    if (!parts) return undefined;
    const value: Record<string, unknown> = {};
    for (const [key, component] of Object.entries(parts)) value[key] = r[component] ?? null;
    if (Object.values(value).every((v) => v === null)) return null;
    return { ...value, geocodeAccuracy: null, latitude: null, longitude: null };
  }

  private refuseCompound(type: string, path: string, verb: 'filtered' | 'sorted'): void {
    if (!COMPOUND[type]?.[path]) return;
    const err = new SoqlError(`field '${path}' can not be ${verb} in a query call`);
    (err as { code: string }).code = 'INVALID_FIELD';
    throw err;
  }

  /**
   * The UserRecordAccess rows a query asks for, checked as Salesforce checks such a query (Object Reference,
   * "UserRecordAccess", Usage:
   * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userrecordaccess.htm).
   * The error texts are the stand-in's own; the rules are the page's:
   * - the query filters on one user (`UserId = [single ID]`) and on records (`RecordId = [single ID]` or
   *   `RecordId IN [list of IDs]`), up to 200 record Ids;
   * - it selects RecordId, and beside it only the access fields (HasReadAccess, HasEditAccess,
   *   HasDeleteAccess, HasTransferAccess, HasAllAccess, MaxAccessLevel): not Id, not UserId; when it also
   *   filters on an access field, it selects RecordId alone;
   * - ORDER BY names only selected fields; MaxAccessLevel cannot be filtered on (it is not Filter);
   * - only records of objects on the Sharing Settings page are answered for;
   * - records the running user cannot read are left out of the results, and so are records that do not
   *   exist.
   */
  private userRecordAccess(q: Query, runningUser: string | null): Rec[] {
    const refuse = (message: string): never => {
      throw new SoqlError(`UserRecordAccess: ${message}`);
    };
    const ACCESS = ['HasReadAccess', 'HasEditAccess', 'HasDeleteAccess', 'HasTransferAccess', 'HasAllAccess'];
    if (q.where.some((c) => c.anyOf)) refuse('filter with AND only: UserId, RecordId and access fields');
    const users = q.where.filter((c) => c.field === 'UserId');
    const records = q.where.filter((c) => c.field === 'RecordId');
    const others = q.where.filter((c) => c.field !== 'UserId' && c.field !== 'RecordId');
    if (users.length !== 1 || users[0]!.op !== '=' || typeof users[0]!.value !== 'string')
      refuse('the query must filter on a single user: UserId = [single ID]');
    if (records.length !== 1 || (records[0]!.op !== '=' && records[0]!.op !== 'IN'))
      refuse('the query must filter on records: RecordId = [single ID] or RecordId IN [list of IDs]');
    if (others.some((c) => !ACCESS.includes(c.field)))
      refuse(`only UserId, RecordId and ${ACCESS.join(', ')} can be filtered on`);
    const named = (Array.isArray(records[0]!.value) ? records[0]!.value : [records[0]!.value]).map(String);
    // Counted as written: the page does not say that repeats are free.
    if (named.length > 200) refuse(`up to 200 record Ids can be queried; this query names ${named.length}`);
    const ids = [...new Set(named)];
    const selected = q.select.map((i) => (i.kind === 'field' ? i.path : '(expression)'));
    if (!selected.includes('RecordId')) refuse('RecordId must be selected');
    const bad = selected.find((f) => f !== 'RecordId' && f !== 'MaxAccessLevel' && !ACCESS.includes(f));
    if (bad) refuse(`${bad} cannot be selected; select RecordId and access fields`);
    if (others.length > 0 && selected.length > 1)
      refuse('when filtering on an access field, select RecordId only');
    const unsorted = q.orderBy.find((o) => !selected.includes(o.field));
    if (unsorted) refuse(`ORDER BY ${unsorted.field}: only selected fields can be sorted on`);

    const userId = users[0]!.value as string;
    const out: Rec[] = [];
    for (const id of ids) {
      const type = this.typeOfId(id);
      if (!type || !(type in this.orgWideDefaults))
        refuse(`${id} is not a record of an object on the Sharing Settings page`);
      const access = recordAccess(this, this.orgWideDefaults, userId, type!, id);
      if (!access) continue;
      if (
        runningUser !== null &&
        !recordAccess(this, this.orgWideDefaults, runningUser, type!, id)?.HasReadAccess
      )
        continue;
      out.push({ Id: id, UserId: userId, RecordId: this.get(type!, id)!.Id, ...access });
    }
    return out;
  }

  /**
   * FieldPermissions answers only users with View Setup and Configuration (Object Reference,
   * "FieldPermissions", Special Access Rules: API version 49.0 and later); to others the object does
   * not exist, as for any object a user may not see.
   */
  private requireViewSetup(userId: string, object: string): void {
    if (!assignedPermissionSets(this, userId).some((s) => s['PermissionsViewSetup'] === true)) {
      const err = new SoqlError(`sObject type '${object}' is not supported.`);
      (err as { code: string }).code = 'INVALID_TYPE';
      throw err;
    }
  }

  /** Whether a queue (a Group of Type Queue) may own records of `type`: it has a QueueSobject for it. */
  queueTakes(queueId: string, type: string): boolean {
    const group = this.get('Group', queueId);
    if (!group || group['Type'] !== 'Queue') return false;
    return [...this.table('QueueSobject').values()].some(
      (q) => !q['IsDeleted'] && q['QueueId'] === queueId && q['SobjectType'] === type,
    );
  }
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as number | string) < (b as number | string) ? -1 : 1;
}

const escapeRegExp = (ch: string): string => ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const inSets = new WeakMap<Condition, Set<unknown>>();
const caselessSets = new WeakMap<Condition, Set<unknown>>();

/** An Id or a reference to one (the stand-in's describe calls every `…Id` field a reference). */
const isIdField = (path: string): boolean => /(^|\.)(\w*Id)$/.test(path);

/**
 * Text compares without regard to case for every field but unique case-sensitive ones (SOQL and SOSL
 * Reference, "Comparison Operators"); the stand-in has none of those, and keeps Ids exact.
 */
const folded = (value: unknown, caseless: boolean): unknown =>
  caseless && typeof value === 'string' ? value.toLowerCase() : value;

function matches(value: unknown, c: Condition, caseless = false): boolean {
  if (c.op === 'IN' || c.op === 'NOT IN') {
    const key = caseless ? caselessSets : inSets;
    let set = key.get(c);
    if (!set) {
      set = new Set((c.value as Literal[]).map((v) => folded(v, caseless)));
      key.set(c, set);
    }
    return set.has(folded(value, caseless)) === (c.op === 'IN');
  }
  if (c.op === 'LIKE') {
    if (typeof value !== 'string' || typeof c.value !== 'string') return false;
    let re = '';
    const p = c.value;
    for (let k = 0; k < p.length; k++) {
      const ch = p[k]!;
      if (ch === '\\' && k + 1 < p.length) re += escapeRegExp(p[++k]!);
      else if (ch === '%') re += '.*';
      else if (ch === '_') re += '.';
      else re += escapeRegExp(ch);
    }
    return new RegExp(`^${re}$`, 'is').test(value);
  }
  const lit = c.value as Literal;
  if (lit !== null && typeof lit === 'object') {
    const since = new Date();
    since.setUTCHours(0, 0, 0, 0);
    since.setUTCDate(since.getUTCDate() - lit.lastNDays);
    return typeof value === 'string' && value >= since.toISOString();
  }
  const v =
    typeof value === 'string' && typeof lit === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(lit)
      ? new Date(value).toISOString()
      : value;
  switch (c.op) {
    case '=':
      return eq(folded(v, caseless), folded(lit, caseless) as Literal);
    case '!=':
      return !eq(folded(v, caseless), folded(lit, caseless) as Literal);
    case '<':
      return v !== null && v !== undefined && compare(v, lit) < 0;
    case '<=':
      return v !== null && v !== undefined && compare(v, lit) <= 0;
    case '>':
      return v !== null && v !== undefined && compare(v, lit) > 0;
    case '>=':
      return v !== null && v !== undefined && compare(v, lit) >= 0;
  }
}

function eq(a: unknown, b: Literal): boolean {
  if (b === null) return a === null || a === undefined;
  if (b === false) return a === false || a === undefined || a === null;
  return a === b;
}

/** One record's changes in a transaction folded together, then identical changes of several records merged. */
function mergeChanges(changes: OrgChange[]): OrgChange[] {
  const perRecord: OrgChange[] = [];
  for (const c of changes) {
    const earlier = perRecord.find(
      (p) => p.object === c.object && p.ids[0] === c.ids[0] && p.changeType !== 'DELETE',
    );
    if (earlier && c.changeType === 'UPDATE') {
      earlier.changedFields = [...new Set([...earlier.changedFields, ...c.changedFields])];
      earlier.values = { ...earlier.values, ...c.values };
      earlier.commitTimestamp = c.commitTimestamp;
    } else perRecord.push({ ...c, values: { ...c.values } });
  }
  const merged: OrgChange[] = [];
  const sameChange = (a: OrgChange, b: OrgChange): boolean =>
    a.object === b.object &&
    a.changeType === b.changeType &&
    a.commitUser === b.commitUser &&
    a.changedFields.length === b.changedFields.length &&
    a.changedFields.every((f) => b.changedFields.includes(f) && a.values[f] === b.values[f]);
  for (const c of perRecord) {
    const same = merged.find((m) => sameChange(m, c));
    if (same) same.ids = [...same.ids, ...c.ids];
    else merged.push(c);
  }
  return merged;
}
