import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The re-route dialog states the rules before the click. The rules live in the re-route flow
// (companion/flows/reroute.flow.yaml): every branch that leads to a refusal must be said in the dialog,
// in the flow's own words, so the dialog cannot promise what the flow does not do.

const FLOW = 'companion/flows/reroute.flow.yaml';
const FORM = 'force-app/main/default/lwc/rerouteLeadForm/rerouteLeadForm.js';
const LABELS = 'force-app/main/default/labels/CustomLabels.labels-meta.xml';

interface Node {
  type: string;
  branches?: Array<{ label?: string; next: string }>;
}

/** The labels of the flow's branches that end in a refuse node. */
function refusingBranches(): string[] {
  const flow = parse(readFileSync(FLOW, 'utf8')) as { nodes: Record<string, Node> };
  return Object.values(flow.nodes).flatMap((node) =>
    (node.branches ?? [])
      .filter((branch) => flow.nodes[branch.next]?.type === 'refuse')
      .map((branch) => branch.label ?? '(a branch without a label)'),
  );
}

/** The values of the custom labels the dialog's form imports. */
function dialogTexts(): string[] {
  const xml = readFileSync(LABELS, 'utf8');
  const names = [...readFileSync(FORM, 'utf8').matchAll(/@salesforce\/label\/c\.(\w+)/g)].map((m) => m[1]!);
  return names.map((name) => {
    const block = new RegExp(`<fullName>${name}</fullName>[\\s\\S]*?<value>([^<]*)</value>`).exec(xml);
    expect(block, `label ${name}`).not.toBeNull();
    return block![1]!;
  });
}

describe('the re-route dialog', () => {
  it('says every rule of the re-route flow that refuses, in the flow’s words', () => {
    const branches = refusingBranches();
    expect(branches.length).toBeGreaterThanOrEqual(4);
    const texts = dialogTexts().join('\n').toLowerCase();
    for (const branch of branches) {
      expect(texts, `the dialog says "${branch}"`).toContain(branch.toLowerCase());
    }
  });

  it('says the lead keeps its current owner when refused, as the refusals do', () => {
    const flow = readFileSync(FLOW, 'utf8');
    expect(flow).toMatch(/stay with their current owner|stays with its current owner/);
    expect(dialogTexts().join('\n')).toContain('stays with its current owner');
    expect(dialogTexts().join('\n')).not.toMatch(/stays with that BDR/);
  });
});
