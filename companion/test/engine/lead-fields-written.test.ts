import { beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/crm/local/demo-scenarios.js';
import type { RoutingSet } from '../../src/engine/flow/routing-set.js';
import { DECISION_WRITTEN_FIELDS, leadFieldsWritten } from '../../src/engine/lead-fields-written.js';
import type { Trigger } from '../../src/engine/model.js';
import { demoOrg, routeScenario, shippedRoutingSet } from './support/demo-routing.js';

let set: RoutingSet;
beforeAll(async () => {
  set = await shippedRoutingSet();
});

const TRIGGERS: Trigger[] = [
  { kind: 'created' },
  { kind: 'updated', changedFields: ['Status'], previous: { Status: 'Unqualified' } },
  { kind: 'updated', changedFields: ['Rerun_Routing__c'] },
  { kind: 'reroute', reason: 'wrong country' },
  { kind: 'inactive-owner' },
  ...['daily-status-queues', 'weekly-status-queues', 'daily-mql-recycle', 'bdr-actively-working'].map(
    (job): Trigger => ({ kind: 'scheduled', job }),
  ),
];

describe('the Lead fields routing writes', () => {
  it('are the decision’s own fields plus what the shipped flows set', () => {
    expect(leadFieldsWritten(set.flows.values()).sort()).toEqual(
      [
        ...DECISION_WRITTEN_FIELDS,
        'Status',
        'Partner_Share_Status__c',
        'Partner_Lead_Status__c',
        'Prospect_Share_Status__c',
        'Partner_Prospect_Status__c',
      ].sort(),
    );
  });

  it('cover every field any decision of the shipped flows writes', () => {
    const org = demoOrg();
    const listed = new Set(leadFieldsWritten(set.flows.values()));
    const written = new Set<string>();
    for (const s of SCENARIOS) {
      for (const trigger of TRIGGERS) {
        const lead = {
          ...s.lead,
          Rerun_Routing__c: trigger.kind === 'updated',
          // An MQL nobody acted on for months, so the recycle job has something to move.
          ...(trigger.job === 'daily-mql-recycle' ? { Status: 'MQL', MQL_Date__c: '2026-01-05' } : {}),
        };
        const decision = routeScenario(set, org, s.key, { trigger, lead });
        for (const field of Object.keys(decision.fieldUpdates)) written.add(field);
      }
    }
    expect([...written].filter((f) => !listed.has(f))).toEqual([]);
    // The scenarios reach the flows' own writes, so the list above is checked against real decisions.
    expect(written).toContain('Partner_Share_Status__c');
    expect(written).toContain('Rerun_Routing__c');
    expect(written).toContain('Status');
  });
});
