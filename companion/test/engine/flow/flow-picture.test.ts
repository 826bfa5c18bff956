import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { conditionWords } from '../../../src/engine/flow/field-words.js';
import { edgeKey, flowPicture } from '../../../src/engine/flow/flow-picture.js';
import type { FlowDoc } from '../../../src/engine/flow/flow.schema.js';
import { SHIPPED_FLOWS_DIR } from '../../../src/routing/flow-files.js';

async function shippedFlows(): Promise<FlowDoc[]> {
  const names = (await readdir(SHIPPED_FLOWS_DIR)).filter((n) => n.endsWith('.flow.yaml'));
  return Promise.all(
    names.map(async (n) => parse(await readFile(join(SHIPPED_FLOWS_DIR, n), 'utf8')) as FlowDoc),
  );
}

/** Every target a node leads to, once each (branches to the same node are one arrow). */
function targetsOf(flow: FlowDoc): Array<[string, string]> {
  const pairs = new Set<string>();
  for (const [id, node] of Object.entries(flow.nodes)) {
    const targets =
      node.type === 'decision'
        ? [...node.branches.map((b) => b.next), ...(node.default ? [node.default] : [])]
        : 'next' in node
          ? [node.next]
          : [];
    for (const to of targets) pairs.add(edgeKey(id, to));
  }
  return [...pairs].map((k) => k.split('>') as [string, string]);
}

const attrs = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

/** The boxes the picture draws: each node's id and rectangle. */
function nodeBoxes(svg: string): Array<{ id: string; x: number; y: number; w: number; h: number }> {
  const doc = attrs.parse(svg) as { svg: { g: Array<Record<string, unknown>> } };
  return doc.svg.g
    .filter((g) => g.class === 'node')
    .map((g) => {
      const rect = (g.rect as Array<Record<string, string>>)[0]!;
      return { id: String(g['data-node']), x: +rect.x!, y: +rect.y!, w: +rect.width!, h: +rect.height! };
    });
}

describe('a flow as a picture', () => {
  it('draws every node and one arrow per node pair of every shipped flow, as well-formed SVG with no node over another', async () => {
    const flows = await shippedFlows();
    expect(flows.length).toBeGreaterThanOrEqual(4);
    for (const flow of flows) {
      const svg = flowPicture(flow);
      expect(XMLValidator.validate(svg), flow.flow).toBe(true);
      for (const id of Object.keys(flow.nodes))
        expect(svg, `${flow.flow} ${id}`).toContain(`data-node="${id}"`);
      const pairs = targetsOf(flow);
      for (const [from, to] of pairs) {
        expect(svg, `${flow.flow} ${from}→${to}`).toContain(`data-edge="${from}&gt;${to}"`);
      }
      expect(svg.match(/class="edge"/g)).toHaveLength(pairs.length);
      const boxes = nodeBoxes(svg);
      for (const a of boxes) {
        for (const b of boxes) {
          if (a === b) continue;
          const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
          expect(apart, `${flow.flow}: ${a.id} overlaps ${b.id}`).toBe(true);
        }
      }
      // Every arrow points down: a lead's way through the flow reads top to bottom.
      const y = new Map(boxes.map((b) => [b.id, b.y]));
      for (const [from, to] of pairs) expect(y.get(to)!, `${from}→${to}`).toBeGreaterThan(y.get(from)!);
    }
  });

  it('labels edges with branch labels, "otherwise", and conditions in words when a branch has no label', () => {
    const flow: FlowDoc = {
      flow: 'tiny',
      version: 3,
      label: 'Tiny <flow>',
      trigger: { on: ['created'] },
      start: 'check',
      nodes: {
        check: {
          type: 'decision',
          branches: [
            {
              when: { field: 'lead.LeadSource', op: 'in', value: ['Demo Request', 'Contact Us'] },
              next: 'hot',
            },
            {
              label: 'Customer account',
              when: { field: 'account.Type', op: 'equals', value: 'Customer' },
              next: 'hot',
            },
          ],
          default: 'cold',
        },
        hot: { type: 'assign', label: 'Hot leads', to: { pool: 'hot' }, next: 'done' },
        cold: { type: 'assign', label: 'Cold leads', to: { queue: 'Hopper' }, next: 'done' },
        done: { type: 'end' },
      },
    };
    const svg = flowPicture(flow);
    // Two branches to one node: one arrow, its label the first (shortened), its tooltip both in full.
    expect(svg).toContain('>Lead source is one of Demo … (+1 more)</text>');
    expect(svg).toContain(
      '<title>Lead source is one of Demo Request, Contact Us; or Customer account: Account type is Customer</title>',
    );
    expect(svg).toContain('>otherwise<');
    expect(svg).toContain('Tiny &lt;flow&gt; (flow tiny, version 3)');
    expect(svg).not.toMatch(/\d leads</);
  });

  it('shows leads per edge and one lead’s path', () => {
    const flow: FlowDoc = {
      flow: 'two-way',
      version: 1,
      label: 'Two ways',
      trigger: { on: ['created'] },
      start: 'fork',
      nodes: {
        fork: {
          type: 'decision',
          branches: [
            {
              label: 'Big company',
              when: { field: 'lead.NumberOfEmployees', op: 'greaterThan', value: 500 },
              next: 'ae',
            },
          ],
          default: 'sdr',
        },
        ae: { type: 'assign', to: { pool: 'ae' }, next: 'done' },
        sdr: { type: 'assign', to: { pool: 'sdr' }, next: 'done' },
        done: { type: 'end' },
      },
    };
    const svg = flowPicture(flow, {
      edgeCounts: new Map([
        [edgeKey('fork', 'ae'), 1234],
        [edgeKey('fork', 'sdr'), 7],
      ]),
      countDays: 30,
      highlight: ['fork', 'sdr', 'done'],
    });
    expect(svg).toContain('Big company · 1,234 leads');
    expect(svg).toContain('otherwise · 7 leads');
    expect(svg).toContain('ae&gt;done" d=');
    expect(svg).toContain('>0 leads<');
    expect(svg).toContain('over the last 30 days');
    const lit = [...svg.matchAll(/data-node="([^"]+)"[^>]*data-on-path="true"/g)].map((m) => m[1]);
    expect(lit).toEqual(['fork', 'sdr', 'done']);
    expect(svg).toMatch(/data-edge="fork&gt;sdr"[^>]*stroke="#d4145a"/);
    expect(svg).toMatch(/data-edge="fork&gt;ae"[^>]*stroke="#747474"/);
  });

  it('says conditions as an admin reads them', () => {
    expect(conditionWords({ field: 'lead.Impartner_Partner_Account__c', op: 'notEmpty' })).toBe(
      'Partner account is set',
    );
    expect(
      conditionWords({
        any: [
          { field: 'campaign.MDF_Funding__c', op: 'equals', value: 'Yes' },
          { not: { field: 'lead.Partner_Recalled__c', op: 'equals', value: true } },
        ],
      }),
    ).toBe('Campaign MDF funding is Yes or not (Partner recalled is yes)');
    expect(conditionWords({ field: 'lead.CreatedDate', op: 'olderThanDays', value: 30 })).toBe(
      'Created date is more than 30 days ago',
    );
  });
});
