/**
 * The three lists of custom fields that must agree: the fields flows may read (the engine's
 * catalog), the fields the adapter queries and the doctor checks, and the fields the package
 * deploys. The stand-in's schema is the org after the package is deployed, so it agrees as well.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REQUIRED_SCHEMA } from '../../companion/src/crm/salesforce/salesforce-fields.js';
import { BASE_FIELDS, type Scope } from '../../companion/src/engine/flow/fields.js';
import { SCHEMA } from './stand-in/org.js';

const objectsDir = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'force-app',
  'main',
  'default',
  'objects',
);

/** Catalog scopes that are records of one object. */
const OBJECT_OF: Partial<Record<Scope, string>> = {
  lead: 'Lead',
  account: 'Account',
  campaign: 'Campaign',
  owner: 'User',
  opportunity: 'Opportunity',
};

const isCustom = (field: string): boolean => field.endsWith('__c');

function deployedFields(object: string): string[] {
  const dir = join(objectsDir, object, 'fields');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.field-meta.xml'))
    .map((file) => file.replace('.field-meta.xml', ''))
    .sort();
}

function readByAdapter(object: string): readonly string[] {
  return REQUIRED_SCHEMA.find((entry) => entry.object === object)?.read ?? [];
}

describe('custom fields', () => {
  for (const [scope, object] of Object.entries(OBJECT_OF) as Array<[Scope, string]>) {
    it(`${object}: every custom field a flow may read is queried by the adapter and deployed by the package`, () => {
      const catalog = Object.keys(BASE_FIELDS[scope]).filter(isCustom);
      expect(catalog.filter((field) => !readByAdapter(object).includes(field))).toEqual([]);
      expect(catalog.filter((field) => !deployedFields(object).includes(field))).toEqual([]);
    });
  }

  it('every custom field the adapter reads or writes is deployed by the package', () => {
    const missing = REQUIRED_SCHEMA.flatMap(({ object, read, write }) =>
      [...read, ...write]
        .filter(isCustom)
        .filter((field) => !deployedFields(object).includes(field))
        .map((field) => `${object}.${field}`),
    );
    expect(missing).toEqual([]);
  });

  it("the stand-in's org has exactly the package's custom fields", () => {
    for (const object of Object.keys(SCHEMA)) {
      const standIn = (SCHEMA[object]?.fields ?? []).filter(isCustom).sort();
      expect({ object, fields: standIn }).toEqual({ object, fields: deployedFields(object) });
    }
  });
});
