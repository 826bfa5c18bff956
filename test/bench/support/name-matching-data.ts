/**
 * De Nederlandsche Bank's name_matching test set (MIT): 500 company names with their countries, and
 * the same 500 typed with typos, reordered words and moved legal forms (row i of one is row i of the other).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Beside the checkout (`../shared`), or set NAME_MATCHING_DIR (a worktree sits one level deeper). */
export const NAME_MATCHING_DIR =
  process.env.NAME_MATCHING_DIR ?? join(repoRoot, '..', 'shared', 'data', 'name-matching');

export interface CompanyName {
  name: string;
  country: string;
}

/** RFC 4180 rows: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function readNames(file: string): CompanyName[] {
  return parseCsv(readFileSync(join(NAME_MATCHING_DIR, file), 'utf8'))
    .slice(1)
    .map(([, name, country]) => ({ name: name ?? '', country: country ?? '' }));
}

/** The originals and their typed variants, or null when the data folder is not there. */
export function readNameMatchingSet(): { originals: CompanyName[]; typed: CompanyName[] } | null {
  const originals = join(NAME_MATCHING_DIR, 'test_names.csv');
  const typed = join(NAME_MATCHING_DIR, 'adjusted_test_names.csv');
  if (!existsSync(originals) || !existsSync(typed)) return null;
  return { originals: readNames('test_names.csv'), typed: readNames('adjusted_test_names.csv') };
}
