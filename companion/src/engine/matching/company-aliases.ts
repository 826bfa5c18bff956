import type { YamlSource } from '../flow/yaml-source.js';
import { companyNameTokens } from './company-name.js';

/** Groups of names one company goes by: ["IBM", "International Business Machines"]. */
export type AliasGroups = ReadonlyArray<ReadonlyArray<string>>;

/** The words of a name that say which company it is (legal forms left out), in their order. */
function aliasKey(name: string): string {
  return companyNameTokens(name)
    .filter((token) => token.kind !== 'legal')
    .map((token) => token.text)
    .join(' ');
}

/**
 * Names a company also goes by, as an admin lists them: a lead typing one name of a group is
 * matched as if it had typed each of the others too. Names are compared as the matcher normalises
 * them (case, accents, punctuation and legal forms do not count), whole: "IBM" is an alias of
 * "International Business Machines Corp.", not of "IBM Consulting".
 */
export class CompanyAliases {
  private readonly byKey = new Map<string, string[]>();

  constructor(groups: AliasGroups = []) {
    for (const group of groups) {
      const names = group.filter((name) => aliasKey(name) !== '');
      for (const name of names) {
        const key = aliasKey(name);
        const others = this.byKey.get(key) ?? [];
        for (const other of names) if (aliasKey(other) !== key && !others.includes(other)) others.push(other);
        this.byKey.set(key, others);
      }
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The other names of the company `name` is listed under; none when it is not listed. */
  alternatives(name: string): readonly string[] {
    return this.size === 0 ? [] : (this.byKey.get(aliasKey(name)) ?? []);
  }
}

/**
 * The groups of an alias file (`aliases.yaml` of a routing set): `aliases:` followed by a list of
 * groups, each a list of two or more names. Each problem is reported on its line in `source`.
 */
export function checkCompanyAliases(source: YamlSource): string[][] {
  const groups: string[][] = [];
  if (source.issues.length > 0) return groups;
  const data = source.data as { aliases?: unknown } | null | undefined;
  if (typeof data !== 'object' || data === null || !Array.isArray(data.aliases)) {
    source.report(
      [],
      'expected "aliases:" followed by a list of groups, e.g. - [IBM, International Business Machines]',
    );
    return groups;
  }
  data.aliases.forEach((group: unknown, i: number) => {
    const names = Array.isArray(group) ? group : [];
    const valid = names.filter((name): name is string => typeof name === 'string' && aliasKey(name) !== '');
    if (!Array.isArray(group) || valid.length < 2 || valid.length !== names.length)
      source.report(
        ['aliases', i],
        'give each group as a list of two or more company names, e.g. [Alphabet, Google]',
      );
    else groups.push(valid);
  });
  return groups;
}
