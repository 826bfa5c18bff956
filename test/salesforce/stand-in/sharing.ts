/**
 * What a user may do with a record in the stand-in org, as Salesforce works it out and reports it through
 * UserRecordAccess: object permissions first, then the record's sharing. Modelled: the organization-wide
 * default, ownership, queue membership, LeadShare rows (manual shares and sharing rules, to a user or a
 * group the user is in), View All / Modify All on the object and View All Data / Modify All Data, and the
 * Transfer Leads permission. Not modelled: the role hierarchy (give a LeadShare instead), territories,
 * restriction rules (which UserRecordAccess ignores too).
 */
import type { Org, Rec } from './org.js';

/**
 * Organization-wide defaults (Salesforce Help, "Set Your Internal Organization-Wide Sharing Defaults",
 * https://help.salesforce.com/s/articleView?id=platform.admin_sharing.htm, and "Organization-Wide Default
 * Access Settings"): Private, Public Read Only, Public Read/Write, and for leads Public Read/Write/Transfer.
 */
export type OrgWideDefault = 'Private' | 'Read' | 'Edit' | 'ReadEditTransfer';

/** MaxAccessLevel's values, lowest first (Object Reference, "UserRecordAccess": MaxAccessLevel). */
const LEVELS = ['None', 'Read', 'Edit', 'Delete', 'Transfer', 'All'] as const;
type Level = (typeof LEVELS)[number];

export interface Access {
  HasReadAccess: boolean;
  HasEditAccess: boolean;
  HasDeleteAccess: boolean;
  HasTransferAccess: boolean;
  HasAllAccess: boolean;
  MaxAccessLevel: Level;
}

const NONE: Access = {
  HasReadAccess: false,
  HasEditAccess: false,
  HasDeleteAccess: false,
  HasTransferAccess: false,
  HasAllAccess: false,
  MaxAccessLevel: 'None',
};

/** What the permission sets assigned to a user (their profile's included) grant on one object. */
interface Granted {
  read: boolean;
  edit: boolean;
  viewAll: boolean;
  modifyAll: boolean;
  transferLeads: boolean;
}

const rows = (org: Org, type: string): Rec[] => [...org.table(type).values()].filter((r) => !r['IsDeleted']);

/**
 * Object Reference, "PermissionSetAssignment": a user's assignments include the permission set their
 * profile owns, so a user holds a permission when any assigned set grants it.
 */
export function assignedPermissionSets(org: Org, userId: string): Rec[] {
  const ids = new Set(
    rows(org, 'PermissionSetAssignment')
      .filter((a) => a['AssigneeId'] === userId)
      .map((a) => a['PermissionSetId']),
  );
  return rows(org, 'PermissionSet').filter((s) => ids.has(s.Id));
}

/**
 * Object Reference, "ObjectPermissions" (PermissionsRead, PermissionsEdit, PermissionsViewAllRecords,
 * PermissionsModifyAllRecords) and "PermissionSet" (PermissionsViewAllData, PermissionsModifyAllData,
 * PermissionsTransferAnyLead: "Transfer Leads").
 */
function granted(org: Org, userId: string, type: string): Granted {
  const sets = assignedPermissionSets(org, userId);
  const setIds = new Set(sets.map((s) => s.Id));
  const objects = rows(org, 'ObjectPermissions').filter(
    (o) => setIds.has(o['ParentId'] as string) && o['SobjectType'] === type,
  );
  const anySet = (p: string) => sets.some((s) => s[p] === true);
  const anyObject = (p: string) => objects.some((o) => o[p] === true);
  const modifyAll = anySet('PermissionsModifyAllData') || anyObject('PermissionsModifyAllRecords');
  const viewAll = modifyAll || anySet('PermissionsViewAllData') || anyObject('PermissionsViewAllRecords');
  return {
    read: viewAll || anyObject('PermissionsRead'),
    edit: modifyAll || anyObject('PermissionsEdit'),
    viewAll,
    modifyAll,
    transferLeads: anySet('PermissionsTransferAnyLead'),
  };
}

/** The groups (public groups and queues) a user is a direct member of (Object Reference, "GroupMember"). */
function groupsOf(org: Org, userId: string): Set<string> {
  return new Set(
    rows(org, 'GroupMember')
      .filter((m) => m['UserOrGroupId'] === userId)
      .map((m) => m['GroupId'] as string),
  );
}

const rank = (level: Level): number => LEVELS.indexOf(level);
const atLeast = (a: Level, b: Level): Level => (rank(a) >= rank(b) ? a : b);

/**
 * `userId`'s access to the record `recordId` of `type`, or null when there is no such record.
 * - Without Read on the object a user reaches no record of it, whatever the sharing (Salesforce Help,
 *   "Object Permissions"); without Edit on it, no sharing lets them edit.
 * - Modify All (the object's, or Modify All Data): full access to every record; View All: read.
 * - The owner, and members of the queue that owns the record, have full access (Salesforce Help,
 *   "Queues": members take ownership of the queue's records).
 * - The organization-wide default gives everyone its level; a LeadShare row (LeadAccessLevel Read,
 *   Edit or All; Object Reference, "LeadShare") gives its user, or its group's members, its level.
 * - Transfer (Salesforce Help, "Transfer Records",
 *   https://help.salesforce.com/s/articleView?id=xcloud.data_about_transfer.htm): full access, or edit
 *   access with the Transfer Leads permission, or edit access under Public Read/Write/Transfer.
 */
export function recordAccess(
  org: Org,
  defaults: Readonly<Record<string, OrgWideDefault>>,
  userId: string,
  type: string,
  recordId: string,
): Access | null {
  const record = org.get(type, recordId);
  if (!record) return null;
  const user = org.get('User', userId);
  if (!user || user['IsActive'] !== true) return NONE;
  const perms = granted(org, userId, type);
  if (!perms.read) return NONE;

  const groups = groupsOf(org, userId);
  const owner = record['OwnerId'];
  let level: Level = 'None';
  const orgWide = defaults[type] ?? 'Private';
  if (orgWide === 'Read') level = 'Read';
  if (orgWide === 'Edit' || orgWide === 'ReadEditTransfer') level = 'Edit';
  if (type === 'Lead') {
    for (const share of rows(org, 'LeadShare')) {
      if (share['LeadId'] !== record.Id) continue;
      const to = share['UserOrGroupId'] as string;
      if (to !== userId && !groups.has(to)) continue;
      const shared = share['LeadAccessLevel'];
      level = atLeast(level, shared === 'All' ? 'All' : shared === 'Edit' ? 'Edit' : 'Read');
    }
  }
  if (owner === userId || (typeof owner === 'string' && groups.has(owner))) level = 'All';
  if (perms.viewAll) level = atLeast(level, 'Read');
  if (perms.modifyAll) level = 'All';
  if (!perms.edit && rank(level) > rank('Read')) level = 'Read';

  const read = rank(level) >= rank('Read');
  const edit = rank(level) >= rank('Edit');
  const all = level === 'All';
  const transfer =
    all || (edit && ((type === 'Lead' && perms.transferLeads) || orgWide === 'ReadEditTransfer'));
  return {
    HasReadAccess: read,
    HasEditAccess: edit,
    HasDeleteAccess: all,
    HasTransferAccess: transfer,
    HasAllAccess: all,
    MaxAccessLevel: all ? 'All' : transfer ? 'Transfer' : level,
  };
}
