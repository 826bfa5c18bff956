import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_QUEUES, DEMO_USERS, demoUserId } from '../../src/crm/local/demo-people.js';
import { scenario } from '../../src/crm/local/demo-scenarios.js';
import { scheduledJob } from '../../src/jobs/scheduled-jobs.js';
import { contactOwnership } from '../../src/engine/contacts.js';
import type { RoutingSet } from '../../src/engine/flow/routing-set.js';
import type { AccountIndexOptions } from '../../src/engine/matching/account-index.js';
import type { AccountRecord, OpportunityRecord } from '../../src/engine/model.js';
import type { OrgSnapshot } from '../../src/engine/routing-context.js';
import {
  demoOrg,
  explanation,
  routeScenario,
  shippedRoutingSet,
  type RouteOptions,
} from './support/demo-routing.js';

// Each rule of the seeds, shipped as flows in companion/flows, with a lead that takes the path and
// one that must not. The leads are the demo org's scenario leads (companion/src/crm/local/demo-scenarios.ts).

let set: RoutingSet;
let org: OrgSnapshot;
beforeAll(async () => {
  set = await shippedRoutingSet();
  org = demoOrg();
});

const route = (key: string, options?: RouteOptions) => routeScenario(set, org, key, options);
const queueId = (name: string) => DEMO_QUEUES.find((q) => q.Name === name)!.Id;
const user = {
  ava: demoUserId(1),
  ben: demoUserId(2),
  finn: demoUserId(6),
  kara: demoUserId(11),
  noah: demoUserId(14),
  olivia: demoUserId(15),
  tara: demoUserId(20),
};
const AMER_SDRS = [1, 2, 26].map(demoUserId);
const EMEA_SDRS = [5, 6, 7].map(demoUserId);
const APJ_SDRS = [8, 9, 10].map(demoUserId);

describe('partner routing (Traction handbook)', () => {
  it('partner-sponsored event: shares the lead with the partner and queues it in the Partner Queue', () => {
    const decision = route('partner-event');
    expect(decision.outcome).toBe('queued');
    expect(decision.owner?.id).toBe(queueId('Partner Queue'));
    expect(decision.fieldUpdates).toMatchObject({
      Partner_Share_Status__c: 'Pending',
      Partner_Lead_Status__c: 'Qualifying',
    });
    expect(explanation(decision)).toMatch(/lead\.Lead_Acquisition_Source__c is "Partner Sponsored Event"/);
  });

  it('partner-sponsored event without a partner account is routed by us', () => {
    const decision = route('partner-event', { lead: { Impartner_Partner_Account__c: null } });
    expect(decision.owner?.id).not.toBe(queueId('Partner Queue'));
    expect(decision.fieldUpdates.Partner_Share_Status__c).toBeUndefined();
  });

  it('recall check: a lead the partner recalled is not shared again', () => {
    const decision = route('partner-event-recalled');
    expect(decision.owner?.id).not.toBe(queueId('Partner Queue'));
    expect(decision.fieldUpdates.Partner_Share_Status__c).toBeUndefined();
    expect(explanation(decision)).toMatch(/Recall check: no branch applies/);
    expect(decision.finalFlow.name).toBe('leandata-blueprint');
  });

  it('recall check: a recall date alone is enough to keep the lead', () => {
    const decision = route('partner-event', { lead: { Partner_Recalled_Date__c: '2026-11-01' } });
    expect(decision.owner?.id).not.toBe(queueId('Partner Queue'));
  });

  it('MDF campaign: sends the prospect to the partner', () => {
    const decision = route('partner-mdf');
    expect(decision.owner?.id).toBe(queueId('Partner Queue'));
    expect(decision.fieldUpdates).toMatchObject({
      Prospect_Share_Status__c: 'Sending to Partner',
      Partner_Prospect_Status__c: 'Qualifying',
    });
  });

  it('free-trial campaign ("Partner - Trial …"): sends the prospect to the partner', () => {
    const decision = route('partner-trial');
    expect(decision.owner?.id).toBe(queueId('Partner Queue'));
    expect(explanation(decision)).toMatch(
      /campaign\.Name is "Partner - Trial - Ultimate"; must start with "Partner - Trial": yes/,
    );
  });

  it('MDF campaign lead without a partner account is routed by us', () => {
    const decision = route('partner-mdf-no-partner');
    expect(decision.owner?.id).not.toBe(queueId('Partner Queue'));
    expect(EMEA_SDRS).toContain(decision.owner?.id);
  });

  it('recall check on MDF and trial leads', () => {
    const decision = route('partner-trial', { lead: { Partner_Recalled__c: true } });
    expect(decision.owner?.id).not.toBe(queueId('Partner Queue'));
  });

  it('joint partner campaign: a lead nobody here works goes to the partner', () => {
    const decision = route('partner-joint');
    expect(decision.owner?.id).toBe(queueId('Partner Queue'));
    expect(decision.fieldUpdates).toMatchObject({
      Partner_Prospect_Status__c: 'Qualifying',
      Prospect_Share_Status__c: 'Sending to Partner',
    });
  });

  it('joint partner campaign: a lead we are working stays with its SDR', () => {
    const decision = route('partner-joint-worked');
    expect(decision.owner?.id).toBe(user.ava);
    expect(decision.outcome).toBe('unchanged');
    expect(explanation(decision)).toMatch(/lead\.Status is "Qualifying"; must not be one of/);
  });

  it('joint partner campaign: a sequenced lead goes to the SDRs, not the partner', () => {
    const decision = route('partner-joint', { lead: { Actively_Being_Sequenced__c: true } });
    expect(APJ_SDRS).toContain(decision.owner?.id);
  });

  it('joint partner campaign: a member who did not engage is not sent to the partner', () => {
    const decision = routeScenario(set, org, 'partner-joint', {
      lead: { Impartner_Partner_Account__c: null },
    });
    expect(decision.owner?.id).not.toBe(queueId('Partner Queue'));
  });

  it('exception: a partner lead that engaged with us directly stays with its owner', () => {
    const decision = route('partner-direct-engagement');
    expect(decision.outcome).toBe('unchanged');
    expect(decision.owner?.id).toBe(user.ben);
    expect(decision.summary).toMatch(/Stays with Ben Carter/);
  });

  it('exception does not apply when a queue or the marketing integration owns the lead', () => {
    const decision = route('partner-direct-engagement', { lead: { OwnerId: demoUserId(23) } });
    expect(decision.owner?.id).not.toBe(demoUserId(23));
    expect(EMEA_SDRS.concat(AMER_SDRS, APJ_SDRS, [demoUserId(26)])).toContain(decision.owner?.id);
  });

  it('alliance partner leads go to sales development of their region', () => {
    const decision = route('partner-alliance');
    expect(EMEA_SDRS).toContain(decision.owner?.id);
    expect(decision.owner?.id).not.toBe(queueId('Partner Queue'));
  });

  it('a lead that is not from an alliance partner does not take the alliance path', () => {
    const decision = route('partner-alliance', { lead: { Lead_Acquisition_Source__c: 'Website' } });
    expect(explanation(decision)).not.toMatch(/Alliance partner leads are qualified/);
  });
});

describe('LeanData blueprint', () => {
  it('customer account: converts to a contact owned by customer success', () => {
    const decision = route('blueprint-customer');
    expect(decision.outcome).toBe('converted');
    expect(decision.conversion).toMatchObject({ ownerId: user.tara, createOpportunity: false });
    expect(decision.matched.account?.name).toBe('Acme Corporation');
    expect(decision.summary).toMatch(/Converted to a contact on Acme Corporation, owned by Tara Brooks/);
  });

  it('customer account without customer success manager: converts to the account owner', () => {
    const org2 = demoOrg();
    const acme = org2.accounts.get(route('blueprint-customer').matched.account!.id)!;
    org2.accounts.upsert({ ...acme, Customer_Success_Manager__c: null });
    const decision = routeScenario(set, org2, 'blueprint-customer');
    expect(decision.conversion?.ownerId).toBe(user.noah);
  });

  it('target account: converts to the account executive', () => {
    const decision = route('blueprint-target');
    expect(decision.conversion?.ownerId).toBe(user.olivia);
  });

  it('partner account: converts to the account owner', () => {
    expect(route('blueprint-partner-account').conversion?.ownerId).toBe(user.noah);
  });

  it('consultant account: converts to the account owner', () => {
    expect(route('blueprint-consultant-account').conversion?.ownerId).toBe(user.olivia);
  });

  it('prospect account without late-stage opportunity is not converted', () => {
    const decision = route('reroute-eligible', { trigger: { kind: 'created' } });
    expect(decision.matched.account?.name).toBe('Soylent Foods plc');
    expect(decision.conversion).toBeNull();
  });

  it('open opportunity in Negotiation: converts to the opportunity owner', () => {
    const decision = route('blueprint-late-stage-opportunity');
    expect(decision.outcome).toBe('converted');
    expect(decision.conversion?.ownerId).toBe(user.noah);
    expect(explanation(decision)).toMatch(/opportunity\.StageName values "Negotiation"/);
  });

  it('account owned by SMB Sales: the contact goes to the account owner, not customer success or the opportunity owner', () => {
    const smb = DEMO_USERS.find((u) => u.Role__c === 'SMB' && u.IsActive)!;
    for (const key of ['blueprint-customer', 'blueprint-late-stage-opportunity']) {
      const org2 = demoOrg();
      const account = org2.accounts.get(route(key).matched.account!.id)!;
      org2.accounts.upsert({ ...account, OwnerId: smb.Id });
      const decision = routeScenario(set, org2, key);
      expect(decision.conversion?.ownerId).toBe(smb.Id);
      expect(explanation(decision)).toMatch(/SMB Sales owns the account/);
    }
  });

  it('account owned by someone outside SMB Sales: the usual account team takes the contact', () => {
    expect(explanation(route('blueprint-customer'))).not.toMatch(/SMB Sales owns the account/);
    expect(route('blueprint-late-stage-opportunity').conversion?.ownerId).toBe(user.noah);
  });

  it('an open opportunity in an early stage does not convert the lead', () => {
    const decision = route('reroute-eligible', { trigger: { kind: 'created' } });
    expect(decision.matched.opportunities.map((o) => o.stage)).toEqual(['Discovery']);
    expect(decision.outcome).not.toBe('converted');
  });

  it('non-target account: goes to the designated rep', () => {
    const decision = route('blueprint-non-target-designated');
    expect(decision.owner?.id).toBe(user.kara);
    expect(decision.outcome).toBe('assigned');
  });

  it('non-target account whose designated rep left: goes to the region instead', () => {
    const org2 = demoOrg();
    const kara = org2.directory.user(user.kara)!;
    const directory = {
      ...org2.directory,
      user: (id: string) => (id === user.kara ? { ...kara, IsActive: false } : org2.directory.user(id)),
    };
    const decision = routeScenario(set, { ...org2, directory }, 'blueprint-non-target-designated');
    expect(AMER_SDRS).toContain(decision.owner?.id);
    expect(explanation(decision)).toMatch(/Kara Lopez is inactive/);
  });

  it('Bay Area non-target account: goes to the Bay Area round robin', () => {
    const decision = route('blueprint-bay-area');
    expect([demoUserId(24), demoUserId(25)]).toContain(decision.owner?.id);
    expect(decision.owner?.via).toBe('Bay Area non-target accounts');
  });

  it('non-target account outside the Bay Area is not in the Bay Area round robin', () => {
    const org2 = demoOrg();
    const hooli = org2.accounts.get(route('blueprint-bay-area').matched.account!.id)!;
    org2.accounts.upsert({ ...hooli, BillingCity: 'Sacramento' });
    const decision = routeScenario(set, org2, 'blueprint-bay-area');
    expect(decision.owner?.via).not.toBe('Bay Area non-target accounts');
  });

  it('unmatched lead: goes to the owner of other leads from the same company', () => {
    const decision = route('blueprint-same-company');
    expect(decision.matched.account).toBeNull();
    expect(decision.owner?.id).toBe(user.finn);
    expect(decision.path.some((s) => /owns 1 other lead from the same company/.test(s.text))).toBe(true);
  });

  it('unmatched lead from free mail with its company misspelt: still goes to the owner of its company’s other leads', () => {
    const decision = route('blueprint-same-company', {
      lead: { Email: 'ivy.chen@gmail.com', Company: 'Brigthwave AI' },
    });
    expect(decision.owner?.id).toBe(user.finn);
    expect(decision.matched.sameCompanyLeads.map((l) => l.reason)).toEqual([
      'company name "Brigthwave AI" is taken for "Brightwave AI" (score 0.85)',
    ]);
  });

  it('unmatched lead of a look-alike company (a name sharing one word) is not taken for a colleague', () => {
    const decision = route('blueprint-same-company', {
      lead: { Email: 'ivy.chen@gmail.com', Company: 'Brightwave Logistics' },
    });
    expect(decision.matched.sameCompanyLeads).toEqual([]);
    expect(decision.owner?.id).not.toBe(user.finn);
  });

  it('unmatched lead from a company nobody else came from: round robin by type', () => {
    const decision = route('blueprint-same-company', {
      lead: { Email: 'ivy@solo-startup.dev', Company: 'Solo Startup' },
    });
    expect(decision.owner?.id).not.toBe(user.finn);
    expect(decision.owner?.via).toBe('Webinar registrations');
  });

  it('round robin: demo requests go to the hot-leads pool', () => {
    const decision = route('blueprint-hot');
    expect(decision.owner?.via).toBe('Hot leads (demo and contact-us requests), follow the sun');
    expect(decision.poolChanges).toHaveLength(1);
    expect(decision.poolChanges[0]?.pool).toBe('hot-leads');
  });

  it('round robin: hot leads skip members outside their working hours', () => {
    const decision = route('blueprint-hot');
    expect(decision.owner?.id).not.toBe(demoUserId(8));
    expect(explanation(decision)).toMatch(/Hiro Tanaka \([^)]*(working hours|outside)/i);
  });

  it('round robin: list uploads go to the cold-leads pool', () => {
    expect(route('blueprint-cold').owner?.via).toBe('Cold leads (list uploads)');
  });

  it('round robin: eBooks and white papers go to the content pool', () => {
    expect(route('blueprint-content').owner?.via).toBe('White paper and eBook downloads');
  });

  it('round robin: webinar registrations go to the webinar pool', () => {
    expect(route('blueprint-webinar').owner?.via).toBe('Webinar registrations');
  });

  it('round robin: other leads go to the SDR pool of their region', () => {
    const decision = route('blueprint-region');
    expect(APJ_SDRS).toContain(decision.owner?.id);
    expect(explanation(decision)).toMatch(/territory sdr-regions/);
  });

  it('round robin turns: consecutive picks from a pool go to different members', () => {
    const first = route('blueprint-region');
    const state = first.poolChanges[0]!.state;
    const second = route('blueprint-region', {
      poolState: (name) => (name === state.pool ? state : undefined),
    });
    expect(second.owner?.id).not.toBe(first.owner?.id);
  });

  it('route on update: an activated lead in the unqualified holding queue is routed', () => {
    const decision = route('blueprint-route-on-update', {
      trigger: { kind: 'updated', changedFields: ['Status'], previous: { Status: 'Unqualified' } },
    });
    expect(AMER_SDRS).toContain(decision.owner?.id);
    expect(explanation(decision)).toMatch(/A lead in the unqualified holding queue was activated/);
  });

  it('route on update: a lead outside the holding queue is not routed by an update', () => {
    const decision = route('blueprint-route-on-update', {
      lead: { OwnerId: user.ava },
      trigger: { kind: 'updated', changedFields: ['Status'], previous: { Status: 'Unqualified' } },
    });
    expect(decision.outcome).toBe('unchanged');
    expect(decision.owner).toBeNull();
  });

  it('route on update: a lead still unqualified stays in the holding queue', () => {
    const decision = route('blueprint-route-on-update', {
      lead: { Status: 'Unqualified' },
      trigger: { kind: 'updated', changedFields: ['Status'], previous: { Status: 'Raw' } },
    });
    expect(decision.outcome).toBe('unchanged');
  });
});

describe('account matching: look-alikes and aliases', () => {
  // The customer scenario's lead writing from free mail: only its company name can match an account.
  const byName = (Company: string): RouteOptions => ({
    lead: { Email: 'grace.miller@gmail.com', Company, Country: 'US' },
  });
  /** The demo org with customer accounts of these names added (copies of Acme without its website). */
  const withAccounts = (names: string[], options: AccountIndexOptions = {}): OrgSnapshot => {
    const org2 = demoOrg(options);
    const acme = org2.accounts.get(route('blueprint-customer').matched.account!.id)!;
    names.forEach((Name, i) =>
      org2.accounts.upsert({ ...acme, Id: `001LOOKALIKE0${i}`, Name, Website: null }),
    );
    return org2;
  };

  it('a name one account clearly carries: the lead converts into that account', () => {
    const decision = routeScenario(set, withAccounts(['Brown Group']), 'blueprint-customer', byName('Brown'));
    expect(decision.outcome).toBe('converted');
    expect(decision.matched.account?.name).toBe('Brown Group');
  });

  it('a name two different accounts carry about equally: none is taken, the lead goes on unmatched, and the path says which tie', () => {
    const org2 = withAccounts(['Brown Group', 'Brown Holdings']);
    const decision = routeScenario(set, org2, 'blueprint-customer', byName('Brown'));
    expect(decision.matched.account).toBeNull();
    expect(decision.conversion).toBeNull();
    expect(decision.fieldUpdates.Matched_Account__c).toBeNull();
    expect(decision.matched.candidates.map((c) => c.name).sort()).toEqual(['Brown Group', 'Brown Holdings']);
    expect(explanation(decision)).toMatch(
      /no account matched: "Brown" is about as close to Brown (Group|Holdings) \(0\.\d\d\) as to Brown (Group|Holdings) \(0\.\d\d\): neither is clearly the lead's account/,
    );
  });

  it('a company listed under another name in aliases.yaml: the lead converts into the account of that name', () => {
    const org2 = withAccounts(['IBM'], { aliases: set.aliases });
    const decision = routeScenario(
      set,
      org2,
      'blueprint-customer',
      byName('International Business Machines Corp.'),
    );
    expect(decision.outcome).toBe('converted');
    expect(decision.matched.account?.name).toBe('IBM');
    expect(explanation(decision)).toMatch(/is also known as "IBM" \(company aliases\)/);
  });

  it('without that alias, the full name does not match the acronym', () => {
    const org2 = withAccounts(['IBM']);
    const decision = routeScenario(
      { ...set, aliases: [] },
      org2,
      'blueprint-customer',
      byName('International Business Machines Corp.'),
    );
    expect(decision.matched.account).toBeNull();
    expect(decision.outcome).not.toBe('converted');
  });
});

describe('re-route (handbook: how to reassign a lead)', () => {
  const reroute: RouteOptions = {
    trigger: { kind: 'reroute', reason: 'Country fixed', actorId: demoUserId(1) },
  };

  it('an MQL goes to the round robin of its region', () => {
    const decision = route('reroute-eligible', reroute);
    expect(decision.outcome).toBe('assigned');
    expect(EMEA_SDRS).toContain(decision.owner?.id);
    expect(decision.flow.name).toBe('reroute');
  });

  it('after fixing the country, the lead goes to the new region', () => {
    const decision = route('reroute-eligible', { ...reroute, lead: { Country: 'Australia' } });
    expect(APJ_SDRS).toContain(decision.owner?.id);
  });

  it('never hands the lead back to its current owner', () => {
    const decision = route('reroute-bdr-actively-working', {
      ...reroute,
      lead: { Email: 'sam@fisher-family.net', Company: 'Fisher' },
    });
    expect(decision.previousOwner?.id).toBe(user.ava);
    expect(decision.outcome).toBe('assigned');
    expect(AMER_SDRS.filter((id) => id !== user.ava)).toContain(decision.owner?.id);
    expect(explanation(decision)).toMatch(/Ava Patel \(already owns the lead\)/);
  });

  it('high-priority leads are refused, with the reason and what to do', () => {
    const decision = route('reroute-high-priority', reroute);
    expect(decision.outcome).toBe('refused');
    expect(decision.refusal).toMatchObject({ code: 'LEAD_NOT_ELIGIBLE' });
    expect(decision.refusal?.message).toBe(
      'Victor Cruz is a high-priority lead, and re-routing only reassigns MQLs.',
    );
    expect(decision.refusal?.action).toMatch(/SDR manager/);
    expect(decision.fieldUpdates.OwnerId).toBeUndefined();
    expect(decision.poolChanges).toEqual([]);
  });

  it('leads that are not MQLs are refused', () => {
    const decision = route('reroute-not-mql', reroute);
    expect(decision.refusal?.message).toBe('Elif Demir has status Inquiry; re-routing only reassigns MQLs.');
  });

  it('a lead matched to an account its BDR is actively working is refused, naming the BDR', () => {
    const decision = route('reroute-bdr-actively-working', reroute);
    expect(decision.outcome).toBe('refused');
    expect(decision.refusal?.message).toBe(
      'Sam Fisher is matched to Cyberdyne Robotics, which its BDR Kara Lopez has marked Actively Working, so the lead stays with its current owner.',
    );
    expect(decision.refusal?.action).toMatch(/^Ask Kara Lopez to take the lead/);
  });

  it('the same account no longer actively worked lets the lead be re-routed', () => {
    const org2 = demoOrg();
    const cyberdyne = org2.accounts.get(route('reroute-bdr-actively-working', reroute).matched.account!.id)!;
    org2.accounts.upsert({ ...cyberdyne, BDR_Prospecting_Status__c: 'Not Working' });
    const decision = routeScenario(set, org2, 'reroute-bdr-actively-working', reroute);
    expect(decision.outcome).toBe('assigned');
    expect(AMER_SDRS).toContain(decision.owner?.id);
  });

  it('in APJ a BDR assigned to the account is enough to refuse', () => {
    const decision = route('reroute-apj-bdr-assigned', reroute);
    expect(decision.refusal?.message).toBe(
      'Yuki Mori is matched to Tyrell Systems KK, an APJ account with a BDR assigned (Mei Chen); in APJ such leads are not re-routed and stay with their current owner.',
    );
    expect(decision.refusal?.message).not.toMatch(/working/i);
  });

  it('the Re-run Routing checkbox re-routes and is cleared', () => {
    const decision = route('reroute-eligible', {
      lead: { Rerun_Routing__c: true },
      trigger: {
        kind: 'updated',
        changedFields: ['Rerun_Routing__c'],
        previous: { Rerun_Routing__c: false },
      },
    });
    expect(decision.flow.name).toBe('reroute');
    expect(decision.outcome).toBe('assigned');
    expect(decision.fieldUpdates.Rerun_Routing__c).toBe(false);
  });

  it('unticking the Re-run Routing checkbox does nothing', () => {
    const decision = route('reroute-eligible', {
      lead: { Rerun_Routing__c: false },
      trigger: { kind: 'updated', changedFields: ['Rerun_Routing__c'], previous: { Rerun_Routing__c: true } },
    });
    expect(decision.outcome).toBe('unchanged');
    expect(decision.owner).toBeNull();
  });
});

// Distribute Lead action, "Hopper and Assign To": "Sends leads to the Hopper. It's optional to assign
// a Lead Owner." In the blueprint, leads of no country we know go to the Hopper, with the matched
// account's owner named when there is one.
describe('the Hopper, with or without a named owner (Distribute Lead: Hopper and Assign To)', () => {
  const soylent = { Email: 'dana.wells@soylentfoods.co.uk', Company: 'Soylent Foods' };

  it('a lead of no country we know, matched to an account, sits in the Hopper with the account owner named', () => {
    const decision = route('blueprint-hopper');
    expect(decision.matched.account?.name).toBe('Soylent Foods plc');
    expect(decision.owner?.id).toBe(user.olivia);
    expect(decision.fieldUpdates.In_Hopper__c).toBe(true);
    expect(decision.summary).toBe(
      'In the Hopper, with Olivia Martin named as owner (Lead routing blueprint)',
    );
  });

  it('one without an account sits in the Hopper unassigned, owned by the Hopper queue', () => {
    const decision = route('blueprint-region', { lead: { Country: 'Atlantis' } });
    expect(decision.matched.account).toBeNull();
    expect(decision.owner?.id).toBe(queueId('Hopper'));
    expect(decision.fieldUpdates.In_Hopper__c).toBe(true);
    expect(decision.summary).toMatch(/^In the Hopper, unassigned: Hopper holds it/);
  });

  it('a lead of a country we know goes to its region, not the Hopper', () => {
    const decision = route('blueprint-region', { lead: { ...soylent, Country: 'GB' } });
    expect(EMEA_SDRS).toContain(decision.owner?.id);
    expect(decision.fieldUpdates.In_Hopper__c).toBeUndefined();
    expect(decision.summary).not.toMatch(/Hopper/);
  });

  it('a Hopper lead given to someone else leaves the Hopper, in either form', () => {
    for (const OwnerId of [user.noah, queueId('Hopper')]) {
      const decision = route('blueprint-region', { lead: { In_Hopper__c: true, OwnerId } });
      expect(APJ_SDRS).toContain(decision.owner?.id);
      expect(decision.fieldUpdates.In_Hopper__c).toBe(false);
    }
    const notInHopper = route('blueprint-region', { lead: { OwnerId: user.noah } });
    expect(notInHopper.fieldUpdates.In_Hopper__c).toBeUndefined();
  });
});

describe('scheduled clean-up jobs (handbook: schedule routing jobs)', () => {
  const job = (name: string): RouteOptions['trigger'] => ({ kind: 'scheduled', job: name });

  it('daily: an idle Inquiry lead owned by an SDR moves to the Inquiry Queue', () => {
    const decision = route('reroute-not-mql', { trigger: job('daily-status-queues') });
    expect(decision.owner?.id).toBe(queueId('Inquiry Queue'));
  });

  it('daily: a lead being sequenced stays', () => {
    const decision = route('reroute-not-mql', {
      trigger: job('daily-status-queues'),
      lead: { Actively_Being_Sequenced__c: true },
    });
    expect(decision.outcome).toBe('unchanged');
  });

  it('daily: an interesting moment before May 2025 keeps the lead where it is', () => {
    const decision = route('reroute-not-mql', {
      trigger: job('daily-status-queues'),
      lead: { Last_Interesting_Moment_Date__c: '2025-04-01' },
    });
    expect(decision.outcome).toBe('unchanged');
  });

  it('weekly: a raw lead older than a week moves to the Raw Queue', () => {
    const decision = route('blueprint-cold', {
      trigger: job('weekly-status-queues'),
      lead: { OwnerId: user.ben },
    });
    expect(decision.owner?.id).toBe(queueId('Raw Queue'));
  });

  it('weekly: a raw lead created this week stays', () => {
    const decision = route('blueprint-cold', {
      trigger: job('weekly-status-queues'),
      lead: { OwnerId: user.ben, CreatedDate: '2026-11-20T10:00:00.000Z' },
    });
    expect(decision.outcome).toBe('unchanged');
  });

  it('daily recycle: an MQL older than 30 days becomes Recycle - No Action', () => {
    const decision = route('reroute-eligible', {
      trigger: job('daily-mql-recycle'),
      lead: { MQL_Date__c: '2026-10-01' },
    });
    expect(decision.fieldUpdates.Status).toBe('Recycle - No Action');
    expect(decision.fieldUpdates.OwnerId).toBeUndefined();
  });

  it('daily recycle: a fresh MQL stays an MQL', () => {
    const decision = route('reroute-eligible', { trigger: job('daily-mql-recycle') });
    expect(decision.fieldUpdates.Status).toBeUndefined();
  });

  it('BDR actively working: a recycled lead of an account that became Actively Working yesterday goes to its BDR', () => {
    const cyberdyne = route('reroute-bdr-actively-working', { trigger: { kind: 'reroute' } }).matched.account!
      .id;
    const decision = route('reroute-bdr-actively-working', {
      trigger: job('bdr-actively-working'),
      lead: { Status: 'Recycle', Matched_Account__c: cyberdyne },
    });
    expect(decision.owner?.id).toBe(user.kara);
    expect(explanation(decision)).toMatch(
      /BDR_Prospecting_Status_Changed__c is "2026-11-22"; must be on 2026-11-22/,
    );
  });

  it('BDR actively working: an account marked Actively Working a month ago does not move its leads', () => {
    const org2 = demoOrg();
    const cyberdyne = route('reroute-bdr-actively-working', { trigger: { kind: 'reroute' } }).matched.account!
      .id;
    org2.accounts.upsert({
      ...org2.accounts.get(cyberdyne)!,
      BDR_Prospecting_Status_Changed__c: '2026-10-23',
    });
    const decision = routeScenario(set, org2, 'reroute-bdr-actively-working', {
      trigger: job('bdr-actively-working'),
      lead: { Status: 'Recycle', Matched_Account__c: cyberdyne },
    });
    expect(decision.outcome).toBe('unchanged');
    expect(decision.owner).toBeNull();
  });

  it('BDR actively working: a change made today waits for tomorrow’s run', () => {
    const cyberdyne = route('reroute-bdr-actively-working', { trigger: { kind: 'reroute' } }).matched.account!
      .id;
    const decision = route('reroute-bdr-actively-working', {
      trigger: job('bdr-actively-working'),
      lead: { Status: 'Recycle', Matched_Account__c: cyberdyne },
      now: '2026-11-22T23:30:00.000Z',
    });
    expect(decision.outcome).toBe('unchanged');
  });

  it('weekly: a lead the 30-day job recycled ("Recycle - No Action") moves to the Recycle Queue like any recycled lead', () => {
    const recycled = route('blueprint-cold', {
      trigger: job('weekly-status-queues'),
      lead: { OwnerId: user.ben, Status: 'Recycle - No Action' },
    });
    expect(recycled.owner?.id).toBe(queueId('Recycle Queue'));
    const working = route('blueprint-cold', {
      trigger: job('weekly-status-queues'),
      lead: { OwnerId: user.ben, Status: 'Accepted' },
    });
    expect(working.outcome).toBe('unchanged');
  });

  it('BDR actively working: a "Recycle - No Action" lead goes to the BDR too', () => {
    const cyberdyne = route('reroute-bdr-actively-working', { trigger: { kind: 'reroute' } }).matched.account!
      .id;
    const decision = route('reroute-bdr-actively-working', {
      trigger: job('bdr-actively-working'),
      lead: { Status: 'Recycle - No Action', Matched_Account__c: cyberdyne },
    });
    expect(decision.owner?.id).toBe(user.kara);
  });

  it('the weekly and BDR jobs ask the org for "Recycle - No Action" leads', () => {
    for (const name of ['weekly-status-queues', 'bdr-actively-working']) {
      expect(scheduledJob(name).candidates('2026-11-23').statuses).toContain('Recycle - No Action');
    }
  });

  it('BDR actively working: takes a Hopper lead out of the Hopper, named or unassigned', () => {
    const cyberdyne = route('reroute-bdr-actively-working', { trigger: { kind: 'reroute' } }).matched.account!
      .id;
    for (const OwnerId of [user.noah, queueId('Hopper'), user.kara]) {
      const decision = route('reroute-bdr-actively-working', {
        trigger: job('bdr-actively-working'),
        lead: { Status: 'Raw', Matched_Account__c: cyberdyne, OwnerId, In_Hopper__c: true },
      });
      expect(decision.owner?.id).toBe(user.kara);
      expect(decision.fieldUpdates.In_Hopper__c).toBe(false);
    }
  });

  it('daily and weekly: a Hopper lead named to an SDR waits in the Hopper; one outside it moves', () => {
    const inHopper = route('reroute-not-mql', {
      trigger: job('daily-status-queues'),
      lead: { In_Hopper__c: true },
    });
    expect(inHopper.outcome).toBe('unchanged');
    expect(explanation(inHopper)).toMatch(/lead\.In_Hopper__c is true/);
    const weekly = route('blueprint-cold', {
      trigger: job('weekly-status-queues'),
      lead: { OwnerId: user.ben, In_Hopper__c: true },
    });
    expect(weekly.outcome).toBe('unchanged');
    const outside = route('reroute-not-mql', { trigger: job('daily-status-queues') });
    expect(outside.owner?.id).toBe(queueId('Inquiry Queue'));
  });

  it('BDR actively working: an MQL is left alone', () => {
    const cyberdyne = route('reroute-bdr-actively-working', { trigger: { kind: 'reroute' } }).matched.account!
      .id;
    const decision = route('reroute-bdr-actively-working', {
      trigger: job('bdr-actively-working'),
      lead: { Matched_Account__c: cyberdyne },
    });
    expect(decision.outcome).toBe('unchanged');
  });
});

describe('contact routing (handbook: contact routing)', () => {
  const smbOwner = DEMO_USERS.find((u) => u.Role__c === 'SMB' && u.Region__c === 'EMEA')!;
  const account = { Id: '001SMB', Name: 'Small Mills Ltd', OwnerId: smbOwner.Id };
  const contacts = [
    { Id: '003A', AccountId: '001SMB', OwnerId: user.kara, LastName: 'Converted' },
    { Id: '003B', AccountId: '001SMB', OwnerId: smbOwner.Id, LastName: 'Already' },
  ];
  const ownership = (changes: Partial<AccountRecord> = {}, openOpportunities: OpportunityRecord[] = []) =>
    contactOwnership({
      account: { ...account, ...changes },
      contacts,
      openOpportunities,
      directory: org.directory,
    });

  it('contacts of an account regional SMB Sales owns go to the account owner, with an open opportunity too', () => {
    const opportunity = { Id: '006X', AccountId: '001SMB', StageName: 'Scoping', OwnerId: user.noah };
    const result = ownership({}, [opportunity]);
    expect(result.changes).toEqual([{ contactId: '003A', from: user.kara, to: smbOwner.Id }]);
    expect(result.summary).toContain(`owned by ${smbOwner.Name} of EMEA SMB Sales`);
    expect(result.summary).toContain('the account owner and not the opportunity owner');
  });

  it('contacts of an account owned by someone outside SMB Sales keep their owners', () => {
    const result = ownership({ OwnerId: user.noah });
    expect(result.changes).toEqual([]);
    expect(result.summary).toMatch(/keep their owners, because .* is not in SMB Sales/);
  });

  it('an inactive SMB owner hands no contacts over', () => {
    const inactive = {
      ...org.directory,
      user: (id: string) => ({ ...org.directory.user(id)!, IsActive: false }),
    };
    const result = contactOwnership({ account, contacts, openOpportunities: [], directory: inactive });
    expect(result.changes).toEqual([]);
    expect(result.summary).toContain('is inactive');
  });
});

describe('same-company owner: a person in sales development (LeanData blueprint, rule 4)', () => {
  /** The demo org with Ivy's colleague Leo owned by someone else. */
  const colleagueOwnedBy = (ownerId: string): OrgSnapshot => {
    const org2 = demoOrg();
    const leo = scenario('blueprint-same-company-colleague').lead;
    org2.leads.upsert({ ...leo, OwnerId: ownerId });
    return org2;
  };

  it("the SDR who owns the company's other leads takes the new one", () => {
    const decision = routeScenario(set, colleagueOwnedBy(user.finn), 'blueprint-same-company');
    expect(decision.owner?.id).toBe(user.finn);
  });

  it('a lead the Marketo integration user holds does not pull new leads to it: they go to the region', () => {
    const decision = routeScenario(set, colleagueOwnedBy(DEMO.marketoIntegration), 'blueprint-same-company');
    expect(decision.owner?.id).not.toBe(DEMO.marketoIntegration);
    expect(AMER_SDRS).toContain(decision.owner?.id);
    expect(explanation(decision)).toMatch(
      /nobody in sales development owns the other leads from the same company: Marketo Integration is an integration user/,
    );
  });

  it('neither does an account executive nor a queue', () => {
    for (const owner of [user.noah, queueId('Hopper')]) {
      const decision = routeScenario(set, colleagueOwnedBy(owner), 'blueprint-same-company');
      expect(decision.owner?.id).not.toBe(owner);
      expect(AMER_SDRS).toContain(decision.owner?.id);
    }
  });

  it('a BDR who owns the other leads counts as sales development', () => {
    const decision = routeScenario(set, colleagueOwnedBy(user.kara), 'blueprint-same-company');
    expect(decision.owner?.id).toBe(user.kara);
  });
});

describe('regions for every country (full country table; a territory row overrides)', () => {
  const reroute: RouteOptions['trigger'] = { kind: 'reroute', reason: 'Country fixed' };

  it('a re-routed MQL from a country territories.yaml does not list goes to its region, not the Hopper', () => {
    const decision = route('reroute-eligible', { trigger: reroute, lead: { Country: 'Egypt' } });
    expect(EMEA_SDRS).toContain(decision.owner?.id);
    expect(explanation(decision)).toMatch(/region EMEA \(country Egypt\)/);
  });

  it('a new lead from such a country goes to its region too', () => {
    for (const [Country, pool] of [
      ['Uruguay', AMER_SDRS],
      ['Kazakhstan', EMEA_SDRS],
      ['Bangladesh', APJ_SDRS],
    ] as const) {
      const decision = route('blueprint-region', { lead: { Country } });
      expect(pool).toContain(decision.owner?.id);
    }
  });

  it('a lead without a country we know still goes to the Hopper', () => {
    const decision = route('reroute-eligible', { trigger: reroute, lead: { Country: 'Atlantis' } });
    expect(decision.owner?.id).toBe(queueId('Hopper'));
  });

  it('a territory row naming the country overrides the region', () => {
    const sdrRegions = set.territories.get('sdr-regions')!;
    const overridden: RoutingSet = {
      ...set,
      territories: new Map([
        [
          'sdr-regions',
          { ...sdrRegions, rows: [...sdrRegions.rows, { country: ['EG'], assign: { pool: 'apj-sdr' } }] },
        ],
      ]),
    };
    const decision = routeScenario(overridden, org, 'reroute-eligible', {
      trigger: reroute,
      lead: { Country: 'Egypt' },
    });
    expect(APJ_SDRS).toContain(decision.owner?.id);
    expect(explanation(decision)).toMatch(/country Egypt \(EG\)/);
  });
});

describe('leads that engaged with us directly stay with their owner (handbook: exceptions to this rule)', () => {
  /** A lead a partner brought to its sponsored event, since worked by Ben Carter (SDR). */
  const partnerSourced = { OwnerId: user.ben, Status: 'Accepted' };
  const webinar = 'Webinar: Routing at Scale';
  const partnerEvent = 'DevOps Summit London (partner sponsored)';

  it('registering for one of our webinars keeps the lead with its SDR', () => {
    const decision = route('partner-event', {
      trigger: { kind: 'campaign-member' },
      lead: partnerSourced,
      joins: { campaign: webinar, status: 'Registered' },
    });
    expect(decision.outcome).toBe('unchanged');
    expect(decision.owner?.id).toBe(user.ben);
    expect(decision.fieldUpdates.Partner_Share_Status__c).toBeUndefined();
    expect(explanation(decision)).toMatch(/engaged with us directly/);
  });

  it('any inbound engagement counts: a form, a meeting, a download, a demo request', () => {
    for (const [campaign, status] of [
      ['eBook: The Lead Routing Guide', 'Downloaded'],
      ['Product demo requests', 'Responded'],
    ] as const) {
      const decision = route('partner-event', { lead: partnerSourced, joins: { campaign, status } });
      expect(decision.owner?.id).toBe(user.ben);
    }
    for (const LeadSource of ['Web Form', 'Meeting', 'Inbound Request']) {
      const decision = route('partner-event', { lead: { ...partnerSourced, LeadSource }, joins: null });
      expect(decision.owner?.id).toBe(user.ben);
    }
  });

  it('joining the partner’s own event is not direct engagement: the lead is shared with the partner', () => {
    const decision = route('partner-event', {
      trigger: { kind: 'campaign-member' },
      lead: partnerSourced,
      joins: { campaign: partnerEvent, status: 'Attended' },
    });
    expect(decision.owner?.id).toBe(queueId('Partner Queue'));
  });

  it('a list upload the lead did not respond to is not engagement', () => {
    const decision = route('partner-joint', {
      lead: { OwnerId: user.ben, Status: 'Raw' },
      joins: { campaign: 'Trade show list upload', status: 'Sent' },
    });
    expect(explanation(decision)).toMatch(
      /Exception for leads that engaged with us directly: no branch applies/,
    );
  });

  it('the partner-sponsored event rule checks the campaign joined is the partner event', () => {
    const webinarLead = route('partner-event', { joins: { campaign: webinar, status: 'Registered' } });
    expect(webinarLead.owner?.id).not.toBe(queueId('Partner Queue'));
    expect(webinarLead.fieldUpdates.Partner_Share_Status__c).toBeUndefined();
    const eventLead = route('partner-event', { joins: { campaign: partnerEvent, status: 'Attended' } });
    expect(eventLead.owner?.id).toBe(queueId('Partner Queue'));
  });
});
