import type { SalesforceApi } from './salesforce-api.js';
import type { SchemaNeed } from './salesforce-fields.js';
import { SalesforceSetupError } from './salesforce.errors.js';

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

/** The startup check: throws one SalesforceSetupError listing everything missing. */
export async function assertOrgReady(api: SalesforceApi, schema: readonly SchemaNeed[]): Promise<void> {
  const report = await checkOrg(api, schema);
  if (report.problems.length > 0) throw new SalesforceSetupError(report.problems);
}
