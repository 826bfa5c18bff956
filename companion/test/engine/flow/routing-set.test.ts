import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlowInvalidError } from '../../../src/engine/flow/flow-loader.js';
import { loadRoutingSet, selectFlow, type SourceFile } from '../../../src/engine/flow/routing-set.js';
import { MAX_FLOW_DEPTH, MAX_STEPS } from '../../../src/engine/decide.js';
import { SHIPPED_FLOWS_DIR } from '../../../src/routing/flow-files.js';
import { DEMO_CATALOG } from '../../../src/crm/local/demo-people.js';

let shipped: { flows: SourceFile[]; pools: SourceFile; territories: SourceFile };
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
  };
});

function issuesOf(files: typeof shipped): string[] {
  try {
    loadRoutingSet(files, DEMO_CATALOG);
    return [];
  } catch (error) {
    if (!(error instanceof FlowInvalidError)) throw error;
    return error.issues.map((i) => `${i.file}:${i.line} ${i.path}: ${i.message}`);
  }
}

describe('routing set', () => {
  it('the shipped flows, pools and territories are valid together', () => {
    expect(issuesOf(shipped)).toEqual([]);
  });

  it('picks the entry flow for each trigger', () => {
    const set = loadRoutingSet(shipped, DEMO_CATALOG);
    expect(selectFlow(set, { kind: 'created' })?.flow).toBe('partner-routing');
    expect(selectFlow(set, { kind: 'campaign-member' })?.flow).toBe('partner-routing');
    expect(selectFlow(set, { kind: 'reroute' })?.flow).toBe('reroute');
    expect(selectFlow(set, { kind: 'updated', changedFields: ['Status'] })?.flow).toBe('leandata-blueprint');
    expect(selectFlow(set, { kind: 'updated', changedFields: ['Rerun_Routing__c'] })?.flow).toBe('reroute');
    expect(selectFlow(set, { kind: 'updated', changedFields: ['Title'] })).toBeNull();
    expect(selectFlow(set, { kind: 'scheduled', job: 'weekly-status-queues' })?.flow).toBe(
      'scheduled-clean-up',
    );
    expect(selectFlow(set, { kind: 'scheduled', job: 'unknown-job' })).toBeNull();
  });

  it('reports problems in pools and territory tables with file and line, and loads nothing', () => {
    const pools = {
      file: 'pools.yaml',
      text: shipped.pools.text
        .replace('strategy: load', 'strategy: fastest')
        .replace('005SY0000000010YAA', '005SY0000000099YAA'),
    };
    const territories = {
      file: 'territories.yaml',
      text: shipped.territories.text
        .replace('{ pool: apj-sdr }', '{ pool: apac-sdr }')
        .replace('region: [AMER]', 'region: [AMER, LATAM]'),
    };
    const issues = issuesOf({ ...shipped, pools, territories });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pools\.yaml:\d+ pools\[5\]\.strategy: /),
        expect.stringMatching(
          /^territories\.yaml:\d+ territories\[0\]\.rows\[0\]\.region\[1\]: 'LATAM' is not a sales region/,
        ),
        expect.stringMatching(
          /^territories\.yaml:\d+ territories\[0\]\.rows\[2\]\.assign\.pool: no pool named 'apac-sdr'; did you mean 'apj-sdr'\?/,
        ),
      ]),
    );
  });

  it('a pool member who is not in the org is named', () => {
    const pools = {
      file: 'pools.yaml',
      text: shipped.pools.text.replace(
        'jay.singh@switchyard-demo.example',
        'jay.sing@switchyard-demo.example',
      ),
    };
    expect(issuesOf({ ...shipped, pools })).toEqual([
      expect.stringMatching(
        /^pools\.yaml:\d+ pools\[2\]\.members\[2\]\.user: no user with username or email 'jay\.sing@switchyard-demo\.example' in this org: correct it, or create the user \(Setup → Users\); did you mean 'jay\.singh@switchyard-demo\.example'\?$/,
      ),
    ]);
  });

  it('a flow handing over to a flow that does not exist is refused', () => {
    const flows = shipped.flows.map((f) =>
      f.file === 'partner-routing.flow.yaml'
        ? { ...f, text: f.text.replace('flow: leandata-blueprint', 'flow: lean-blueprint') }
        : f,
    );
    expect(issuesOf({ ...shipped, flows })).toEqual([
      expect.stringMatching(
        /^partner-routing\.flow\.yaml:\d+ nodes\.blueprint\.flow: no flow named 'lean-blueprint'; did you mean 'leandata-blueprint'\?/,
      ),
    ]);
  });

  it('refuses flows that hand a lead back to each other, naming the cycle where it closes', () => {
    const flows = [
      handOver('a.flow.yaml', 'flow-a', 'flow-b'),
      handOver('b.flow.yaml', 'flow-b', 'flow-c'),
      handOver('c.flow.yaml', 'flow-c', 'flow-a'),
    ];
    expect(issuesOf({ ...shipped, flows: [...shipped.flows, ...flows] })).toEqual([
      'a.flow.yaml:10 nodes.go.flow: hand-over cycle: flow-a → flow-b → flow-c → flow-a: a lead would be handed back and forth forever; end one of these flows instead',
    ]);
  });

  it('refuses more hand-overs than a decision follows', () => {
    const chain = Array.from({ length: MAX_FLOW_DEPTH + 2 }, (_, i) =>
      i === MAX_FLOW_DEPTH + 1
        ? flowFile('f9.flow.yaml', 'f-9', 'done', '  done:\n    type: end\n')
        : handOver(`f${i}.flow.yaml`, `f-${i}`, `f-${i + 1}`),
    );
    expect(issuesOf({ ...shipped, flows: chain })).toEqual([
      `f0.flow.yaml:6 start: a lead can be handed over 9 times from here (f-0 → f-1 → f-2 → f-3 → f-4 → f-5 → f-6 → f-7 → f-8 → f-9); a decision follows at most ${MAX_FLOW_DEPTH}: hand over fewer times`,
    ]);
  });

  it('refuses a path longer than a decision walks (a 5,000-node chain), and loads one that fits', () => {
    expect(issuesOf({ ...shipped, flows: [chainFlow(5_000)] })).toEqual([
      `chain.flow.yaml:6 start: a lead can pass 5001 nodes from here, hand-overs included; a decision stops after ${MAX_STEPS}: shorten the longest path`,
    ]);
    expect(issuesOf({ ...shipped, flows: [chainFlow(MAX_STEPS - 1)] })).toEqual([]);
  });

  it('knows a flow by its document, wherever its name is written', () => {
    const late = flowFile('late.flow.yaml', 'late-name', 'done', '  done:\n    type: end\n');
    const named = { ...late, text: late.text.replace('flow: late-name\n', '') + 'flow: late-name\n' };
    const flows = [handOver('first.flow.yaml', 'first', 'late-name'), named];
    expect(issuesOf({ ...shipped, flows })).toEqual([]);
  });
});

function flowFile(file: string, name: string, start: string, nodes: string): SourceFile {
  return {
    file,
    text: `flow: ${name}\nversion: 1\nlabel: ${name}\ntrigger:\n  on: [created]\nstart: ${start}\nnodes:\n${nodes}`,
  };
}

/** A flow whose only node hands over to `to`, on line 10. */
function handOver(file: string, name: string, to: string): SourceFile {
  return flowFile(file, name, 'go', `  go:\n    type: subflow\n    flow: ${to}\n`);
}

/** A flow of `length` update nodes in a row, then an end. */
function chainFlow(length: number): SourceFile {
  const nodes = Array.from(
    { length },
    (_, i) => `  n${i}:\n    type: update\n    set: { Status: MQL }\n    next: n${i + 1}\n`,
  ).join('');
  return flowFile('chain.flow.yaml', 'chain', 'n0', `${nodes}  n${length}:\n    type: end\n`);
}
