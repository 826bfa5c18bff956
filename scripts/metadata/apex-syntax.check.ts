import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';
import type { CheckResult } from './check.types.js';
import { listFiles } from './files.js';

class CollectingListener extends ApexErrorListener {
  readonly errors: string[] = [];
  apexSyntaxError(line: number, column: number, msg: string): void {
    this.errors.push(`${line}:${column}: ${msg}`);
  }
}

/** Parses every Apex class and trigger with the apex-dev-tools grammar and reports each syntax error. */
export async function checkApexSyntax(packageDir: string): Promise<CheckResult> {
  const files = (await listFiles(packageDir)).filter((file) => /\.(cls|trigger)$/.test(file));
  const problems: string[] = [];
  for (const file of files) {
    const listener = new CollectingListener();
    const { parser } = ApexParserFactory.createLexerAndParser(await readFile(file, 'utf8'), listener);
    if (file.endsWith('.trigger')) parser.triggerUnit();
    else parser.compilationUnit();
    const where = path.relative(process.cwd(), file);
    problems.push(...listener.errors.map((error) => `${where}:${error}`));
  }
  return { name: 'Apex syntax (@apexdevtools/apex-parser)', summary: `${files.length} Apex files`, problems };
}
