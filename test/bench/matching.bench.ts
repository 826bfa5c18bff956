/**
 * Name-matching quality on De Nederlandsche Bank's name_matching test set: each of 500 names with
 * typos, reordered words and moved legal forms is matched against the 500 originals (country as the
 * supporting field); row i of one file is row i of the other.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccountIndex, DEFAULT_ACCEPT_SCORE } from '../../companion/src/engine/matching/account-index.js';
import type { AccountRecord } from '../../companion/src/engine/model.js';
import type { Report } from './run.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = join(repoRoot, '..', 'shared', 'data', 'name-matching');

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

function readNames(file: string): Array<{ name: string; country: string }> {
  return parseCsv(readFileSync(join(dataDir, file), 'utf8'))
    .slice(1)
    .map(([, name, country]) => ({ name: name ?? '', country: country ?? '' }));
}

export default async function (report: Report): Promise<void> {
  if (!existsSync(join(dataDir, 'test_names.csv')) || !existsSync(join(dataDir, 'adjusted_test_names.csv'))) {
    process.stderr.write(`matching.bench: ${dataDir} not found; no name-matching figures.\n`);
    return;
  }
  const originals = readNames('test_names.csv');
  const adjusted = readNames('adjusted_test_names.csv');
  const accounts: AccountRecord[] = originals.map((o, i) => ({
    Id: `A${i}`,
    Name: o.name,
    BillingCountry: o.country,
  }));
  // Top-1 looks at the best candidate even below the accept score; precision and recall use the
  // index as the engine builds it, with its default accept score.
  const everything = AccountIndex.build(accounts, { acceptScore: 0 });
  const index = AccountIndex.build(accounts);

  let top1 = 0;
  let accepted = 0;
  let acceptedCorrect = 0;
  const total = Math.min(originals.length, adjusted.length);
  for (let i = 0; i < total; i += 1) {
    const query = adjusted[i] as { name: string; country: string };
    const lead = { Company: query.name, Country: query.country };
    if (everything.match(lead, { limit: 1 })[0]?.account.Id === `A${i}`) top1 += 1;
    const [accept] = index.match(lead, { limit: 1 });
    if (accept !== undefined) {
      accepted += 1;
      if (accept.account.Id === `A${i}`) acceptedCorrect += 1;
    }
  }
  report({ name: 'name matching top-1 accuracy', value: (100 * top1) / total, unit: '%' });
  report({
    name: `name matching precision at accept score ${DEFAULT_ACCEPT_SCORE}`,
    value: accepted === 0 ? 0 : (100 * acceptedCorrect) / accepted,
    unit: '%',
    target: '>= 99.5 %',
  });
  report({
    name: `name matching recall at accept score ${DEFAULT_ACCEPT_SCORE}`,
    value: (100 * acceptedCorrect) / total,
    unit: '%',
    target: '>= 97 %',
  });
}
