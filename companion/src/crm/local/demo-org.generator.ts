import type {
  AccountRecord,
  CampaignMemberRecord,
  CampaignRecord,
  LeadRecord,
  OpportunityRecord,
  QueueRecord,
  UserRecord,
} from '../../engine/model.js';
import { demoId, KEY_PREFIX } from '../../engine/salesforce-id.js';
import {
  BAY_AREA,
  COUNTRIES,
  FIRST_NAMES,
  FREE_MAIL_DOMAINS,
  INDUSTRIES,
  LAST_NAMES,
  NAME_CORES,
  NAME_DESCRIPTORS,
  NAME_PLACES,
  NAME_PREFIXES,
  TITLES,
  type Country,
  type Place,
} from './demo-org.data.js';
import { DEMO, DEMO_QUEUES, DEMO_USERS } from './demo-people.js';

/**
 * A deterministic demo org: the same options give the same records, byte for byte. Realistic
 * enough to exercise every shipped rule: accounts of every type with BDRs and "Actively Working"
 * flags, leads in every status and source, partner campaigns of each kind, opportunities at every stage.
 */

export const LEAD_STATUSES = [
  'Raw',
  'Inquiry',
  'MQL',
  'Accepted',
  'Qualifying',
  'Qualified',
  'Disqualified',
  'Ineligible',
  'Recycle',
  'Unqualified',
] as const;

/** Statuses a conversion may set (Salesforce's LeadStatus with IsConverted = true). */
export const CONVERTED_LEAD_STATUSES = ['Qualified', 'Converted'] as const;

export const ACCOUNT_TYPES = [
  'Customer',
  'Target',
  'Partner',
  'Consultant',
  'Non-Target',
  'Prospect',
] as const;

export const LEAD_SOURCES = [
  'Demo Request',
  'Contact Us',
  'List Upload',
  'White Paper',
  'eBook',
  'Webinar',
  'Partner Sponsored Event',
  'Partner Referral',
  'Free Trial',
  'Trade Show',
  'Web',
  'Outbound',
] as const;

export const OPPORTUNITY_STAGES: ReadonlyArray<{ stage: string; closed: boolean }> = [
  { stage: 'Prospecting', closed: false },
  { stage: 'Qualification', closed: false },
  { stage: 'Scoping', closed: false },
  { stage: 'Proposal', closed: false },
  { stage: 'Negotiation', closed: false },
  { stage: 'Closed Won', closed: true },
  { stage: 'Closed Lost', closed: true },
];

export const CAMPAIGN_KINDS = [
  'partner-sponsored-event',
  'mdf',
  'partner-trial',
  'joint-partner',
  'webinar',
  'content',
  'inbound',
  'list-upload',
  'event',
] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

/** Records of the objects an org holds besides users and queues (also the shape of curated scenarios). */
export interface DemoRecordSet {
  accounts: AccountRecord[];
  campaigns: CampaignRecord[];
  campaignMembers: CampaignMemberRecord[];
  leads: LeadRecord[];
  opportunities: OpportunityRecord[];
}

export interface DemoOrg extends DemoRecordSet {
  users: UserRecord[];
  queues: QueueRecord[];
}

export interface DemoOrgOptions {
  seed?: number;
  accounts?: number;
  leads?: number;
  /** "Today" for the org: record dates fall before it. ISO timestamp. */
  anchor?: string;
}

export const DEMO_ORG_DEFAULTS = {
  seed: 20261122,
  accounts: 5000,
  leads: 20000,
  anchor: '2026-11-01T00:00:00.000Z',
} as const;

/**
 * Generated records are numbered from here; curated records (demo-scenarios.ts) use lower numbers
 * so the two never collide.
 */
export const GENERATED_ID_BASE = 100_000;

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }
}

type Region = 'AMER' | 'EMEA' | 'APJ';
const DAY_MS = 86_400_000;

const usersWhere = (role: string, region: Region | null, activeOnly = true): string[] =>
  DEMO_USERS.filter(
    (u) => u.Role__c === role && (region === null || u.Region__c === region) && (!activeOnly || u.IsActive),
  ).map((u) => u.Id);

const queueId = (name: string): string => {
  const queue = DEMO_QUEUES.find((q) => q.Name === name);
  if (!queue) throw new Error(`demo-people.ts has no queue named ${name}`);
  return queue.Id;
};

const firstOf = (ids: string[], what: string): string => {
  if (ids.length === 0) throw new Error(`demo-people.ts has no ${what}`);
  return ids[0]!;
};

/** Who is who in the demo org, by region. */
function team(region: Region) {
  return {
    sdrs: usersWhere('SDR', region),
    allSdrs: usersWhere('SDR', region, false),
    bdr: firstOf(usersWhere('BDR', region), `BDR in ${region}`),
    ae: firstOf(usersWhere('AE', region), `AE in ${region}`),
    smb: firstOf(usersWhere('SMB', region), `SMB rep in ${region}`),
    csm: usersWhere('CSM', region)[0] ?? null,
  };
}

const TEAMS: Record<Region, ReturnType<typeof team>> = {
  AMER: team('AMER'),
  EMEA: team('EMEA'),
  APJ: team('APJ'),
};

const COUNTRIES_BY_REGION: Record<Region, Country[]> = {
  AMER: COUNTRIES.filter((c) => c.region === 'AMER'),
  EMEA: COUNTRIES.filter((c) => c.region === 'EMEA'),
  APJ: COUNTRIES.filter((c) => c.region === 'APJ'),
};
const REGIONS: Region[] = ['AMER', 'EMEA', 'APJ'];

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const isoTime = (ms: number): string => new Date(ms).toISOString();

/** "Falcon Logistics GmbH" → "falconlogistics". */
const slug = (name: string): string =>
  name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '');

interface Location {
  country: Country;
  place: Place;
  bayArea: boolean;
}

function pickCountry(rng: Rng, region: Region): Country {
  if (region === 'AMER' && rng.chance(0.75)) return COUNTRIES_BY_REGION.AMER[0]!;
  return rng.pick(COUNTRIES_BY_REGION[region]);
}

function pickLocation(rng: Rng, region: Region, bayAreaShare = 0.15): Location {
  const country = pickCountry(rng, region);
  if (country.name === 'United States' && rng.chance(bayAreaShare)) {
    return { country, place: rng.pick(BAY_AREA), bayArea: true };
  }
  return { country, place: rng.pick(country.places), bayArea: false };
}

function postalCode(rng: Rng, place: Place): string {
  const digits = /^\d+$/.test(place.postal) ? 5 : place.postal.length + 3;
  let code = place.postal;
  while (code.length < digits) code += String(rng.int(0, 9));
  return code;
}

function employees(rng: Rng): number {
  return rng.weighted<() => number>([
    [() => rng.int(5, 199), 45],
    [() => rng.int(200, 1999), 35],
    [() => rng.int(2000, 50000), 20],
  ])();
}

const segmentOf = (n: number): string => (n >= 2000 ? 'Enterprise' : n >= 200 ? 'Mid-Market' : 'SMB');

/**
 * Draws of one kind of name before the next kind is tried. Names without a descriptor take most
 * draws and fill first, so a kind is given up only when nearly full (64 misses in a row), which
 * also keeps orgs up to today's sizes exactly as they were.
 */
const DRAWS = 64;
/** The same for the rarer kinds, new with big orgs: past a few misses, the walk in order is quicker. */
const WIDE_DRAWS = 8;

/**
 * Unique company names, with the domain each one uses. Names are drawn at random, the common kind
 * first; a kind whose draws all hit used names once is not drawn from again, and when every kind
 * is that full the next free name in a fixed order is taken: each name costs a bounded number of
 * draws whatever the size of the org. Only beyond the 1.7 million names the lists make does a
 * name get a number.
 * @internal exported for its tests
 */
export class CompanyNames {
  private readonly used = new Set<string>();
  private readonly domains = new Set<string>();
  private shortFull = false;
  private wideFull = false;
  /** Where the walk through every name in order stands. */
  private cursor = 0;
  constructor(private readonly rng: Rng) {}

  next(): string {
    if (!this.shortFull) {
      for (let i = 0; i < DRAWS; i++) {
        const core = `${this.rng.pick(NAME_PREFIXES)} ${this.rng.pick(NAME_CORES)}`;
        const name = this.rng.chance(0.4) ? `${this.rng.pick(NAME_DESCRIPTORS)} ${core}` : core;
        if (this.take(name)) return name;
      }
      this.shortFull = true;
    }
    if (!this.wideFull) {
      for (let i = 0; i < WIDE_DRAWS; i++) {
        const name = this.rng.chance(0.9) ? this.placeName() : this.partnersName();
        if (this.take(name)) return name;
      }
      this.wideFull = true;
    }
    for (;;) {
      const name = nameAt(this.cursor++);
      if (this.take(name)) return name;
    }
  }

  /** `[descriptor] prefix place core`, e.g. "Cedar Point Foods". */
  private placeName(): string {
    const core = `${this.rng.pick(NAME_PREFIXES)} ${this.rng.pick(NAME_PLACES)} ${this.rng.pick(NAME_CORES)}`;
    return this.rng.chance(0.4) ? `${this.rng.pick(NAME_DESCRIPTORS)} ${core}` : core;
  }

  /** `surname & surname core`, e.g. "Okafor & Lindqvist Consulting". */
  private partnersName(): string {
    const first = this.rng.pick(LAST_NAMES);
    let second = this.rng.pick(LAST_NAMES);
    if (second === first) second = LAST_NAMES[(LAST_NAMES.indexOf(first) + 1) % LAST_NAMES.length]!;
    return `${first} & ${second} ${this.rng.pick(NAME_CORES)}`;
  }

  private take(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }

  domain(name: string, country: Country): string {
    const tld = country.name === 'United States' || this.rng.chance(0.5) ? 'com' : country.tld;
    const base = slug(name);
    let domain = `${base}.${tld}`;
    for (let n = 2; this.domains.has(domain); n++) domain = `${base}${n}.${tld}`;
    this.domains.add(domain);
    return domain;
  }
}

const DESCRIBED = NAME_DESCRIPTORS.length + 1;
const SHORT_NAMES = DESCRIBED * NAME_PREFIXES.length * NAME_CORES.length;
const PLACE_NAMES = SHORT_NAMES * NAME_PLACES.length;
const PARTNERS_NAMES = LAST_NAMES.length * (LAST_NAMES.length - 1) * NAME_CORES.length;
/**
 * Every name the lists make, each once: the three kinds CompanyNames draws from.
 * @internal exported for its tests
 */
export const COMPANY_NAME_COUNT = SHORT_NAMES + PLACE_NAMES + PARTNERS_NAMES;

/**
 * The n-th name in a fixed order of every name the lists make; past the last, the same names again
 * with a number ("Acme Analytics 2"), so there is always one more.
 * @internal exported for its tests
 */
export function nameAt(n: number): string {
  const round = Math.floor(n / COMPANY_NAME_COUNT);
  let i = n % COMPANY_NAME_COUNT;
  const digit = (size: number): number => {
    const d = i % size;
    i = Math.floor(i / size);
    return d;
  };
  let name: string;
  if (i < SHORT_NAMES + PLACE_NAMES) {
    let place: string | null = null;
    if (i >= SHORT_NAMES) {
      i -= SHORT_NAMES;
      place = NAME_PLACES[digit(NAME_PLACES.length)]!;
    }
    const core = NAME_CORES[digit(NAME_CORES.length)]!;
    const prefix = NAME_PREFIXES[digit(NAME_PREFIXES.length)]!;
    const d = digit(DESCRIBED);
    name = [d === 0 ? null : NAME_DESCRIPTORS[d - 1], prefix, place, core].filter(Boolean).join(' ');
  } else {
    i -= SHORT_NAMES + PLACE_NAMES;
    const core = NAME_CORES[digit(NAME_CORES.length)]!;
    const first = digit(LAST_NAMES.length);
    const other = digit(LAST_NAMES.length - 1);
    const second = other >= first ? other + 1 : other;
    name = `${LAST_NAMES[first]} & ${LAST_NAMES[second]} ${core}`;
  }
  return round === 0 ? name : `${name} ${round + 1}`;
}

function websiteOf(rng: Rng, domain: string): string {
  return rng.weighted([
    [`www.${domain}`, 5],
    [`https://www.${domain}`, 3],
    [domain, 2],
  ]);
}

interface AccountInfo {
  record: AccountRecord;
  domain: string;
  region: Region;
  location: Location;
  baseName: string;
}

function makeAccounts(rng: Rng, names: CompanyNames, count: number, anchorMs: number): AccountInfo[] {
  const accounts: AccountInfo[] = [];
  for (let i = 0; i < count; i++) {
    // The first accounts cover every case a rule looks for, whatever the size of the org.
    let type: string = rng.weighted([
      ['Customer', 15],
      ['Target', 20],
      ['Partner', 5],
      ['Consultant', 5],
      ['Non-Target', 20],
      ['Prospect', 35],
    ]);
    let region: Region = rng.weighted([
      ['AMER', 50],
      ['EMEA', 30],
      ['APJ', 20],
    ]);
    let location = pickLocation(rng, region);
    let bdrStatus: string | null | undefined;
    if (i < ACCOUNT_TYPES.length) {
      type = ACCOUNT_TYPES[i]!;
      region = REGIONS[i % 3]!;
      location = pickLocation(rng, region, 0);
    } else if (i < ACCOUNT_TYPES.length + BAY_AREA.length) {
      type = 'Non-Target';
      region = 'AMER';
      location = { country: COUNTRIES[0]!, place: BAY_AREA[i - ACCOUNT_TYPES.length]!, bayArea: true };
    } else if (i < ACCOUNT_TYPES.length + BAY_AREA.length + 3) {
      type = 'Prospect';
      region = REGIONS[i % 3]!;
      location = pickLocation(rng, region, 0);
      bdrStatus = 'Actively Working';
    }

    // Some names recur in another country, as "Brown Group" does in NL and DK.
    const earlier = accounts.length > 20 && rng.chance(0.02) ? rng.pick(accounts) : null;
    const baseName =
      earlier && earlier.location.country !== location.country ? earlier.baseName : names.next();
    const legal = rng.chance(0.7) ? ` ${rng.pick(location.country.legalForms)}` : '';
    const name = baseName + legal;
    const domain = names.domain(baseName, location.country);
    const staff = employees(rng);
    const segment = segmentOf(staff);
    const people = TEAMS[region];

    const owner =
      type === 'Customer'
        ? segment === 'SMB'
          ? people.smb
          : people.ae
        : type === 'Non-Target'
          ? rng.pick(people.sdrs)
          : type === 'Prospect'
            ? rng.chance(0.5)
              ? people.bdr
              : people.ae
            : type === 'Partner' && rng.chance(0.3)
              ? DEMO.salesLeadership
              : people.ae;
    const wantsBdr = ['Target', 'Prospect', 'Non-Target'].includes(type) ? 0.6 : 0.15;
    const hasBdr = bdrStatus !== undefined || rng.chance(wantsBdr);
    if (hasBdr && bdrStatus === undefined) {
      bdrStatus = rng.weighted([
        ['Actively Working', 35],
        ['Researching', 25],
        ['Not Working', 40],
      ]);
    }
    const id = demoId(KEY_PREFIX.account, GENERATED_ID_BASE + i);
    const record: AccountRecord = {
      Id: id,
      Name: name,
      Website: websiteOf(rng, domain),
      Type: type,
      OwnerId: owner,
      BDR_Assigned__c: hasBdr ? people.bdr : null,
      BDR_Prospecting_Status__c: hasBdr ? (bdrStatus ?? null) : null,
      // The BDR reassignment job looks at yesterday's changes: some accounts changed yesterday.
      BDR_Prospecting_Status_Changed__c: hasBdr
        ? isoDate(anchorMs - (i < 20 || rng.chance(0.1) ? 1 : rng.int(2, 120)) * DAY_MS)
        : null,
      Segment__c: segment,
      Customer_Success_Manager__c: type === 'Customer' ? people.csm : null,
      BillingCountry: location.country.name,
      BillingState: location.place.state,
      BillingCity: location.place.city,
      BillingPostalCode: postalCode(rng, location.place),
      Industry: rng.pick(INDUSTRIES),
      NumberOfEmployees: staff,
      Region__c: region,
      CreatedDate: isoTime(anchorMs - rng.int(30, 2000) * DAY_MS),
      LastActivityDate: rng.chance(0.8) ? isoDate(anchorMs - rng.int(0, 180) * DAY_MS) : null,
    };
    accounts.push({ record, domain, region, location, baseName });
  }
  return accounts;
}

const PRODUCTS = [
  'New Business',
  'Premium Expansion',
  'Ultimate Upgrade',
  'Renewal',
  'Add-on Seats',
  'Services',
];

function makeOpportunities(rng: Rng, accounts: AccountInfo[], anchorMs: number): OpportunityRecord[] {
  const chanceByType: Record<string, number> = {
    Customer: 0.7,
    Target: 0.4,
    Prospect: 0.25,
    'Non-Target': 0.1,
    Partner: 0.1,
    Consultant: 0.1,
  };
  const opportunities: OpportunityRecord[] = [];
  accounts.forEach((account, i) => {
    // The first accounts get one opportunity at each stage between them.
    const forced = i < OPPORTUNITY_STAGES.length ? OPPORTUNITY_STAGES[i] : undefined;
    if (!forced && !rng.chance(chanceByType[account.record.Type ?? ''] ?? 0.1)) return;
    const count = forced ? 1 : rng.int(1, 3);
    for (let k = 0; k < count; k++) {
      const stage = forced ?? rng.pick(OPPORTUNITY_STAGES);
      const people = TEAMS[account.region];
      const owner = account.record.OwnerId === people.smb ? people.smb : people.ae;
      opportunities.push({
        Id: demoId(KEY_PREFIX.opportunity, GENERATED_ID_BASE + opportunities.length),
        AccountId: account.record.Id,
        Name: `${account.baseName} - ${rng.pick(PRODUCTS)}`,
        StageName: stage.stage,
        IsClosed: stage.closed,
        IsWon: stage.stage === 'Closed Won',
        OwnerId: owner,
        Amount: rng.int(5, 500) * 1000,
        CloseDate: isoDate(anchorMs + (stage.closed ? -rng.int(1, 365) : rng.int(7, 180)) * DAY_MS),
        CreatedDate: isoTime(anchorMs - rng.int(10, 400) * DAY_MS),
      });
    }
  });
  return opportunities;
}

interface CampaignInfo {
  record: CampaignRecord;
  kind: CampaignKind;
  /** For partner kinds: the partner account running it with us. */
  partnerId: string | null;
}

const CAMPAIGN_PLAN: Array<{ kind: CampaignKind; type: string; names: string[] }> = [
  {
    kind: 'partner-sponsored-event',
    type: 'Partner Sponsored Event',
    names: [
      'Partner Sponsored Event - DevOps World Berlin',
      'Partner Sponsored Event - Cloud Summit London',
      'Partner Sponsored Event - re:Invent Booth',
      'Partner Sponsored Event - Tokyo Dev Day',
    ],
  },
  {
    kind: 'mdf',
    type: 'Event',
    names: [
      'MDF - Security Roadshow EMEA',
      'MDF - Platform Workshop AMER',
      'MDF - APJ Partner Webinar Series',
      'MDF - Migration Bootcamp',
    ],
  },
  {
    kind: 'partner-trial',
    type: 'Trial',
    names: ['Partner - Trial - Ultimate Q4', 'Partner - Trial - Premium EMEA', 'Partner - Trial - APJ SaaS'],
  },
  {
    kind: 'joint-partner',
    type: 'Webinar',
    names: [
      'Joint Partner Webinar - CI/CD at Scale',
      'Joint Partner Event - DevSecOps Breakfast',
      'Joint Partner Webinar - Kubernetes Migration',
      'Joint Partner Workshop - Value Stream',
    ],
  },
  {
    kind: 'webinar',
    type: 'Webinar',
    names: [
      'Webinar - Getting Started with CI',
      'Webinar - Security Scanning 101',
      'Webinar - Platform Engineering',
      'Webinar - AI in the SDLC',
      'Webinar - GitOps Deep Dive',
      'Webinar - Compliance Pipelines',
    ],
  },
  {
    kind: 'content',
    type: 'Content Syndication',
    names: [
      'White Paper - The DevSecOps Report',
      'White Paper - Total Economic Impact',
      'White Paper - Software Supply Chain',
      "eBook - A Lead's Journey to Find the Right Home",
      'eBook - CI/CD Best Practices',
      'eBook - Cloud Native Guide',
    ],
  },
  {
    kind: 'inbound',
    type: 'Inbound',
    names: ['Website - Demo Request', 'Website - Contact Us', 'Website - Free Trial'],
  },
  {
    kind: 'list-upload',
    type: 'List Upload',
    names: [
      'List Upload - Trade Show Scans Q3',
      'List Upload - Purchased List EMEA',
      'List Upload - Conference Attendees APJ',
    ],
  },
  {
    kind: 'event',
    type: 'Event',
    names: ['Event - Commit London', 'Event - Commit San Francisco', 'Event - Field Day Sydney'],
  },
];

const PARTNER_KINDS: ReadonlySet<CampaignKind> = new Set([
  'partner-sponsored-event',
  'mdf',
  'partner-trial',
  'joint-partner',
]);

function makeCampaigns(rng: Rng, partners: AccountInfo[], anchorMs: number): CampaignInfo[] {
  const campaigns: CampaignInfo[] = [];
  for (const plan of CAMPAIGN_PLAN) {
    for (const name of plan.names) {
      const isPartner = PARTNER_KINDS.has(plan.kind);
      const partnerId = isPartner && partners.length > 0 ? rng.pick(partners).record.Id : null;
      campaigns.push({
        kind: plan.kind,
        partnerId,
        record: {
          Id: demoId(KEY_PREFIX.campaign, GENERATED_ID_BASE + campaigns.length),
          Name: name,
          Type: plan.type,
          IsActive: rng.chance(0.85),
          Status: rng.chance(0.6) ? 'In Progress' : 'Completed',
          StartDate: isoDate(anchorMs - rng.int(0, 300) * DAY_MS),
          MDF_Funding__c: plan.kind === 'mdf' ? 'Yes' : 'No',
          Channel_Partner_Involved__c: plan.kind === 'joint-partner' ? 'Yes' : 'No',
          Partner_Account__c: partnerId,
        },
      });
    }
  }
  return campaigns;
}

/** The campaign kinds a lead from each source joins, and the member statuses they show. */
const KIND_BY_SOURCE: Record<string, CampaignKind | null> = {
  'Demo Request': 'inbound',
  'Contact Us': 'inbound',
  'Free Trial': 'inbound',
  'List Upload': 'list-upload',
  'White Paper': 'content',
  eBook: 'content',
  Webinar: 'webinar',
  'Partner Sponsored Event': 'partner-sponsored-event',
  'Partner Referral': 'mdf',
  'Trade Show': 'event',
  Web: null,
  Outbound: null,
};

const MEMBER_STATUSES: Record<CampaignKind, string[]> = {
  'partner-sponsored-event': ['Visited Booth', 'Attended', 'Registered'],
  mdf: ['Attended', 'Registered', 'Responded'],
  'partner-trial': ['Trial Started', 'Responded'],
  'joint-partner': ['Registered', 'Attended', 'Follow Up Requested'],
  webinar: ['Registered', 'Attended', 'No Show'],
  content: ['Downloaded'],
  inbound: ['Responded'],
  'list-upload': ['Sent'],
  event: ['Visited Booth', 'Attended', 'Registered'],
};

function campaignFor(rng: Rng, campaigns: CampaignInfo[], kind: CampaignKind, source: string): CampaignInfo {
  let options = campaigns.filter((c) => c.kind === kind);
  if (kind === 'content') {
    const prefix = source === 'eBook' ? 'eBook' : 'White Paper';
    options = options.filter((c) => c.record.Name.startsWith(prefix));
  }
  if (kind === 'inbound') {
    const wanted =
      source === 'Contact Us' ? 'Contact Us' : source === 'Free Trial' ? 'Free Trial' : 'Demo Request';
    options = options.filter((c) => c.record.Name.endsWith(wanted));
  }
  return rng.pick(options.length > 0 ? options : campaigns.filter((c) => c.kind === kind));
}

/** Company name as a person types it: legal form dropped, lower case, a typo. */
function companyVariant(rng: Rng, account: AccountInfo): string {
  return rng.weighted<() => string>([
    [() => account.record.Name, 60],
    [() => account.baseName, 25],
    [() => account.record.Name.toLowerCase(), 5],
    [() => account.baseName.replace(/ and /g, ' & '), 3],
    [
      () => {
        const name = account.baseName;
        const at = rng.int(1, Math.max(1, name.length - 3));
        return name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2);
      },
      7,
    ],
  ])();
}

function personEmail(rng: Rng, first: string, last: string, domain: string): string {
  const f = slug(first);
  const l = slug(last);
  const local = rng.weighted([
    [`${f}.${l}`, 6],
    [`${f[0]}${l}`, 3],
    [`${f}`, 1],
  ]);
  return `${local}@${domain}`;
}

/** Statuses a lead reaches only after it was an MQL. */
const MQL_OR_LATER: ReadonlySet<string> = new Set(['MQL', 'Accepted', 'Qualifying', 'Qualified']);

interface LeadPlan {
  status: string;
  source: string;
}

function ownerFor(rng: Rng, plan: LeadPlan, region: Region, account: AccountInfo | null): string {
  const people = TEAMS[region];
  const sdr = (): string =>
    // A few leads still belong to an SDR who has left: the inactive-owner job picks them up.
    rng.chance(0.03) && people.allSdrs.length > people.sdrs.length
      ? rng.pick(people.allSdrs.filter((id) => !people.sdrs.includes(id)))
      : rng.pick(people.sdrs);
  if (
    account?.record.BDR_Prospecting_Status__c === 'Actively Working' &&
    account.record.BDR_Assigned__c &&
    rng.chance(0.4)
  ) {
    return account.record.BDR_Assigned__c;
  }
  switch (plan.status) {
    case 'Unqualified':
      return rng.chance(0.8) ? queueId('Unqualified Holding') : sdr();
    case 'Raw':
      return rng.weighted<() => string>([
        [() => queueId('Raw Queue'), 3],
        [() => DEMO.marketoIntegration, 3],
        [sdr, 4],
      ])();
    case 'Recycle':
      return rng.weighted<() => string>([
        [() => queueId('Recycle Queue'), 3],
        [() => DEMO.marketoIntegration, 2],
        [sdr, 5],
      ])();
    case 'Inquiry':
      return rng.weighted<() => string>([
        [() => queueId('Inquiry Queue'), 2],
        [() => DEMO.marketoIntegration, 2],
        [sdr, 6],
      ])();
    case 'Disqualified':
      return rng.chance(0.4) ? queueId('Disqualified Queue') : sdr();
    case 'Ineligible':
      return rng.chance(0.4) ? queueId('Ineligible Queue') : sdr();
    case 'MQL':
      return rng.chance(0.05) ? queueId('Hopper') : sdr();
    default:
      return sdr();
  }
}

function makeLeads(
  rng: Rng,
  names: CompanyNames,
  count: number,
  accounts: AccountInfo[],
  campaigns: CampaignInfo[],
  anchorMs: number,
): { leads: LeadRecord[]; members: CampaignMemberRecord[] } {
  const leads: LeadRecord[] = [];
  const members: CampaignMemberRecord[] = [];
  const addMember = (lead: LeadRecord, campaign: CampaignInfo, createdMs: number, status?: string) => {
    members.push({
      Id: demoId(KEY_PREFIX.campaignMember, GENERATED_ID_BASE + members.length),
      CampaignId: campaign.record.Id,
      LeadId: lead.Id,
      Status: status ?? rng.pick(MEMBER_STATUSES[campaign.kind]),
      CreatedDate: isoTime(Math.min(anchorMs - 60_000, createdMs)),
    });
  };

  // Companies not in the org, each with a few leads owned by one SDR (the blueprint's rule 4).
  const newCompanies: Array<{
    name: string;
    domain: string;
    location: Location;
    region: Region;
    owner: string | null;
  }> = [];
  let pendingGroup = 0;
  let group: (typeof newCompanies)[number] | null = null;

  for (let i = 0; i < count; i++) {
    const plan: LeadPlan = {
      status:
        i < LEAD_STATUSES.length
          ? LEAD_STATUSES[i]!
          : rng.weighted([
              ['Raw', 15],
              ['Inquiry', 15],
              ['MQL', 15],
              ['Accepted', 8],
              ['Qualifying', 8],
              ['Qualified', 6],
              ['Disqualified', 7],
              ['Ineligible', 5],
              ['Recycle', 12],
              ['Unqualified', 5],
            ]),
      source:
        i < LEAD_SOURCES.length
          ? LEAD_SOURCES[i]!
          : rng.weighted([
              ['Demo Request', 8],
              ['Contact Us', 7],
              ['List Upload', 14],
              ['White Paper', 10],
              ['eBook', 8],
              ['Webinar', 14],
              ['Partner Sponsored Event', 5],
              ['Partner Referral', 4],
              ['Free Trial', 8],
              ['Trade Show', 7],
              ['Web', 9],
              ['Outbound', 6],
            ]),
    };
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const createdMs = anchorMs - rng.int(0, 700) * DAY_MS - rng.int(0, DAY_MS - 1);
    const kind = rng.weighted([
      ['account', 55],
      ['new-company', 30],
      ['free-mail', 15],
    ] as const);

    let account: AccountInfo | null = null;
    let company: string;
    let email: string;
    let website: string | null = null;
    let region: Region;
    let location: Location;
    let matched: string | null = null;

    if (kind === 'account' && accounts.length > 0) {
      account = rng.pick(accounts);
      company = companyVariant(rng, account);
      email = personEmail(rng, first, last, account.domain);
      website = rng.chance(0.5) ? (account.record.Website ?? null) : null;
      region = account.region;
      location = rng.chance(0.85) ? account.location : pickLocation(rng, region);
      matched = account.record.Id;
    } else if (kind === 'free-mail') {
      region = rng.weighted([
        ['AMER', 50],
        ['EMEA', 30],
        ['APJ', 20],
      ]);
      location = pickLocation(rng, region);
      email = personEmail(rng, first, last, rng.pick(FREE_MAIL_DOMAINS));
      if (accounts.length > 0 && rng.chance(0.4)) {
        account = rng.pick(accounts);
        company = companyVariant(rng, account);
        // A person with a free-mail address who names their employer: matched by name only, sometimes.
        matched = rng.chance(0.5) ? account.record.Id : null;
        if (!matched) account = null;
      } else {
        company = rng.pick(['Self', 'N/A', `${first} ${last}`, 'Freelance', names.next()]);
      }
    } else {
      if (pendingGroup === 0 || !group) {
        const groupRegion = rng.weighted<Region>([
          ['AMER', 50],
          ['EMEA', 30],
          ['APJ', 20],
        ]);
        const groupLocation = pickLocation(rng, groupRegion);
        const name = names.next();
        group = {
          name,
          domain: names.domain(name, groupLocation.country),
          location: groupLocation,
          region: groupRegion,
          owner: null,
        };
        newCompanies.push(group);
        pendingGroup = rng.int(1, 5);
      }
      pendingGroup -= 1;
      company = group.name;
      email = personEmail(rng, first, last, group.domain);
      website = rng.chance(0.4) ? websiteOf(rng, group.domain) : null;
      region = group.region;
      location = group.location;
    }

    let owner = ownerFor(rng, plan, region, account);
    if (kind === 'new-company' && group) {
      // Leads from one company not in the org share an owner, as if the first one's SDR took them all.
      if (group.owner === null && owner.startsWith(KEY_PREFIX.user)) group.owner = owner;
      else if (group.owner !== null && owner.startsWith(KEY_PREFIX.user)) owner = group.owner;
    }

    const id = demoId(KEY_PREFIX.lead, GENERATED_ID_BASE + i);
    const lead: LeadRecord = {
      Id: id,
      FirstName: first,
      LastName: last,
      Title: rng.pick(TITLES),
      Email: email,
      Company: company,
      Website: website,
      Country: location.country.name,
      State: location.place.state,
      City: location.place.city,
      PostalCode: postalCode(rng, location.place),
      NumberOfEmployees: account?.record.NumberOfEmployees ?? employees(rng),
      Industry: account?.record.Industry ?? rng.pick(INDUSTRIES),
      LeadSource: plan.source,
      Lead_Acquisition_Source__c: plan.source,
      Status: plan.status,
      OwnerId: owner,
      IsConverted: false,
      CreatedDate: isoTime(createdMs),
      LastActivityDate: rng.chance(0.6)
        ? isoDate(Math.min(anchorMs, createdMs + rng.int(0, 60) * DAY_MS))
        : null,
      Last_Interesting_Moment_Date__c: rng.chance(0.7)
        ? isoDate(Math.min(anchorMs - 1000, createdMs + rng.int(0, 90) * DAY_MS))
        : null,
      MQL_Date__c:
        MQL_OR_LATER.has(plan.status) || (plan.status === 'Recycle' && rng.chance(0.3))
          ? isoDate(createdMs + rng.float() * (anchorMs - createdMs))
          : null,
      Impartner_Partner_Account__c: null,
      Partner_Recalled__c: false,
      Partner_Recalled_Date__c: null,
      Partner_Share_Status__c: null,
      Partner_Lead_Status__c: null,
      Prospect_Share_Status__c: null,
      Partner_Prospect_Status__c: null,
      Actively_Being_Sequenced__c: rng.chance(0.1),
      AI_Email_In_Progress__c: rng.chance(0.05),
      High_Priority__c: rng.chance(
        plan.source === 'Demo Request' || plan.source === 'Contact Us' ? 0.35 : 0.04,
      ),
      Rerun_Routing__c: false,
      In_Hopper__c: false,
      Matched_Account__c: matched,
      Last_Routing_Flow__c: null,
      Last_Routed_At__c: null,
      Routing_Reason__c: null,
    };

    // Memberships that fit the lead's source; partner campaigns bring the partner with them.
    const sourceKind = KIND_BY_SOURCE[plan.source] ?? null;
    let kindForMember = sourceKind;
    if (plan.source === 'Partner Referral') {
      kindForMember = rng.pick(['mdf', 'partner-trial', 'joint-partner'] as const);
    } else if (plan.source === 'Webinar' && rng.chance(0.2)) {
      kindForMember = 'joint-partner';
    }
    if (kindForMember) {
      const campaign = campaignFor(rng, campaigns, kindForMember, plan.source);
      addMember(lead, campaign, createdMs + rng.int(0, 3) * 3_600_000);
      if (campaign.partnerId && (PARTNER_KINDS.has(campaign.kind) || rng.chance(0.5))) {
        applyPartnerState(rng, lead, campaign, anchorMs);
      }
    }
    if (rng.chance(0.25)) {
      const extra = rng.pick(campaigns.filter((c) => c.kind === 'webinar' || c.kind === 'content'));
      addMember(lead, extra, createdMs + rng.int(1, 60) * DAY_MS);
    }

    // Some qualified leads on known accounts were converted long ago.
    if (plan.status === 'Qualified' && matched && rng.chance(0.5)) {
      lead.IsConverted = true;
      lead.ConvertedAccountId = matched;
      lead.ConvertedDate = isoDate(Math.min(anchorMs, createdMs + rng.int(5, 90) * DAY_MS));
    }
    leads.push(lead);
  }
  return { leads, members };
}

/** Partner fields as Impartner and earlier routing left them. */
function applyPartnerState(rng: Rng, lead: LeadRecord, campaign: CampaignInfo, anchorMs: number): void {
  lead.Impartner_Partner_Account__c = campaign.partnerId;
  const state = rng.weighted([
    ['new', 55],
    ['shared', 30],
    ['recalled', 15],
  ] as const);
  if (state === 'recalled') {
    lead.Partner_Recalled__c = true;
    lead.Partner_Recalled_Date__c = isoDate(anchorMs - rng.int(1, 120) * DAY_MS);
  } else if (state === 'shared') {
    lead.OwnerId = queueId('Partner Queue');
    if (campaign.kind === 'partner-sponsored-event') {
      lead.Partner_Share_Status__c = rng.pick(['Pending', 'Accepted', 'Rejected']);
      lead.Partner_Lead_Status__c = 'Qualifying';
    } else {
      lead.Prospect_Share_Status__c = 'Sending to Partner';
      lead.Partner_Prospect_Status__c = rng.pick(['Qualifying', 'Accepted']);
    }
  }
}

/** The whole demo org for these options. Pure: no clock, no I/O. */
export function generateDemoOrg(options: DemoOrgOptions = {}): DemoOrg {
  const seed = options.seed ?? DEMO_ORG_DEFAULTS.seed;
  const anchorMs = Date.parse(options.anchor ?? DEMO_ORG_DEFAULTS.anchor);
  if (Number.isNaN(anchorMs)) throw new RangeError(`anchor is not an ISO timestamp: ${options.anchor}`);
  const rng = new Rng(seed);
  const names = new CompanyNames(rng);
  const accounts = makeAccounts(rng, names, options.accounts ?? DEMO_ORG_DEFAULTS.accounts, anchorMs);
  const opportunities = makeOpportunities(rng, accounts, anchorMs);
  const campaigns = makeCampaigns(
    rng,
    accounts.filter((a) => a.record.Type === 'Partner'),
    anchorMs,
  );
  const { leads, members } = makeLeads(
    rng,
    names,
    options.leads ?? DEMO_ORG_DEFAULTS.leads,
    accounts,
    campaigns,
    anchorMs,
  );
  return {
    users: DEMO_USERS,
    queues: DEMO_QUEUES,
    accounts: accounts.map((a) => a.record),
    opportunities,
    campaigns: campaigns.map((c) => c.record),
    campaignMembers: members,
    leads,
  };
}

/** A new inbound lead (no Id yet) and the campaign it came through, if any. */
export interface InboundLead {
  lead: Partial<LeadRecord>;
  campaignId: string | null;
  memberStatus: string | null;
}

/**
 * Makes inbound demo leads that look like the org's own: people at its accounts (not yet matched:
 * routing matches them), at new companies, or with free-mail addresses, from every source.
 */
export function createInboundLeadFactory(
  accounts: AccountRecord[],
  campaigns: CampaignRecord[],
  seed: number = DEMO_ORG_DEFAULTS.seed,
): (now: Date) => InboundLead {
  const rng = new Rng(seed);
  const names = new CompanyNames(rng);
  const kindOf = (c: CampaignRecord): CampaignKind | null =>
    CAMPAIGN_PLAN.find((p) => p.names.includes(c.Name))?.kind ?? null;
  const known: CampaignInfo[] = campaigns.flatMap((c) => {
    const kind = kindOf(c);
    return kind ? [{ record: c, kind, partnerId: (c.Partner_Account__c as string | null) ?? null }] : [];
  });
  return (now) => {
    const source = rng.weighted([
      ['Demo Request', 20],
      ['Contact Us', 15],
      ['Webinar', 20],
      ['White Paper', 10],
      ['eBook', 8],
      ['List Upload', 10],
      ['Partner Sponsored Event', 5],
      ['Free Trial', 7],
      ['Trade Show', 5],
    ] as const);
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const region: Region = rng.weighted([
      ['AMER', 50],
      ['EMEA', 30],
      ['APJ', 20],
    ]);
    let location = pickLocation(rng, region);
    let company: string;
    let email: string;
    const roll = rng.float();
    if (roll < 0.5 && accounts.length > 0) {
      const account = rng.pick(accounts);
      const domain = String(account.Website ?? '')
        .replace(/^https?:\/\//, '')
        .replace(/^www\./, '')
        .replace(/\/.*$/, '');
      company = account.Name;
      email = personEmail(rng, first, last, domain || `${slug(account.Name)}.com`);
      const country = COUNTRIES.find((c) => c.name === account.BillingCountry);
      if (country) location = { country, place: rng.pick(country.places), bayArea: false };
    } else if (roll < 0.85) {
      company = names.next();
      email = personEmail(rng, first, last, names.domain(company, location.country));
    } else {
      company = rng.pick(['Self', 'N/A', 'Freelance']);
      email = personEmail(rng, first, last, rng.pick(FREE_MAIL_DOMAINS));
    }
    const kind = KIND_BY_SOURCE[source] ?? null;
    const campaign =
      kind && known.some((c) => c.kind === kind) ? campaignFor(rng, known, kind, source) : null;
    const status = rng.weighted([
      ['MQL', 40],
      ['Inquiry', 30],
      ['Raw', 30],
    ]);
    const today = now.toISOString().slice(0, 10);
    const lead: Partial<LeadRecord> = {
      FirstName: first,
      LastName: last,
      Title: rng.pick(TITLES),
      Email: email,
      Company: company,
      Country: location.country.name,
      State: location.place.state,
      City: location.place.city,
      PostalCode: postalCode(rng, location.place),
      NumberOfEmployees: employees(rng),
      Industry: rng.pick(INDUSTRIES),
      LeadSource: source,
      Lead_Acquisition_Source__c: source,
      Status: status,
      MQL_Date__c: status === 'MQL' ? today : null,
      Last_Interesting_Moment_Date__c: today,
      OwnerId: DEMO.marketoIntegration,
      IsConverted: false,
      CreatedDate: now.toISOString(),
      Impartner_Partner_Account__c: campaign?.partnerId ?? null,
      Partner_Recalled__c: false,
      Actively_Being_Sequenced__c: false,
      AI_Email_In_Progress__c: false,
      High_Priority__c: source === 'Demo Request' || source === 'Contact Us',
      Rerun_Routing__c: false,
      In_Hopper__c: false,
      Matched_Account__c: null,
    };
    return {
      lead,
      campaignId: campaign?.record.Id ?? null,
      memberStatus: campaign ? rng.pick(MEMBER_STATUSES[campaign.kind]) : null,
    };
  };
}
