import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSync, types as t } from '@babel/core';
import { describe, expect, it } from 'vitest';
import { BASE_FIELDS } from '../../../src/engine/flow/fields.js';
import { schemaFieldProblem } from '../../../src/http/preview/preview-build.js';

// The Lead and Account fields the components read come from one list, the engine's catalog: the
// preview build refuses a schema import outside it, and the preview's Lightning Data Service
// serves every field the components import.

const LWC_DIR = 'force-app/main/default/lwc';
const UI_RECORD_API = 'scripts/preview/modules/lightning/uiRecordApi/uiRecordApi.js';

/** Every `@salesforce/schema/<Object>.<field>` the shipped components import. */
function schemaImports(): Array<{ object: string; field: string; file: string }> {
  const found: Array<{ object: string; field: string; file: string }> = [];
  for (const bundle of readdirSync(LWC_DIR)) {
    const file = path.join(LWC_DIR, bundle, `${bundle}.js`);
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of source.matchAll(/['"]@salesforce\/schema\/(\w+)\.([\w.]+)['"]/g))
      found.push({ object: m[1]!, field: m[2]!, file });
  }
  return found;
}

/** The keys of the objects the preview's readLead builds its record from. */
function leadFieldsServed(): string[] {
  const ast = parseSync(readFileSync(UI_RECORD_API, 'utf8'), {
    babelrc: false,
    configFile: false,
    sourceType: 'module',
  });
  const readLead = ast?.program.body.find(
    (s): s is t.FunctionDeclaration =>
      t.isFunctionDeclaration(s) && t.isIdentifier(s.id, { name: 'readLead' }),
  );
  if (!readLead) throw new Error(`${UI_RECORD_API} has no function readLead`);
  const keys: string[] = [];
  const collect = (object: t.ObjectExpression) => {
    for (const p of object.properties)
      if (t.isObjectProperty(p) && t.isIdentifier(p.key)) keys.push(p.key.name);
  };
  for (const statement of readLead.body.body) {
    // const fields = { … };
    if (t.isVariableDeclaration(statement)) {
      for (const d of statement.declarations)
        if (t.isIdentifier(d.id, { name: 'fields' }) && t.isObjectExpression(d.init)) collect(d.init);
    }
    // if (partner) { Object.assign(fields, { … }); }
    if (t.isIfStatement(statement) && t.isBlockStatement(statement.consequent)) {
      for (const inner of statement.consequent.body) {
        if (!t.isExpressionStatement(inner) || !t.isCallExpression(inner.expression)) continue;
        const [target, values] = inner.expression.arguments;
        if (t.isIdentifier(target, { name: 'fields' }) && t.isObjectExpression(values)) collect(values);
      }
    }
  }
  return keys;
}

describe('the Lead and Account fields of the preview', () => {
  it('refuses a schema import of a field Switchyard does not read, naming what to do', () => {
    expect(schemaFieldProblem('Lead', 'Partner_Share_Status__c')).toBeNull();
    expect(schemaFieldProblem('Lead', 'Owner.Name')).toBeNull();
    expect(schemaFieldProblem('Lead', 'Matched_Account__r.Name')).toBeNull();
    expect(schemaFieldProblem('Account', 'BDR_Assigned__c')).toBeNull();
    expect(schemaFieldProblem('Lead', 'Partner_Share_Statu__c')).toBe(
      '@salesforce/schema/Lead.Partner_Share_Statu__c: Switchyard does not read Lead.Partner_Share_Statu__c. ' +
        'Use a field listed in BASE_FIELDS.lead (companion/src/engine/flow/fields.ts), or add it there first; ' +
        "did you mean 'Partner_Share_Status__c'?",
    );
    expect(schemaFieldProblem('Lead', 'Creator__r.Name')).toContain('does not read Lead.Creator__c');
    expect(schemaFieldProblem('Case', 'Subject')).toContain('reads Lead and Account records only');
  });

  it('lets every field the shipped components import through the build', () => {
    const imports = schemaImports();
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => schemaFieldProblem(i.object, i.field) !== null)).toEqual([]);
  });

  it('serves every Lead field the components import, and only fields of the one list', () => {
    const served = leadFieldsServed();
    const lookups = new Set(['Owner', 'Matched_Account__r']);
    expect(served.filter((f) => !lookups.has(f) && !Object.hasOwn(BASE_FIELDS.lead, f))).toEqual([]);
    const imported = schemaImports().filter((i) => i.object === 'Lead');
    expect(imported.length).toBeGreaterThan(0);
    const notServed = imported.filter((i) => !served.includes(i.field.split('.')[0]!));
    expect(notServed, `add these to readLead in ${UI_RECORD_API}`).toEqual([]);
  });
});
