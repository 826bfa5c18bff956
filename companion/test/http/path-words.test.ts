import { beforeAll, describe, expect, it } from 'vitest';
import type { OrgReadPort } from '../../src/crm/org-read.port.js';
import { DEMO_QUEUES, DEMO_USERS } from '../../src/crm/local/demo-people.js';
import { SCENARIOS } from '../../src/crm/local/demo-scenarios.js';
import type { RoutingSet } from '../../src/engine/flow/routing-set.js';
import type { SfRecord } from '../../src/engine/model.js';
import type { OrgSnapshot } from '../../src/engine/routing-context.js';
import { fieldLabel } from '../../src/engine/flow/field-words.js';
import { plainPaths } from '../../src/http/path-words.js';
import { demoOrg, routeScenario, shippedRoutingSet } from '../engine/support/demo-routing.js';

// The history's "Why": what a rep reads of a decision. Every demo scenario lead is routed as a new lead
// with the shipped flows; its plain steps must name records and fields as people do, and leave out
// the branches that did not apply.

const WILLOW = '001SY0000000777AAA';

/** Names as the org's reads give them: the demo people and queues, and one partner account. */
const org = {
  async getMany<T extends SfRecord>(object: string, ids: string[]) {
    const records: SfRecord[] =
      object === 'User'
        ? DEMO_USERS
        : object === 'Queue'
          ? DEMO_QUEUES
          : [{ Id: WILLOW, Name: 'Willow Education' } as SfRecord];
    return new Map(records.filter((r) => ids.includes(r.Id)).map((r) => [r.Id, r as T]));
  },
} as unknown as OrgReadPort;

let set: RoutingSet;
let snapshot: OrgSnapshot;
beforeAll(async () => {
  set = await shippedRoutingSet();
  snapshot = demoOrg();
});

describe('the path in plain words', () => {
  it('names fields by their labels', () => {
    expect(fieldLabel('lead', 'Impartner_Partner_Account__c')).toBe('Partner account');
    expect(fieldLabel('lead', 'LeadSource')).toBe('Lead source');
    expect(fieldLabel('account', 'BDR_Prospecting_Status__c')).toBe('Account BDR prospecting status');
    expect(fieldLabel('lead', 'Lead_Acquisition_Source__c')).toBe('Lead acquisition source');
  });

  it.each(SCENARIOS.map((s) => [s.key]))(
    '%s: the steps that decided, without API names or Ids',
    async (key) => {
      const decision = routeScenario(set, snapshot, key);
      const [steps] = await plainPaths(org, [decision.path]);
      expect(steps!.length).toBeGreaterThan(0);
      expect(steps!.length).toBeLessThanOrEqual(decision.path.length);
      for (const { text } of steps!) {
        expect(text).not.toMatch(/no branch applies/);
        expect(text).not.toMatch(/__c\b/);
        expect(text).not.toMatch(/\b(lead|account|routing|trigger|campaign)\.[A-Za-z]/);
        expect(text).not.toMatch(/\b00[15GQ][A-Za-z0-9]{12,15}\b/);
      }
    },
  );

  it('keeps an inbound lead short: the deciding steps only', async () => {
    const decision = routeScenario(set, snapshot, 'blueprint-region');
    const [steps] = await plainPaths(org, [decision.path]);
    const skipped = decision.path.filter((s) => s.text.includes('no branch applies')).length;
    expect(skipped).toBeGreaterThan(3);
    expect(steps!.length).toBeLessThanOrEqual(decision.path.length - skipped);
    expect(steps!.at(-1)!.text).toMatch(/assigned to .+ from .+ round robin/);
  });

  it('names the partner account instead of its Id', async () => {
    const decision = routeScenario(set, snapshot, 'partner-event', {
      lead: { Impartner_Partner_Account__c: WILLOW },
    });
    expect(JSON.stringify(decision.path)).toContain(WILLOW);
    const [steps] = await plainPaths(org, [decision.path]);
    expect(steps!.map((s) => s.text).join('\n')).toContain('Partner account: Willow Education');
  });
});
