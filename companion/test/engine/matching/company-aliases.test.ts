import { describe, expect, it } from 'vitest';
import { DEMO_CATALOG } from '../../../src/crm/local/demo-people.js';
import { CompanyAliases } from '../../../src/engine/matching/company-aliases.js';
import { readRoutingSet, routingSetFromFiles, SHIPPED_FLOWS_DIR } from '../../../src/routing/flow-files.js';

/** A routing set of no flows, pools or territories with this alias file. */
const setWithAliases = (text: string) =>
  routingSetFromFiles(
    [
      { file: 'pools.yaml', text: 'pools: []\n' },
      { file: 'territories.yaml', text: 'territories: []\n' },
      { file: 'aliases.yaml', text },
    ],
    DEMO_CATALOG,
  );

describe('company aliases', () => {
  it('finds the other names of a company whole, whatever the case, punctuation or legal form', () => {
    const aliases = new CompanyAliases([['IBM', 'International Business Machines']]);
    expect(aliases.alternatives('International Business Machines Corp.')).toEqual(['IBM']);
    expect(aliases.alternatives('i.b.m. inc')).toEqual(['International Business Machines']);
    expect(aliases.alternatives('IBM Consulting')).toEqual([]);
  });

  it('reads the shipped alias file with the routing set', async () => {
    const groups = (await readRoutingSet(SHIPPED_FLOWS_DIR, DEMO_CATALOG)).aliases;
    expect(groups).toContainEqual(['IBM', 'International Business Machines']);
    expect(groups).toContainEqual(['Alphabet', 'Google']);
  });

  it('refuses a malformed group, naming its line, and loads no set', () => {
    const text = 'aliases:\n  - [IBM, International Business Machines]\n  - Google\n  - [Meta, 42]\n';
    let error: unknown;
    try {
      setWithAliases(text);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'FLOW_INVALID' });
    const message = (error as Error).message;
    expect(message).toContain('2 problems');
    expect(message).toMatch(
      /aliases\.yaml:3:\d+ aliases\[1\]: give each group as a list of two or more company names/,
    );
    expect(message).toMatch(/aliases\.yaml:4:\d+ aliases\[2\]/);
  });

  it('refuses a file without the aliases list', () => {
    expect(() => setWithAliases('groups: []\n')).toThrow(/expected "aliases:" followed by a list/);
  });
});
