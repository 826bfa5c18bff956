/**
 * The longest `validate` (and the service's start) can take on a flow folder: one filled to its byte
 * limit with flows of thousands of tiny nodes, the most YAML per byte there is to read and check.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEMO_CATALOG } from '../../companion/src/crm/local/demo-people.js';
import { FlowInvalidError } from '../../companion/src/engine/flow/flow-loader.js';
import {
  FLOW_FOLDER_LIMITS,
  readRoutingSet,
  SHIPPED_FLOWS_DIR,
} from '../../companion/src/routing/flow-files.js';
import type { Report } from './run.js';

/** A flow of end nodes up to `bytes`: every node unreachable, so each is checked and reported. */
function tinyNodes(name: string, bytes: number): string {
  let text = `flow: ${name}\nversion: 1\nlabel: ${name}\ntrigger:\n  on: [created]\nstart: e0\nnodes:\n`;
  for (let i = 0; text.length < bytes - 40; i++) text += `  e${i}:\n    type: end\n`;
  return text;
}

export default async function bench(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-flow-bench-'));
  try {
    cpSync(SHIPPED_FLOWS_DIR, dir, { recursive: true });
    const files = Math.floor(FLOW_FOLDER_LIMITS.maxTotalBytes / FLOW_FOLDER_LIMITS.maxFileBytes) - 1;
    for (let i = 0; i < files; i++)
      writeFileSync(
        join(dir, `tiny-${i}.flow.yaml`),
        tinyNodes(`tiny-${i}`, FLOW_FOLDER_LIMITS.maxFileBytes),
      );
    const started = performance.now();
    const problems = await readRoutingSet(dir, DEMO_CATALOG).then(
      () => 0,
      (error: unknown) => (error instanceof FlowInvalidError ? error.issues.length : -1),
    );
    if (problems <= 0) throw new Error('the bench folder should have been refused with problems listed');
    report({
      name: `flow validate: folder at its limits (${files} × ${FLOW_FOLDER_LIMITS.maxFileBytes / 1024} KB of tiny nodes)`,
      value: (performance.now() - started) / 1000,
      unit: 's',
      target: '<= 5 s',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
