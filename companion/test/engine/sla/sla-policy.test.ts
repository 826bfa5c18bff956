import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CATALOG, demoQueueId, demoUserId } from '../../../src/crm/local/demo-people.js';
import { FlowInvalidError } from '../../../src/engine/flow/flow-loader.js';
import { loadRoutingSet, type SourceFile } from '../../../src/engine/flow/routing-set.js';
import { SHIPPED_FLOWS_DIR } from '../../../src/routing/flow-files.js';

let shipped: { flows: SourceFile[]; pools: SourceFile; territories: SourceFile; sla: SourceFile };
beforeAll(async () => {
  const read = async (file: string) => ({
    file,
    text: await readFile(join(SHIPPED_FLOWS_DIR, file), 'utf8'),
  });
  shipped = {
    flows: await Promise.all(
      ['leandata-blueprint', 'partner-routing', 'reroute', 'scheduled-clean-up'].map((f) =>
        read(`${f}.flow.yaml`),
      ),
    ),
    pools: await read('pools.yaml'),
    territories: await read('territories.yaml'),
    sla: await read('sla.yaml'),
  };
});

function issuesOf(sla: string): string[] {
  try {
    loadRoutingSet({ ...shipped, sla: { file: 'sla.yaml', text: sla } }, DEMO_CATALOG);
    return [];
  } catch (error) {
    if (!(error instanceof FlowInvalidError)) throw error;
    return error.issues.map((i) => `${i.file}:${i.line} ${i.path}: ${i.message}`);
  }
}

describe('SLA policies (sla.yaml)', () => {
  it('the shipped ones load, with the escalation targets resolved to Ids', () => {
    const set = loadRoutingSet(shipped, DEMO_CATALOG);
    expect(set.slas.get('hot-leads')).toMatchObject({
      pool: 'hot-leads',
      acceptedBy: ['accept', 'status-change', 'activity'],
      steps: [
        { after: 10, action: 'remind' },
        { after: 15, action: 'reassign' },
        { after: 30, action: 'escalate', to: { kind: 'user', id: demoUserId(22) } },
      ],
    });
    expect(set.slas.get('amer-sdr')!.steps[2]!.to).toEqual({ kind: 'queue', id: demoQueueId(7) });
  });

  it('reports each problem on its line', () => {
    const text = [
      'slas:',
      '  - name: a',
      '    pool: hot-lead',
      '    steps:',
      '      - { after: 10, do: remind }',
      '      - { after: 5, do: reassign }',
      '      - { after: 30, do: escalate, to: { queue: Nowhere } }',
      '  - name: b',
      '    flow: reroute',
      '    pool: amer-sdr',
      '    acceptedBy: [telepathy]',
      '    steps:',
      '      - { after: 10, do: remind, to: { user: victor.hale@switchyard-demo.example } }',
      '      - { after: 20, do: escalate }',
    ].join('\n');
    expect(issuesOf(text)).toEqual([
      "sla.yaml:3 slas[0].pool: no pool named 'hot-lead'; did you mean 'hot-leads'?",
      'sla.yaml:6 slas[0].steps[1].after: fires after 5 working minutes, not after the step before it (10): list steps in the order they fire',
      expect.stringMatching(/^sla\.yaml:7 slas\[0\]\.steps\[2\]\.to\.queue: .*Nowhere/),
      expect.stringMatching(/^sla\.yaml:11 slas\[1\]\.acceptedBy\[0\]: /),
    ]);
    const second = text.replace('[telepathy]', '[accept]');
    expect(issuesOf(second).slice(3)).toEqual([
      'sla.yaml:8 slas[1].name: an SLA covers one pool or one flow: write pool: <name> or flow: <name>',
      "sla.yaml:13 slas[1].steps[0].to: only an escalation goes somewhere: a remind step has no 'to'",
      'sla.yaml:14 slas[1].steps[1]: an escalation goes to one manager or one queue: to: { user: <username> } or to: { queue: <DeveloperName> }',
    ]);
  });

  it('refuses two SLAs on one pool', () => {
    const twice = shipped.sla.text.replace('pool: amer-sdr', 'pool: hot-leads');
    expect(issuesOf(twice)).toEqual([
      "sla.yaml:19 slas[1].pool: the SLA 'hot-leads' already covers this pool hot-leads",
    ]);
  });
});
