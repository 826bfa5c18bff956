import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  checkFlow,
  FlowInvalidError,
  loadFlow,
  type FlowCatalog,
} from '../../../src/engine/flow/flow-loader.js';
import { flowJsonSchema } from '../../../src/engine/flow/flow.schema.js';
import { OrgPeople, PeopleBinder } from '../../../src/engine/flow/org-people.js';
import { formatIssue } from '../../../src/engine/flow/yaml-source.js';

const catalog: FlowCatalog = {
  pools: ['hot-leads'],
  people: new PeopleBinder(
    new OrgPeople(
      [{ Id: '005SY0000000001YAA', Name: 'Ava Patel', IsActive: true, Username: 'ava@acme.example' }],
      [
        { Id: '00GSY0000000001YAA', Name: 'Partner Queue', DeveloperName: 'Partner_Queue', TakesLeads: true },
        { Id: '00GSY0000000007YAA', Name: 'Hopper', DeveloperName: 'Hopper', TakesLeads: true },
      ],
    ),
  ),
  territories: ['sdr-regions'],
  flows: ['leandata-blueprint'],
};

const valid = `flow: small-flow
version: 1
label: Small
trigger:
  on: [created]
start: status
nodes:
  status:
    type: decision
    branches:
      - when: { field: lead.Status, op: equals, value: MQL }
        next: hot
    default: hopper
  hot:
    type: assign
    to: [{ pool: hot-leads }, { queue: Hopper }]
    next: done
  hopper:
    type: assign
    to: { queue: Hopper }
    next: done
  done:
    type: end
`;

/** The issues of a variant of the valid flow, as 'line path: message' strings. */
function problems(text: string): string[] {
  return checkFlow(text, 'test.flow.yaml', catalog).issues.map((i) => `${i.line} ${i.path}: ${i.message}`);
}

describe('flow loader', () => {
  it('loads a valid flow', () => {
    const flow = loadFlow(valid, 'test.flow.yaml', catalog);
    expect(flow.flow).toBe('small-flow');
    expect(Object.keys(flow.nodes)).toEqual(['status', 'hot', 'hopper', 'done']);
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = checkFlow('flow: x\nnodes: [a,\n', 'broken.flow.yaml', catalog).issues;
    expect(issues[0]?.message).toMatch(/^YAML: /);
    expect(issues[0]?.file).toBe('broken.flow.yaml');
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('names an unknown key, a missing edge and an unknown node type with their lines', () => {
    const text = valid
      .replace('    next: done\n  hopper:', '    nxt: done\n  hopper:')
      .replace('type: end', 'type: finish');
    expect(problems(text)).toEqual([
      "14 nodes.hot.next: 'next' is missing",
      "17 nodes.hot.nxt: unknown key 'nxt'",
      '23 nodes.done.type: unknown node type: use match, decision, update, assign, convert, refuse, subflow or end',
    ]);
  });

  it('suggests the field meant by a typo, and refuses an operator that does not fit the field', () => {
    const text = valid.replace('lead.Status, op: equals, value: MQL', 'lead.Stauts, op: equals, value: MQL');
    expect(problems(text)).toEqual([
      "11 nodes.status.branches[0].when.field: unknown field 'lead.Stauts'; did you mean 'lead.Status'?",
    ]);
    const boolean = valid.replace(
      'lead.Status, op: equals, value: MQL',
      'lead.High_Priority__c, op: contains, value: yes',
    );
    expect(problems(boolean)[0]).toMatch(
      /'contains' does not apply to boolean field lead.High_Priority__c: use equals/,
    );
  });

  it('checks value types: lists for in, numbers for days, no value for empty', () => {
    const variants: Array<[string, RegExp]> = [
      ['{ field: lead.Status, op: in, value: MQL }', /'in' needs a list of values/],
      ['{ field: lead.CreatedDate, op: olderThanDays, value: soon }', /needs a number of days/],
      ['{ field: lead.Status, op: empty, value: MQL }', /'empty' takes no value/],
      ['{ field: lead.NumberOfEmployees, op: greaterThan, value: many }', /"many" is not a number/],
      ['{ field: account.Type, op: changed }', /'changed' applies to lead fields only/],
      ['{ field: deal.Stage, op: equals, value: x }', /unknown scope 'deal'/],
      ['{ field: lead.Status, all: [] }', /Too small|at least 1|>=1/],
    ];
    for (const [condition, message] of variants) {
      const text = valid.replace('{ field: lead.Status, op: equals, value: MQL }', condition);
      expect(problems(text).join('\n'), condition).toMatch(message);
    }
  });

  it('finds dangling edges, a decision without default, unreachable nodes and cycles', () => {
    const dangling = valid.replace('next: hot', 'next: hott');
    expect(problems(dangling)).toContain(
      "12 nodes.status.branches[0].next: goes to 'hott', which is not a node; did you mean 'hot'?",
    );

    const noDefault = valid.replace('    default: hopper\n', '');
    const found = problems(noDefault);
    expect(found).toContain(
      "10 nodes.status.branches: decision 'status' has no default: add 'default: <node id>' for leads that match no branch",
    );
    expect(found).toContain("17 nodes.hopper: node 'hopper' cannot be reached from start 'status'");

    const cycle = valid.replace(
      '    to: { queue: Hopper }\n    next: done',
      '    to: { queue: Hopper }\n    next: status',
    );
    expect(problems(cycle)).toContain(
      '8 nodes.status: cycle: status → hopper → status: a lead could loop forever',
    );
  });

  it('refuses pools, queues, users, tables and flows that are not in the catalog', () => {
    const text = valid
      .replace('{ pool: hot-leads }', '{ pool: hot-lead }')
      .replace(
        'to: { queue: Hopper }',
        'to: [{ queue: Partner Queu }, { user: 005SY0000000002YAA }, { territory: regions }, { field: account.Name }]',
      );
    expect(problems(text)).toEqual([
      "16 nodes.hot.to[0].pool: no pool named 'hot-lead'; did you mean 'hot-leads'?",
      "20 nodes.hopper.to[0].queue: no queue with DeveloperName 'Partner Queu' in this org: correct it, or create the queue with Lead as a supported object (Setup → Queues); did you mean 'Partner_Queue'?",
      '20 nodes.hopper.to[1].user: no user with Id 005SY0000000002YAA in this org: name the person by username or email, or correct the Id',
      "20 nodes.hopper.to[2].territory: no territory table named 'regions'",
      "20 nodes.hopper.to[3].field: 'account.Name' does not hold a user: use a lookup such as account.OwnerId or account.BDR_Assigned__c",
    ]);
  });

  it('never half-loads: an invalid flow throws FlowInvalidError listing every problem', () => {
    const text = valid.replace('next: hot', 'next: hott').replace('{ pool: hot-leads }', '{ pool: cold }');
    const error = (() => {
      try {
        loadFlow(text, 'test.flow.yaml', catalog);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FlowInvalidError);
    expect((error as FlowInvalidError).code).toBe('FLOW_INVALID');
    expect((error as FlowInvalidError).issues).toHaveLength(3);
    expect((error as FlowInvalidError).message).toMatch(
      /^The flow has 3 problems; nothing was loaded:\ntest\.flow\.yaml:12:/,
    );
    expect(formatIssue((error as FlowInvalidError).issues[0]!)).toMatch(/^test\.flow\.yaml:\d+:\d+ nodes\./);
  });

  it('ships its JSON Schema, kept up to date (npx tsx scripts/export-flow-schema.ts)', async () => {
    const shipped = JSON.parse(
      await readFile(new URL('../../../flows/flow.schema.json', import.meta.url), 'utf8'),
    );
    expect(shipped).toEqual(flowJsonSchema());
    expect(Object.keys((shipped as { properties: object }).properties)).toEqual(
      expect.arrayContaining(['flow', 'version', 'trigger', 'start', 'nodes']),
    );
  });

  it('finds a cycle through thousands of nodes without running out of stack', () => {
    const count = 5_000;
    const nodes = Array.from(
      { length: count },
      (_, i) => `  n${i}:\n    type: update\n    set: { Status: MQL }\n    next: n${(i + 1) % count}\n`,
    ).join('');
    const text = `flow: loop\nversion: 1\nlabel: Loop\ntrigger:\n  on: [created]\nstart: n0\nnodes:\n${nodes}`;
    expect(problems(text)).toEqual([
      expect.stringMatching(/^8 nodes\.n0: cycle: n0 → n1 → n2 → .*… \(cut at 400 characters\)$/),
    ]);
  });

  it('refuses conditions nested past the limit with their line', () => {
    let condition = '{ field: lead.Status, op: equals, value: MQL }';
    for (let i = 0; i < 100; i++) condition = `{ not: ${condition} }`;
    expect(problems(valid.replace('{ field: lead.Status, op: equals, value: MQL }', condition))).toEqual([
      expect.stringMatching(/^11 : nested more than 64 levels deep: flatten the document$/),
    ]);
  });

  it('answers binary garbage with problems on lines, never an exception', () => {
    let seed = 7;
    const garbage = Array.from({ length: 20_000 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return String.fromCharCode(seed % 256);
    }).join('');
    const issues = checkFlow(garbage, 'garbage.flow.yaml', catalog).issues;
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(formatIssue(issue)).toMatch(/^garbage\.flow\.yaml:\d+:\d+ /);
  });

  it('says a flow is a map when the document is empty, a list, a string or binary data', () => {
    for (const text of ['', '---', '~', '[a, b]', 'just words', '!!binary aGVsbG8=']) {
      expect(problems(text), JSON.stringify(text)).toEqual([
        '1 : a flow is a map of keys (flow:, version:, label:, trigger:, start:, nodes:)',
      ]);
    }
  });
});
