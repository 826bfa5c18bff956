import { sql, type Kysely } from 'kysely';
import type { ContactOwnerChange } from '../../engine/contacts.js';
import type { ContactRecord } from '../../engine/model.js';
import type { Database } from '../../store/schema.js';
import type { ContactPort, WriteResult } from '../crm.port.js';
import { toRecord } from './local-records.js';

/** Contacts in the embedded demo org (made by lead conversions), for contact ownership. */
export class LocalContacts implements ContactPort {
  constructor(private readonly db: Kysely<Database>) {}

  async contactsOfAccounts(accountIds: string[]): Promise<ContactRecord[]> {
    if (accountIds.length === 0) return [];
    const { rows } = await sql<{ data: unknown; modstamp: Date }>`
      select data, modstamp from crm_records
      where object = 'Contact' and data->>'AccountId' = any(${[...new Set(accountIds)]}::text[])
      order by id
    `.execute(this.db);
    return rows.map((r) => toRecord<ContactRecord>(r));
  }

  /** Every change in one statement; the owner check is part of the update, so nothing is overwritten. */
  async updateContactOwners(changes: ContactOwnerChange[]): Promise<WriteResult[]> {
    if (changes.length === 0) return [];
    const { rows } = await sql<{ id: string }>`
      update crm_records c
      set data = jsonb_set(c.data, '{OwnerId}', to_jsonb(u.owner_to)), modstamp = clock_timestamp()
      from jsonb_to_recordset(${JSON.stringify(changes.map((ch) => ({ id: ch.contactId, owner_from: ch.from, owner_to: ch.to })))}::jsonb)
        as u(id text, owner_from text, owner_to text)
      where c.id = u.id and c.object = 'Contact' and c.data->>'OwnerId' is not distinct from u.owner_from
      returning c.id
    `.execute(this.db);
    const written = new Set(rows.map((r) => r.id));
    const missing = await this.missing(
      changes.filter((c) => !written.has(c.contactId)).map((c) => c.contactId),
    );
    return changes.map((c): WriteResult => {
      if (written.has(c.contactId)) return { id: c.contactId, ok: true };
      if (missing.has(c.contactId)) {
        return {
          id: c.contactId,
          ok: false,
          code: 'ENTITY_IS_DELETED',
          message: 'The contact no longer exists.',
          retryable: false,
        };
      }
      return {
        id: c.contactId,
        ok: false,
        code: 'OWNER_CHANGED',
        message: `The contact's owner changed after routing decided (expected ${c.from ?? 'none'}); not overwritten.`,
        retryable: false,
      };
    });
  }

  private async missing(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await sql<{ id: string }>`
      select id from crm_records where object = 'Contact' and id = any(${ids}::text[])
    `.execute(this.db);
    const found = new Set(rows.map((r) => r.id));
    return new Set(ids.filter((id) => !found.has(id)));
  }
}
