import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import type { CheckResult } from './check.types.js';
import { listFiles } from './files.js';

/** Every .xml file under the package must be well-formed: a deploy fails on the first one that is not. */
export async function checkXmlWellFormed(packageDir: string): Promise<CheckResult> {
  const files = (await listFiles(packageDir)).filter((file) => file.endsWith('.xml'));
  const problems: string[] = [];
  for (const file of files) {
    const result = XMLValidator.validate(await readFile(file, 'utf8'));
    if (result !== true) {
      const { line, col, msg } = result.err;
      problems.push(`${path.relative(process.cwd(), file)}:${line}:${col}: ${msg}`);
    }
  }
  return { name: 'XML well-formed (fast-xml-parser)', summary: `${files.length} XML files`, problems };
}
