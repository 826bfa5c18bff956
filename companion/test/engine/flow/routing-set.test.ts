import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlowInvalidError } from '../../../src/engine/flow/flow-loader.js';
import { loadRoutingSet, selectFlow, type SourceFile } from '../../../src/engine/flow/routing-set.js';
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
        .replace('[US, CA,', '[US, Narnia, CA,'),
    };
    const issues = issuesOf({ ...shipped, pools, territories });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pools\.yaml:\d+ pools\[5\]\.strategy: /),
        expect.stringMatching(
          /^territories\.yaml:\d+ territories\[0\]\.rows\[0\]\.country\[1\]: 'Narnia' is not a country we know/,
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
      text: shipped.pools.text.replace('005SY0000000010YAA', '005SY0000000099YAA'),
    };
    expect(issuesOf({ ...shipped, pools })).toEqual([
      expect.stringMatching(
        /^pools\.yaml:\d+ pools\[2\]\.members\[2\]\.userId: user 005SY0000000099YAA is not in the org$/,
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
});
