import { conditionWords } from './field-words.js';
import type { FlowDoc, NodeDoc } from './flow.schema.js';

/**
 * A flow as a picture (SVG): its nodes top to bottom in the order a lead meets them, each edge labelled
 * with its condition in words, optionally how many leads took each edge and one lead's path
 * highlighted. Pure: the numbers come from the caller (stored decisions), so the CLI, the API and the
 * admin page draw the same picture.
 */

export interface FlowPictureOptions {
  /** How many leads took each edge, keyed by `edgeKey(from, to)`. */
  edgeCounts?: ReadonlyMap<string, number>;
  /** Over how many days the counts were taken, for the caption. */
  countDays?: number;
  /** One lead's way through this flow: the node ids in the order it met them. */
  highlight?: readonly string[];
}

export function edgeKey(from: string, to: string): string {
  return `${from}>${to}`;
}

interface Edge {
  from: string;
  to: string;
  /** The condition in words ("otherwise" for a decision's default); empty for a plain "next". */
  label: string;
  /** The full condition, shown as the edge's tooltip. */
  detail: string;
}

interface Placed {
  id: string;
  node: NodeDoc;
  lines: string[];
  x: number;
  y: number;
  height: number;
}

const NODE_WIDTH = 250;
const COLUMN_GAP = 50;
const LAYER_GAP = 96;
/** The width a bend point takes in its layer. */
const BEND_WIDTH = 24;
const LINE_HEIGHT = 15;
const MARGIN = 24;
const HEADER = 54;
const LABEL_CHARS = 38;
const TITLE_CHARS = 34;

/** Fill and border per node type: SLDS's palette, so the picture reads like the rest of Salesforce. */
const TYPE_STYLE: Record<NodeDoc['type'], { fill: string; stroke: string; word: string }> = {
  match: { fill: '#f3edff', stroke: '#7526e3', word: 'Match account' },
  decision: { fill: '#fef1dc', stroke: '#a96404', word: 'Decision' },
  update: { fill: '#f3f3f3', stroke: '#706e6b', word: 'Set fields' },
  assign: { fill: '#e3f3ff', stroke: '#0176d3', word: 'Assign' },
  convert: { fill: '#e6f7e9', stroke: '#2e844a', word: 'Convert' },
  refuse: { fill: '#fde8e8', stroke: '#ba0517', word: 'Refuse' },
  subflow: { fill: '#dcf7f4', stroke: '#0b827c', word: 'Hand over' },
  end: { fill: '#ffffff', stroke: '#444444', word: 'End' },
};
const HIGHLIGHT = '#d4145a';

function edgesOf(id: string, node: NodeDoc): Edge[] {
  switch (node.type) {
    case 'decision': {
      // Branches that lead to the same node are one arrow: its label names the first, its tooltip all.
      const byTarget = new Map<string, Edge & { more: number }>();
      const add = (to: string, label: string, detail: string) => {
        const edge = byTarget.get(to);
        if (!edge) byTarget.set(to, { from: id, to, label, detail, more: 0 });
        else {
          edge.more++;
          edge.detail = `${edge.detail}; or ${detail}`;
        }
      };
      for (const b of node.branches) {
        const detail = conditionWords(b.when);
        add(b.next, b.label ?? detail, b.label ? `${b.label}: ${detail}` : detail);
      }
      if (node.default !== undefined) add(node.default, 'otherwise', 'otherwise (no branch applies)');
      return [...byTarget.values()].map(({ more, ...edge }) =>
        more > 0 ? { ...edge, label: `${shorten(edge.label, LABEL_CHARS - 10)} (+${more} more)` } : edge,
      );
    }
    case 'refuse':
    case 'subflow':
    case 'end':
      return [];
    default:
      return [{ from: id, to: node.next, label: '', detail: '' }];
  }
}

/** Words wrapped to lines of at most `width` characters, at most `max` lines (the last ends in "…"). */
function wrap(text: string, width: number, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, max);
  kept[max - 1] = `${kept[max - 1]!.slice(0, width - 1)}…`;
  return kept;
}

function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function nodeTitle(id: string, node: NodeDoc): string {
  if (node.type === 'subflow') return `${node.label ?? id} → flow ${node.flow}`;
  if (node.type === 'refuse') return `${node.label ?? id}: ${node.code}`;
  return node.label ?? id;
}

/** A place in a layer: a node, or a bend point of an edge that passes the layer on its way down. */
interface Slot {
  id: string;
  /** For a bend point: the edge it belongs to. */
  edge?: Edge;
}

/**
 * Layers by the longest way from the start (so every edge points down), nodes nobody reaches last; an
 * edge that skips layers gets a bend point in each, so it runs between nodes rather than through them.
 * Within a layer, slots start in the order a depth-first walk meets them and are then moved towards
 * their parents' middle (two sweeps).
 */
function layout(flow: FlowDoc, edges: Edge[]): { layers: Slot[][]; bends: Map<Edge, string[]> } {
  const ids = Object.keys(flow.nodes);
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  const into = new Map<string, string[]>(ids.map((id) => [id, []]));
  const drawn = edges.filter((e) => out.has(e.to));
  for (const e of drawn) {
    out.get(e.from)!.push(e.to);
    into.get(e.to)!.push(e.from);
  }
  // Depth-first order from the start (the loader refuses cycles, so this is a topological walk).
  const seen = new Set<string>();
  const postorder: string[] = [];
  const visit = (root: string) => {
    const stack: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    seen.add(root);
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const targets = out.get(top.id)!;
      if (top.i < targets.length) {
        const next = targets[top.i++]!;
        if (!seen.has(next)) {
          seen.add(next);
          stack.push({ id: next, i: 0 });
        }
      } else {
        postorder.push(top.id);
        stack.pop();
      }
    }
  };
  if (flow.nodes[flow.start]) visit(flow.start);
  const reachable = new Set(seen);
  for (const id of ids) if (!seen.has(id)) visit(id);
  const topological = postorder.reverse();

  const layerOf = new Map<string, number>();
  for (const id of topological) {
    const parents = into.get(id)!.filter((p) => layerOf.has(p));
    layerOf.set(id, parents.length === 0 ? 0 : Math.max(...parents.map((p) => layerOf.get(p)!)) + 1);
  }
  // Nodes no lead can reach go below the rest, so the picture shows them apart.
  const reachedDepth = Math.max(0, ...[...reachable].map((id) => layerOf.get(id)!));
  for (const id of ids) {
    if (!reachable.has(id)) layerOf.set(id, layerOf.get(id)! + reachedDepth + 1);
  }

  const layers: Slot[][] = [];
  const parentsOf = new Map<string, string[]>();
  for (const id of topological) {
    (layers[layerOf.get(id)!] ??= []).push({ id });
    parentsOf.set(id, [...into.get(id)!]);
  }
  const bends = new Map<Edge, string[]>();
  drawn.forEach((e, n) => {
    const top = layerOf.get(e.from)!;
    const bottom = layerOf.get(e.to)!;
    if (bottom - top < 2) return;
    const points: string[] = [];
    for (let layer = top + 1; layer < bottom; layer++) {
      const id = `~${n}~${layer}`;
      (layers[layer] ??= []).push({ id, edge: e });
      parentsOf.set(id, [points.at(-1) ?? e.from]);
      points.push(id);
    }
    bends.set(e, points);
    const parents = parentsOf.get(e.to)!;
    parents[parents.indexOf(e.from)] = points.at(-1)!;
  });

  const filled = layers.filter((layer) => layer !== undefined);
  const position = new Map<string, number>();
  for (const layer of filled) layer.forEach((slot, i) => position.set(slot.id, i));
  for (let sweep = 0; sweep < 2; sweep++) {
    for (const layer of filled.slice(1)) {
      const centre = (slot: Slot) => {
        const parents = parentsOf.get(slot.id)!;
        if (parents.length === 0) return position.get(slot.id)!;
        return parents.reduce((sum, p) => sum + position.get(p)!, 0) / parents.length;
      };
      const weights = new Map(layer.map((slot) => [slot.id, centre(slot)]));
      layer.sort((a, b) => weights.get(a.id)! - weights.get(b.id)!);
      layer.forEach((slot, i) => position.set(slot.id, i));
    }
  }
  return { layers: filled, bends };
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** A point on the cubic curve from (x1,y1) to (x2,y2) that leaves and arrives vertically. */
function onCurve(x1: number, y1: number, x2: number, y2: number, t: number): [number, number] {
  const bend = (y2 - y1) / 2;
  const u = 1 - t;
  const x = u ** 3 * x1 + 3 * u ** 2 * t * x1 + 3 * u * t ** 2 * x2 + t ** 3 * x2;
  const y = u ** 3 * y1 + 3 * u ** 2 * t * (y1 + bend) + 3 * u * t ** 2 * (y2 - bend) + t ** 3 * y2;
  return [x, y];
}

export function flowPicture(flow: FlowDoc, options: FlowPictureOptions = {}): string {
  const edges = Object.entries(flow.nodes).flatMap(([id, node]) => edgesOf(id, node));
  const { layers, bends } = layout(flow, edges);
  const slotWidth = (slot: Slot) => (slot.edge ? BEND_WIDTH : NODE_WIDTH);
  const rowWidth = (layer: Slot[]) =>
    layer.reduce((sum, slot) => sum + slotWidth(slot), 0) + (layer.length - 1) * COLUMN_GAP;
  const width = MARGIN * 2 + Math.max(NODE_WIDTH, ...layers.map(rowWidth));

  const placed = new Map<string, Placed>();
  /** Where each bend point sits: its x and its layer's top and bottom. */
  const bendAt = new Map<string, { x: number; top: number; bottom: number }>();
  const layerTops: number[] = [];
  let y = MARGIN + HEADER;
  for (const layer of layers) {
    const tallest = Math.max(
      0,
      ...layer.map((slot) => {
        const node = flow.nodes[slot.id];
        return node ? 30 + wrap(nodeTitle(slot.id, node), TITLE_CHARS, 3).length * LINE_HEIGHT : 0;
      }),
    );
    layerTops.push(y);
    let x = (width - rowWidth(layer)) / 2;
    for (const slot of layer) {
      const node = flow.nodes[slot.id];
      if (node) {
        const lines = wrap(nodeTitle(slot.id, node), TITLE_CHARS, 3);
        placed.set(slot.id, { id: slot.id, node, lines, x, y, height: 30 + lines.length * LINE_HEIGHT });
      } else {
        bendAt.set(slot.id, { x: x + BEND_WIDTH / 2, top: y, bottom: y + tallest });
      }
      x += slotWidth(slot) + COLUMN_GAP;
    }
    y += tallest + LAYER_GAP;
  }
  const height = y - LAYER_GAP + MARGIN;

  const path = options.highlight ?? [];
  const onPath = new Set(path);
  const pathEdges = new Set(path.slice(1).map((to, i) => edgeKey(path[i]!, to)));
  const counts = options.edgeCounts;
  const most = counts ? Math.max(1, ...counts.values()) : 1;
  const dim = path.length > 0 ? ' opacity="0.45"' : '';

  // Labels must not cover a node or another label: each takes the first free spot along its first leg.
  const taken: Box[] = [...placed.values()].map((p) => ({
    x: p.x,
    y: p.y,
    width: NODE_WIDTH,
    height: p.height,
  }));
  const edgeSvg: string[] = [];
  const labelSvg: string[] = [];
  for (const e of edges) {
    const from = placed.get(e.from);
    const to = placed.get(e.to);
    if (!from || !to) continue;
    const key = edgeKey(e.from, e.to);
    const lit = pathEdges.has(key);
    const count = counts?.get(key) ?? 0;
    // The way down: out of the source's bottom, straight through each bend point's layer, into the target's top.
    const legs: Array<[number, number, number, number]> = [];
    let x1 = from.x + NODE_WIDTH / 2;
    let y1 = from.y + from.height;
    for (const bend of bends.get(e) ?? []) {
      const at = bendAt.get(bend)!;
      legs.push([x1, y1, at.x, at.top]);
      [x1, y1] = [at.x, at.bottom];
    }
    legs.push([x1, y1, to.x + NODE_WIDTH / 2, to.y - 6]);
    const d = legs
      .map(([ax, ay, bx, by], i) => {
        const bend = (by - ay) / 2;
        const start = i === 0 ? `M${ax},${ay}` : `L${ax},${ay}`;
        return `${start} C${ax},${ay + bend} ${bx},${by - bend} ${bx},${by}`;
      })
      .join(' ');
    const strokeWidth = counts ? 1.5 + (4 * Math.log1p(count)) / Math.log1p(most) : 1.5;
    const colour = lit ? HIGHLIGHT : '#747474';
    const words = [
      e.label ? shorten(e.label, LABEL_CHARS) : '',
      counts ? `${count.toLocaleString('en-US')} leads` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const tooltip = escape(
      [e.detail || e.label || 'next', counts ? `${count} leads` : ''].filter(Boolean).join(' — '),
    );
    edgeSvg.push(
      `<path class="edge" data-edge="${escape(key)}" d="${d}" fill="none" stroke="${colour}" ` +
        `stroke-width="${(lit ? Math.max(3, strokeWidth) : strokeWidth).toFixed(1)}" ` +
        `marker-end="url(#${lit ? 'arrow-taken' : 'arrow'})"${lit ? '' : dim}><title>${tooltip}</title></path>`,
    );
    if (!words) continue;
    const boxWidth = words.length * 6.1 + 10;
    const [ax, ay, bx, by] = legs[0]!;
    let spot: Box | undefined;
    for (const t of [0.4, 0.25, 0.55, 0.7, 0.15, 0.85]) {
      const [lx, ly] = onCurve(ax, ay, bx, by, t);
      const box = { x: lx - boxWidth / 2, y: ly - 9, width: boxWidth, height: 17 };
      if (!taken.some((other) => overlaps(box, other))) {
        spot = box;
        break;
      }
    }
    if (!spot) {
      const [lx, ly] = onCurve(ax, ay, bx, by, 0.4);
      spot = { x: lx - boxWidth / 2, y: ly - 9, width: boxWidth, height: 17 };
    }
    taken.push(spot);
    labelSvg.push(
      `<g class="edge-label"${lit ? '' : dim}><title>${tooltip}</title>` +
        `<rect x="${spot.x.toFixed(1)}" y="${spot.y.toFixed(1)}" width="${boxWidth.toFixed(1)}" height="17" rx="3" fill="#ffffff" stroke="${lit ? HIGHLIGHT : '#c9c9c9'}"/>` +
        `<text x="${(spot.x + boxWidth / 2).toFixed(1)}" y="${(spot.y + 13).toFixed(1)}" text-anchor="middle" font-size="11" fill="${lit ? HIGHLIGHT : '#3e3e3c'}">${escape(words)}</text></g>`,
    );
  }

  const nodeSvg = [...placed.values()].map((p) => {
    const style = TYPE_STYLE[p.node.type];
    const lit = onPath.has(p.id);
    const text = p.lines
      .map(
        (line, i) =>
          `<text x="${p.x + 14}" y="${p.y + 38 + i * LINE_HEIGHT}" font-size="12.5" fill="#181818">${escape(line)}</text>`,
      )
      .join('');
    return (
      `<g class="node" data-node="${escape(p.id)}" data-type="${p.node.type}"${lit ? ' data-on-path="true"' : dim}>` +
      `<title>${escape(`${p.id} (${style.word})${p.node.description ? `: ${p.node.description.trim()}` : ''}`)}</title>` +
      `<rect x="${p.x}" y="${p.y}" width="${NODE_WIDTH}" height="${p.height}" rx="${p.node.type === 'end' ? 16 : 6}" ` +
      `fill="${style.fill}" stroke="${lit ? HIGHLIGHT : style.stroke}" stroke-width="${lit ? 3 : 1.5}"/>` +
      `<rect x="${p.x}" y="${p.y}" width="6" height="${p.height}" rx="3" fill="${lit ? HIGHLIGHT : style.stroke}"/>` +
      `<text x="${p.x + 14}" y="${p.y + 18}" font-size="10.5" font-weight="700" fill="${style.stroke}" letter-spacing="0.4">${escape(style.word.toUpperCase())}</text>` +
      `${text}</g>`
    );
  });

  const caption = [
    `Runs on: ${flow.trigger.on.join(', ')}`,
    counts ? `leads per edge over the last ${options.countDays ?? '?'} days` : '',
    path.length > 0 ? 'one lead’s path highlighted' : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const arrow = (id: string, fill: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="8" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${fill}"/></marker>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-labelledby="flow-title" font-family="-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif">`,
    `<title id="flow-title">${escape(`${flow.label} (flow ${flow.flow}, version ${flow.version})`)}</title>`,
    `<defs>${arrow('arrow', '#747474')}${arrow('arrow-taken', HIGHLIGHT)}</defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 14}" font-size="17" font-weight="700" fill="#181818">${escape(flow.label)}</text>`,
    `<text x="${MARGIN}" y="${MARGIN + 34}" font-size="12" fill="#5c5c5c">${escape(caption)}</text>`,
    ...edgeSvg,
    ...nodeSvg,
    ...labelSvg,
    '</svg>',
  ].join('\n');
}
