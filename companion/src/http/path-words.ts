import type { OrgReadPort } from '../crm/org-read.port.js';
import type { PathStep } from '../engine/decision.js';
import type { AccountRecord } from '../engine/model.js';
import { KEY_PREFIX, toId18 } from '../engine/salesforce-id.js';
import { fieldLabel } from '../engine/flow/field-words.js';
import { OwnerNames } from './views.js';

/**
 * The path a rep reads: the steps that decided, in words, with field labels and record names instead
 * of API names and Ids. Decisions where no branch applied, field writes and the bare "done" are left
 * out; the full path (every node, with each test) stays in `path` for admins.
 */

const FIELD_PATH = /\b(lead|account|campaign|campaignMember|owner|opportunity|routing|trigger)\.(\w+)/g;
const RECORD_ID = /\b(?:001|005|00G)[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?\b/g;

/** One test a taken branch passed, as a fact: "Partner account: "001…"" (names come later). */
function fact(trace: string): string | null {
  const changed = /^(\w+)\.(\w+) was (.+), is (.+); /.exec(trace);
  if (changed) return `${fieldLabel(changed[1]!, changed[2]!)} changed to ${changed[4]}`;
  const value = /^(\w+)\.(\w+) is (.+?); /.exec(trace);
  if (value) return `${fieldLabel(value[1]!, value[2]!)}: ${value[3]}`;
  return null;
}

function plainStep(step: PathStep): string | null {
  switch (step.type) {
    case 'update':
      return null;
    case 'decision': {
      const because = step.text.indexOf(', because ');
      if (because < 0) return null; // no branch applied: the default path, nothing decided here
      const passed = (step.conditions ?? [])
        .filter((c) => c.result)
        .map((c) => fact(c.text))
        .filter((f): f is string => f !== null && !f.startsWith('Kind:'));
      const branch = step.text.slice(0, because);
      return passed.length > 0 ? `${branch} (${passed.join('; ')})` : branch;
    }
    case 'match': {
      const matched = /matched (.+?) \((.+?), score [\d.]+\): ([^;]+)/.exec(step.text);
      if (matched) return `Matched account: ${matched[1]} (${matched[2]}), ${matched[3]}`;
      return /no account matched/.test(step.text) ? 'No account matched' : step.text;
    }
    case 'end':
      return /^(End: )?done$/.test(step.text) ? null : step.text;
    default:
      // Assign, convert, refuse, hand-over: already a sentence; the territory row is for admins, and
      // so are the fields the node sets (the node's label and the summary say what they mean).
      return step.text
        .replace(/, chosen by territory [\w-]+ \(row \d+: ([^)]*)\)/, ' (by $1)')
        .replace(/(\.) set .+$/, '$1');
  }
}

/** Names for the Ids the steps mention: users, queues and accounts, read in three queries. */
async function recordNames(org: OrgReadPort, texts: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(texts.flatMap((t) => t.match(RECORD_ID) ?? []))];
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  const [owners, accounts] = await Promise.all([
    OwnerNames.load(
      org,
      ids.filter((id) => !id.startsWith(KEY_PREFIX.account)),
    ),
    org.getMany<AccountRecord>(
      'Account',
      ids.filter((id) => id.startsWith(KEY_PREFIX.account)).map((id) => toId18(id) ?? id),
    ),
  ]);
  for (const id of ids) {
    const key = toId18(id) ?? id;
    const name = accounts.get(key)?.Name ?? owners.owner(id)?.name;
    if (name && name !== key) names.set(id, name);
  }
  return names;
}

/** The steps that decided, for each path, in words a rep reads. */
export async function plainPaths(
  org: OrgReadPort,
  paths: PathStep[][],
): Promise<Array<Array<{ node: string; text: string }>>> {
  const steps = paths.map((path) =>
    path.flatMap((step) => {
      const text = plainStep(step);
      return text === null ? [] : [{ node: step.node, text }];
    }),
  );
  const names = await recordNames(
    org,
    steps.flat().map((s) => s.text),
  );
  return steps.map((path) =>
    path.map(({ node, text }) => ({
      node,
      text: text
        .replace(/"([^"]*)"/g, '$1')
        .replace(RECORD_ID, (id) => names.get(id) ?? id)
        .replace(FIELD_PATH, (_, scope: string, field: string) => fieldLabel(scope, field).toLowerCase()),
    })),
  );
}
