#!/usr/bin/env node
// The admin CLI as a command (package.json "bin"): `npx switchyard <command>` runs what
// `npm run cli -- <command>` runs, companion/src/cli/main.ts through tsx, in this process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node the project needs (package.json "engines"); the `node` devDependency pins it. */
const NEEDED_MAJOR = 24;

if (Number(process.versions.node.split('.')[0]) >= NEEDED_MAJOR) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../companion/src/cli/main.ts', import.meta.url).href);
} else {
  // Started by an older Node (a shell whose PATH lacks node_modules/.bin): run again with the pinned one.
  const pinned = pinnedNode();
  if (!pinned) {
    console.error(
      `switchyard needs Node ${NEEDED_MAJOR} or later, and this is Node ${process.versions.node}. ` +
        'Run `npm install` in the project (it brings the Node it pins) and try again, or install Node 24.',
    );
    process.exit(1);
  }
  const run = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (run.signal) process.kill(process.pid, run.signal);
  process.exit(run.status ?? 1);
}

/** node_modules/node/bin/node, the `node` package's binary, or null when it is not installed. */
function pinnedNode() {
  try {
    const binary = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}
