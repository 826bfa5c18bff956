import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUserId } from '../../src/crm/local/demo-people.js';
import { SCENARIO_ACTIONS, SCENARIOS } from '../../src/crm/local/demo-scenarios.js';
import { demoPreview } from '../../src/crm/local/demo-preview.js';
import { startApi, type Json, type TestApi } from './api-fixture.js';

// The preview's "Leads to try" each say what they show. Each offers the routing that shows it
// (inbound routing as when the lead arrived, or a re-route), and this check runs that routing through
// the API, as the start page does, and finds the rule's step in the decision's path.

let api: TestApi;
const ava = demoUserId(1); // SDR, holds the re-route permission

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

describe('demo leads do what they say', () => {
  it('every lead to try has an action that shows its rule, or says why it has none', () => {
    expect(Object.keys(SCENARIO_ACTIONS).sort()).toEqual(SCENARIOS.map((s) => s.key).sort());
    const samples = demoPreview().samples.leads;
    for (const s of SCENARIOS) {
      const action = SCENARIO_ACTIONS[s.key]!;
      const sample = samples.find((l) => l.id === s.lead.Id)!;
      expect(sample.action, s.key).toBe(action.trigger);
      if (action.trigger === null) expect(sample.note, s.key).toMatch(/\w{3,}/);
    }
  });

  it.each(SCENARIOS.filter((s) => SCENARIO_ACTIONS[s.key]!.trigger !== null).map((s) => [s.key, s] as const))(
    '%s: its action takes the path its description names',
    async (key, s) => {
      const action = SCENARIO_ACTIONS[key] as { trigger: 'created' | 'reroute'; node: string };
      const res = await api.call('POST', `/v1/leads/${s.lead.Id}/route`, {
        user: ava,
        body: { trigger: action.trigger, reason: 'Leads to try' },
      });
      // A refusal is the rule at work for the re-route refusals; anything else must route.
      expect(res.status, `${key}: ${JSON.stringify(res.body)}`).toBe(
        action.node.startsWith('refuse-') ? 409 : 200,
      );
      const history = await api.call('GET', `/v1/leads/${s.lead.Id}/routing-history`, { user: ava });
      const newest = history.body.items[0] as Json;
      expect(newest.trigger.kind ?? newest.trigger).toBe(action.trigger);
      expect(newest.path.map((step: Json) => step.node)).toContain(action.node);
    },
  );
});
