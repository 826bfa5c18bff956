import type { LeadStatusUse } from '../../engine/lead-statuses-used.js';
import { soqlIdList, soqlString, type QueryPage, type SalesforceApi } from './salesforce-api.js';
import type { SchemaNeed } from './salesforce-fields.js';
import { SalesforceApiError, SalesforceSetupError } from './salesforce.errors.js';

export interface DoctorReport {
  problems: string[];
  objects: number;
  fields: number;
}

interface Describe {
  name: string;
  queryable?: boolean;
  updateable?: boolean;
  fields: Array<{ name: string; updateable: boolean }>;
  childRelationships?: Array<{ relationshipName: string | null }>;
}

/**
 * Describes each object routing uses and lists everything missing: objects the integration user
 * cannot see, fields that do not exist (or that field-level security hides, which describe
 * reports the same way), and written fields that are not updateable. `schema` is usually
 * `REQUIRED_SCHEMA` and what the active flows add (`flowSchemaNeeds`).
 */
export async function checkOrg(api: SalesforceApi, schema: readonly SchemaNeed[]): Promise<DoctorReport> {
  const needs = new Map<string, { read: Set<string>; write: Set<string> }>();
  for (const n of schema) {
    const entry = needs.get(n.object) ?? { read: new Set(), write: new Set() };
    n.read.forEach((f) => entry.read.add(f));
    n.write.forEach((f) => entry.write.add(f));
    needs.set(n.object, entry);
  }
  const problems: string[] = [];
  let fields = 0;
  for (const [object, need] of needs) {
    let d: Describe;
    try {
      d = await api.rest<Describe>('describe', { method: 'GET', url: `/sobjects/${object}/describe` });
    } catch (err) {
      const code = (err as { sfCode?: string }).sfCode;
      if (code === 'NOT_FOUND') {
        problems.push(
          `${object}: the object is missing or the integration user cannot see it (check its profile or permission sets)`,
        );
        continue;
      }
      throw err;
    }
    const byName = new Map(d.fields.map((f) => [f.name, f]));
    if (d.queryable === false) problems.push(`${object}: the integration user may not read this object`);
    if (need.write.size > 0 && d.updateable === false)
      problems.push(`${object}: the integration user may not edit this object`);
    for (const f of new Set([...need.read, ...need.write])) {
      fields++;
      const field = byName.get(f);
      if (!field)
        problems.push(
          `${object}.${f}: field missing, or hidden from the integration user by field-level security`,
        );
      else if (need.write.has(f) && !field.updateable) {
        problems.push(
          `${object}.${f}: routing writes this field but it is read-only for the integration user (field-level security: Edit)`,
        );
      }
    }
    if (object === 'Lead' && !d.childRelationships?.some((r) => r.relationshipName === 'CampaignMembers')) {
      problems.push(
        'Lead: the CampaignMembers relationship is not visible (give the integration user read access to Campaign Members)',
      );
    }
  }
  return { problems, objects: needs.size, fields };
}

/**
 * The startup check: throws one SalesforceSetupError listing everything missing, the set-up `setup`
 * describes included when given.
 */
export async function assertOrgReady(
  api: SalesforceApi,
  schema: readonly SchemaNeed[],
  setup?: OrgSetupNeeds,
): Promise<void> {
  const problems = [...(await checkOrg(api, schema)).problems];
  if (setup) problems.push(...(await checkOrgSetup(api, setup)));
  if (problems.length > 0) throw new SalesforceSetupError(problems);
}

/** What routing needs set up in the org beyond fields: checked by `checkOrgSetup`. */
export interface OrgSetupNeeds {
  /** The integration user, whose permissions are read. */
  userId: string;
  /** Lead Status values the flows read, write or convert with (`leadStatusesUsed`). */
  leadStatuses: readonly LeadStatusUse[];
  /** Objects whose change events routing listens to. */
  changeObjects: readonly string[];
  /** The Apex class whose API version is the package's. */
  packageClass?: string;
}

/** Objects the integration user must see every record of for their change events (see README). */
const VIEW_ALL_OBJECTS = ['Lead', 'Account'] as const;

/**
 * Checks the org's set-up that describe cannot show, each check on its own so one run lists every
 * problem: Lead Status values and the converted status, Change Data Capture selections, the
 * integration user's permissions, and the package's API version against the companion's.
 */
export async function checkOrgSetup(api: SalesforceApi, needs: OrgSetupNeeds): Promise<string[]> {
  const checks = [
    () => checkLeadStatuses(api, needs.leadStatuses),
    () => checkChangeDataCapture(api, needs.changeObjects),
    () => checkPermissions(api, needs.userId),
    () => checkApiVersion(api, needs.packageClass ?? 'SwitchyardController'),
  ];
  const problems: string[] = [];
  for (const check of checks) problems.push(...(await check()));
  return problems;
}

/** A check whose read the org refuses reports that, not a crash, and the other checks still run. */
async function unlessRefused(what: string, check: () => Promise<string[]>): Promise<string[]> {
  try {
    return await check();
  } catch (err) {
    if (!(err instanceof SalesforceApiError)) throw err;
    return [
      `${what}: the org refused the read (${err.message}); the integration user needs View Setup and Configuration`,
    ];
  }
}

/**
 * Object Reference, "LeadStatus": one record per Lead Status picklist value; IsConverted marks the
 * values a converted lead may take. Every value a flow uses must exist; a named converted status must
 * be marked converted; and the org needs at least one converted status for conversions to work.
 */
function checkLeadStatuses(api: SalesforceApi, uses: readonly LeadStatusUse[]): Promise<string[]> {
  return unlessRefused('Lead statuses', async () => {
    const rows = await api.queryAll<{ ApiName: string; IsConverted: boolean }>(
      'SELECT ApiName, IsConverted FROM LeadStatus',
    );
    const converted = new Map(rows.map((r) => [r.ApiName, r.IsConverted === true]));
    const problems: string[] = [];
    if (![...converted.values()].some(Boolean)) {
      problems.push(
        'Lead Status: no value is marked Converted, so no lead can be converted (Setup → Object Manager → Lead → Fields → Lead Status)',
      );
    }
    const seen = new Set<string>();
    for (const use of uses) {
      const key = `${use.status}|${use.converted}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!converted.has(use.status)) {
        problems.push(
          `Lead Status "${use.status}" (${use.where}) is not a value of the org's Lead Status picklist: add it, or change the flow`,
        );
      } else if (use.converted && !converted.get(use.status)) {
        problems.push(
          `Lead Status "${use.status}" (${use.where}) converts leads but the org does not mark it Converted: mark it, or name a converted status`,
        );
      }
    }
    return problems;
  });
}

/**
 * Change Data Capture Developer Guide, "Select Objects for Change Notifications with Metadata API and
 * Tooling API": the standard channel's selections are PlatformEventChannelMember records named
 * ChangeEvents_<Object>ChangeEvent, read through the Tooling API.
 */
function checkChangeDataCapture(api: SalesforceApi, objects: readonly string[]): Promise<string[]> {
  return unlessRefused('Change Data Capture', async () => {
    const page = await api.rest<QueryPage<{ DeveloperName: string; SelectedEntity: string }>>('query', {
      method: 'GET',
      url: `/tooling/query?q=${encodeURIComponent('SELECT DeveloperName, SelectedEntity FROM PlatformEventChannelMember')}`,
    });
    const selected = new Set(
      (page.records ?? [])
        .filter((r) => r.DeveloperName?.startsWith('ChangeEvents_'))
        .map((r) => r.SelectedEntity),
    );
    return objects
      .filter((object) => !selected.has(`${object}ChangeEvent`))
      .map(
        (object) =>
          `Change Data Capture is not selected for ${object}: routing hears nothing of its changes (npm run deploy selects it; or Setup → Change Data Capture)`,
      );
  });
}

interface Grant {
  PermissionSetId: string;
  PermissionSet: Record<string, boolean | null> | null;
}

/**
 * Object Reference, "PermissionSetAssignment": a user's assignments include the permission set their
 * profile owns, so the user holds a permission when any assigned set grants it ("PermissionSet":
 * Permissions<Name>; "ObjectPermissions": per-object Read and View All).
 */
function checkPermissions(api: SalesforceApi, userId: string): Promise<string[]> {
  return unlessRefused('Integration user permissions', async () => {
    const grants = await api.queryAll<Grant>(
      'SELECT PermissionSetId, PermissionSet.PermissionsApiEnabled, PermissionSet.PermissionsConvertLeads, ' +
        'PermissionSet.PermissionsViewAllUsers, PermissionSet.PermissionsViewAllData, PermissionSet.PermissionsViewSetup, ' +
        'PermissionSet.PermissionsSendCustomNotifications ' +
        `FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(userId)}`,
    );
    const holds = (permission: string) => grants.some((g) => g.PermissionSet?.[permission] === true);
    const problems: string[] = [];
    if (!holds('PermissionsApiEnabled'))
      problems.push('The integration user lacks API Enabled: every call Switchyard makes is refused');
    if (!holds('PermissionsConvertLeads'))
      problems.push('The integration user lacks Convert Leads: flows that convert leads will fail');
    if (!holds('PermissionsViewSetup'))
      problems.push(
        'The integration user lacks View Setup and Configuration: Switchyard cannot read field permissions (FieldPermissions) nor who holds its custom permissions, so it cannot work out what each person may read and do',
      );
    // Action Developer Guide, "Custom Notification Actions": orgs created in Winter '21 or later
    // refuse a REST call sending one from a user without Send Custom Notifications.
    if (!holds('PermissionsSendCustomNotifications'))
      problems.push(
        "The integration user lacks Send Custom Notifications: the pickup clock's bell and mobile notifications are refused (Switchyard_Admin gives it)",
      );
    if (!holds('PermissionsViewAllData')) {
      if (!holds('PermissionsViewAllUsers'))
        problems.push(
          'The integration user lacks View All Users: User change events (deactivations) may not reach routing',
        );
      const ids = [...new Set(grants.map((g) => g.PermissionSetId))];
      const objects =
        ids.length === 0
          ? []
          : await api.queryAll<{ SobjectType: string; PermissionsViewAllRecords: boolean }>(
              `SELECT SobjectType, PermissionsViewAllRecords FROM ObjectPermissions WHERE ParentId IN ${soqlIdList(ids)}`,
            );
      for (const object of VIEW_ALL_OBJECTS) {
        if (!objects.some((o) => o.SobjectType === object && o.PermissionsViewAllRecords === true))
          problems.push(
            `The integration user lacks View All on ${object}: changes to ${object} records it cannot see are not routed`,
          );
      }
    }
    return problems;
  });
}

/** The package's Apex runs at the API version it was deployed with; the companion calls with its own. */
function checkApiVersion(api: SalesforceApi, className: string): Promise<string[]> {
  return unlessRefused('API version', async () => {
    const [apex] = await api.queryAll<{ ApiVersion: number }>(
      `SELECT ApiVersion FROM ApexClass WHERE Name = ${soqlString(className)}`,
    );
    if (!apex) return [`Apex class ${className} is not in the org: deploy the package (npm run deploy)`];
    if (Number(apex.ApiVersion) === Number(api.apiVersion)) return [];
    return [
      `The package is deployed at API version ${Number(apex.ApiVersion).toFixed(1)} but the companion calls version ${api.apiVersion}: deploy the current package, or run the companion version that matches it`,
    ];
  });
}
