import { describe, expect, it } from 'vitest';
import {
  AccountIndex,
  DEFAULT_ACCEPT_SCORE,
  DEFAULT_TIE_BREAK_POLICY,
} from '../../../src/engine/matching/account-index.js';
import type { AccountRecord, OpportunityRecord } from '../../../src/engine/model.js';

const account = (fields: Partial<AccountRecord> & Pick<AccountRecord, 'Id' | 'Name'>): AccountRecord => ({
  ...fields,
});

const opportunity = (Id: string, AccountId: string, IsClosed = false): OpportunityRecord => ({
  Id,
  AccountId,
  StageName: IsClosed ? 'Closed Won' : 'Negotiation',
  IsClosed,
});

function snapshot(): AccountRecord[] {
  return [
    account({
      Id: 'acme-uk',
      Name: 'Acme Ltd',
      Website: 'https://www.acme.co.uk',
      BillingCountry: 'United Kingdom',
    }),
    account({ Id: 'acme-au', Name: 'Acme Pty Ltd', Website: 'acme.com.au', BillingCountry: 'Australia' }),
    account({ Id: 'globex', Name: 'Globex Corporation', Website: 'globex.com', BillingCountry: 'US' }),
    account({ Id: 'brown-nl', Name: 'Brown Group', BillingCountry: 'NL', Type: 'Customer' }),
    account({ Id: 'brown-dk', Name: 'Brown Group', BillingCountry: 'DK', Type: 'Prospect' }),
    account({ Id: 'feeney', Name: 'Feeney, Aufderhar and Kirlin', BillingCountry: 'UK' }),
    account({ Id: 'gmail-org', Name: 'Mail Fans', Website: 'gmail.com', BillingCountry: 'US' }),
  ];
}

const ids = (candidates: Array<{ account: AccountRecord }>): string[] => candidates.map((c) => c.account.Id);

describe('AccountIndex.match', () => {
  it('matches by registrable email domain with score 1 and says so', () => {
    const index = AccountIndex.build(snapshot());
    const [best] = index.match({ Email: 'jane@sales.acme.co.uk' });
    expect(best?.account.Id).toBe('acme-uk');
    expect(best?.score).toBe(1);
    expect(best?.method).toBe('email-domain');
    expect(best?.reason).toBe('email domain acme.co.uk is the website domain of Acme Ltd');
  });

  it('tells apart domains under different multi-part suffixes', () => {
    const index = AccountIndex.build(snapshot());
    expect(ids(index.match({ Email: 'bob@acme.com.au' }))).toEqual(['acme-au']);
    expect(index.match({ Email: 'bob@acme.com' })).toEqual([]);
  });

  it('never matches by a free-mail or disposable domain', () => {
    const index = AccountIndex.build(snapshot());
    expect(index.match({ Email: 'jane@gmail.com' })).toEqual([]);
    expect(index.match({ Email: 'jane@mailinator.com', Website: 'gmail.com' })).toEqual([]);
  });

  it('matches by the lead website, just below an email-domain match', () => {
    const index = AccountIndex.build(snapshot());
    const [best] = index.match({ Website: 'http://www.globex.com/about' });
    expect(best?.account.Id).toBe('globex');
    expect(best?.method).toBe('website');
    expect(best?.score).toBeLessThan(1);
    expect(best?.score).toBeGreaterThan(0.9);
    expect(best?.reason).toContain('globex.com');
  });

  it('matches company names with typos, reordered words and other legal forms', () => {
    const index = AccountIndex.build(snapshot());
    for (const company of [
      'Feeney, Aufderhar an-d Kirlin',
      'Kirlin Feeney & Aufderhar Ltd',
      'Feenay Aufderhar and Kirlin',
    ]) {
      const [best] = index.match({ Company: company, Country: 'GB' });
      expect(best?.account.Id, company).toBe('feeney');
      expect(best?.method).toBe('company-name');
      expect(best?.reason).toContain('Feeney, Aufderhar and Kirlin');
    }
    expect(ids(index.match({ Company: 'GLOBEX CORP.', Country: 'United States' }))).toEqual(['globex']);
  });

  it('prefers the same-name account in the lead country and says where each is', () => {
    const index = AccountIndex.build(snapshot());
    const candidates = index.match({ Company: 'Brown Group', Country: 'Denmark' });
    expect(candidates[0]?.account.Id).toBe('brown-dk');
    expect(candidates[0]?.reason).toContain('both in DK');
    const other = candidates.find((c) => c.account.Id === 'brown-nl');
    if (other !== undefined) {
      expect(other.score).toBeLessThan(candidates[0]?.score ?? 0);
      expect(other.reason).toContain('the account is in NL and the lead in Denmark');
    }
  });

  it('returns nothing below the accept score', () => {
    const index = AccountIndex.build(snapshot());
    expect(index.match({ Company: 'Completely Unrelated Holdings', Country: 'GB' })).toEqual([]);
    expect(index.match({ Company: 'Brown-Rath', Country: 'NL' })).toEqual([]);
    expect(index.match({ Company: '[not provided]' })).toEqual([]);
    const strict = AccountIndex.build(snapshot(), { acceptScore: 0.99 });
    expect(strict.match({ Company: 'Feenay Aufderhar and Kirlin', Country: 'GB' })).toEqual([]);
    expect(DEFAULT_ACCEPT_SCORE).toBeGreaterThan(0.5);
  });

  it('respects the limit', () => {
    const index = AccountIndex.build(snapshot());
    expect(index.match({ Company: 'Brown Group' }, { limit: 1 })).toHaveLength(1);
  });
});

describe('tie-break policy', () => {
  const sameDomain = (): AccountRecord[] => [
    account({ Id: 'p', Name: 'Initech Prospect', Website: 'initech.com', Type: 'Prospect' }),
    account({ Id: 'c', Name: 'Initech Customer', Website: 'initech.com', Type: 'Customer' }),
    account({ Id: 'a', Name: 'Initech Partner', Website: 'initech.com', Type: 'Partner' }),
    account({ Id: 'n', Name: 'Initech Other', Website: 'initech.com', Type: 'Non-Target' }),
    account({ Id: 't', Name: 'Initech Target', Website: 'initech.com', Type: 'Target' }),
  ];

  it('orders equally good candidates Customer > Target > Partner > Prospect > Non-Target by default', () => {
    const index = AccountIndex.build(sameDomain());
    expect(DEFAULT_TIE_BREAK_POLICY.typeOrder[0]).toBe('Customer');
    expect(ids(index.match({ Email: 'x@initech.com' }))).toEqual(['c', 't', 'a', 'p', 'n']);
  });

  it('follows a configured policy instead', () => {
    const index = AccountIndex.build(sameDomain());
    const policy = { typeOrder: ['Partner', 'Prospect'], then: [] };
    expect(ids(index.match({ Email: 'x@initech.com' }, { policy }))).toEqual(['a', 'p', 'c', 'n', 't']);
  });

  it('then prefers more open opportunities, then the most recent activity', () => {
    const accounts = [
      account({
        Id: 'old',
        Name: 'Umbrella',
        Website: 'umbrella.com',
        Type: 'Customer',
        LastActivityDate: '2026-01-01',
      }),
      account({
        Id: 'new',
        Name: 'Umbrella',
        Website: 'umbrella.com',
        Type: 'Customer',
        LastActivityDate: '2026-06-01',
      }),
      account({
        Id: 'busy',
        Name: 'Umbrella',
        Website: 'umbrella.com',
        Type: 'Customer',
        LastActivityDate: '2025-01-01',
      }),
    ];
    const index = AccountIndex.build(accounts, {
      opportunities: [opportunity('o1', 'busy'), opportunity('o2', 'busy'), opportunity('o3', 'old', true)],
    });
    expect(ids(index.match({ Email: 'x@umbrella.com' }))).toEqual(['busy', 'new', 'old']);
    const byActivity = { typeOrder: [], then: ['lastActivity' as const] };
    expect(ids(index.match({ Email: 'x@umbrella.com' }, { policy: byActivity }))).toEqual([
      'new',
      'old',
      'busy',
    ]);
  });
});

describe('incremental updates', () => {
  it('finds an account added after the build and forgets a removed one', () => {
    const index = AccountIndex.build(snapshot());
    expect(index.match({ Email: 'a@initrode.de' })).toEqual([]);
    index.upsert(
      account({ Id: 'initrode', Name: 'Initrode GmbH', Website: 'initrode.de', BillingCountry: 'DE' }),
    );
    expect(ids(index.match({ Email: 'a@initrode.de' }))).toEqual(['initrode']);
    expect(ids(index.match({ Company: 'Initrode', Country: 'Germany' }))).toEqual(['initrode']);
    index.remove('initrode');
    expect(index.match({ Email: 'a@initrode.de' })).toEqual([]);
    expect(index.match({ Company: 'Initrode', Country: 'Germany' })).toEqual([]);
    expect(index.get('initrode')).toBeUndefined();
  });

  it('follows a renamed account and a changed website', () => {
    const index = AccountIndex.build(snapshot());
    index.upsert(account({ Id: 'globex', Name: 'Hooli Inc', Website: 'hooli.xyz', BillingCountry: 'US' }));
    expect(index.match({ Email: 'x@globex.com' })).toEqual([]);
    expect(index.match({ Company: 'Globex Corporation', Country: 'US' })).toEqual([]);
    expect(ids(index.match({ Email: 'x@hooli.xyz' }))).toEqual(['globex']);
    expect(index.get('globex')?.Name).toBe('Hooli Inc');
  });

  it('keeps open opportunities current one at a time', () => {
    const index = AccountIndex.build(snapshot());
    index.setOpenOpportunities('globex', [opportunity('o1', 'globex'), opportunity('o2', 'globex')]);
    expect(index.openOpportunities('globex').map((o) => o.Id)).toEqual(['o1', 'o2']);
    index.upsertOpportunity(opportunity('o1', 'globex', true));
    index.upsertOpportunity(opportunity('o2', 'acme-uk'));
    expect(index.openOpportunities('globex')).toEqual([]);
    expect(index.openOpportunities('acme-uk').map((o) => o.Id)).toEqual(['o2']);
    index.removeOpportunity('o2');
    expect(index.openOpportunities('acme-uk')).toEqual([]);
  });
});

describe('building from a snapshot', () => {
  it('keeps the last version of an account listed twice', () => {
    const index = AccountIndex.build([
      account({ Id: 'x', Name: 'Old Name Ltd', Website: 'old.example' }),
      account({ Id: 'x', Name: 'Vandelay Industries', Website: 'vandelay.com' }),
    ]);
    expect(index.size).toBe(1);
    expect(index.match({ Email: 'a@old.example' })).toEqual([]);
    expect(ids(index.match({ Email: 'a@vandelay.com' }))).toEqual(['x']);
    expect(ids(index.match({ Company: 'Vandelay Industries' }))).toEqual(['x']);
  });

  it('matches misspelt names of accounts added before and after the build alike', () => {
    const index = AccountIndex.build(snapshot());
    index.upsert(account({ Id: 'later', Name: 'Kozey, Armstrong and Gibson', BillingCountry: 'DK' }));
    expect(ids(index.match({ Company: 'Kozey, Armstrobg and Gibson', Country: 'DK' }))).toEqual(['later']);
    expect(ids(index.match({ Company: 'Feeney Aufderhar Kirlin', Country: 'UK' }))).toEqual(['feeney']);
  });

  it('finds a misspelt name of an account added after the same misspelling was looked up', () => {
    const index = AccountIndex.build(snapshot());
    const typed = { Company: 'Kozey, Armstrobg and Gibson', Country: 'DK' };
    expect(index.match(typed)).toEqual([]);
    index.upsert(account({ Id: 'later', Name: 'Kozey, Armstrong and Gibson', BillingCountry: 'DK' }));
    expect(ids(index.match(typed))).toEqual(['later']);
  });

  it('finds it too when hundreds of other new names arrived between the two lookups', () => {
    const index = AccountIndex.build(snapshot());
    const typed = { Company: 'Kozey, Armstrobg and Gibson', Country: 'DK' };
    expect(index.match(typed)).toEqual([]);
    for (let i = 0; i < 600; i += 1)
      index.upsert(
        account({ Id: `new-${i}`, Name: `Zq${i.toString(36)}vex Wulm${i} Ltd`, BillingCountry: 'DK' }),
      );
    index.upsert(account({ Id: 'later', Name: 'Kozey, Armstrong and Gibson', BillingCountry: 'DK' }));
    expect(ids(index.match(typed))).toEqual(['later']);
  });

  it('never takes the record it is told to leave out, by domain or by name', () => {
    const index = AccountIndex.build(snapshot());
    expect(
      ids(index.match({ Company: 'Feeney Aufderhar Kirlin', Country: 'UK' }, { exclude: 'feeney' })),
    ).toEqual([]);
    expect(ids(index.match({ Email: 'a@acme.co.uk', Company: 'Acme Ltd' }, { exclude: 'acme-uk' }))).toEqual([
      'acme-au',
    ]);
  });

  it('never returns a removed account through a name it shared with others', () => {
    const index = AccountIndex.build(snapshot());
    index.remove('brown-dk');
    expect(ids(index.match({ Company: 'Brown Group', Country: 'DK' }))).toEqual(['brown-nl']);
  });

  it('prefers the same city among same-name accounts of one country', () => {
    const index = AccountIndex.build([
      account({ Id: 'leeds', Name: 'Stark Ltd', BillingCountry: 'GB', BillingCity: 'Leeds' }),
      account({ Id: 'york', Name: 'Stark Ltd', BillingCountry: 'GB', BillingCity: 'York' }),
    ]);
    const [best, other] = index.match({ Company: 'Stark Ltd', Country: 'United Kingdom', City: 'york' });
    expect(best?.account.Id).toBe('york');
    expect(best?.reason).toContain('same city York');
    expect(other?.score).toBeLessThan(best?.score ?? 0);
  });
});

/** `count` look-alike names from a few surnames, as real orgs have them: "A-B", "A, B and C". */
function lookAlikes(count: number): AccountRecord[] {
  const surnames = [
    'Murray',
    'Towne',
    'Johnston',
    'Brown',
    'Klein',
    'Daniel',
    'Kuhn',
    'Yost',
    'Koch',
    'Batz',
  ];
  const names: string[] = [];
  for (const a of surnames)
    for (const b of surnames) {
      if (a === b) continue;
      names.push(`${a}-${b}`);
      for (const c of surnames) if (c !== a && c !== b) names.push(`${a}, ${b} and ${c}`);
    }
  return names.slice(0, count).map((Name, i) => account({ Id: `g${i}`, Name, BillingCountry: 'FR' }));
}

describe('look-alikes', () => {
  it('finds the account among thousands sharing its words, whichever order they were loaded in', () => {
    // 5,000 accounts hold "Murray"; the one sought is loaded first or last.
    const crowd = Array.from({ length: 5_000 }, (_, i) =>
      account({ Id: `m${i}`, Name: `Murray ${i.toString(36)}x Ltd`, BillingCountry: 'FR' }),
    );
    const sought = account({ Id: 'sought', Name: 'Towne, Johnston and Murray', BillingCountry: 'FR' });
    const others = lookAlikes(700).filter((a) => a.Name !== sought.Name);
    for (const accounts of [
      [sought, ...crowd, ...others],
      [...others, ...crowd, sought],
    ]) {
      const index = AccountIndex.build(accounts);
      expect(ids(index.match({ Company: 'Tjwne, Johnston and Murray', Country: 'FR' }))[0]).toBe('sought');
    }
  });

  it('finds a name whose words are typed three slips or a letter away, among thousands sharing the other word', () => {
    const crowd = Array.from({ length: 3_000 }, (_, i) =>
      account({ Id: `d${i}`, Name: `Durgan-${i.toString(36)}q, Little ${i}`, BillingCountry: 'ES' }),
    );
    const sought = account({ Id: 'sought', Name: 'Altenwerth-Durgan', BillingCountry: 'ES' });
    const little = account({ Id: 'little', Name: 'Little PLC', BillingCountry: 'DK' });
    const index = AccountIndex.build([...crowd, sought, little, ...lookAlikes(300)]);
    // "altnewth" is three edits from "altenwerth"; "pl" one letter short of "plc".
    expect(ids(index.match({ Company: 'Alt[newth-Durgan', Country: 'ES' }))[0]).toBe('sought');
    expect(ids(index.match({ Company: 'Littli PL*', Country: 'DK' }))[0]).toBe('little');
  });

  it('finds a one-word name among thousands of longer names holding its word, added before or after the build', () => {
    const crowd = Array.from({ length: 3_000 }, (_, i) =>
      account({ Id: `h${i}`, Name: `Hills, ${i.toString(36)}x and Koch`, BillingCountry: 'FR' }),
    );
    const sought = account({ Id: 'sought', Name: 'Hills Inc', BillingCountry: 'FR' });
    const rival = account({ Id: 'rival', Name: 'Hills Group', BillingCountry: 'FR' });
    const before = AccountIndex.build([...crowd, sought, rival]);
    const after = AccountIndex.build(crowd.slice(0, 1_500));
    for (const added of [...crowd.slice(1_500), rival, sought]) after.upsert(added);
    for (const index of [before, after]) {
      const result = index.lookup({ Company: 'HillsInc', Country: 'FR' });
      expect(result.outcome).toBe('matched');
      expect(result.candidates[0]?.account.Id).toBe('sought');
      expect(ids(index.match({ Company: 'Hils Group', Country: 'FR' }))[0]).toBe('rival');
    }
  });

  it('finds every exact name with its country among look-alikes that differ in one word or in order', () => {
    const accounts = lookAlikes(800);
    const index = AccountIndex.build(accounts);
    const reversed = AccountIndex.build([...accounts].reverse());
    for (const wanted of accounts) {
      const lead = { Company: wanted.Name, Country: 'FR' };
      for (const built of [index, reversed]) {
        const result = built.lookup(lead);
        expect(result.outcome, wanted.Name).toBe('matched');
        expect(result.candidates[0]?.account.Id, wanted.Name).toBe(wanted.Id);
      }
    }
  });

  it('tells "Murray-Towne" from "Towne-Murray" and from "Towne, Johnston and Murray"', () => {
    const index = AccountIndex.build([
      account({ Id: 'mt', Name: 'Murray-Towne', BillingCountry: 'FR' }),
      account({ Id: 'tm', Name: 'Towne-Murray', BillingCountry: 'FR' }),
      account({ Id: 'tjm', Name: 'Towne, Johnston and Murray', BillingCountry: 'FR' }),
    ]);
    expect(ids(index.match({ Company: 'Murray-Towne', Country: 'FR' }))[0]).toBe('mt');
    expect(ids(index.match({ Company: 'Towne Murray', Country: 'FR' }))[0]).toBe('tm');
    expect(ids(index.match({ Company: 'Murrey-Towne', Country: 'FR' }))[0]).toBe('mt');
    expect(ids(index.match({ Company: 'Towne, Johnstone and Murray', Country: 'FR' }))[0]).toBe('tjm');
  });

  it('takes no account when two different ones are about as close, and says which', () => {
    const index = AccountIndex.build([
      account({ Id: 'group', Name: 'Brown Group', BillingCountry: 'NL' }),
      account({ Id: 'holdings', Name: 'Brown Holdings', BillingCountry: 'NL' }),
    ]);
    const result = index.lookup({ Company: 'Brown', Country: 'NL' });
    expect(result.outcome).toBe('ambiguous');
    expect(ids(result.candidates).sort()).toEqual(['group', 'holdings']);
    expect(result.reason).toMatch(
      /^"Brown" is about as close to Brown (Group|Holdings) \(0\.\d\d\) as to Brown (Group|Holdings) \(0\.\d\d\): neither is clearly the lead's account/,
    );
    expect(index.match({ Company: 'Brown', Country: 'NL' })).toEqual([]);
    // With one of them clearly closer, that one is taken.
    expect(ids(index.match({ Company: 'Brown Group', Country: 'NL' }))[0]).toBe('group');
  });

  it('takes the best of same-name accounts by the tie-break policy: duplicates are not rivals', () => {
    const index = AccountIndex.build([
      account({ Id: 'dup-prospect', Name: 'Brown Group', BillingCountry: 'NL', Type: 'Prospect' }),
      account({ Id: 'dup-customer', Name: 'Brown Group B.V.', BillingCountry: 'NL', Type: 'Customer' }),
    ]);
    const result = index.lookup({ Company: 'Brown Group', Country: 'NL' });
    expect(result.outcome).toBe('matched');
    expect(result.candidates[0]?.account.Id).toBe('dup-prospect');
  });

  it('says how close the nearest name came when none is close enough', () => {
    const index = AccountIndex.build([account({ Id: 'k', Name: 'Kessler-Yost', BillingCountry: 'IT' })]);
    const result = index.lookup({ Company: 'Kessler Holdings Ltd', Country: 'IT' });
    expect(result.outcome).toBe('none');
    expect(result.reason).toMatch(/the closest, Kessler-Yost, scores 0\.\d\d \(0\.65 needed\)/);
  });
});

describe('company aliases', () => {
  const accounts = [
    account({ Id: 'ibm', Name: 'IBM', BillingCountry: 'US' }),
    account({ Id: 'google', Name: 'Google LLC', BillingCountry: 'US' }),
  ];
  const aliases = [
    ['IBM', 'International Business Machines'],
    ['Alphabet', 'Google'],
  ];

  it('matches a name to the account named with another name of the same company, and says so', () => {
    const index = AccountIndex.build(accounts, { aliases });
    const [ibm] = index.match({ Company: 'International Business Machines Corporation', Country: 'US' });
    expect(ibm?.account.Id).toBe('ibm');
    expect(ibm?.reason).toMatch(
      /^"International Business Machines Corporation" is also known as "IBM" \(company aliases\); company name/,
    );
    expect(ids(index.match({ Company: 'Alphabet Inc.', Country: 'US' }))).toEqual(['google']);
  });

  it('without the alias, the names stay apart', () => {
    const index = AccountIndex.build(accounts);
    expect(index.match({ Company: 'International Business Machines Corporation', Country: 'US' })).toEqual(
      [],
    );
    expect(index.match({ Company: 'Alphabet Inc.', Country: 'US' })).toEqual([]);
  });
});

describe('numbers in names', () => {
  const numbered = (): AccountRecord[] => [
    account({ Id: 'studio-2020', Name: 'Studio 2020 Productions', BillingCountry: 'US' }),
    account({ Id: 'harbor-54', Name: 'Blue Harbor Studio 54', Website: 'bhs54.com', BillingCountry: 'US' }),
    account({ Id: 'harbor-55', Name: 'Blue Harbor Studio 55', BillingCountry: 'US' }),
    account({ Id: 'area-51', Name: 'Area 51 Research Labs', BillingCountry: 'US' }),
    account({ Id: 'acme', Name: 'Acme Ltd', BillingCountry: 'GB' }),
    account({ Id: 'globex-2020', Name: 'Globex 2020 Ltd', BillingCountry: 'GB' }),
    account({ Id: 'bernier', Name: 'Bernier Group', BillingCountry: 'SP' }),
  ];

  it('takes a name with other numbers for another company, however alike the letters', () => {
    const index = AccountIndex.build(numbered());
    for (const company of ['Studio 2021 Productions', 'Area 52 Research Labs', 'Blue Harbor Studio 56']) {
      const result = index.lookup({ Company: company, Country: 'US' });
      expect(result.outcome, company).toBe('none');
      expect(result.candidates, company).toEqual([]);
    }
  });

  it('takes a name with a number for another company than the same name without one, either way round', () => {
    const index = AccountIndex.build(numbered());
    // "Acme 2020 Ltd" is not "Acme Ltd", nor "Globex Ltd" "Globex 2020 Ltd": a year in a name marks its own company.
    expect(index.lookup({ Company: 'Acme 2020 Ltd', Country: 'GB' }).outcome).toBe('none');
    expect(index.lookup({ Company: 'Globex Ltd', Country: 'GB' }).outcome).toBe('none');
    expect(index.lookup({ Company: 'Blue Harbor Studio', Country: 'US' }).outcome).toBe('none');
  });

  it('finds the same number written with leading zeros, with typos in the letters, and never offers the other number as a rival', () => {
    const index = AccountIndex.build(numbered());
    const typed = index.lookup({ Company: 'Blue Harbr Studio 54', Country: 'US' });
    expect(typed.outcome).toBe('matched');
    expect(ids(typed.candidates)).toEqual(['harbor-54']);
    const zeros = index.lookup({ Company: 'Blue Harbor Studio 054', Country: 'US' });
    expect(ids(zeros.candidates)).toEqual(['harbor-54']);
    // The same name, as far as the score goes.
    const plain = index.lookup({ Company: 'Blue Harbor Studio 54', Country: 'US' });
    expect(zeros.candidates[0]?.score).toBe(plain.candidates[0]?.score);
    expect(ids(index.match({ Company: 'Studio 2020 Productions Inc', Country: 'US' }))).toEqual([
      'studio-2020',
    ]);
    expect(ids(index.match({ Company: 'Globex 2020 Limited', Country: 'GB' }))).toEqual(['globex-2020']);
  });

  it('reads a lone figure inside a word as a slip of the keyboard, not as a number', () => {
    const index = AccountIndex.build(numbered());
    expect(ids(index.match({ Company: 'Bernier 4roup', Country: 'SP' }))).toEqual(['bernier']);
  });

  it('matches by email domain or website whatever numbers the company name carries', () => {
    const index = AccountIndex.build(numbered());
    const byEmail = index.lookup({ Company: 'Blue Harbor Studio 55', Email: 'kim@bhs54.com', Country: 'US' });
    expect(byEmail.outcome).toBe('matched');
    expect(byEmail.candidates.map((c) => [c.account.Id, c.method])).toEqual([['harbor-54', 'email-domain']]);
    const byWebsite = index.lookup({ Company: 'Acme 2020 Ltd', Website: 'https://bhs54.com' });
    expect(byWebsite.candidates.map((c) => [c.account.Id, c.method])).toEqual([['harbor-54', 'website']]);
  });

  it('keeps to the rule for accounts added after the build', () => {
    const index = AccountIndex.build(numbered());
    index.upsert(account({ Id: 'route-66', Name: 'Route 66 Diner Group', BillingCountry: 'US' }));
    expect(index.lookup({ Company: 'Route 67 Diner Group', Country: 'US' }).outcome).toBe('none');
    expect(ids(index.match({ Company: 'Route 66 Dinner Group', Country: 'US' }))).toEqual(['route-66']);
  });
});
