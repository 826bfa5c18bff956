import { DEMO_USERS } from '../../../companion/src/crm/local/demo-people.js';
import { worksEveryLead } from '../../../companion/src/crm/local/demo-sharing.js';

/**
 * The demo users a re-route bench acts as: they hold the re-route permission and may edit every lead
 * (the re-route rule asks for both), so every answer is the routing's, never a 403.
 */
export function reroutingReps(): string[] {
  return DEMO_USERS.filter((u) => u.HasReroutePermission && worksEveryLead(u)).map((u) => u.Id);
}
