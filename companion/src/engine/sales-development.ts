import type { UserRecord } from './model.js';

/** Roles of the people who work leads: SDRs and BDRs (LeanData's "ADRs"). */
const ROLES = new Set(['sdr', 'bdr', 'adr']);
const PROFILES = new Set(['sales development rep', 'business development rep']);
/** Users that hold leads for a system rather than a person: integrations and marketing automation. */
const SYSTEM_USER = /\b(integration|marketo|pardot|hubspot|eloqua|marketing automation|automated process)\b/i;

/**
 * Why this user is not a person in sales development who works leads, or null when they are: active,
 * an SDR or BDR by role (or profile), and not an integration or marketing-automation user. The
 * blueprint's "designated ADRs who own corresponding leads" are such people; a lead an integration
 * user or an account executive happens to own says nothing about who works the company.
 */
export function notInSalesDevelopment(user: UserRecord): string | null {
  const role = user.Role__c?.trim() ?? '';
  const profile = user.ProfileName?.trim() ?? '';
  if (SYSTEM_USER.test(role) || SYSTEM_USER.test(profile) || SYSTEM_USER.test(user.Name))
    return `${user.Name} is an integration user`;
  if (!user.IsActive) return `${user.Name} is inactive`;
  if (!ROLES.has(role.toLowerCase()) && !PROFILES.has(profile.toLowerCase())) {
    return `${user.Name} is not in sales development (${role ? `role ${role}` : 'no role'})`;
  }
  return null;
}
