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

  it('finds a colleague whose company name carries a typo, as the account matcher would take it', () => {
    const index = LeadIndex.build(leads());
    const typo = lead({ Id: 'L9', Email: 'jo@gmail.com', Company: 'Acmee Ltd', OwnerId: 'U-JO' });
    index.upsert(typo);
    const found = index.sameCompany(typo);
    // Acme Ltd, ACME and Acme Limited are one name up to legal form: the matcher takes it, with its leads.
    expect(found.map((f) => f.lead.Id)).toEqual(['L2', 'L1', 'L3']);
    expect(found.map((f) => f.reason)).toEqual([
      'company name "Acmee Ltd" is taken for "ACME" (score 0.76)',
      'company name "Acmee Ltd" is taken for "Acme Ltd" (score 0.76)',
      'company name "Acmee Ltd" is taken for "Acme Limited" (score 0.76)',
    ]);
  });

  it('finds a colleague under another name of the company listed as an alias', () => {
    const aliases = [['IBM', 'International Business Machines']];
    const index = LeadIndex.build(
      [lead({ Id: 'I1', Email: 'ann@gmail.com', Company: 'International Business Machines Corp.' })],
      { aliases },
    );
    const found = index.sameCompany(lead({ Id: 'new', Email: 'bo@gmail.com', Company: 'IBM' }));
    expect(found.map((f) => f.lead.Id)).toEqual(['I1']);
    // Without the alias the two names have nothing in common.
    const plain = LeadIndex.build([
      lead({ Id: 'I1', Email: 'ann@gmail.com', Company: 'International Business Machines Corp.' }),
    ]);
    expect(plain.sameCompany(lead({ Id: 'new', Email: 'bo@gmail.com', Company: 'IBM' }))).toEqual([]);
  });

  it('does not take look-alike companies for one: neither of two equally close names, nor a name sharing some words', () => {
    const index = LeadIndex.build([
      lead({ Id: 'B1', Email: 'x@gmail.com', Company: 'Brown Group' }),
      lead({ Id: 'B2', Email: 'y@gmail.com', Company: 'Brown Holdings' }),
      lead({ Id: 'T1', Email: 'z@gmail.com', Company: 'Towne, Johnston and Murray' }),
    ]);
    // "Brown" is as close to Brown Group as to Brown Holdings: neither is taken for its company.
    expect(index.sameCompany(lead({ Id: 'new', Company: 'Brown' }))).toEqual([]);
    expect(index.sameCompany(lead({ Id: 'new', Company: 'Brown Groep' })).map((f) => f.lead.Id)).toEqual([
      'B1',
    ]);
    expect(index.sameCompany(lead({ Id: 'new', Company: 'Murray-Towne' }))).toEqual([]);
  });

  it('does not take a name with another number for the same company, and does take the same number with a typo', () => {
    const index = LeadIndex.build([
      lead({ Id: 'W0', Company: 'Wombat Works 0', OwnerId: 'U-W0' }),
      lead({ Id: 'S54', Company: 'Studio 54 Productions', OwnerId: 'U-S54' }),
    ]);
    expect(index.sameCompany(lead({ Id: 'W2', Company: 'Wombat Works 2' }))).toEqual([]);
    expect(index.sameCompany(lead({ Id: 'S55', Company: 'Studio 55 Productions' }))).toEqual([]);
    expect(
      index.sameCompany(lead({ Id: 'S54b', Company: 'Studio 54 Prodcutions' })).map((f) => f.lead.Id),
    ).toEqual(['S54']);
    // The same number written with a leading zero is the same name; a name without the number is another.
    expect(index.sameCompany(lead({ Id: 'S054', Company: 'Studio 054 Productions' }))).toEqual([
      { lead: expect.objectContaining({ Id: 'S54' }), reason: expect.stringMatching(/^same company name/) },
    ]);
    expect(index.sameCompany(lead({ Id: 'S', Company: 'Studio Productions' }))).toEqual([]);
  });

  it('keeps the names it matches up to date one lead at a time', () => {
    const index = LeadIndex.build([lead({ Id: 'L1', Email: 'a@gmail.com', Company: 'Brightwater Foods' })]);
    const probe = lead({ Id: 'probe', Email: 'p@gmail.com', Company: 'Brightwatter Foods' });
    const typo = lead({ Id: 'q', Company: 'Coperfield Logistics' });
    expect(index.sameCompany(probe).map((f) => f.lead.Id)).toEqual(['L1']);
    expect(index.sameCompany(typo)).toEqual([]);
    // A new name is matched from its first lead on, by words looked up before it came too.
    index.upsert(lead({ Id: 'L2', Email: 'b@gmail.com', Company: 'Copperfield Logistics' }));
    expect(index.sameCompany(typo).map((f) => f.lead.Id)).toEqual(['L2']);
    // Its owner and email change: found as it is now, and by its new company domain.
    index.upsert(
      lead({ Id: 'L2', Email: 'b@copperfield.io', Company: 'Copperfield Logistics', OwnerId: 'U-NEW' }),
    );
    expect(index.sameCompany(typo).map((f) => f.lead.OwnerId)).toEqual(['U-NEW']);
    expect(index.sameCompany(lead({ Id: 'r', Email: 'r@copperfield.io' })).map((f) => f.lead.Id)).toEqual([
      'L2',
    ]);
    // A name whose last lead leaves (converted or removed) is not matched any more.
    index.upsert(lead({ Id: 'L1', Email: 'a@gmail.com', Company: 'Brightwater Foods', IsConverted: true }));
    expect(index.sameCompany(probe)).toEqual([]);
    index.remove('L2');
    expect(index.sameCompany(typo)).toEqual([]);
  });

  it('splits a name typed as one word once a lead brings the words it splits into', () => {
    const index = LeadIndex.build([
      lead({ Id: 'L1', Email: 'a@gmail.com', Company: 'Fritsch' }),
      lead({ Id: 'L2', Email: 'b@gmail.com', Company: 'Brandtmeier Logistik' }),
    ]);
    const typed = lead({ Id: 'probe', Email: 'p@gmail.com', Company: 'Fritschkunde' });
    expect(index.sameCompany(typed)).toEqual([]);
    // "kunde" is new: the word is repaired afresh, not as it was before the lead came.
    index.upsert(lead({ Id: 'L3', Email: 'c@gmail.com', Company: 'Fritsch Kunde' }));
    expect(index.sameCompany(typed)).toEqual([
      { lead: expect.objectContaining({ Id: 'L3' }), reason: expect.stringContaining('"Fritsch Kunde"') },
    ]);
  });
});
