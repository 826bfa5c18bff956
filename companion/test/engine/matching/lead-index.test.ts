import { describe, expect, it } from 'vitest';
import { LeadIndex } from '../../../src/engine/matching/lead-index.js';
import type { LeadRecord } from '../../../src/engine/model.js';

const lead = (fields: Partial<LeadRecord> & Pick<LeadRecord, 'Id'>): LeadRecord => ({ ...fields });

function leads(): LeadRecord[] {
  return [
    lead({ Id: 'L1', Email: 'ann@acme.co.uk', Company: 'Acme Ltd', OwnerId: 'U-ANN' }),
    lead({
      Id: 'L2',
      Email: 'bob@acme.co.uk',
      Company: 'ACME',
      OwnerId: 'U-BOB',
      LastActivityDate: '2026-03-01',
    }),
    lead({ Id: 'L3', Email: 'cy@gmail.com', Company: 'Acme Limited', OwnerId: 'U-CY' }),
    lead({ Id: 'L4', Email: 'di@gmail.com', Company: 'Other Co', OwnerId: 'U-DI' }),
    lead({ Id: 'L5', Email: 'ed@acme.co.uk', Company: 'Acme', OwnerId: 'U-ED', IsConverted: true }),
    lead({ Id: 'L6', Email: 'fi@yahoo.com', Company: 'Unknown', OwnerId: 'U-FI' }),
    lead({ Id: 'L7', Email: 'gus@hotmail.com', Company: 'Unknown', OwnerId: 'U-GUS' }),
  ];
}

describe('LeadIndex.sameCompany', () => {
  it('finds other unconverted leads of the company with their owners and why, never the lead itself', () => {
    const index = LeadIndex.build(leads());
    const found = index.sameCompany(leads()[0] as LeadRecord);
    expect(found.map((f) => [f.lead.Id, f.lead.OwnerId])).toEqual([
      ['L2', 'U-BOB'],
      ['L3', 'U-CY'],
    ]);
    expect(found[0]?.reason).toBe(
      'same email domain acme.co.uk and same company name ("ACME" and "Acme Ltd")',
    );
    expect(found[1]?.reason).toBe('same company name ("Acme Limited" and "Acme Ltd")');
  });

  it('does not link leads through a free-mail domain or a placeholder company', () => {
    const index = LeadIndex.build(leads());
    expect(index.sameCompany(lead({ Id: 'new', Email: 'x@gmail.com', Company: 'Initech' }))).toEqual([]);
    expect(index.sameCompany(leads()[5] as LeadRecord)).toEqual([]);
  });

  it('follows upserts and removals one lead at a time', () => {
    const index = LeadIndex.build(leads());
    const probe = lead({ Id: 'probe', Email: 'zed@acme.co.uk', Company: 'Acme' });
    expect(index.sameCompany(probe).map((f) => f.lead.Id)).toEqual(['L2', 'L1', 'L3']);
    index.upsert(lead({ Id: 'L2', Email: 'bob@acme.co.uk', Company: 'ACME', IsConverted: true }));
    index.remove('L3');
    index.upsert(lead({ Id: 'L8', Email: 'hal@acme.co.uk', Company: 'Acme plc', OwnerId: 'U-HAL' }));
    expect(index.sameCompany(probe).map((f) => f.lead.Id)).toEqual(['L1', 'L8']);
    expect(index.sameCompany(probe, { limit: 1 })).toHaveLength(1);
  });
});
