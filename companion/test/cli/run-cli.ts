import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO } from '../../src/crm/local/demo-people.js';
import { API_KEY } from '../http/api-fixture.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = path.join(root, 'node_modules/.bin/tsx');

/**
 * `npm run cli -- <args>` as the demo admin runs it, with the test companions' key, beside running
 * companions (so never spawnSync); `env` adds to it (SWITCHYARD_URL).
 */
export function runCli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      tsx,
      ['companion/src/cli/main.ts', ...args],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SWITCHYARD_API_KEY: API_KEY, SWITCHYARD_USER: DEMO.admin, ...env },
      },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
