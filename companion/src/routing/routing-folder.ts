import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CrmPort, LeadStatusValue } from '../crm/crm.port.js';
import { CodedError } from '../engine/coded-error.js';
import { countryCode, countryKey, regionOf } from '../engine/distribution/countries.js';
import type { QueueRecord, UserRecord } from '../engine/model.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import { readRoutingSet } from './flow-files.js';

/** What `init-routing` found in the org and wrote, for the person who ran it. */
export interface RoutingFolderReport {
  files: string[];
  /** Pools written: name, what grouped its people, and how many. */
  pools: Array<{ name: string; group: string; members: number }>;
  queue: string | null;
  countries: number;
  statuses: LeadStatusValue[];
  /** What the folder leaves out, person by person and queue by queue, with what to do. */
  leftOut: string[];
  /** The folder as loaded back against the org. */
  set: RoutingSet;
}

/** The org's users and queues that routing can name, read through the CRM port. */
interface OrgPeopleRead {
  users: UserRecord[];
  queues: QueueRecord[];
  statuses: LeadStatusValue[];
  countries: Array<{ country: string; leads: number }>;
}

/**
 * Writes a starting routing folder for an org (`npm run cli -- init-routing --out <folder>`): a
 * round-robin pool per role (or, without roles, per profile) of its active users named by username,
 * a country territory table over the countries its leads are in, and one flow routing new leads,
 * re-routed ones and those whose Re-run Routing box is ticked through it, falling back to the first queue that takes Leads; its lead statuses are listed in the
 * flow for the rules the admin writes next. The folder is then loaded back against the same org, so
 * what it names resolves there. An existing folder with files in it is never written into.
 */
export async function writeRoutingFolder(
  crm: CrmPort,
  out: string,
  options: { leaveOut?: readonly string[]; now?: Date } = {},
): Promise<RoutingFolderReport> {
  const existing = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (existing.length > 0) {
    throw new RoutingFolderError(
      `${out} already holds files (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''}): give a new folder, so nothing of yours is overwritten`,
    );
  }
  const [users, queues, statuses, countries] = await Promise.all([
    crm.listUsers(),
    crm.listQueues(),
    crm.leadStatuses(),
    crm.leadValues('Country').then((values) => values.map(({ value, leads }) => ({ country: value, leads }))),
  ]);
  const org: OrgPeopleRead = { users, queues, statuses, countries };
  const leaveOut = new Set(options.leaveOut ?? []);
  const leftOut: string[] = [];
  const { text: poolsText, pools } = poolsFile(org, leaveOut, leftOut);
  const leadQueues = queues.filter((q) => {
    if (q.TakesLeads === false) {
      leftOut.push(
        `queue ${q.DeveloperName ?? q.Name}: does not take Leads; add Lead to its Supported Objects (Setup → Queues) to route to it`,
      );
      return false;
    }
    if (!q.DeveloperName) {
      leftOut.push(`queue ${q.Name} (${q.Id}): has no DeveloperName; name it by Id to route to it`);
    }
    return true;
  });
  // The fallback for leads nobody takes: the first lead queue by DeveloperName, so the same org
  // always gives the same folder (the admin picks another by editing the flow).
  const [fallback] = leadQueues.map((q) => q.DeveloperName ?? q.Id).sort((a, b) => a.localeCompare(b));
  const queue = fallback ?? null;
  const firstPool = pools[0]?.name ?? null;
  if (!firstPool && !queue) {
    throw new RoutingFolderError(
      'the org has no active user and no queue that takes Leads: there is nobody to route to; add users or a lead queue first',
    );
  }
  const header = `# Written by \`npm run cli -- init-routing\` from the org on ${(options.now ?? new Date()).toISOString().slice(0, 10)}: a start to edit.\n`;
  const files: Array<[string, string]> = [
    ['pools.yaml', header + poolsText],
    ['territories.yaml', header + territoriesFile(countries, firstPool, queue)],
    ['inbound.flow.yaml', header + flowFile(statuses, countries.length > 0, firstPool, queue)],
  ];
  await mkdir(out, { recursive: true });
  for (const [name, text] of files) await writeFile(join(out, name), text, { flag: 'wx' });
  const set = await readRoutingSet(out, { users, queues });
  return {
    files: files.map(([name]) => name),
    pools,
    queue,
    countries: countries.length,
    statuses,
    leftOut,
    set,
  };
}

/** A folder that cannot be written: says why and what to do. */
export class RoutingFolderError extends CodedError {
  constructor(message: string) {
    super('ROUTING_FOLDER_REFUSED', message);
  }
}

const quote = (text: string): string => JSON.stringify(text);

/** 'Sales Development Rep' → 'sales-development-rep'. */
const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'people';

function poolsFile(
  org: OrgPeopleRead,
  leaveOut: ReadonlySet<string>,
  leftOut: string[],
): { text: string; pools: RoutingFolderReport['pools'] } {
  const byRole = org.users.some((u) => u.IsActive && u.Role__c);
  const groups = new Map<string, UserRecord[]>();
  for (const user of org.users) {
    if (leaveOut.has(user.Id)) continue;
    if (!user.IsActive) {
      leftOut.push(
        `user ${user.Username ?? user.Id} (${user.Name}): inactive; reactivate them to route to them`,
      );
      continue;
    }
    const group = (byRole ? user.Role__c : user.ProfileName) ?? 'No role';
    groups.set(group, [...(groups.get(group) ?? []), user]);
  }
  const pools: RoutingFolderReport['pools'] = [];
  const lines = [
    `# One round-robin pool per ${byRole ? 'role' : 'profile'} of the org's active users, largest first; people by username.`,
    '# strategy: round-robin (weighted, fair turns) | load (fewest open leads) | performance (best conversion).',
    '# respectWorkingHours: true passes over people outside their working hours (weekdays 09:00-17:00 in',
    '# their time zone unless set), so a lead waits in the fallback queue rather than with someone away.',
    'pools:',
  ];
  const ordered = [...groups].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const taken = new Set<string>();
  for (const [group, members] of ordered) {
    let name = slug(group);
    for (let n = 2; taken.has(name); n++) name = `${slug(group)}-${n}`;
    taken.add(name);
    pools.push({ name, group, members: members.length });
    lines.push(
      `  - name: ${name}`,
      `    label: ${quote(group)}`,
      '    strategy: round-robin',
      '    respectWorkingHours: false',
      '    members:',
    );
    for (const user of members.sort((a, b) => a.Name.localeCompare(b.Name))) {
      lines.push(`      - { user: ${quote(user.Username ?? user.Email ?? user.Id)} } # ${user.Name}`);
    }
  }
  if (pools.length === 0) lines[lines.length - 1] = 'pools: []';
  return { text: lines.join('\n') + '\n', pools };
}

/**
 * The org's countries, written as ISO codes where known ('United States' and 'US' are one country to
 * the territory matcher), a row per sales region so a table is split by moving rows, not values.
 */
function territoriesFile(
  countries: OrgPeopleRead['countries'],
  pool: string | null,
  queue: string | null,
): string {
  const target = pool ? `{ pool: ${pool} }` : `{ queue: ${queue} }`;
  if (countries.length === 0) return '# The org has no leads with a country yet.\nterritories: []\n';
  const regions = new Map<string, Map<string, number>>();
  for (const { country, leads } of countries) {
    const code = countryCode(country);
    const region = code ? (regionOf(code) ?? `other: ${code}`) : `other: ${countryKey(country)}`;
    const row = regions.get(region) ?? new Map<string, number>();
    const value = code ?? country;
    row.set(value, (row.get(value) ?? 0) + leads);
    regions.set(region, row);
  }
  const rows = [...regions].map(([region, values]) => {
    const ordered = [...values].sort((a, b) => b[1] - a[1]);
    const leads = ordered.reduce((sum, [, n]) => sum + n, 0);
    const list = ordered.map(([value]) => (/^[A-Z]{2}$/.test(value) ? value : quote(value))).join(', ');
    return `      - { country: [${list}], assign: ${target} } # ${region.replace(/^other: .*/, 'no region')}, ${leads} leads`;
  });
  return [
    '# The countries the org’s open leads are in, a row per sales region, each to one pool for a start:',
    '# point each row at the pool or queue of its region. The most specific matching row wins.',
    'territories:',
    '  - name: by-country',
    '    rows:',
    ...rows,
    '',
  ].join('\n');
}

function flowFile(
  statuses: LeadStatusValue[],
  territory: boolean,
  pool: string | null,
  queue: string | null,
): string {
  const to: string[] = [];
  if (territory) to.push('{ territory: by-country }');
  else if (pool) to.push(`{ pool: ${pool} }`);
  if (queue) to.push(`{ queue: ${queue} }`);
  return [
    '# The org’s lead statuses, for the rules you add (converted ones marked):',
    ...statuses.map((s) => `#   ${s.status}${s.converted ? ' (converted)' : ''}`),
    'flow: inbound',
    'version: 1',
    'label: Inbound leads',
    `description: New leads go to the ${territory ? 'pool of their country' : 'pool'}${queue ? '; a lead nobody takes goes to the lead queue' : ''}.`,
    '# A new lead, the open leads of someone deactivated, a lead a rep re-routes (the Re-route',
    '# button), and a lead whose Re-run Routing box is ticked go through the territory again; routing',
    '# clears the box.',
    'trigger:',
    '  on: [created, inactive-owner, reroute, updated]',
    '  changed: [Rerun_Routing__c]',
    'start: asked',
    'nodes:',
    '  asked:',
    '    type: decision',
    '    label: Routing asked for',
    '    branches:',
    '      - label: A new lead, a deactivated owner’s lead, or the Re-route button',
    '        when: { field: trigger.kind, op: notEquals, value: updated }',
    '        next: route',
    '      - label: The Re-run Routing box was ticked',
    '        when:',
    '          all:',
    '            - { field: lead.Rerun_Routing__c, op: changed }',
    '            - { field: lead.Rerun_Routing__c, op: equals, value: true }',
    '        next: route',
    '    default: not-asked',
    '  not-asked:',
    '    type: end',
    '    summary: The Re-run Routing box was not ticked, so nothing changes',
    '  route:',
    '    type: assign',
    '    label: Country territory',
    `    to: [${to.join(', ')}]`,
    '    next: done',
    '  done:',
    '    type: end',
    '',
  ].join('\n');
}
