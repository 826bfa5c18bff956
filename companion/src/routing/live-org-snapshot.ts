import type { CrmPort } from '../crm/crm.port.js';
import type { AccountIndexOptions } from '../engine/matching/account-index.js';
import type {
  AccountRecord,
  LeadRecord,
  OpportunityRecord,
  QueueRecord,
  UserRecord,
} from '../engine/model.js';
import { buildOrgSnapshot, createDirectory, type OrgSnapshot } from '../engine/routing-context.js';

/** Records that changed in the org since the snapshot was read. */
export interface OrgChanges {
  accounts?: AccountRecord[];
  removedAccountIds?: string[];
  /** Open ones are kept; closed ones are dropped from their account. */
  opportunities?: OpportunityRecord[];
  removedOpportunityIds?: string[];
  /** Unconverted ones are kept; converted ones leave the lead index. */
  leads?: LeadRecord[];
  removedLeadIds?: string[];
  users?: UserRecord[];
  queues?: QueueRecord[];
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) for (const record of page) all.push(record);
  return all;
}

/**
 * The org snapshot routing decides on, read once from the CRM and then kept fresh change by change:
 * match indexes update in place; the people directory is rebuilt when a user or queue changes.
 */
export class LiveOrgSnapshot implements OrgSnapshot {
  private readonly users = new Map<string, UserRecord>();
  private readonly queues = new Map<string, QueueRecord>();
  directory: OrgSnapshot['directory'];

  constructor(private readonly snapshot: OrgSnapshot) {
    for (const user of snapshot.directory.users()) this.users.set(user.Id, user);
    for (const queue of snapshot.directory.queues()) this.queues.set(queue.Id, queue);
    this.directory = snapshot.directory;
  }

  get accounts(): OrgSnapshot['accounts'] {
    return this.snapshot.accounts;
  }

  get leads(): OrgSnapshot['leads'] {
    return this.snapshot.leads;
  }

  /** Reads accounts, open opportunities, unconverted leads, users and queues from the CRM. */
  static async read(crm: CrmPort, options: AccountIndexOptions = {}): Promise<LiveOrgSnapshot> {
    const [accounts, opportunities, leads, users, queues] = await Promise.all([
      collect(crm.streamAccounts()),
      collect(crm.streamOpenOpportunities()),
      collect(crm.streamLeads()),
      crm.listUsers(),
      crm.listQueues(),
    ]);
    return new LiveOrgSnapshot(buildOrgSnapshot({ accounts, opportunities, leads, users, queues }, options));
  }

  apply(changes: OrgChanges): void {
    for (const account of changes.accounts ?? []) this.accounts.upsert(account);
    for (const id of changes.removedAccountIds ?? []) this.accounts.remove(id);
    for (const opportunity of changes.opportunities ?? []) {
      if (opportunity.IsClosed) this.accounts.removeOpportunity(opportunity.Id);
      else this.accounts.upsertOpportunity(opportunity);
    }
    for (const id of changes.removedOpportunityIds ?? []) this.accounts.removeOpportunity(id);
    for (const lead of changes.leads ?? []) {
      if (lead.IsConverted) this.leads.remove(lead.Id);
      else this.leads.upsert(lead);
    }
    for (const id of changes.removedLeadIds ?? []) this.leads.remove(id);
    if (changes.users?.length || changes.queues?.length) {
      for (const user of changes.users ?? []) this.users.set(user.Id, user);
      for (const queue of changes.queues ?? []) this.queues.set(queue.Id, queue);
      this.directory = createDirectory(this.users.values(), this.queues.values());
    }
  }
}
