/** Shared set-up for the contract tests: a fresh stand-in and an adapter logged in to it. */
import type { QueueRecord, UserRecord } from '../../companion/src/engine/model.js';

/** For tests of timeouts: short enough to keep them quick, long enough for a loaded machine's normal answers. */
export const SHORT_TIMEOUT = { policy: { timeoutMs: 600 } };
import {
  createSalesforceCrm,
  type SalesforceConnection,
} from '../../companion/src/crm/salesforce/salesforce.factory.js';
import type { ApiPolicy } from '../../companion/src/crm/salesforce/salesforce-api.js';
import { SalesforceStandIn, type StandInOptions } from './stand-in/stand-in.server.js';

export interface Harness extends SalesforceConnection {
  standIn: SalesforceStandIn;
  /** Sleeps the adapter asked for, in ms; nothing actually waits. */
  sleeps: number[];
  /** The adapter's clock, moved by tests. */
  clock: { now: number };
}

export async function startHarness(
  options: StandInOptions & { policy?: Partial<ApiPolicy> } = {},
): Promise<Harness> {
  const standIn = await SalesforceStandIn.start(options);
  const sleeps: number[] = [];
  const clock = { now: Date.parse('2026-11-22T10:00:00Z') };
  const connection = await createSalesforceCrm({
    loginUrl: standIn.url,
    clientId: standIn.clientId,
    username: standIn.username,
    privateKey: standIn.privateKeyPem,
    lockRetry: { attempts: 4, baseMs: 100 },
    // The startup check has its own tests; here it would only add describe calls to every count.
    verifySchema: false,
    policy: {
      now: () => clock.now,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      // Generous, so a loaded CI machine never turns a slow answer into a timeout; timeout tests set their own.
      timeoutMs: 10_000,
      ...options.policy,
    },
  });
  standIn.resetCounts();
  return { ...connection, standIn, sleeps, clock };
}

/** Leads with an owner, for tests that write. */
export function seedLeads(
  standIn: SalesforceStandIn,
  n: number,
  ownerId: string,
  extra: Record<string, unknown> = {},
): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      standIn.org.insert(
        'Lead',
        {
          LastName: `Lead ${i}`,
          Company: `Company ${i}`,
          Status: 'Open',
          OwnerId: ownerId,
          IsConverted: false,
          ...extra,
        },
        true,
      ).Id,
    );
  }
  return ids;
}

export function seedUser(
  standIn: SalesforceStandIn,
  name: string,
  extra: Record<string, unknown> = {},
): string {
  return standIn.org.insert('User', { Name: name, IsActive: true, UserType: 'Standard', ...extra }, true).Id;
}

/** A queue, named by its DeveloperName, taking leads or the objects given: `SalesforceStandIn.seedQueue`. */
export function seedQueue(
  standIn: SalesforceStandIn,
  developerName: string,
  options: { label?: string; objects?: string[] } = {},
): string {
  return standIn.seedQueue(developerName, options);
}

/**
 * The stand-in org's users and queues as a routing set is checked against, read from its tables
 * without an API call (so tests that count calls count only routing's).
 */
export function orgCatalog(standIn: SalesforceStandIn): { users: UserRecord[]; queues: QueueRecord[] } {
  const rows = (object: string) => [...standIn.org.table(object).values()].filter((r) => !r['IsDeleted']);
  const leadQueues = new Set(
    rows('QueueSobject')
      .filter((r) => r['SobjectType'] === 'Lead')
      .map((r) => r['QueueId']),
  );
  return {
    users: rows('User') as unknown as UserRecord[],
    queues: rows('Group')
      .filter((g) => g['Type'] === 'Queue')
      .map((g) => ({ ...(g as unknown as QueueRecord), TakesLeads: leadQueues.has(g.Id) })),
  };
}
