/**
 * Offline checks of the Salesforce package, run by `npm run test:metadata` (and so by `npm test`):
 * every file maps to a metadata component, every XML file is well-formed, Apex parses, every custom
 * field has a description, help text and read access in every permission set, and PMD's security rules
 * find nothing of severity 1-2. No org is needed; nothing is fetched from the network.
 */
import { readFile } from 'node:fs/promises';
import type { CheckResult } from './metadata/check.types.js';
import { checkApexSyntax } from './metadata/apex-syntax.check.js';
import { checkFieldAccess } from './metadata/field-access.check.js';
import { checkPmdSecurity } from './metadata/pmd-security.check.js';
import { checkSourceComponents } from './metadata/source-components.check.js';
import { checkXmlWellFormed } from './metadata/xml-wellformed.check.js';

interface SfdxProject {
  sourceApiVersion?: string;
  packageDirectories: { path: string }[];
}

const project = JSON.parse(await readFile('sfdx-project.json', 'utf8')) as SfdxProject;
const apiVersion = project.sourceApiVersion ?? '63.0';
const packageDirs = project.packageDirectories.map((dir) => dir.path);
const skipPmd = process.argv.includes('--no-pmd');

const results: CheckResult[] = [];
for (const dir of packageDirs) {
  results.push(await checkSourceComponents(dir, apiVersion));
  results.push(await checkXmlWellFormed(dir));
  results.push(await checkApexSyntax(dir));
  results.push(await checkFieldAccess(dir));
  if (!skipPmd) results.push(await checkPmdSecurity(dir));
}

let failed = false;
for (const result of results) {
  if (result.skipped) {
    // Under CI a check that could not run is a failure: a skipped check proves nothing.
    const fatal = process.env.CI === 'true';
    failed ||= fatal;
    console.log(`${fatal ? 'FAIL' : 'SKIP'} ${result.name}: ${result.skipped}`);
    continue;
  }
  const ok = result.problems.length === 0;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${result.name}: ${result.summary}`);
  for (const problem of result.problems) console.log(`     ${problem}`);
}
if (failed) {
  console.log('\nThe Salesforce package has problems: fix the files named above.');
  process.exitCode = 1;
}
