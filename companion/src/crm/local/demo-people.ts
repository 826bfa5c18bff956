import type { QueueRecord, UserRecord, WorkingHours } from '../../engine/model.js';
import { demoId, KEY_PREFIX } from '../../engine/salesforce-id.js';

/**
 * The people and queues of the demo org. The shipped routing folder (companion/flows/) names these
 * users by username or email and the queues by DeveloperName, as any org's folder does; the Ids are
 * fixed too (user n is demoId('005', n)), for tests and the preview.
 */
const weekdays = (start: string, end: string): WorkingHours => ({ days: [1, 2, 3, 4, 5], start, end });

interface Person {
  n: number;
  name: string;
  role: string;
  region: string | null;
  tz: string;
  active?: boolean;
  outOfOfficeUntil?: string;
  profile?: string;
}

const people: Person[] = [
  { n: 1, name: 'Ava Patel', role: 'SDR', region: 'AMER', tz: 'America/New_York' },
  { n: 2, name: 'Ben Carter', role: 'SDR', region: 'AMER', tz: 'America/Chicago' },
  {
    n: 3,
    name: 'Chloe Kim',
    role: 'SDR',
    region: 'AMER',
    tz: 'America/Los_Angeles',
    outOfOfficeUntil: '2099-01-01T00:00:00.000Z',
  },
  { n: 4, name: 'Diego Ramos', role: 'SDR', region: 'AMER', tz: 'America/Denver', active: false },
  { n: 5, name: 'Emma Schulz', role: 'SDR', region: 'EMEA', tz: 'Europe/Berlin' },
  { n: 6, name: "Finn O'Brien", role: 'SDR', region: 'EMEA', tz: 'Europe/Dublin' },
  { n: 7, name: 'Giulia Rossi', role: 'SDR', region: 'EMEA', tz: 'Europe/Rome' },
  { n: 8, name: 'Hiro Tanaka', role: 'SDR', region: 'APJ', tz: 'Asia/Tokyo' },
  { n: 9, name: 'Isla Nguyen', role: 'SDR', region: 'APJ', tz: 'Australia/Sydney' },
  { n: 10, name: 'Jay Singh', role: 'SDR', region: 'APJ', tz: 'Asia/Kolkata' },
  { n: 11, name: 'Kara Lopez', role: 'BDR', region: 'AMER', tz: 'America/New_York' },
  { n: 12, name: 'Liam Walsh', role: 'BDR', region: 'EMEA', tz: 'Europe/London' },
  { n: 13, name: 'Mei Chen', role: 'BDR', region: 'APJ', tz: 'Asia/Singapore' },
  { n: 14, name: 'Noah Fischer', role: 'AE', region: 'AMER', tz: 'America/New_York' },
  { n: 15, name: 'Olivia Martin', role: 'AE', region: 'EMEA', tz: 'Europe/Paris' },
  { n: 16, name: 'Priya Das', role: 'AE', region: 'APJ', tz: 'Asia/Singapore' },
  { n: 17, name: 'Quinn Baker', role: 'SMB', region: 'AMER', tz: 'America/Chicago' },
  { n: 18, name: 'Rosa Jansen', role: 'SMB', region: 'EMEA', tz: 'Europe/Amsterdam' },
  { n: 19, name: 'Sam Lee', role: 'SMB', region: 'APJ', tz: 'Australia/Sydney' },
  { n: 20, name: 'Tara Brooks', role: 'CSM', region: 'AMER', tz: 'America/New_York' },
  { n: 21, name: 'Uma Reddy', role: 'CSM', region: 'EMEA', tz: 'Europe/London' },
  { n: 22, name: 'Victor Hale', role: 'Leadership', region: null, tz: 'America/Los_Angeles' },
  {
    n: 23,
    name: 'Marketo Integration',
    role: 'Integration',
    region: null,
    tz: 'America/Los_Angeles',
    profile: 'Marketo Integration',
  },
  { n: 24, name: 'Wren Adams', role: 'SDR', region: 'AMER', tz: 'America/Los_Angeles' },
  { n: 25, name: 'Xavier Moss', role: 'SDR', region: 'AMER', tz: 'America/Los_Angeles' },
  { n: 26, name: 'Yara Haddad', role: 'SDR', region: 'AMER', tz: 'America/New_York' },
  {
    n: 27,
    name: 'Zoe Park',
    role: 'Admin',
    region: null,
    tz: 'America/Los_Angeles',
    profile: 'System Administrator',
  },
];

const PROFILE_BY_ROLE: Record<string, string> = {
  SDR: 'Sales Development Rep',
  BDR: 'Business Development Rep',
  AE: 'Account Executive',
  SMB: 'SMB Sales',
  CSM: 'Customer Success',
  Leadership: 'Sales Leadership',
};

/** Sales development and RevOps re-route leads; account executives, SMB and customer success do not. */
const REROUTE_ROLES = new Set(['SDR', 'BDR', 'Leadership', 'Admin']);

export const demoUserId = (n: number): string => demoId(KEY_PREFIX.user, n);
export const demoQueueId = (n: number): string => demoId(KEY_PREFIX.queue, n);

/** 'Finn O'Brien' → 'finn.obrien': the local part of the demo people's usernames and emails. */
const handle = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z ]/g, '')
    .trim()
    .replace(/ +/g, '.');

/** The demo org's username domain: routing folders name its people `ava.patel@switchyard-demo.example`. */
const DEMO_USERNAME_DOMAIN = 'switchyard-demo.example';

export const DEMO_USERS: UserRecord[] = people.map((p) => ({
  Id: demoUserId(p.n),
  Name: p.name,
  Username: `${handle(p.name)}@${DEMO_USERNAME_DOMAIN}`,
  Email: `${handle(p.name)}@example.com`,
  IsActive: p.active ?? true,
  TimeZoneSidKey: p.tz,
  Role__c: p.role,
  Region__c: p.region,
  ProfileName: p.profile ?? PROFILE_BY_ROLE[p.role] ?? 'Standard User',
  Out_Of_Office_Until__c: p.outOfOfficeUntil ?? null,
  WorkingHours: weekdays('09:00', '17:00'),
  HasReroutePermission: REROUTE_ROLES.has(p.role),
  HasAdminPermission: p.role === 'Admin',
}));

const queueNames = [
  'Partner Queue',
  'Inquiry Queue',
  'Ineligible Queue',
  'Disqualified Queue',
  'Raw Queue',
  'Recycle Queue',
  'Hopper',
  'Unqualified Holding',
];

/** Queue members: the SDRs work the status queues; the channel team (here: the BDRs) works the Partner Queue. */
export const DEMO_QUEUES: QueueRecord[] = queueNames.map((name, i) => ({
  Id: demoQueueId(i + 1),
  Name: name,
  DeveloperName: name.replace(/ /g, '_'),
  TakesLeads: true,
  MemberIds:
    name === 'Partner Queue'
      ? [demoUserId(11), demoUserId(12), demoUserId(13)]
      : [1, 2, 5, 6, 8, 9].map(demoUserId),
}));

/** What routing documents may name in the demo org: its users and queues. */
export const DEMO_CATALOG = { users: DEMO_USERS, queues: DEMO_QUEUES };

/** Well-known demo users the flows and tests name. */
export const DEMO = {
  salesLeadership: demoUserId(22),
  marketoIntegration: demoUserId(23),
  admin: demoUserId(27),
} as const;
