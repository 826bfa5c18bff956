/**
 * Contact ownership (handbook, "Contact Routing"): the contacts of an account owned by regional SMB
 * Sales are owned by that account owner — after a lead converts into the account, and, when the
 * account's owner or BDR changes, every contact of it (with an open opportunity too: the account
 * owner, not the opportunity owner). Contacts of other accounts keep their owners: the handbook
 * leaves them to the org's own ownership rules.
 */
import type { Directory } from './decision.js';
import type { AccountRecord, ContactRecord, OpportunityRecord, UserRecord } from './model.js';

/** The role of the regional SMB Sales owners (AMER, EMEA, APJ). */
export const SMB_ROLE = 'SMB';

export interface ContactOwnerChange {
  contactId: string;
  /** The owner when the contacts were read: the write is skipped if someone changed it meanwhile. */
  from: string | null;
  to: string;
}

export interface ContactOwnership {
  accountId: string;
  changes: ContactOwnerChange[];
  /** Why, in one sentence a person reads. */
  summary: string;
}

/** The active SMB Sales user who owns the account, whose contacts therefore belong to them. */
export function smbAccountOwner(account: AccountRecord, directory: Directory): UserRecord | undefined {
  const owner = account.OwnerId ? directory.user(account.OwnerId) : undefined;
  return owner?.Role__c === SMB_ROLE && owner.IsActive ? owner : undefined;
}

export function contactOwnership(input: {
  account: AccountRecord;
  contacts: readonly ContactRecord[];
  openOpportunities: readonly OpportunityRecord[];
  directory: Directory;
}): ContactOwnership {
  const { account, contacts, openOpportunities, directory } = input;
  const keep = (why: string): ContactOwnership => ({
    accountId: account.Id,
    changes: [],
    summary: `${account.Name}: contacts keep their owners, because ${why}.`,
  });
  const owner = account.OwnerId ? directory.user(account.OwnerId) : undefined;
  if (!owner) return keep('the account has no owner who is a user');
  if (owner.Role__c !== SMB_ROLE) return keep(`${owner.Name} owns the account and is not in SMB Sales`);
  if (!owner.IsActive)
    return keep(`${owner.Name} (SMB Sales) is inactive: the account needs a new owner first`);

  const changes = contacts
    .filter((c) => c.OwnerId !== owner.Id)
    .map((c) => ({ contactId: c.Id, from: c.OwnerId ?? null, to: owner.Id }));
  const region = owner.Region__c ? `${owner.Region__c} ` : '';
  const opportunity =
    openOpportunities.length > 0
      ? `; with an open opportunity (${openOpportunities.map((o) => o.StageName).join(', ')}) too, the account owner and not the opportunity owner`
      : '';
  const moved =
    changes.length === 0
      ? `all ${contacts.length} contact${contacts.length === 1 ? ' is' : 's are'} already theirs`
      : `${changes.length} of ${contacts.length} contact${contacts.length === 1 ? '' : 's'} move${changes.length === 1 ? 's' : ''} to ${owner.Name}`;
  return {
    accountId: account.Id,
    changes,
    summary: `${account.Name} is owned by ${owner.Name} of ${region}SMB Sales, who owns its contacts${opportunity}: ${moved}.`,
  };
}
