/**
 * An org that is not the demo org, seeded into the stand-in: Acme's own people (by username, no Role__c
 * values, grouped by profile), its queues (one takes Leads, one only Cases), a fresh org's lead statuses
 * and leads in the countries it sells to, written the ways people write them.
 */
import type { SalesforceStandIn } from './stand-in/stand-in.server.js';
import { seedQueue, seedUser } from './salesforce.fixture.js';

export interface AcmeOrg {
  /** Inside Sales: Ines, Lars, Maya (active), Paula (inactive). */
  inside: { ines: string; lars: string; maya: string; paula: string };
  /** Field Sales: Omar. */
  omar: string;
  inboundQueue: string;
  casesQueue: string;
}

export const ACME_COUNTRIES = ['Germany', 'DE', 'United States', 'Japan'] as const;

export function seedAcmeOrg(standIn: SalesforceStandIn): AcmeOrg {
  const org = standIn.org;
  const insideSales = org.insert('Profile', { Name: 'Inside Sales' }, true).Id;
  const fieldSales = org.insert('Profile', { Name: 'Field Sales' }, true).Id;
  const person = (name: string, profile: string, extra: Record<string, unknown> = {}) => {
    const handle = name.toLowerCase().replace(/ /g, '.');
    return seedUser(standIn, name, {
      Username: `${handle}@acme.example`,
      Email: `${handle.split('.')[0]}@acme.com`,
      ProfileId: profile,
      TimeZoneSidKey: 'Europe/Berlin',
      ...extra,
    });
  };
  const acme: AcmeOrg = {
    inside: {
      ines: person('Ines Weber', insideSales),
      lars: person('Lars Berg', insideSales),
      maya: person('Maya Cruz', insideSales, { TimeZoneSidKey: 'America/New_York' }),
      paula: person('Paula Stein', insideSales, { IsActive: false }),
    },
    omar: person('Omar Haddad', fieldSales),
    inboundQueue: seedQueue(standIn, 'Inbound_Leads'),
    casesQueue: seedQueue(standIn, 'Support_Cases', { objects: ['Case'] }),
  };
  ACME_COUNTRIES.forEach((country, i) =>
    org.insert(
      'Lead',
      {
        LastName: `Existing ${i}`,
        Company: `Existing ${i} GmbH`,
        Country: country,
        Status: 'Working - Contacted',
        OwnerId: acme.omar,
        IsConverted: false,
      },
      true,
    ),
  );
  return acme;
}
