import { describe, expect, it } from 'vitest';
import { CompanyAliases, parseCompanyAliases } from '../../../src/engine/matching/company-aliases.js';
import { readCompanyAliases, SHIPPED_FLOWS_DIR } from '../../../src/routing/flow-files.js';

describe('company aliases', () => {
  it('finds the other names of a company whole, whatever the case, punctuation or legal form', () => {
    const aliases = new CompanyAliases([['IBM', 'International Business Machines']]);
    expect(aliases.alternatives('International Business Machines Corp.')).toEqual(['IBM']);
    expect(aliases.alternatives('i.b.m. inc')).toEqual(['International Business Machines']);
    expect(aliases.alternatives('IBM Consulting')).toEqual([]);
  });

  it('reads the shipped alias file', async () => {
    const groups = await readCompanyAliases(SHIPPED_FLOWS_DIR);
    expect(groups).toContainEqual(['IBM', 'International Business Machines']);
    expect(groups).toContainEqual(['Alphabet', 'Google']);
  });

  it('refuses a malformed group, naming its line, and loads nothing', () => {
    const text = 'aliases:\n  - [IBM, International Business Machines]\n  - Google\n  - [Meta, 42]\n';
    let error: unknown;
    try {
      parseCompanyAliases(text, 'aliases.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'ALIASES_INVALID' });
    const message = (error as Error).message;
    expect(message).toContain('The alias file aliases.yaml has 2 problems; nothing was loaded');
    expect(message).toMatch(
      /aliases\.yaml:3:\d+ aliases\[1\]: give each group as a list of two or more company names/,
    );
    expect(message).toMatch(/aliases\.yaml:4:\d+ aliases\[2\]/);
  });

  it('refuses a file without the aliases list', () => {
    expect(() => parseCompanyAliases('groups: []\n', 'aliases.yaml')).toThrow(
      /expected "aliases:" followed by a list/,
    );
  });
});
