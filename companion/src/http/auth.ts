import { createHash, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { OrgReadPort } from '../crm/org-read.port.js';
import { KEY_PREFIX, toId18 } from '../engine/salesforce-id.js';
import type { Actor } from './app-context.js';
import { ForbiddenError, RateLimitedError, UnauthenticatedError } from './http.errors.js';
import { salesforceIdProblem } from './validation.js';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * `Authorization: Bearer <key>`, where the key is any of `apiKeys` (the current key, and the one being
 * retired while a rotation is under way). Compared in constant time: equal-length hashes, never the keys
 * themselves, and every accepted key is compared whichever matches, so the time taken tells nothing.
 */
export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  const expected = apiKeys.map(sha256);
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (!header) {
      throw new UnauthenticatedError(
        'This request has no API key.',
        'Send the header "Authorization: Bearer <key>" with the key the companion printed when it started (SWITCHYARD_API_KEY).',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = sha256(match?.[1] ?? '');
    let accepted = false;
    for (const key of expected) accepted = timingSafeEqual(given, key) || accepted;
    if (!match || !accepted) {
      throw new UnauthenticatedError(
        'The API key is not valid.',
        "Use the key in SWITCHYARD_API_KEY (or the one the companion printed when it started); in Salesforce, check the Switchyard External Credential's key.",
      );
    }
    next();
  };
}

/** The audience the Apex controller names in every user assertion (SwitchyardController.ASSERTION_AUDIENCE). */
const ASSERTION_AUDIENCE = 'switchyard-companion';
/** Longest life an assertion may claim, and the clock difference tolerated between the org and the companion. */
const ASSERTION_MAX_LIFE_S = 300;
const CLOCK_SKEW_S = 60;

interface UserAssertionSettings {
  /** The org Id the assertion must be issued by (`iss`). */
  orgId: string;
  /** PEM certificates whose keys may sign it: the org's Switchyard_Companion certificate (two while rotating). */
  certificates: string[];
}

const base64url = (part: string): Buffer => Buffer.from(part, 'base64url');

/**
 * Checks the X-Switchyard-Assertion the Apex controller signs for every call: a JWT (RS256) signed
 * with the org's certificate through Auth.JWS
 * (https://developer.salesforce.com/docs/platform/apex-ref/references/apex-ref/apex-class-auth-jws.html),
 * issued by the org, for this companion, short-lived, whose subject is the acting user. Only code
 * running in the org can sign one, so the shared API key alone cannot name a user. Returns the
 * verified user Id (as the assertion spells it); throws UnauthenticatedError saying what is wrong.
 */
export function userAssertionVerifier(
  settings: UserAssertionSettings,
  nowMs: () => number = Date.now,
): (assertion: string | undefined) => string {
  const keys: KeyObject[] = settings.certificates.map((pem) => createPublicKey(pem));
  const orgId = toId18(settings.orgId) ?? settings.orgId;
  const refuse = (what: string): never => {
    throw new UnauthenticatedError(
      `Switchyard could not verify which Salesforce user is acting: ${what}.`,
      'Call through the Switchyard Apex controller, which signs each request for its user; if it does, ask your admin to check that SWITCHYARD_ORG_CERT_FILE holds the Switchyard_Companion certificate and SWITCHYARD_ORG_ID the org Id.',
    );
  };
  return (assertion) => {
    if (!assertion) return refuse('the request has no X-Switchyard-Assertion');
    const parts = assertion.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
      return refuse('X-Switchyard-Assertion is not a signed JWT');
    }
    let header: { alg?: unknown };
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(base64url(parts[0]!).toString('utf8')) as { alg?: unknown };
      claims = JSON.parse(base64url(parts[1]!).toString('utf8')) as Record<string, unknown>;
    } catch {
      return refuse('X-Switchyard-Assertion is not a signed JWT');
    }
    if (header.alg !== 'RS256') return refuse('the assertion is not signed with RS256');
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'utf8');
    const signature = base64url(parts[2]!);
    if (!keys.some((key) => verify('RSA-SHA256', signed, key, signature))) {
      return refuse("the assertion's signature is not the org certificate's");
    }
    const now = Math.floor(nowMs() / 1000);
    const iss = typeof claims.iss === 'string' ? (toId18(claims.iss) ?? claims.iss) : null;
    if (iss !== orgId) return refuse('the assertion was issued by another org');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(ASSERTION_AUDIENCE)) return refuse('the assertion is meant for another service');
    const exp = typeof claims.exp === 'number' ? claims.exp : null;
    const iat = typeof claims.iat === 'number' ? claims.iat : null;
    if (exp === null || exp + CLOCK_SKEW_S < now) return refuse('the assertion has expired');
    if (iat !== null && iat - CLOCK_SKEW_S > now) return refuse('the assertion is issued in the future');
    if (exp - (iat ?? now) > ASSERTION_MAX_LIFE_S) return refuse('the assertion claims too long a life');
    if (typeof claims.sub !== 'string') return refuse('the assertion names no user');
    return claims.sub;
  };
}

/**
 * The acting user's rights come from custom permissions their permission sets grant (Switchyard_Reroute,
 * Switchyard_Admin), never from a profile's name, which any admin can give to any profile.
 */
export function toActor(user: {
  Id: string;
  Name: string;
  IsActive: boolean;
  Role__c?: string | null;
  HasReroutePermission?: boolean;
  HasAdminPermission?: boolean;
}): Actor {
  return {
    id: user.Id,
    name: user.Name,
    role: user.Role__c ?? null,
    active: user.IsActive,
    canReroute: user.HasReroutePermission === true,
    isAdmin: user.HasAdminPermission === true,
  };
}

/** How long a looked-up acting user is trusted before the org is asked again. */
export const ACTOR_TTL_MS = 30_000;
/** How long the news that an Id names no user is kept: an Id costs the org at most one call a minute. */
export const UNKNOWN_TTL_MS = 60_000;
/** Remembered users at most: the org's users fit; Ids that named no one are forgotten first. */
const KNOWN_MAX = 50_000;
const UNKNOWN_MAX = 10_000;

export interface ActorCheckOptions {
  nowMs?: () => number;
  /** Runs on the claimed user Id before any lookup, and throws to refuse it: the per-user rate limit. */
  admit?: (userId: string) => void;
  /**
   * Verifies who is asking (salesforce mode): given the X-Switchyard-Assertion header, returns the
   * user Id it was signed for, or throws. Without it the X-Switchyard-User header is trusted as sent
   * (local mode, whose demo users are not people).
   */
  verifyUser?: (assertion: string | undefined) => string;
  /**
   * Takes one org lookup of an Id that names no user Switchyard knows (never seen, or seen to name
   * no one) from a budget all callers share; returns 0, or the seconds until the next one.
   */
  takeLookup?: () => number;
}

/**
 * The acting Salesforce user from X-Switchyard-User: a user Id that exists and is active. Sets
 * `res.locals.actor`. What a request costs the org, in order:
 * - a missing or malformed Id, or one over its own rate limit (`admit`): nothing;
 * - a user looked up in the last 30 s: nothing (a deactivation or a revoked permission takes
 *   effect within that time); an Id found to name no one in the last minute: nothing;
 * - requests for one Id that arrive while it is being looked up share that one lookup;
 * - an Id not known to name a user draws on the shared lookup budget (`takeLookup`), and is
 *   refused with 429 when it is spent: a caller making up Ids costs the org a bounded number of
 *   calls, while the users it already knows keep being refreshed.
 */
export function requireActor(org: OrgReadPort, options: ActorCheckOptions = {}): RequestHandler {
  const nowMs = options.nowMs ?? Date.now;
  const known = new Map<string, { actor: Actor; until: number }>();
  const unknown = new Map<string, number>();
  const pending = new Map<string, Promise<Actor | null>>();

  const remember = <V>(map: Map<string, V>, id: string, value: V, max: number) => {
    map.delete(id);
    // Maps keep insertion order: the first key is the one remembered longest ago.
    if (map.size >= max) map.delete(map.keys().next().value!);
    map.set(id, value);
  };

  const lookUp = (id: string): Promise<Actor | null> => {
    let lookup = pending.get(id);
    if (!lookup) {
      lookup = org.getUser(id).then((user) => {
        if (user) {
          unknown.delete(id);
          remember(known, id, { actor: toActor(user), until: nowMs() + ACTOR_TTL_MS }, KNOWN_MAX);
        } else {
          known.delete(id);
          remember(unknown, id, nowMs() + UNKNOWN_TTL_MS, UNKNOWN_MAX);
        }
        return user ? toActor(user) : null;
      });
      lookup.finally(() => pending.delete(id)).catch(() => undefined);
      pending.set(id, lookup);
    }
    return lookup;
  };

  const resolve = async (id: string): Promise<Actor | null> => {
    const now = nowMs();
    const user = known.get(id);
    if (user && user.until > now) return user.actor;
    const noOne = unknown.get(id);
    if (!user && noOne !== undefined && noOne > now) return null;
    if (!user && !pending.has(id)) {
      const wait = options.takeLookup?.() ?? 0;
      if (wait > 0) {
        throw new RateLimitedError(
          wait,
          'Too many requests name Salesforce users Switchyard does not know yet.',
        );
      }
    }
    return lookUp(id);
  };

  return async (req, res, next) => {
    const header = req.get('x-switchyard-user')?.trim();
    if (!header) {
      throw new UnauthenticatedError(
        'This request does not say which Salesforce user is acting.',
        'Send the header "X-Switchyard-User" with the 18-character Id of the user (005…); the Switchyard Apex controller does this for you.',
      );
    }
    const problem = salesforceIdProblem(header, KEY_PREFIX.user);
    if (problem) {
      throw new UnauthenticatedError(
        `X-Switchyard-User ${problem}.`,
        'Send the Id of the acting Salesforce user (005…), as UserInfo.getUserId() returns it.',
      );
    }
    const id = toId18(header)!;
    if (options.verifyUser) {
      // Checked before the rate limit and the lookup: a request that cannot prove its user costs nothing.
      const verified = options.verifyUser(req.get('x-switchyard-assertion')?.trim());
      if (toId18(verified) !== id) {
        throw new UnauthenticatedError(
          `The signed assertion names another user than X-Switchyard-User (${header}).`,
          'Call through the Switchyard Apex controller, which names the same user in both.',
        );
      }
    }
    options.admit?.(id);
    const actor = await resolve(id);
    if (!actor) {
      throw new UnauthenticatedError(
        `No Salesforce user with Id ${header} is known to Switchyard.`,
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
