import type { Response } from 'express';
import type { OrgReadPort, RecordAccess } from '../crm/org-read.port.js';
import type { AccountRecord, LeadRecord } from '../engine/model.js';
import { toId18 } from '../engine/salesforce-id.js';
import type { Actor } from './app-context.js';
import { ForbiddenError, NotFoundError } from './http.errors.js';

/** The acting user the auth middleware put on the response. */
export function actorOf(res: Response): Actor {
  return res.locals.actor as Actor;
}

export async function findLead(org: OrgReadPort, id: string): Promise<LeadRecord> {
  const lead = await org.getLead(id);
  if (!lead) {
    throw new NotFoundError(
      `No lead with Id ${id} exists in the org.`,
      'Check the Id; the lead may have been deleted or merged.',
    );
  }
  return lead;
}

export async function findAccount(org: OrgReadPort, id: string): Promise<AccountRecord> {
  const account = await org.getAccount(id);
  if (!account) {
    throw new NotFoundError(
      `No account with Id ${id} exists in the org.`,
      'Check the Id; the account may have been deleted or merged.',
    );
  }
  return account;
}

/**
 * Who may re-route a lead, the one rule Switchyard applies (here and in `SwitchyardController.rerouteLead`,
 * which checks it in Apex before calling the companion): the person holds the Switchyard_Reroute
 * custom permission AND Salesforce gives them edit and transfer access to the lead (UserRecordAccess
 * HasEditAccess and HasTransferAccess,
 * https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-userrecordaccess.html).
 * Owning the lead or working its queue counts only through the access Salesforce gives for it.
 * Returns the refusal, or null when the person may re-route the lead.
 */
export function rerouteRefusal(
  actor: Pick<Actor, 'canReroute'>,
  access: RecordAccess | undefined,
): { message: string; action: string } | null {
  if (!actor.canReroute) {
    return {
      message: 'You cannot re-route leads: you do not hold the Switchyard re-route permission.',
      action: 'Ask your Salesforce admin for the Switchyard User permission set.',
    };
  }
  if (!access?.edit || !access.transfer) {
    return {
      message:
        'You cannot re-route this lead: Salesforce does not let you edit it and change its owner (edit and transfer access).',
      action:
        "Ask the lead's owner or your Salesforce admin to share the lead with you with edit access, or to re-route it.",
    };
  }
  return null;
}

/** Refuses with 403 unless `rerouteRefusal` lets the actor re-route the lead (404 when there is no such lead). */
export async function assertMayReroute(org: OrgReadPort, actor: Actor, leadId: string): Promise<void> {
  let access: RecordAccess | undefined;
  if (actor.canReroute) {
    access = (await org.leadAccess(actor.id, [leadId])).get(toId18(leadId) ?? leadId);
    if (!access) await findLead(org, leadId);
  }
  const refusal = rerouteRefusal(actor, access);
  if (refusal) throw new ForbiddenError(refusal.message, refusal.action);
}

/** Routing a batch of leads is an admin's tool: it needs the re-route permission. */
export function assertMayRouteBatch(actor: Actor): void {
  if (actor.canReroute) return;
  throw new ForbiddenError(
    'Routing a batch of leads needs the Switchyard re-route permission, which you do not have.',
    'Ask your Salesforce admin for the Switchyard re-route permission.',
  );
}

/** Simulations, backtests and other routing changes are an admin's tools. */
export function assertAdmin(actor: Actor, what: string): void {
  if (actor.isAdmin) return;
  throw new ForbiddenError(
    `${what} is for Switchyard admins, and you are not one.`,
    'Ask your Salesforce admin to run it, or to give you admin rights in Switchyard.',
  );
}
