import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { CheckResult } from './check.types.js';
import { listFiles } from './files.js';

interface FieldPermission {
  field: string;
  readable: boolean | string;
}

/** Longer values fail the deploy. */
const MAX_LENGTHS: Record<string, number> = { label: 40, description: 1000, inlineHelpText: 510 };

const parser = new XMLParser({ isArray: (name) => name === 'fieldPermissions' });

/** Salesforce refuses field permissions on fields that are always required (universally required, master-detail). */
function alwaysRequired(field: Record<string, unknown>): boolean {
  return field.required === true || field.type === 'MasterDetail';
}

/**
 * The habit in CONVENTIONS.md, checked: every custom field has a description and help text, and every
 * permission set under the package grants read access to every field it may list. A field added without
 * an entry in the permission sets is invisible to users after deploy; this catches it before.
 */
export async function checkFieldAccess(packageDir: string): Promise<CheckResult> {
  const name = 'field descriptions, help text, lengths and permission sets';
  const files = await listFiles(packageDir);
  const fieldFiles = files.filter((file) => file.endsWith('.field-meta.xml'));
  const permissionSetFiles = files.filter((file) => file.endsWith('.permissionset-meta.xml'));
  const problems: string[] = [];

  const defined = new Set<string>();
  const grantable: string[] = [];
  for (const file of fieldFiles) {
    const field = (parser.parse(await readFile(file, 'utf8')) as { CustomField?: Record<string, unknown> })
      .CustomField;
    const objectName = path.basename(path.dirname(path.dirname(file)));
    const apiName = `${objectName}.${path.basename(file, '.field-meta.xml')}`;
    const where = path.relative(process.cwd(), file);
    defined.add(apiName);
    if (!field) {
      problems.push(`${where}: not a CustomField`);
      continue;
    }
    if (!String(field.description ?? '').trim()) problems.push(`${where}: has no description`);
    if (!String(field.inlineHelpText ?? '').trim())
      problems.push(`${where}: has no help text (inlineHelpText)`);
    for (const [property, max] of Object.entries(MAX_LENGTHS)) {
      const length = String(field[property] ?? '').length;
      if (length > max)
        problems.push(`${where}: ${property} is ${length} characters; Salesforce allows ${max}`);
    }
    if (!alwaysRequired(field)) grantable.push(apiName);
  }

  for (const file of permissionSetFiles) {
    const where = path.relative(process.cwd(), file);
    const permissionSet = (
      parser.parse(await readFile(file, 'utf8')) as {
        PermissionSet?: { fieldPermissions?: FieldPermission[] };
      }
    ).PermissionSet;
    const granted = new Map(
      (permissionSet?.fieldPermissions ?? []).map((entry) => [
        entry.field,
        String(entry.readable) === 'true',
      ]),
    );
    for (const field of granted.keys()) {
      if (field.endsWith('__c') && !defined.has(field)) {
        problems.push(`${where}: grants access to ${field}, which the package does not define`);
      }
    }
    for (const field of grantable) {
      if (!granted.has(field)) problems.push(`${where}: no field permission for ${field}`);
      else if (!granted.get(field)) problems.push(`${where}: ${field} is listed but not readable`);
    }
  }

  return {
    name,
    summary: `${fieldFiles.length} custom fields, ${permissionSetFiles.length} permission sets`,
    problems,
  };
}
