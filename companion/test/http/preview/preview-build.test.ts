import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  auraEnabledMethods,
  buildPreview,
  currentBundleDir,
  previewIsStale,
  previewSourceHash,
  type PreviewPaths,
} from '../../../src/http/preview/preview-build.js';

/** A tiny project: one component with a test beside it, and an empty bundle folder. */
describe('preview build cache', () => {
  let root: string;
  let paths: PreviewPaths;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'switchyard-preview-src-'));
    paths = { root, distDir: path.join(root, 'companion/preview/dist') };
    write('force-app/main/default/lwc/badge/badge.js', 'export default class Badge {}\n');
    write('force-app/main/default/lwc/badge/__tests__/badge.test.js', "it('works', () => {});\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** What a finished build leaves: the bundle folder and the pointer to it. */
  async function pretendBuilt(): Promise<string> {
    const hash = await previewSourceHash(paths);
    write(`companion/preview/dist/${hash}/assets/preview.js`, 'export {};\n');
    write('companion/preview/dist/current.json', JSON.stringify({ hash }));
    return hash;
  }

  it('reuses the bundle while the component sources are unchanged', async () => {
    const hash = await pretendBuilt();
    expect(await previewIsStale(paths)).toBe(false);
    const result = await buildPreview(paths);
    expect(result).toMatchObject({ built: false, hash, bundleDir: path.join(paths.distDir, hash) });
    expect(await currentBundleDir(paths.distDir)).toBe(path.join(paths.distDir, hash));
  });

  it('calls the bundle stale when a component changes, but not when only its tests do', async () => {
    await pretendBuilt();
    write('force-app/main/default/lwc/badge/__tests__/badge.test.js', "it('still works', () => {});\n");
    expect(await previewIsStale(paths)).toBe(false);
    write('force-app/main/default/lwc/badge/badge.html', '<template></template>\n');
    expect(await previewIsStale(paths)).toBe(true);
  });

  it('has no bundle to serve when the pointer names a bundle that is not there', async () => {
    write('companion/preview/dist/current.json', JSON.stringify({ hash: 'feedbeef' }));
    expect(await currentBundleDir(paths.distDir)).toBeNull();
    expect(await previewIsStale(paths)).toBe(true);
  });
});

describe('the preview stand-in for SwitchyardController', () => {
  it('maps every @AuraEnabled method of the Apex class to a companion call', () => {
    const apex = readFileSync('force-app/main/default/classes/SwitchyardController.cls', 'utf8');
    const bridge = readFileSync('scripts/preview/modules/preview/apexBridge/apexBridge.js', 'utf8');
    const methods = [...auraEnabledMethods(apex)];
    expect(methods.length).toBeGreaterThan(0);
    const missing = methods.filter((method) => !new RegExp(`^  ${method}: `, 'm').test(bridge));
    expect(missing).toEqual([]);
  });
});
