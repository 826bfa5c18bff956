import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CATALOG } from '../../src/crm/local/demo-people.js';
import { FlowInvalidError } from '../../src/engine/flow/flow-loader.js';
import { FLOW_FOLDER_LIMITS, readRoutingSet, SHIPPED_FLOWS_DIR } from '../../src/routing/flow-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-flows-'));
  cpSync(SHIPPED_FLOWS_DIR, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The problems reading `folder` gives, as 'file:line message'. */
async function problems(folder = dir): Promise<string[]> {
  try {
    await readRoutingSet(folder, DEMO_CATALOG);
    return [];
  } catch (error) {
    if (!(error instanceof FlowInvalidError)) throw error;
    return error.issues.map((i) => `${i.file}:${i.line} ${i.message}`);
  }
}

describe('reading a flow folder', () => {
  it('reads the shipped folder', async () => {
    const set = await readRoutingSet(dir, DEMO_CATALOG);
    expect([...set.flows.keys()].sort()).toEqual([
      'leandata-blueprint',
      'partner-routing',
      'reroute',
      'scheduled-clean-up',
    ]);
  });

  it('names every entry it cannot read as a file, and why, without waiting on a pipe', async () => {
    mkdirSync(join(dir, 'folder.flow.yaml'));
    symlinkSync(join(dir, 'loop.flow.yaml'), join(dir, 'loop.flow.yaml'));
    symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'broken.flow.yaml'));
    const fifo = spawnSync('mkfifo', [join(dir, 'pipe.flow.yaml')]);
    expect(fifo.status, fifo.stderr?.toString()).toBe(0);
    writeFileSync(join(dir, 'huge.flow.yaml'), '');
    truncateSync(join(dir, 'huge.flow.yaml'), 33 * 1024 * 1024);
    writeFileSync(
      join(dir, 'latin1.flow.yaml'),
      Buffer.from('flow: latin\nlabel: ok\nlabel2: caf\xe9\n', 'latin1'),
    );
    unlinkSync(join(dir, 'pools.yaml'));

    expect(await problems()).toEqual([
      'broken.flow.yaml:1 is a symbolic link to a file that does not exist: fix the link or remove it',
      'folder.flow.yaml:1 is a folder, not a file: rename or move it out of the flow folder',
      'huge.flow.yaml:1 is 33 MB; Switchyard reads files of at most 512 KB: split a large flow into flows that hand over with subflow nodes',
      'latin1.flow.yaml:3 is not UTF-8 text (binary data, or another encoding): save it as UTF-8 YAML',
      'loop.flow.yaml:1 is a symbolic link that loops back on itself: point it at a file or remove it',
      'pipe.flow.yaml:1 is not a regular file (a pipe, socket or device): replace it with the YAML file',
      "pools.yaml:1 is missing: every flow folder has a pools.yaml (write 'pools: []' when there are none)",
    ]);
  });

  it('says when the folder is missing or is a file', async () => {
    expect(await problems(join(dir, 'nope'))).toEqual([
      `${join(dir, 'nope')}:1 no such folder: give the folder that holds the *.flow.yaml files`,
    ]);
    expect(await problems(join(dir, 'pools.yaml'))).toEqual([
      `${join(dir, 'pools.yaml')}:1 is a file, not a folder: give the folder that holds the *.flow.yaml files`,
    ]);
  });

  it('reads at most so many flow files, and so many bytes in all', async () => {
    for (let i = 0; i <= FLOW_FOLDER_LIMITS.maxFlowFiles; i++)
      writeFileSync(join(dir, `f${i}.flow.yaml`), '');
    expect(await problems()).toEqual([
      `${dir}:1 holds ${FLOW_FOLDER_LIMITS.maxFlowFiles + 5} flow files; Switchyard reads at most ${FLOW_FOLDER_LIMITS.maxFlowFiles}: move flows that are not used out of the folder`,
    ]);

    rmSync(dir, { recursive: true });
    cpSync(SHIPPED_FLOWS_DIR, dir, { recursive: true });
    const filler = `# ${'x'.repeat(FLOW_FOLDER_LIMITS.maxFileBytes - 10)}\n`;
    const count = Math.ceil(FLOW_FOLDER_LIMITS.maxTotalBytes / filler.length);
    for (let i = 0; i < count; i++) writeFileSync(join(dir, `big${i}.flow.yaml`), filler);
    expect(await problems()).toEqual([
      `big${count - 1}.flow.yaml:1 the files read so far pass 2 MB together, the most Switchyard reads from one folder: move flows that are not used out of the folder`,
    ]);
  });
});
