import type {
  AccountRecord,
  CampaignMemberRecord,
  CampaignRecord,
  LeadRecord,
  Membership,
  OpportunityRecord,
} from '../../engine/model.js';
import { demoId, KEY_PREFIX } from '../../engine/salesforce-id.js';
import { demoQueueId, demoUserId } from './demo-people.js';

/**
 * Curated demo records, one or more per routing rule of the seeds, each lead named after the rule it
 * shows. The demo org seeds them beside its generated bulk; tests, the demo and the preview use them
 * by key. Numbers start at 9,000,000 so they never meet generated records.
 */
const BASE = 9_000_000;
const account = (n: number) => demoId(KEY_PREFIX.account, BASE + n);
const campaign = (n: number) => demoId(KEY_PREFIX.campaign, BASE + n);
const lead = (n: number) => demoId(KEY_PREFIX.lead, BASE + n);

const u = {
  ava: demoUserId(1),
  ben: demoUserId(2),
  finn: demoUserId(6),
  kara: demoUserId(11),
  mei: demoUserId(13),
  noah: demoUserId(14),
  olivia: demoUserId(15),
  priya: demoUserId(16),
  tara: demoUserId(20),
  marketo: demoUserId(23),
};
const unqualifiedHolding = demoQueueId(8);

const accounts: AccountRecord[] = [
  {
    Id: account(1),
    Name: 'Acme Corporation',
    Website: 'https://www.acme.com',
    Type: 'Customer',
    OwnerId: u.noah,
    Customer_Success_Manager__c: u.tara,
    BillingCountry: 'US',
    BillingState: 'NY',
    BillingCity: 'New York',
    Industry: 'Manufacturing',
    NumberOfEmployees: 12000,
    LastActivityDate: '2026-11-10',
  },
  {
    Id: account(2),
    Name: 'Globex GmbH',
    Website: 'globex.de',
    Type: 'Target',
    OwnerId: u.olivia,
    BillingCountry: 'DE',
    BillingCity: 'Munich',
    Industry: 'Energy',
    NumberOfEmployees: 4200,
    LastActivityDate: '2026-10-02',
  },
  {
    Id: account(3),
    Name: 'Initech Partners',
    Website: 'https://initech-partners.com',
    Type: 'Partner',
    OwnerId: u.noah,
    BillingCountry: 'US',
    BillingState: 'TX',
    BillingCity: 'Austin',
    NumberOfEmployees: 300,
  },
  {
    Id: account(4),
    Name: 'Umbrella Consulting Ltd',
    Website: 'umbrella-consulting.co.uk',
    Type: 'Consultant',
    OwnerId: u.olivia,
    BillingCountry: 'GB',
    BillingCity: 'London',
    NumberOfEmployees: 800,
  },
  {
    Id: account(5),
    Name: 'Stark Logistics',
    Website: 'starklogistics.com',
    Type: 'Prospect',
    OwnerId: u.noah,
    BillingCountry: 'US',
    BillingState: 'IL',
    BillingCity: 'Chicago',
    NumberOfEmployees: 2500,
  },
  {
    Id: account(6),
    Name: 'Wayne Analytics',
    Website: 'wayne-analytics.com',
    Type: 'Non-Target',
    OwnerId: u.noah,
    BDR_Assigned__c: u.kara,
    BillingCountry: 'US',
    BillingState: 'NY',
    BillingCity: 'Albany',
    NumberOfEmployees: 150,
  },
  {
    Id: account(7),
    Name: 'Hooli Labs',
    Website: 'hooli-labs.io',
    Type: 'Non-Target',
    OwnerId: u.noah,
    BillingCountry: 'US',
    BillingState: 'CA',
    BillingCity: 'Palo Alto',
    NumberOfEmployees: 90,
  },
  {
    Id: account(8),
    Name: 'Tyrell Systems KK',
    Website: 'tyrell.co.jp',
    Type: 'Prospect',
    OwnerId: u.priya,
    BDR_Assigned__c: u.mei,
    BillingCountry: 'JP',
    BillingCity: 'Tokyo',
    NumberOfEmployees: 1800,
  },
  {
    Id: account(9),
    Name: 'Cyberdyne Robotics',
    Website: 'cyberdyne.com',
    Type: 'Prospect',
    OwnerId: u.noah,
    BDR_Assigned__c: u.kara,
    BDR_Prospecting_Status__c: 'Actively Working',
    BDR_Prospecting_Status_Changed__c: '2026-11-22',
    BillingCountry: 'US',
    BillingState: 'CA',
    BillingCity: 'Sunnyvale',
    NumberOfEmployees: 650,
  },
  {
    Id: account(10),
    Name: 'Soylent Foods plc',
    Website: 'soylentfoods.co.uk',
    Type: 'Prospect',
    OwnerId: u.olivia,
    BillingCountry: 'GB',
    BillingCity: 'Leeds',
    NumberOfEmployees: 3100,
  },
];

const opportunities: OpportunityRecord[] = [
  {
    Id: demoId(KEY_PREFIX.opportunity, BASE + 1),
    AccountId: account(5),
    Name: 'Stark Logistics - Platform',
    StageName: 'Negotiation',
    IsClosed: false,
    OwnerId: u.noah,
    Amount: 180000,
    CloseDate: '2026-12-15',
  },
  {
    Id: demoId(KEY_PREFIX.opportunity, BASE + 2),
    AccountId: account(1),
    Name: 'Acme - Expansion',
    StageName: 'Proposal',
    IsClosed: false,
    OwnerId: u.noah,
    Amount: 90000,
    CloseDate: '2027-01-31',
  },
  {
    Id: demoId(KEY_PREFIX.opportunity, BASE + 3),
    AccountId: account(10),
    Name: 'Soylent - Pilot',
    StageName: 'Discovery',
    IsClosed: false,
    OwnerId: u.olivia,
    Amount: 25000,
    CloseDate: '2027-02-28',
  },
];

const campaigns: CampaignRecord[] = [
  {
    Id: campaign(1),
    Name: 'DevOps Summit London (partner sponsored)',
    Type: 'Partner Sponsored Event',
    IsActive: true,
    MDF_Funding__c: 'No',
    Channel_Partner_Involved__c: 'No',
  },
  {
    Id: campaign(2),
    Name: 'MDF - Cloud Migration Workshop',
    Type: 'Event',
    IsActive: true,
    MDF_Funding__c: 'Yes',
    Channel_Partner_Involved__c: 'Yes',
  },
  {
    Id: campaign(3),
    Name: 'Partner - Trial - Ultimate',
    Type: 'Free Trial',
    IsActive: true,
    MDF_Funding__c: 'No',
    Channel_Partner_Involved__c: 'No',
  },
  {
    Id: campaign(4),
    Name: 'Joint Webinar with Northwind',
    Type: 'Webinar',
    IsActive: true,
    MDF_Funding__c: 'No',
    Channel_Partner_Involved__c: 'Yes',
  },
  { Id: campaign(5), Name: 'Product demo requests', Type: 'Demo Request', IsActive: true },
  { Id: campaign(6), Name: 'Webinar: Routing at Scale', Type: 'Webinar', IsActive: true },
  { Id: campaign(7), Name: 'eBook: The Lead Routing Guide', Type: 'eBook', IsActive: true },
  { Id: campaign(8), Name: 'Trade show list upload', Type: 'List Upload', IsActive: true },
];

/** What each scenario lead shows, by key. */
export interface Scenario {
  key: string;
  rule: string;
  lead: LeadRecord;
  /** The campaign the lead responded to, if any (index into `campaigns`, 1-based). */
  campaign?: number;
  memberStatus?: string;
}

const created = '2026-11-02T15:00:00.000Z';
const base = (n: number, first: string, last: string, fields: Partial<LeadRecord>): LeadRecord => ({
  Id: lead(n),
  FirstName: first,
  LastName: last,
  Status: 'MQL',
  OwnerId: u.marketo,
  IsConverted: false,
  CreatedDate: created,
  MQL_Date__c: '2026-11-02',
  Last_Interesting_Moment_Date__c: '2026-11-02',
  Partner_Recalled__c: false,
  High_Priority__c: false,
  Actively_Being_Sequenced__c: false,
  AI_Email_In_Progress__c: false,
  Rerun_Routing__c: false,
  In_Hopper__c: false,
  ...fields,
});

export const SCENARIOS: Scenario[] = [
  {
    key: 'partner-event',
    rule: 'Partner-sponsored event goes to the Partner Queue',
    campaign: 1,
    memberStatus: 'Attended',
    lead: base(1, 'Priya', 'Nair', {
      Email: 'priya.nair@blueharbor.io',
      Company: 'Blue Harbor',
      Title: 'Platform Lead',
      Country: 'GB',
      LeadSource: 'Event',
      Lead_Acquisition_Source__c: 'Partner Sponsored Event',
      Impartner_Partner_Account__c: 'Northwind Partners',
    }),
  },
  {
    key: 'partner-event-recalled',
    rule: 'A recalled partner-event lead is routed by us',
    campaign: 1,
    memberStatus: 'Attended',
    lead: base(2, 'Tom', 'Becker', {
      Email: 'tom.becker@quantumleaf.de',
      Company: 'Quantum Leaf',
      Country: 'DE',
      LeadSource: 'Event',
      Lead_Acquisition_Source__c: 'Partner Sponsored Event',
      Impartner_Partner_Account__c: 'Northwind Partners',
      Partner_Recalled__c: true,
      Partner_Recalled_Date__c: '2026-10-20',
    }),
  },
  {
    key: 'partner-mdf',
    rule: 'MDF campaign lead is sent to the partner',
    campaign: 2,
    memberStatus: 'Registered',
    lead: base(3, 'Lena', 'Vogel', {
      Email: 'lena@alpenwerk.at',
      Company: 'Alpenwerk',
      Country: 'AT',
      LeadSource: 'Event',
      Impartner_Partner_Account__c: 'Contoso Channel',
    }),
  },
  {
    key: 'partner-trial',
    rule: 'Partner trial campaign lead is sent to the partner',
    campaign: 3,
    memberStatus: 'Responded',
    lead: base(4, 'Marco', 'Bianchi', {
      Email: 'marco@vetroteam.it',
      Company: 'Vetro Team',
      Country: 'IT',
      LeadSource: 'Free Trial',
      Impartner_Partner_Account__c: 'Contoso Channel',
    }),
  },
  {
    key: 'partner-mdf-no-partner',
    rule: 'MDF campaign lead without a partner account is routed by us',
    campaign: 2,
    memberStatus: 'Registered',
    lead: base(5, 'Sara', 'Lind', {
      Email: 'sara.lind@nordhav.se',
      Company: 'Nordhav',
      Country: 'SE',
      LeadSource: 'Event',
    }),
  },
  {
    key: 'partner-joint',
    rule: 'Joint partner campaign lead nobody works is sent to the partner',
    campaign: 4,
    memberStatus: 'Attended',
    lead: base(6, 'Ken', 'Ito', {
      Email: 'ken.ito@sakuradata.jp',
      Company: 'Sakura Data',
      Country: 'JP',
      LeadSource: 'Webinar',
      Status: 'Inquiry',
      Impartner_Partner_Account__c: 'Northwind Partners',
    }),
  },
  {
    key: 'partner-joint-worked',
    rule: 'Joint partner campaign lead we are working stays with its SDR',
    campaign: 4,
    memberStatus: 'Attended',
    lead: base(7, 'Ana', 'Costa', {
      Email: 'ana.costa@riomar.com.br',
      Company: 'Rio Mar',
      Country: 'BR',
      LeadSource: 'Webinar',
      Status: 'Qualifying',
      OwnerId: u.ava,
      Impartner_Partner_Account__c: 'Northwind Partners',
    }),
  },
  {
    key: 'partner-direct-engagement',
    rule: 'A partner lead that asked us directly stays with its owner',
    lead: base(8, 'Omar', 'Haddad', {
      Email: 'omar@cedarpeak.ae',
      Company: 'Cedar Peak',
      Country: 'AE',
      LeadSource: 'Contact Us',
      OwnerId: u.ben,
      Impartner_Partner_Account__c: 'Northwind Partners',
      Partner_Share_Status__c: 'Pending',
    }),
  },
  {
    key: 'partner-alliance',
    rule: 'Alliance partner lead goes to sales development',
    lead: base(9, 'Jonas', 'Weber', {
      Email: 'jonas.weber@kraftlabs.de',
      Company: 'Kraft Labs',
      Country: 'DE',
      LeadSource: 'Partner',
      Lead_Acquisition_Source__c: 'Alliance Partner',
    }),
  },
  {
    key: 'blueprint-customer',
    rule: 'Customer account match converts to customer success',
    lead: base(10, 'Grace', 'Miller', {
      Email: 'grace.miller@acme.com',
      Company: 'ACME Corp',
      Title: 'VP Engineering',
      Country: 'US',
      LeadSource: 'Webinar',
    }),
  },
  {
    key: 'blueprint-target',
    rule: 'Target account match converts to the account executive',
    lead: base(11, 'Felix', 'Wagner', {
      Email: 'f.wagner@globex.de',
      Company: 'Globex',
      Country: 'DE',
      LeadSource: 'White Paper',
    }),
  },
  {
    key: 'blueprint-partner-account',
    rule: 'Partner account match converts to the account owner',
    lead: base(12, 'Derek', 'Shaw', {
      Email: 'derek@initech-partners.com',
      Company: 'Initech Partners',
      Country: 'US',
      LeadSource: 'Contact Us',
    }),
  },
  {
    key: 'blueprint-consultant-account',
    rule: 'Consultant account match converts to the account owner',
    lead: base(13, 'Emily', 'Clarke', {
      Email: 'emily.clarke@umbrella-consulting.co.uk',
      Company: 'Umbrella Consulting',
      Country: 'GB',
      LeadSource: 'eBook',
    }),
  },
  {
    key: 'blueprint-late-stage-opportunity',
    rule: 'Open opportunity in Negotiation converts to its owner',
    lead: base(14, 'Raj', 'Patel', {
      Email: 'raj.patel@starklogistics.com',
      Company: 'Stark Logistics',
      Country: 'US',
      LeadSource: 'Webinar',
    }),
  },
  {
    key: 'blueprint-non-target-designated',
    rule: 'Non-target account match goes to its designated rep',
    lead: base(15, 'Chris', 'Young', {
      Email: 'chris.young@wayne-analytics.com',
      Company: 'Wayne Analytics',
      Country: 'US',
      LeadSource: 'White Paper',
    }),
  },
  {
    key: 'blueprint-bay-area',
    rule: 'Non-target Bay Area account goes to the Bay Area round robin',
    lead: base(16, 'Maya', 'Lopez', {
      Email: 'maya@hooli-labs.io',
      Company: 'Hooli Labs',
      Country: 'US',
      State: 'CA',
      LeadSource: 'Webinar',
    }),
  },
  {
    key: 'blueprint-same-company',
    rule: 'Unmatched lead goes to the owner of its company’s other leads',
    lead: base(17, 'Ivy', 'Chen', {
      Email: 'ivy.chen@brightwave.ai',
      Company: 'Brightwave AI',
      Country: 'US',
      LeadSource: 'Webinar',
    }),
  },
  {
    key: 'blueprint-same-company-colleague',
    rule: 'An earlier lead from the same company, owned by an SDR',
    lead: base(18, 'Leo', 'Grant', {
      Email: 'leo.grant@brightwave.ai',
      Company: 'Brightwave AI',
      Country: 'US',
      LeadSource: 'White Paper',
      Status: 'Qualifying',
      OwnerId: u.finn,
    }),
  },
  {
    key: 'blueprint-hot',
    rule: 'Demo request goes to the hot-leads round robin',
    campaign: 5,
    memberStatus: 'Responded',
    lead: base(19, 'Nina', 'Rossi', {
      Email: 'nina.rossi@gmail.com',
      Company: 'Freelance',
      Country: 'US',
      LeadSource: 'Demo Request',
    }),
  },
  {
    key: 'blueprint-cold',
    rule: 'List upload goes to the cold-leads pool',
    campaign: 8,
    memberStatus: 'Sent',
    lead: base(20, 'Paul', 'Adams', {
      Email: 'paul.adams@hartwellmfg.com',
      Company: 'Hartwell Manufacturing',
      Country: 'US',
      LeadSource: 'List Upload',
      Status: 'Raw',
    }),
  },
  {
    key: 'blueprint-content',
    rule: 'eBook download goes to the content round robin',
    campaign: 7,
    memberStatus: 'Responded',
    lead: base(21, 'Zara', 'Ali', {
      Email: 'zara.ali@lumenhealth.com',
      Company: 'Lumen Health',
      Country: 'GB',
      LeadSource: 'eBook',
    }),
  },
  {
    key: 'blueprint-webinar',
    rule: 'Webinar registration goes to the webinar round robin',
    campaign: 6,
    memberStatus: 'Registered',
    lead: base(22, 'Hugo', 'Martin', {
      Email: 'hugo.martin@ondeverte.fr',
      Company: 'Onde Verte',
      Country: 'FR',
      LeadSource: 'Webinar',
    }),
  },
  {
    key: 'blueprint-region',
    rule: 'Anything else goes to the round robin of its region',
    lead: base(23, 'Aiko', 'Sato', {
      Email: 'aiko.sato@kumodesign.jp',
      Company: 'Kumo Design',
      Country: 'JP',
      LeadSource: 'Website',
    }),
  },
  {
    key: 'blueprint-hopper',
    rule: 'A lead of no country we know waits in the Hopper, with its account’s owner named',
    lead: base(30, 'Dana', 'Wells', {
      Email: 'dana.wells@soylentfoods.co.uk',
      Company: 'Soylent Foods',
      LeadSource: 'Website',
    }),
  },
  {
    key: 'blueprint-route-on-update',
    rule: 'An activated lead in the unqualified holding queue is routed',
    lead: base(24, 'Ben', 'Ortiz', {
      Email: 'ben.ortiz@pinecrest.ca',
      Company: 'Pinecrest',
      Country: 'CA',
      LeadSource: 'Website',
      Status: 'MQL',
      OwnerId: unqualifiedHolding,
    }),
  },
  {
    key: 'reroute-eligible',
    rule: 'An MQL is re-routed to the round robin of its region',
    lead: base(25, 'Olga', 'Ivanova', {
      Email: 'olga.ivanova@soylentfoods.co.uk',
      Company: 'Soylent Foods',
      Country: 'GB',
      LeadSource: 'Website',
      OwnerId: u.ava,
    }),
  },
  {
    key: 'reroute-high-priority',
    rule: 'A high-priority lead is not re-routed',
    lead: base(26, 'Victor', 'Cruz', {
      Email: 'victor.cruz@meridianbank.com',
      Company: 'Meridian Bank',
      Country: 'US',
      LeadSource: 'Demo Request',
      High_Priority__c: true,
      OwnerId: u.ben,
    }),
  },
  {
    key: 'reroute-not-mql',
    rule: 'A lead that is not an MQL is not re-routed',
    lead: base(27, 'Elif', 'Demir', {
      Email: 'elif.demir@bosphorus.com.tr',
      Company: 'Bosphorus Tech',
      Country: 'TR',
      LeadSource: 'Website',
      Status: 'Inquiry',
      OwnerId: u.ben,
    }),
  },
  {
    key: 'reroute-bdr-actively-working',
    rule: 'A lead of an account its BDR is actively working is not re-routed',
    lead: base(28, 'Sam', 'Fisher', {
      Email: 'sam.fisher@cyberdyne.com',
      Company: 'Cyberdyne',
      Country: 'US',
      LeadSource: 'Website',
      OwnerId: u.ava,
      Status: 'MQL',
    }),
  },
  {
    key: 'reroute-apj-bdr-assigned',
    rule: 'In APJ, a lead of an account with a BDR is not re-routed',
    lead: base(29, 'Yuki', 'Mori', {
      Email: 'yuki.mori@tyrell.co.jp',
      Company: 'Tyrell Systems',
      Country: 'JP',
      LeadSource: 'Website',
      OwnerId: demoUserId(8),
    }),
  },
];

/**
 * How a person sees each scenario's rule at work from the preview's "Leads to try": the routing they
 * can start for the lead (inbound routing as when it arrived, or a re-route) and the flow node whose
 * step says the rule. A scenario that is context for another, or that only a change in Salesforce
 * shows, has no action and says so.
 */
export type ScenarioAction =
  { trigger: 'created' | 'reroute'; node: string } | { trigger: null; note: string };

export const SCENARIO_ACTIONS: Record<string, ScenarioAction> = {
  'partner-event': { trigger: 'created', node: 'share-event-lead' },
  'partner-event-recalled': { trigger: 'created', node: 'blueprint' },
  'partner-mdf': { trigger: 'created', node: 'mdf-or-trial' },
  'partner-trial': { trigger: 'created', node: 'mdf-or-trial' },
  'partner-mdf-no-partner': { trigger: 'created', node: 'blueprint' },
  'partner-joint': { trigger: 'created', node: 'share-prospect' },
  'partner-joint-worked': { trigger: 'created', node: 'joint-sdr' },
  'partner-direct-engagement': { trigger: 'created', node: 'direct-engagement' },
  'partner-alliance': { trigger: 'created', node: 'alliance-partner' },
  'blueprint-customer': { trigger: 'created', node: 'convert-customer' },
  'blueprint-target': { trigger: 'created', node: 'convert-to-owner' },
  'blueprint-partner-account': { trigger: 'created', node: 'convert-to-owner' },
  'blueprint-consultant-account': { trigger: 'created', node: 'convert-to-owner' },
  'blueprint-late-stage-opportunity': { trigger: 'created', node: 'convert-to-opportunity-owner' },
  'blueprint-non-target-designated': { trigger: 'created', node: 'designated-rep' },
  'blueprint-bay-area': { trigger: 'created', node: 'bay-area-pool' },
  'blueprint-same-company': { trigger: 'created', node: 'same-company-owner' },
  'blueprint-same-company-colleague': {
    trigger: null,
    note: 'The colleague Ivy Chen is routed to: open it to see its owner.',
  },
  'blueprint-hot': { trigger: 'created', node: 'hot-pool' },
  'blueprint-cold': { trigger: 'created', node: 'cold-pool' },
  'blueprint-content': { trigger: 'created', node: 'content-pool' },
  'blueprint-webinar': { trigger: 'created', node: 'webinar-pool' },
  'blueprint-region': { trigger: 'created', node: 'region-pool' },
  'blueprint-hopper': { trigger: 'created', node: 'hopper' },
  'blueprint-route-on-update': {
    trigger: null,
    note: 'Shown when its status changes in Salesforce (route on update); the preview does not edit leads.',
  },
  'reroute-eligible': { trigger: 'reroute', node: 'region-round-robin' },
  'reroute-high-priority': { trigger: 'reroute', node: 'refuse-high-priority' },
  'reroute-not-mql': { trigger: 'reroute', node: 'refuse-not-mql' },
  'reroute-bdr-actively-working': { trigger: 'reroute', node: 'refuse-bdr-working' },
  'reroute-apj-bdr-assigned': { trigger: 'reroute', node: 'refuse-bdr-apj' },
};

export const DEMO_SCENARIO = {
  accounts,
  opportunities,
  campaigns,
  campaignMembers: SCENARIOS.filter((s) => s.campaign !== undefined).map((s, i): CampaignMemberRecord => ({
    Id: demoId(KEY_PREFIX.campaignMember, BASE + i + 1),
    CampaignId: campaign(s.campaign!),
    LeadId: s.lead.Id,
    Status: s.memberStatus ?? 'Responded',
    CreatedDate: created,
  })),
  leads: SCENARIOS.map((s) => s.lead),
};

/** The campaign membership a demo lead responded through, with its campaign, or null. */
export function scenarioMembership(leadId: string): Membership | null {
  const member = DEMO_SCENARIO.campaignMembers.find((m) => m.LeadId === leadId);
  const campaign = member && DEMO_SCENARIO.campaigns.find((c) => c.Id === member.CampaignId);
  return member && campaign ? { member, campaign } : null;
}

/** @internal The tests name the scenario lead they route by its key. */
export function scenario(key: string): Scenario {
  const found = SCENARIOS.find((s) => s.key === key);
  if (!found) throw new Error(`no demo scenario '${key}'`);
  return found;
}
