import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { OrgReadPort } from '../crm/org-read.port.js';
import { KEY_PREFIX } from '../engine/salesforce-id.js';
import type { Actor } from './app-context.js';
import { ForbiddenError, UnauthenticatedError } from './http.errors.js';
import { salesforceIdProblem } from './validation.js';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** `Authorization: Bearer <key>`, compared in constant time: equal-length hashes, never the keys themselves. */
export function requireApiKey(apiKey: string): RequestHandler {
  const expected = sha256(apiKey);
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (!header) {
      throw new UnauthenticatedError(
        'This request has no API key.',
        'Send the header "Authorization: Bearer <key>" with the key the companion printed when it started (SWITCHYARD_API_KEY).',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(sha256(match[1]!), expected)) {
      throw new UnauthenticatedError(
        'The API key is not valid.',
        "Use the key in SWITCHYARD_API_KEY (or the one the companion printed when it started); in Salesforce, check the Switchyard External Credential's key.",
      );
    }
    next();
  };
}

/** Sales development, leadership and admins may re-route any lead; others only their own. */
export function toActor(user: {
  Id: string;
  Name: string;
  IsActive: boolean;
  Role__c?: string | null;
  ProfileName?: string | null;
  HasReroutePermission?: boolean;
}): Actor {
  return {
    id: user.Id,
    name: user.Name,
    role: user.Role__c ?? null,
    active: user.IsActive,
    canReroute: user.HasReroutePermission === true,
    isAdmin: user.ProfileName === 'System Administrator',
  };
}

/** How long a looked-up acting user is trusted before the org is asked again. */
export const ACTOR_TTL_MS = 30_000;

/**
 * The acting Salesforce user from X-Switchyard-User: a user Id that exists and is active. Sets
 * `res.locals.actor`. Users are remembered for 30 s, so a busy rep costs one lookup, not one per
 * call; a deactivation or a revoked permission takes effect within that time.
 */
export function requireActor(org: OrgReadPort, nowMs: () => number = Date.now): RequestHandler {
  const known = new Map<string, { actor: Actor | null; until: number }>();
  return async (req, res, next) => {
    const id = req.get('x-switchyard-user')?.trim();
    if (!id) {
      throw new UnauthenticatedError(
        'This request does not say which Salesforce user is acting.',
        'Send the header "X-Switchyard-User" with the 18-character Id of the user (005…); the Switchyard Apex controller does this for you.',
      );
    }
    const problem = salesforceIdProblem(id, KEY_PREFIX.user);
    if (problem) {
      throw new UnauthenticatedError(
        `X-Switchyard-User ${problem}.`,
        'Send the Id of the acting Salesforce user (005…), as UserInfo.getUserId() returns it.',
      );
    }
    const now = nowMs();
    let entry = known.get(id);
    if (!entry || entry.until <= now) {
      const user = await org.getUser(id);
      entry = { actor: user ? toActor(user) : null, until: now + ACTOR_TTL_MS };
      if (known.size >= 10_000) known.clear();
      known.set(id, entry);
    }
    const actor = entry.actor;
    if (!actor) {
      throw new UnauthenticatedError(
        `No Salesforce user with Id ${id} is known to Switchyard.`,
        'Check the Id in X-Switchyard-User; if the user is new, wait for the next user sync and try again.',
      );
    }
    if (!actor.active) {
      throw new ForbiddenError(
        `${actor.name} is an inactive Salesforce user and cannot use Switchyard.`,
        'Ask your Salesforce admin to reactivate the user, or act as an active user.',
      );
    }
    res.locals.actor = actor;
    next();
  };
}
