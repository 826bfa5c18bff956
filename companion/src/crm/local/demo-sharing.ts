import type { LeadRecord, QueueRecord, UserRecord } from '../../engine/model.js';
import type { RecordAccess } from '../org-read.port.js';

/**
 * The demo org's lead sharing and field-level security, set up as an admin would in Salesforce, so the
 * preview shows what each person may see and change (what UserRecordAccess and field permissions say
 * in a real org):
 * - Lead organization-wide default Private: a person reaches their own leads and, as a member, the
 *   leads of the queues they work (Salesforce Help, "Sharing Default Access Settings" and "Queues").
 * - SDRs work every lead: a sharing rule gives the SDR role Read/Write on all leads. BDRs work
 *   accounts: they reach the leads they own and those of the Partner Queue they work, like sellers.
 * - Sales leadership sits at the top of the role hierarchy, above every lead owner, so it reads and
 *   edits every lead (Salesforce Help, "Role Hierarchy"); admins hold Modify All Data.
 * - Sellers' profiles (SMB Sales, Customer Success) do not read Email or Phone on Lead.
 * Transfer goes with edit here: each profile that edits leads also holds "Transfer Leads".
 */
const WORKS_EVERY_LEAD = new Set(['SDR', 'Leadership', 'Admin']);
const HIDDEN_LEAD_FIELDS: Record<string, string[]> = {
  'SMB Sales': ['Email', 'Phone'],
  'Customer Success': ['Email', 'Phone'],
};

const NONE: RecordAccess = { read: false, edit: false, transfer: false };
const ALL: RecordAccess = { read: true, edit: true, transfer: true };

/** @internal Benchmarks re-route random leads as people who may edit every lead of the demo org. */
export function worksEveryLead(user: UserRecord): boolean {
  return user.IsActive && WORKS_EVERY_LEAD.has(user.Role__c ?? '');
}

/** What `user` may do with `lead`; `queues` are the org's queues with their members. */
export function demoLeadAccess(
  user: UserRecord | null,
  lead: LeadRecord,
  queues: ReadonlyMap<string, QueueRecord>,
): RecordAccess {
  if (!user?.IsActive) return NONE;
  if (worksEveryLead(user)) return ALL;
  const ownerId = lead.OwnerId ?? '';
  if (ownerId === user.Id || queues.get(ownerId)?.MemberIds?.includes(user.Id)) return ALL;
  return NONE;
}

/** The Lead fields `user` may not read. */
export function demoHiddenLeadFields(user: UserRecord | null): readonly string[] {
  return HIDDEN_LEAD_FIELDS[user?.ProfileName ?? ''] ?? [];
}
