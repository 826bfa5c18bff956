import type { Response } from 'express';
import type { OrgReadPort } from '../crm/org-read.port.js';
import type { AccountRecord, LeadRecord } from '../engine/model.js';
import { KEY_PREFIX } from '../engine/salesforce-id.js';
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
 * Who may re-route a lead: its owner, the members of the queue that owns it, and people holding
 * the re-route permission. Anyone else gets a 403 naming who may and what to do.
 */
export async function assertMayReroute(org: OrgReadPort, actor: Actor, lead: LeadRecord): Promise<void> {
  if (actor.canReroute || lead.OwnerId === actor.id) return;
  const ownerId = lead.OwnerId ?? null;
  let who = 'its owner';
  let ask = 'the lead owner';
  if (ownerId?.startsWith(KEY_PREFIX.queue)) {
    const queue = await org.getQueue(ownerId);
    if (queue?.MemberIds?.includes(actor.id)) return;
    if (queue) {
      who = `members of ${queue.Name}, the queue that owns it`;
      ask = `a member of ${queue.Name}`;
    }
  } else if (ownerId) {
    const owner = await org.getUser(ownerId);
    if (owner) {
      who = `its owner, ${owner.Name}`;
      ask = owner.Name;
    }
  }
  throw new ForbiddenError(
    `You cannot re-route this lead: only ${who}, or people with the Switchyard re-route permission, may.`,
    `Ask ${ask} to re-route it, or ask your Salesforce admin for the Switchyard re-route permission.`,
  );
}

/** Routing a batch of leads is an admin's tool: it needs the re-route permission. */
export function assertMayRouteBatch(actor: Actor): void {
  if (actor.canReroute) return;
  throw new ForbiddenError(
    'Routing a batch of leads needs the Switchyard re-route permission, which you do not have.',
    'Re-route the leads you own one at a time, or ask your Salesforce admin for the Switchyard re-route permission.',
  );
}
