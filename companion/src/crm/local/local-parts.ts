import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { CallMeter, meteredPort } from '../call-meter.js';
import type { ContactPort, CrmPort } from '../crm.port.js';
import { LocalContacts } from './local-contacts.js';
import type { LocalCrmOptions } from './local-crm.js';
import { LocalOrg } from './local-org.js';

export interface LocalParts {
  /** The demo org itself: reads for the API, the change feed, writes made as a person. */
  org: LocalOrg;
  /** The same org as routing uses it, every call counted. */
  crm: CrmPort;
  contacts: ContactPort;
  meter: CallMeter;
}

/** The demo org as `npm start` uses it in local mode (tests and benchmarks take the same parts). */
export function localParts(db: Kysely<Database>, options: LocalCrmOptions = {}): LocalParts {
  const org = new LocalOrg(db, options);
  const meter = new CallMeter();
  return {
    org,
    crm: meteredPort<CrmPort>(org, meter),
    contacts: meteredPort<ContactPort>(new LocalContacts(db), meter),
    meter,
  };
}
