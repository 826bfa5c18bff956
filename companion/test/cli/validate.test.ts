import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SHIPPED_FLOWS_DIR } from '../../src/routing/flow-files.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = path.join(root, 'node_modules/.bin/tsx');

/** `npm run cli -- validate <folder>`, as an admin runs it. */
function validate(folder: string) {
  return spawnSync(tsx, ['companion/src/cli/main.ts', 'validate', folder], { cwd: root, encoding: 'utf8' });
}

function flow(name: string, start: string, nodes: string): string {
  return `flow: ${name}\nversion: 1\nlabel: ${name}\ntrigger:\n  on: [created]\nstart: ${start}\nnodes:\n${nodes}`;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'switchyard-validate-'));
  cpSync(SHIPPED_FLOWS_DIR, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run cli -- validate', () => {
  it('says the shipped folder is valid', () => {
    const run = validate(dir);
    // The line the shipped pools.yaml names Diego Ramos on, so the note points at it.
    const line =
      readFileSync(path.join(dir, 'pools.yaml'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('diego.ramos@')) + 1;
    expect(line).toBeGreaterThan(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `${dir}: 4 flows, 8 pools and 1 territory tables are valid.\n` +
        `note: ${dir}/pools.yaml:${line}:17 pools[0].members[3].user: Diego Ramos (diego.ramos@switchyard-demo.example) is inactive: routing passes over them; reactivate the user (Setup → Users) or take them out of the routing set\n`,
    );
    expect(run.status).toBe(0);
  });

  it('prints file:line:reason for files it cannot read, and exits 1', () => {
    mkdirSync(path.join(dir, 'x.flow.yaml'));
    symlinkSync(path.join(dir, 'loop.flow.yaml'), path.join(dir, 'loop.flow.yaml'));
    writeFileSync(path.join(dir, 'huge.flow.yaml'), '');
    truncateSync(path.join(dir, 'huge.flow.yaml'), 33 * 1024 * 1024);

    const run = validate(dir);
    expect(run.stderr.split('\n')).toEqual([
      `${dir}: 3 problems; nothing is loaded until they are fixed:`,
      `${dir}/huge.flow.yaml:1:1 (document): is 33 MB; Switchyard reads files of at most 512 KB: split a large flow into flows that hand over with subflow nodes`,
      `${dir}/loop.flow.yaml:1:1 (document): is a symbolic link that loops back on itself: point it at a file or remove it`,
      `${dir}/x.flow.yaml:1:1 (document): is a folder, not a file: rename or move it out of the flow folder`,
      '',
    ]);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(1);
  });

  it('prints file:line:reason for an alias bomb, a 5,000-node chain, deep nesting and a hand-over cycle', () => {
    let bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= 8; i++) {
      const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      bomb += `${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    }
    writeFileSync(path.join(dir, 'bomb.flow.yaml'), bomb);
    const chain = Array.from(
      { length: 5_000 },
      (_, i) => `  n${i}:\n    type: update\n    set: { Status: MQL }\n    next: n${i + 1}\n`,
    ).join('');
    writeFileSync(
      path.join(dir, 'chain.flow.yaml'),
      flow('chain', 'n0', `${chain}  n5000:\n    type: end\n`),
    );
    writeFileSync(path.join(dir, 'deep.flow.yaml'), `flow: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    writeFileSync(
      path.join(dir, 'a.flow.yaml'),
      flow('flow-a', 'go', '  go:\n    type: subflow\n    flow: flow-b\n'),
    );
    writeFileSync(
      path.join(dir, 'b.flow.yaml'),
      flow('flow-b', 'go', '  go:\n    type: subflow\n    flow: flow-a\n'),
    );

    const run = validate(dir);
    expect(run.stderr.split('\n')).toEqual([
      `${dir}: 4 problems; nothing is loaded until they are fixed:`,
      `${dir}/a.flow.yaml:10:11 nodes.go.flow: hand-over cycle: flow-a → flow-b → flow-a: a lead would be handed back and forth forever; end one of these flows instead`,
      `${dir}/bomb.flow.yaml:2:8 (document): aliases (*name) expand to more than 100 copies: write the values out, or use fewer aliases`,
      `${dir}/chain.flow.yaml:6:8 start: a lead can pass 5001 nodes from here, hand-overs included; a decision stops after 500: shorten the longest path`,
      expect.stringMatching(
        new RegExp(
          `^${dir}/deep\\.flow\\.yaml:1:\\d+ \\(document\\): YAML: nested too deeply to read \\(more than 64 levels are refused\\): flatten the document$`,
        ),
      ),
      '',
    ]);
    expect(run.status).toBe(1);
  });

  it('answers a missing folder in one line, not a stack trace', () => {
    const run = validate(path.join(dir, 'missing'));
    expect(run.stderr).toBe(
      `${path.join(dir, 'missing')}: 1 problem; nothing is loaded until they are fixed:\n` +
        `${path.join(dir, 'missing')}:1:1 (document): no such folder: give the folder that holds the *.flow.yaml files\n`,
    );
    expect(run.status).toBe(1);
  });
});
