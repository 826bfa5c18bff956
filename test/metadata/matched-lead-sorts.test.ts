import { readFileSync } from 'node:fs';
import { parseSync, types as t } from '@babel/core';
import { describe, expect, it } from 'vitest';
import { MATCHED_LEAD_SORTS } from '../../companion/src/http/routes/matched-leads.route.js';

// The companion's matched-leads route owns the sort keys. The Apex controller checks a sort before it
// calls out, and the matchedLeads component maps its columns to sorts: both must keep a copy, so
// these tests read them and fail when a copy drifts from the companion's list.

const APEX = 'force-app/main/default/classes/SwitchyardController.cls';
const LWC = 'force-app/main/default/lwc/matchedLeads/matchedLeads.js';
const sorted = (values: Iterable<string>) => [...values].sort();

/** The top-level `const name = …` initialiser of a component module. */
function constant(file: string, name: string): t.Expression {
  const ast = parseSync(readFileSync(file, 'utf8'), {
    babelrc: false,
    configFile: false,
    sourceType: 'module',
    parserOpts: { plugins: ['decorators-legacy'] },
  });
  for (const statement of ast?.program.body ?? []) {
    if (!t.isVariableDeclaration(statement)) continue;
    for (const d of statement.declarations) {
      if (t.isIdentifier(d.id, { name }) && d.init) return d.init;
    }
  }
  throw new Error(`${file} has no top-level const ${name}`);
}

/** A property's string value (`key: 'value'`), or null when it has none. */
function stringProperty(object: t.ObjectExpression, key: string): string | null {
  for (const p of object.properties) {
    if (t.isObjectProperty(p) && t.isIdentifier(p.key, { name: key }) && t.isStringLiteral(p.value))
      return p.value.value;
  }
  return null;
}

const isSortable = (column: t.ObjectExpression): boolean =>
  column.properties.some(
    (p) =>
      t.isObjectProperty(p) &&
      t.isIdentifier(p.key, { name: 'sortable' }) &&
      t.isBooleanLiteral(p.value, { value: true }),
  );

describe('matched-lead sort keys kept outside the companion', () => {
  it('the Apex controller accepts exactly the companion’s sorts, and its ApexDoc names them', () => {
    const apex = readFileSync(APEX, 'utf8');
    const set = /SORTABLE\s*=\s*new\s+Set<String>\s*\{([^}]*)\}/.exec(apex);
    expect(set, `${APEX} no longer declares SORTABLE = new Set<String>{…}`).not.toBeNull();
    const accepted = [...set![1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
    expect(
      sorted(accepted),
      `${APEX} SORTABLE differs from MATCHED_LEAD_SORTS in companion/src/http/routes/matched-leads.route.ts`,
    ).toEqual(sorted(MATCHED_LEAD_SORTS));

    const doc = /@param sortBy ([^\n]*)/.exec(apex)?.[1] ?? '';
    const documented = doc.split(/,\s*|\s+or\s+/).map((word) => word.trim());
    expect(sorted(documented), `${APEX}: the ApexDoc of sortBy lists other sorts`).toEqual(
      sorted(MATCHED_LEAD_SORTS),
    );
  });

  it('every sortable column of the matchedLeads component maps to a companion sort, and every sort has a column', () => {
    const keys = constant(LWC, 'SORT_KEYS');
    const columns = constant(LWC, 'COLUMNS');
    expect(t.isObjectExpression(keys) && t.isArrayExpression(columns)).toBe(true);
    const mapping = new Map<string, string>();
    for (const p of (keys as t.ObjectExpression).properties) {
      if (t.isObjectProperty(p) && t.isIdentifier(p.key) && t.isStringLiteral(p.value))
        mapping.set(p.key.name, p.value.value);
    }
    const sortableColumns = (columns as t.ArrayExpression).elements
      .filter((c): c is t.ObjectExpression => t.isObjectExpression(c) && isSortable(c))
      .map((c) => stringProperty(c, 'fieldName'));

    expect(sorted(sortableColumns.map(String)), `${LWC}: SORT_KEYS must name every sortable column`).toEqual(
      sorted(mapping.keys()),
    );
    expect(
      sorted(new Set(mapping.values())),
      `${LWC}: SORT_KEYS must map to MATCHED_LEAD_SORTS in companion/src/http/routes/matched-leads.route.ts`,
    ).toEqual(sorted(MATCHED_LEAD_SORTS));
  });
});
