import type { ContactPort, WriteResult } from '../crm/crm.port.js';
import { contactOwnership, smbAccountOwner, type ContactOwnership } from '../engine/contacts.js';
import type { AccountRecord, ContactRecord } from '../engine/model.js';
import type { OrgSnapshot } from '../engine/routing-context.js';

/** What contact ownership decided for one account, and what the org said to each owner change. */
export interface ContactRouting extends ContactOwnership {
  results: WriteResult[];
}

export interface ContactRouterOptions {
  contacts: ContactPort;
  /** The routing service's org: the accounts with their open opportunities, and the people. */
  org: Pick<OrgSnapshot, 'accounts' | 'directory'>;
  /** Each account's outcome, e.g. for the log. */
  onRouted?: (routing: ContactRouting) => void;
}

/**
 * Runs contact ownership for accounts whose owner or BDR changed (handbook job 6, "Account Owner/BDR
 * Assigned Change Contacts Assignment"): reads their contacts, decides, writes the owner changes.
 */
export class ContactRouter {
  constructor(private readonly options: ContactRouterOptions) {}

  async routeAccounts(accountIds: string[]): Promise<ContactRouting[]> {
    const { org, contacts } = this.options;
    const accounts = [...new Set(accountIds)]
      .map((id) => org.accounts.get(id))
      .filter((a): a is AccountRecord => a !== undefined);
    if (accounts.length === 0) return [];
    // Only accounts SMB Sales owns move contacts: the others are decided without reading any.
    const moving = accounts.filter((a) => smbAccountOwner(a, org.directory)).map((a) => a.Id);
    const byAccount = new Map<string, ContactRecord[]>();
    for (const contact of moving.length > 0 ? await contacts.contactsOfAccounts(moving) : []) {
      const list = byAccount.get(contact.AccountId ?? '') ?? [];
      list.push(contact);
      byAccount.set(contact.AccountId ?? '', list);
    }
    const decided = accounts.map((account) =>
      contactOwnership({
        account,
        contacts: byAccount.get(account.Id) ?? [],
        openOpportunities: org.accounts.openOpportunities(account.Id),
        directory: org.directory,
      }),
    );
    const results = await contacts.updateContactOwners(decided.flatMap((d) => d.changes));
    let next = 0;
    return decided.map((d) => {
      const routing = { ...d, results: results.slice(next, (next += d.changes.length)) };
      this.options.onRouted?.(routing);
      return routing;
    });
  }
}
