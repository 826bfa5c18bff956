/**
 * `npm run bench`: runs every `*.bench.ts` beside this file (or those named on the command line)
 * and prints one JSON line per figure: {"name","value","unit","target"}.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The figure the issue asks for, e.g. '<= 1 ms'; printed beside the value. */
  target?: string;
}
export type Report = (figure: Figure) => void;
export type Bench = (report: Report) => Promise<void>;

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

const report: Report = (figure) => {
  const value = Number.isInteger(figure.value) ? figure.value : Number(figure.value.toFixed(3));
  process.stdout.write(JSON.stringify({ ...figure, value }) + '\n');
};

for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Bench };
  await mod.default(report);
}
