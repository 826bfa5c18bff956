import type { CrmPort, KeptObject, KeptRecords } from '../crm/crm.port.js';
import type { AccountIndexOptions } from '../engine/matching/account-index.js';
import type { AliasGroups } from '../engine/matching/company-aliases.js';
import type {
  AccountRecord,
  LeadRecord,
  OpportunityRecord,
  QueueRecord,
  UserRecord,
} from '../engine/model.js';
import { buildOrgSnapshot, createDirectory, type OrgSnapshot } from '../engine/routing-context.js';
import { loadKept, replaceKept, saveKept, type KeptChange } from '../store/org-snapshot.repository.js';
import type { Store } from '../store/store.js';

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
 * How far before a read the kept records count as read: a change committed while the read ran, or
 * stamped by a clock a little behind this one, is read again at the next start (as the poller's overlap).
 */
const READ_OVERLAP_MS = 60_000;
/**
 * Kept records older than this are read whole again: Salesforce reports a deleted record to queryAll
 * only while it is in the Recycle Bin, 15 days (SOAP API Developer Guide, "emptyRecycleBin()"; Apex
 * Developer Guide, "Restoring Deleted Records"). A bin emptied by hand, or purged when full (after 2
 * hours), loses deletions sooner: such a record stays in the snapshot until the next whole read.
 */
const KEPT_AT_MOST_MS = 14 * 24 * 3_600_000;

/** Where the snapshot's records are kept between starts, and what to do when a write fails. */
export interface SnapshotKeeping {
  store: Store;
  /** A write-through failed; nothing is lost: the next start reads what changed since the last read. */
  onError?: (error: unknown) => void;
}

/** Which records of each kept object the snapshot holds: open opportunities, unconverted leads. */
const HELD: { [O in KeptObject]: (record: KeptRecords[O]) => boolean } = {
  Account: () => true,
  Opportunity: (opportunity) => !opportunity.IsClosed,
  Lead: (lead) => !lead.IsConverted,
};

/**
 * The records of `object` the snapshot holds: the kept ones with what changed since they were read,
 * or (first start, or kept too long) the whole object. Either way they are then kept as of the time
 * just before this read.
 */
async function readKept<O extends KeptObject>(
  crm: CrmPort,
  object: O,
  whole: () => AsyncIterable<Array<KeptRecords[O]>>,
  keeping: SnapshotKeeping | undefined,
): Promise<Array<KeptRecords[O]>> {
  const readAt = new Date(Date.now() - READ_OVERLAP_MS);
  const kept = keeping ? await loadKept<KeptRecords[O]>(keeping.store.db, object) : null;
  if (!kept || readAt.getTime() - kept.readAt.getTime() > KEPT_AT_MOST_MS) {
    const records = await collect(whole());
    if (keeping) await replaceKept(keeping.store.db, object, records, readAt);
    return records;
  }
  const changes = await crm.changedSince(object, kept.readAt.toISOString());
  const held = HELD[object] as (record: KeptRecords[O]) => boolean;
  const byId = new Map(kept.records.map((r) => [r.Id, r]));
  const gone = [...changes.removedIds];
  for (const record of changes.records) {
    if (held(record)) byId.set(record.Id, record);
    else gone.push(record.Id);
  }
  for (const id of gone) byId.delete(id);
  const stays = changes.records.filter(held);
  await saveKept(keeping!.store.db, [{ object, records: stays, removedIds: gone }], readAt);
  return [...byId.values()];
}

/**
 * The org snapshot routing decides on, read once from the CRM and then kept fresh change by change:
 * match indexes update in place; the people directory is rebuilt when a user or queue changes.
 */
export class LiveOrgSnapshot implements OrgSnapshot {
  private readonly users = new Map<string, UserRecord>();
  private readonly queues = new Map<string, QueueRecord>();
  directory: OrgSnapshot['directory'];
  /** The write-through of record changes to the store, one write per `apply`, in order. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly snapshot: OrgSnapshot,
    private readonly keeping?: SnapshotKeeping,
  ) {
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

  /**
   * Reads accounts, open opportunities, unconverted leads, users and queues from the CRM. With
   * `keeping`, accounts, opportunities and leads come from the store when it holds them, with only what
   * changed since they were read asked of the CRM, and their changes are written through as `apply` runs.
   */
  static async read(
    crm: CrmPort,
    options: AccountIndexOptions = {},
    keeping?: SnapshotKeeping,
  ): Promise<LiveOrgSnapshot> {
    const [accounts, opportunities, leads, users, queues] = await Promise.all([
      readKept(crm, 'Account', () => crm.streamAccounts(), keeping),
      readKept(crm, 'Opportunity', () => crm.streamOpenOpportunities(), keeping),
      readKept(crm, 'Lead', () => crm.streamLeads(), keeping),
      crm.listUsers(),
      crm.listQueues(),
    ]);
    return new LiveOrgSnapshot(
      buildOrgSnapshot({ accounts, opportunities, leads, users, queues }, options),
      keeping,
    );
  }

  /**
   * Matches with another list of company aliases (the live routing version's `aliases.yaml`) from the
   * next lookup on; nothing when the list is the one in use.
   */
  useAliases(aliases: AliasGroups): void {
    if (this.accounts.usesAliases(aliases)) return;
    this.accounts.useAliases(aliases);
    this.leads.useAliases(aliases);
  }

  /** Resolves once the changes applied so far are in the store. */
  kept(): Promise<void> {
    return this.writes;
  }

  apply(changes: OrgChanges): void {
    this.keep(changes);
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

  /** Writes what `apply` changes of the kept objects through to the store, in one transaction. */
  private keep(changes: OrgChanges): void {
    const keeping = this.keeping;
    if (!keeping) return;
    const opportunities = changes.opportunities ?? [];
    const leads = changes.leads ?? [];
    const kept: KeptChange[] = [
      { object: 'Account', records: changes.accounts ?? [], removedIds: changes.removedAccountIds ?? [] },
      {
        object: 'Opportunity',
        records: opportunities.filter(HELD.Opportunity),
        removedIds: [
          ...(changes.removedOpportunityIds ?? []),
          ...opportunities.filter((o) => !HELD.Opportunity(o)).map((o) => o.Id),
        ],
      },
      {
        object: 'Lead',
        records: leads.filter(HELD.Lead),
        removedIds: [
          ...(changes.removedLeadIds ?? []),
          ...leads.filter((l) => !HELD.Lead(l)).map((l) => l.Id),
        ],
      },
    ].filter((c) => c.records.length > 0 || c.removedIds.length > 0);
    if (kept.length === 0) return;
    this.writes = this.writes
      .then(() => saveKept(keeping.store.db, kept))
      .catch((error: unknown) => keeping.onError?.(error));
  }
}
