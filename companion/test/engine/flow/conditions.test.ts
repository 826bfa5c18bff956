import { describe, expect, it } from 'vitest';
import { evaluate, type ConditionTrace, type FieldReader } from '../../../src/engine/flow/conditions.js';
import type { ConditionDoc } from '../../../src/engine/flow/flow.schema.js';
import type { Scope } from '../../../src/engine/flow/fields.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

function reader(
  fields: Partial<Record<Scope, Record<string, unknown>>>,
  opportunities: Array<Record<string, unknown>> = [],
  previous?: Record<string, unknown>,
): FieldReader {
  return {
    now: NOW,
    value: (scope, field) => fields[scope]?.[field],
    values: (scope, field) => (scope === 'opportunity' ? opportunities.map((o) => o[field]) : []),
    changed: (field) => ({
      changed: previous !== undefined && field in previous && previous[field] !== fields.lead?.[field],
      before: previous?.[field],
    }),
  };
}

function check(cond: ConditionDoc, r: FieldReader): { result: boolean; traces: ConditionTrace[] } {
  const traces: ConditionTrace[] = [];
  return { result: evaluate(cond, r, traces), traces };
}

const lead = (fields: Record<string, unknown>) => reader({ lead: fields });

describe('conditions', () => {
  it.each<[string, ConditionDoc, Record<string, unknown>, boolean]>([
    [
      'equals ignores case and spaces',
      { field: 'lead.Status', op: 'equals', value: 'mql' },
      { Status: ' MQL ' },
      true,
    ],
    [
      'equals a different value',
      { field: 'lead.Status', op: 'equals', value: 'MQL' },
      { Status: 'Raw' },
      false,
    ],
    ['notEquals', { field: 'lead.Status', op: 'notEquals', value: 'MQL' }, { Status: 'Raw' }, true],
    ['in', { field: 'lead.Status', op: 'in', value: ['Raw', 'MQL'] }, { Status: 'mql' }, true],
    ['notIn', { field: 'lead.Status', op: 'notIn', value: ['Raw', 'MQL'] }, { Status: 'Inquiry' }, true],
    ['startsWith', { field: 'campaign.Name', op: 'startsWith', value: 'Partner - Trial' }, {}, false],
    [
      'contains',
      { field: 'lead.Company', op: 'contains', value: 'acme' },
      { Company: 'The ACME Group' },
      true,
    ],
    [
      'greaterThan numbers',
      { field: 'lead.NumberOfEmployees', op: 'greaterThan', value: 100 },
      { NumberOfEmployees: 250 },
      true,
    ],
    [
      'lessOrEqual numbers',
      { field: 'lead.NumberOfEmployees', op: 'lessOrEqual', value: 100 },
      { NumberOfEmployees: 100 },
      true,
    ],
    [
      'greaterThan dates',
      { field: 'lead.Last_Interesting_Moment_Date__c', op: 'greaterThan', value: '2025-05-01' },
      { Last_Interesting_Moment_Date__c: '2025-06-01' },
      true,
    ],
    [
      'olderThanDays',
      { field: 'lead.CreatedDate', op: 'olderThanDays', value: 7 },
      { CreatedDate: '2026-11-10T00:00:00Z' },
      true,
    ],
    [
      'not olderThanDays',
      { field: 'lead.CreatedDate', op: 'olderThanDays', value: 7 },
      { CreatedDate: '2026-11-20T00:00:00Z' },
      false,
    ],
    [
      'newerThanDays',
      { field: 'lead.CreatedDate', op: 'newerThanDays', value: 7 },
      { CreatedDate: '2026-11-20T00:00:00Z' },
      true,
    ],
    [
      'booleans',
      { field: 'lead.High_Priority__c', op: 'equals', value: true },
      { High_Priority__c: true },
      true,
    ],
  ])('%s', (_, cond, fields, expected) => {
    expect(check(cond, lead(fields)).result).toBe(expected);
  });

  describe('missing fields and nulls never throw and behave as documented', () => {
    it.each<[ConditionDoc, boolean]>([
      [{ field: 'lead.Status', op: 'equals', value: 'MQL' }, false],
      [{ field: 'lead.Status', op: 'notEquals', value: 'MQL' }, true],
      [{ field: 'lead.Status', op: 'in', value: ['MQL'] }, false],
      [{ field: 'lead.Status', op: 'notIn', value: ['MQL'] }, true],
      [{ field: 'lead.Status', op: 'empty' }, true],
      [{ field: 'lead.Status', op: 'notEmpty' }, false],
      [{ field: 'lead.Company', op: 'startsWith', value: 'A' }, false],
      [{ field: 'lead.Company', op: 'contains', value: 'A' }, false],
      [{ field: 'lead.NumberOfEmployees', op: 'greaterThan', value: 1 }, false],
      [{ field: 'lead.NumberOfEmployees', op: 'lessThan', value: 1 }, false],
      [{ field: 'lead.CreatedDate', op: 'olderThanDays', value: 1 }, false],
      [{ field: 'lead.CreatedDate', op: 'newerThanDays', value: 1 }, false],
      [{ field: 'lead.Status', op: 'equals', value: null }, true],
      [{ field: 'account.Type', op: 'equals', value: 'Customer' }, false],
    ])('%j on an absent value is %s', (cond, expected) => {
      expect(check(cond, lead({ Status: null, Company: '' })).result).toBe(expected);
    });

    it('a blank string counts as empty', () => {
      expect(check({ field: 'lead.Status', op: 'empty' }, lead({ Status: '   ' })).result).toBe(true);
    });
  });

  it('all, any and not combine', () => {
    const r = lead({ Status: 'MQL', High_Priority__c: false });
    const mqlNotHp: ConditionDoc = {
      all: [
        { field: 'lead.Status', op: 'equals', value: 'MQL' },
        { not: { field: 'lead.High_Priority__c', op: 'equals', value: true } },
      ],
    };
    expect(check(mqlNotHp, r).result).toBe(true);
    expect(check({ any: [{ field: 'lead.Status', op: 'equals', value: 'Raw' }, mqlNotHp] }, r).result).toBe(
      true,
    );
    expect(check({ not: mqlNotHp }, r).result).toBe(false);
  });

  it('opportunity conditions ask whether any matched open opportunity fits', () => {
    const r = reader({}, [{ StageName: 'Discovery' }, { StageName: 'Negotiation' }]);
    const late: ConditionDoc = {
      field: 'opportunity.StageName',
      op: 'in',
      value: ['Scoping', 'Negotiation'],
    };
    expect(check(late, r).result).toBe(true);
    expect(check(late, reader({}, [{ StageName: 'Discovery' }])).result).toBe(false);
    const { result, traces } = check(late, reader({}, []));
    expect(result).toBe(false);
    expect(traces[0]?.text).toBe('no opportunity to look at; must be one of "Scoping", "Negotiation": no');
  });

  it('changed compares the value before the update with the value now', () => {
    const r = reader({ lead: { Status: 'MQL' } }, [], { Status: 'Unqualified' });
    const { result, traces } = check({ field: 'lead.Status', op: 'changed' }, r);
    expect(result).toBe(true);
    expect(traces[0]?.text).toBe('lead.Status was "Unqualified", is "MQL"; must have changed: yes');
    expect(check({ field: 'lead.Status', op: 'changed' }, reader({ lead: { Status: 'MQL' } })).result).toBe(
      false,
    );
  });

  it('explains every test with the value it saw', () => {
    const { traces } = check(
      {
        all: [
          { field: 'lead.Status', op: 'equals', value: 'MQL' },
          { field: 'lead.Country', op: 'notEmpty' },
        ],
      },
      lead({ Status: 'MQL' }),
    );
    expect(traces.map((t) => t.text)).toEqual([
      'lead.Status is "MQL"; must equal "MQL": yes',
      'lead.Country is empty; must not be empty: no',
    ]);
  });
});
