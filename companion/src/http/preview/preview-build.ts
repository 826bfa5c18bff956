import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RollupReplaceOptions } from '@rollup/plugin-replace';
import type { OutputAsset, OutputChunk, Plugin } from 'rollup';
import { CodedError } from '../../engine/coded-error.js';
import { BASE_FIELDS, type Scope } from '../../engine/flow/fields.js';
import { suggest } from '../../engine/flow/yaml-source.js';

/**
 * Compiles the package's Lightning web components (force-app) with the open-source LWC compiler into
 * a browser bundle for the local preview, with small preview versions of the platform modules they
 * import (Apex, Lightning Data Service, toasts, quick actions). One source, two hosts.
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface PreviewPaths {
  /** The repository root: force-app, scripts/preview and node_modules are found from here. */
  root: string;
  /** Where built bundles go (git-ignored): one folder per source hash, and current.json naming the live one. */
  distDir: string;
}

export const DEFAULT_PREVIEW_PATHS: PreviewPaths = {
  root: REPO_ROOT,
  distDir: path.join(REPO_ROOT, 'companion/preview/dist'),
};

const LWC_DIR = 'force-app/main/default/lwc';
const APEX_CLASS = 'force-app/main/default/classes/SwitchyardController.cls';
const LABELS_FILE = 'force-app/main/default/labels/CustomLabels.labels-meta.xml';
const MODULES_DIR = 'scripts/preview/modules';
const ENTRY = 'scripts/preview/main.js';
const CURRENT_FILE = 'current.json';
/** Where each page's chunk goes (under assets/), and the file naming what each page preloads. */
const PAGE_CHUNKS_DIR = 'pages';
export const PAGE_MANIFEST = 'pages.json';
const STAGING_PREFIX = '.staging-';
/** A staging folder this old was left by a build that died; newer ones may belong to a build still running. */
const ABANDONED_MS = 15 * 60_000;
/** Packages whose version changes what the bundle holds. */
const PACKAGES = [
  'lwc',
  '@lwc/rollup-plugin',
  'lightning-base-components',
  '@salesforce-ux/design-system',
  'rollup',
  'esbuild',
];
/** Files a browser downloads that compress well; each gets a .br and a .gz beside it. */
const COMPRESSIBLE = /\.(js|css|svg|json)$/;
/** Only these SLDS assets are served: the stylesheet and the icon sprites lightning-icon falls back to. */
const SLDS_ASSETS = [
  'styles/salesforce-lightning-design-system.min.css',
  'icons/utility-sprite',
  'icons/standard-sprite',
  'icons/action-sprite',
  'icons/doctype-sprite',
  'icons/custom-sprite',
];

/** A build that could not finish, with the compiler's own words (file, line) and what to do. */
export class PreviewBuildError extends CodedError {
  constructor(detail: string) {
    super(
      'PREVIEW_BUILD_FAILED',
      `The preview could not be built: ${detail}\n` +
        'Fix the component source it names, then run `npm run build:preview` (or restart the companion).',
    );
  }
}

export interface PreviewBuildResult {
  /** False when the bundle on disk was already built from the same sources. */
  built: boolean;
  /** The folder to serve: assets/ (the bundle, preview.css) and slds/. */
  bundleDir: string;
  hash: string;
  ms: number;
}

async function filesUnder(dir: string, keep: (file: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === '__tests__') continue;
      out.push(...(await filesUnder(full, keep)));
    } else if (keep(full)) {
      out.push(full);
    }
  }
  return out.sort();
}

/** A fingerprint of everything the bundle is made from: component sources, preview modules, this builder, package versions. */
export async function previewSourceHash(paths: PreviewPaths = DEFAULT_PREVIEW_PATHS): Promise<string> {
  const hash = createHash('sha256');
  const sourceFiles = [
    ...(await filesUnder(path.join(paths.root, LWC_DIR), (f) => /\.(js|html|css)$/.test(f))),
    ...(await filesUnder(path.join(paths.root, 'scripts/preview'), (f) => /\.(js|html|css)$/.test(f))),
    path.join(paths.root, APEX_CLASS),
    path.join(paths.root, LABELS_FILE),
    fileURLToPath(import.meta.url),
  ];
  for (const file of sourceFiles) {
    hash.update(path.relative(paths.root, file)).update('\0');
    hash.update(await readFile(file).catch(() => Buffer.from('(missing)'))).update('\0');
  }
  for (const name of PACKAGES) {
    const manifest = await readFile(
      path.join(paths.root, 'node_modules', name, 'package.json'),
      'utf8',
    ).catch(() => '{}');
    hash.update(`${name}@${(JSON.parse(manifest) as { version?: string }).version ?? '?'}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** The hash of the live bundle on disk, or null when there is no complete bundle. */
export async function builtHash(distDir: string): Promise<string | null> {
  try {
    const info = JSON.parse(await readFile(path.join(distDir, CURRENT_FILE), 'utf8')) as { hash?: unknown };
    if (typeof info.hash !== 'string' || !/^[0-9a-f]+$/.test(info.hash)) return null;
    await stat(path.join(distDir, info.hash, 'assets/preview.js'));
    return info.hash;
  } catch {
    return null;
  }
}

/** The folder of the live bundle, or null when none is built. */
export async function currentBundleDir(distDir: string): Promise<string | null> {
  const hash = await builtHash(distDir);
  return hash ? path.join(distDir, hash) : null;
}

/** @internal True when the bundle is missing or was built from other sources (the build tests check the hash with it). */
export async function previewIsStale(paths: PreviewPaths = DEFAULT_PREVIEW_PATHS): Promise<boolean> {
  const [want, have] = await Promise.all([previewSourceHash(paths), builtHash(paths.distDir)]);
  return want !== have;
}

/** The @AuraEnabled methods of the controller, so a component calling a method Apex lacks fails the build. */
export function auraEnabledMethods(apexSource: string): Set<string> {
  const methods = new Set<string>();
  const pattern = /@AuraEnabled[^\n]*\s+public\s+static\s+[\w<>, .]+?\s+(\w+)\s*\(/g;
  for (const match of apexSource.matchAll(pattern)) methods.add(match[1]!);
  return methods;
}

/**
 * The org's custom labels by name (English values), read from the package's CustomLabels file, so
 * `@salesforce/label/c.<name>` reads in the preview what it reads in the org.
 */
function customLabels(xml: string): Map<string, string> {
  const labels = new Map<string, string>();
  const unescape = (text: string) =>
    text
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&apos;', "'")
      .replaceAll('&amp;', '&');
  for (const [, block] of xml.matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
    const name = /<fullName>([^<]+)<\/fullName>/.exec(block!)?.[1];
    const value = /<value>([\s\S]*?)<\/value>/.exec(block!)?.[1];
    if (name && value !== undefined) labels.set(name, unescape(value));
  }
  return labels;
}

/** The records the preview's Lightning Data Service reads, with the fields Switchyard knows of each. */
const SCHEMA_FIELDS: Record<string, { scope: Scope; fields: Record<string, unknown> }> = {
  Lead: { scope: 'lead', fields: BASE_FIELDS.lead },
  Account: { scope: 'account', fields: BASE_FIELDS.account },
};

/**
 * Why a component may not import `@salesforce/schema/<object>.<path>`, or null when it may. As a
 * deploy refuses a field the org lacks, the preview refuses one Switchyard does not read (the
 * engine's catalog): the preview could never show its value. A relationship path (Owner.Name) is
 * checked by its lookup field (OwnerId).
 */
export function schemaFieldProblem(object: string, fieldPath: string): string | null {
  const known = SCHEMA_FIELDS[object];
  if (!known) {
    return `@salesforce/schema/${object}.${fieldPath}: the preview reads ${Object.keys(SCHEMA_FIELDS).join(' and ')} records only.`;
  }
  const [first, ...rest] = fieldPath.split('.') as [string, ...string[]];
  const field =
    rest.length === 0 ? first : first.endsWith('__r') ? first.replace(/__r$/, '__c') : `${first}Id`;
  if (Object.hasOwn(known.fields, field)) return null;
  return (
    `@salesforce/schema/${object}.${fieldPath}: Switchyard does not read ${object}.${field}. Use a field ` +
    `listed in BASE_FIELDS.${known.scope} (companion/src/engine/flow/fields.ts), or add it there first` +
    suggest(field, Object.keys(known.fields))
  );
}

/**
 * Platform imports that Salesforce serves and no npm package has: Apex methods and schema fields become
 * tiny generated modules; everything else (lightning/*, @salesforce/i18n/*) goes to the LWC resolver.
 */
function platformModules(root: string, apexMethods: Set<string>, labels: Map<string, string>): Plugin {
  const PREFIX = '\0switchyard-preview:';
  const scopedImports = path.join(root, 'node_modules/lightning-base-components/scopedImports');
  return {
    name: 'switchyard-platform-modules',
    async resolveId(source) {
      if (/^@salesforce\/(apex$|apex\/|schema\/|user\/|label\/c\.|messageChannel\/)/.test(source))
        return PREFIX + source;
      if (source === '@salesforce/i18n/timeZone') return PREFIX + source;
      if (source.startsWith('@salesforce/i18n/')) {
        // lightning-base-components ships these values for en-US; components outside it get the same.
        const file = path.join(scopedImports, `${source.replaceAll('/', '-')}.js`);
        return (await stat(file).catch(() => null)) ? file : null;
      }
      return null;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const source = id.slice(PREFIX.length);
      if (source === '@salesforce/apex') {
        return "export { refreshApex, getSObjectValue } from 'preview/apexBridge';\n";
      }
      const apex = /^@salesforce\/apex\/(\w+)\.(\w+)$/.exec(source);
      if (apex) {
        const [, className, method] = apex as unknown as [string, string, string];
        if (className !== 'SwitchyardController' || !apexMethods.has(method)) {
          this.error(
            `${source}: SwitchyardController has no @AuraEnabled method "${method}". ` +
              `It has: ${[...apexMethods].join(', ')}.`,
          );
        }
        return `import { apexMethod } from 'preview/apexBridge';\nexport default apexMethod(${JSON.stringify(method)});\n`;
      }
      const label = /^@salesforce\/label\/c\.(\w+)$/.exec(source);
      if (label) {
        const value = labels.get(label[1]!);
        if (value === undefined) {
          this.error(
            `${source}: there is no custom label "${label[1]}" in ${LABELS_FILE}. Add it there` +
              suggest(label[1]!, [...labels.keys()]),
          );
        }
        return `export default ${JSON.stringify(value)};\n`;
      }
      // A message channel is its name; the preview's lightning/messageService delivers by it.
      const channel = /^@salesforce\/messageChannel\/(\w+)$/.exec(source);
      if (channel) return `export default ${JSON.stringify(channel[1])};\n`;
      const schema = /^@salesforce\/schema\/(\w+)\.([\w.]+)$/.exec(source);
      if (schema) {
        const problem = schemaFieldProblem(schema[1]!, schema[2]!);
        if (problem) this.error(problem);
        return `export default ${JSON.stringify(`${schema[1]}.${schema[2]}`)};\n`;
      }
      const objectOnly = /^@salesforce\/schema\/(\w+)$/.exec(source);
      if (objectOnly) return `export default ${JSON.stringify(objectOnly[1])};\n`;
      // Dates show in the reader's own time zone, as they would for a Salesforce user set up there.
      if (source === '@salesforce/i18n/timeZone') {
        return 'export default Intl.DateTimeFormat().resolvedOptions().timeZone;\n';
      }
      // A string, as Salesforce serves it: the user the page acts as ("Act as" reloads the page).
      if (source === '@salesforce/user/Id')
        return "import { actingUserId } from 'preview/session';\nexport default actingUserId();\n";
      this.error(`${source} has no preview version. Add one to companion/src/http/preview/preview-build.ts.`);
    },
  };
}

async function lwcComponents(root: string): Promise<Array<{ name: string; path: string }>> {
  const dir = path.join(root, LWC_DIR);
  const entries = await readdir(dir, { withFileTypes: true });
  const records: Array<{ name: string; path: string }> = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const file = path.join(dir, entry.name, `${entry.name}.js`);
    if (await stat(file).catch(() => null)) records.push({ name: `c/${entry.name}`, path: file });
  }
  return records;
}

async function compile(paths: PreviewPaths, outDir: string): Promise<void> {
  const [{ rollup }, { default: lwc }, replaceModule, { nodeResolve }] = await Promise.all([
    import('rollup'),
    import('@lwc/rollup-plugin'),
    import('@rollup/plugin-replace'),
    import('@rollup/plugin-node-resolve'),
  ]);
  // Its types describe the CommonJS build; imported as ESM, the default export is the plugin itself.
  const replace = replaceModule.default as unknown as (options: RollupReplaceOptions) => Plugin;
  const apexSource = await readFile(path.join(paths.root, APEX_CLASS), 'utf8').catch(() => {
    throw new PreviewBuildError(
      `${APEX_CLASS} is missing; the preview maps the components' Apex calls from it.`,
    );
  });
  const labels = customLabels(await readFile(path.join(paths.root, LABELS_FILE), 'utf8').catch(() => ''));
  const components = await lwcComponents(paths.root);
  const warnings: string[] = [];
  let iconsUsed = new Map<string, Set<string>>();
  let bundle;
  try {
    bundle = await rollup({
      input: path.join(paths.root, ENTRY),
      plugins: [
        platformModules(paths.root, auraEnabledMethods(apexSource), labels),
        replace({
          preventAssignment: true,
          values: { 'process.env.NODE_ENV': JSON.stringify('production'), 'import.meta.env.SSR': 'false' },
        }),
        lwc({
          rootDir: paths.root,
          enableDynamicComponents: true,
          // Preview modules come first so they stand in for the platform's lightning/* modules.
          modules: [
            { dir: path.join(paths.root, MODULES_DIR) },
            ...components,
            { npm: 'lightning-base-components' },
          ],
        }),
        nodeResolve({ rootDir: paths.root }),
      ],
      onwarn(warning) {
        // In the browser an unresolved import is a page that never renders: fail the build instead.
        if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(warning.message);
        if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
        // lightning-base-components warns about its own templates on every build; only ours are news.
        if (!warning.message.includes('node_modules')) warnings.push(warning.message);
      },
    });
    const { output } = await bundle.write({
      dir: path.join(outDir, 'assets'),
      format: 'es',
      entryFileNames: 'preview.js',
      // The page (start.js) and each page's component (pages/<name>.js, imported by preview/app) have
      // fixed names so the host page can ask for them beside preview.js; the folder carries the hash.
      chunkFileNames: (chunk) =>
        chunk.name === 'start'
          ? 'start.js'
          : chunk.isDynamicEntry
            ? `${PAGE_CHUNKS_DIR}/[name].js`
            : 'chunks/[name]-[hash].js',
      compact: true,
    });
    await writeFile(path.join(outDir, 'assets', PAGE_MANIFEST), JSON.stringify(pageChunks(output)) + '\n');
    iconsUsed = iconNames(output);
  } catch (error) {
    const e = error as { message?: string; id?: string; loc?: { file?: string; line?: number } };
    const where = e.loc?.file ?? e.id;
    throw new PreviewBuildError(
      `${where ? `${path.relative(paths.root, where)}${e.loc?.line ? `:${e.loc.line}` : ''}: ` : ''}${e.message ?? String(error)}`,
    );
  } finally {
    await bundle?.close();
  }
  if (warnings.length > 0) {
    await writeFile(path.join(outDir, 'build-warnings.txt'), warnings.join('\n') + '\n');
    process.emitWarning(
      `The preview built with ${warnings.length} compiler warnings:\n${warnings.join('\n')}`,
    );
  }
  const slds = path.join(paths.root, 'node_modules/@salesforce-ux/design-system/assets');
  for (const asset of SLDS_ASSETS) {
    await cp(path.join(slds, asset), path.join(outDir, 'slds/assets', asset), { recursive: true });
  }
  await trimSprites(path.join(outDir, 'slds/assets/icons'), iconsUsed);
  await cp(path.join(paths.root, 'scripts/preview/preview.css'), path.join(outDir, 'assets/preview.css'));
  await shrink(outDir);
}

/**
 * Each page chunk (a component preview/app imports when it shows that page) with the chunks it needs
 * that start.js does not already bring, by chunk name: what the host page preloads for that page.
 */
function pageChunks(output: ReadonlyArray<OutputChunk | OutputAsset>): Record<string, string[]> {
  const chunks = new Map(
    output.filter((o): o is OutputChunk => o.type === 'chunk').map((c) => [c.fileName, c]),
  );
  const closure = (fileName: string, into: Set<string>) => {
    if (into.has(fileName)) return into;
    into.add(fileName);
    for (const imported of chunks.get(fileName)?.imports ?? []) closure(imported, into);
    return into;
  };
  const loaded = closure('start.js', closure('preview.js', new Set()));
  const pages: Record<string, string[]> = {};
  for (const chunk of chunks.values()) {
    if (!chunk.fileName.startsWith(`${PAGE_CHUNKS_DIR}/`)) continue;
    pages[chunk.name] = [...closure(chunk.fileName, new Set())].filter((f) => !loaded.has(f));
  }
  return pages;
}

/** `utility:refresh` and the like, as components and lightning-base-components name their icons. */
const ICON_NAME = /\b(utility|standard|action|doctype|custom):([a-z][\w-]*)/g;

/** Every icon the bundle names, by sprite: the icons a page can draw. */
function iconNames(output: ReadonlyArray<OutputChunk | OutputAsset>): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const chunk of output) {
    if (chunk.type !== 'chunk') continue;
    for (const [, sprite, name] of chunk.code.matchAll(ICON_NAME)) {
      let names = used.get(sprite!);
      if (!names) used.set(sprite!, (names = new Set()));
      names.add(name!);
    }
  }
  return used;
}

/**
 * Each SLDS sprite cut down to the icons the bundle names: a whole sprite is 130 KB compressed, and the
 * icons a page draws ask for two of them while its first data is on the way. An icon named only at
 * run time (built from data) would draw blank; the components name theirs in their source.
 */
async function trimSprites(iconsDir: string, used: ReadonlyMap<string, Set<string>>): Promise<void> {
  for (const entry of await readdir(iconsDir)) {
    const sprite = /^(\w+)-sprite$/.exec(entry)?.[1];
    if (!sprite) continue;
    const names = used.get(sprite) ?? new Set<string>();
    const dir = path.join(iconsDir, entry, 'svg');
    for (const file of await readdir(dir)) {
      const full = path.join(dir, file);
      const svg = await readFile(full, 'utf8');
      const open = svg.indexOf('<symbol');
      const close = svg.lastIndexOf('</svg>');
      if (open < 0 || close < 0) continue;
      const kept = [...svg.slice(open, close).matchAll(/<symbol\b[^>]*\bid="([^"]+)"[\s\S]*?<\/symbol>/g)]
        .filter((m) => names.has(m[1]!))
        .map((m) => m[0]);
      await writeFile(full, svg.slice(0, open) + kept.join('') + svg.slice(close));
    }
  }
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * What a page downloads, made small: the bundle minified (esbuild), then every compressible file
 * stored beside itself as .br and .gz, so the server sends the compressed bytes without compressing
 * on each request (preview.router.ts picks the one the browser accepts).
 */
async function shrink(outDir: string): Promise<void> {
  const { transform } = await import('esbuild');
  const files = await filesUnder(outDir, (f) => COMPRESSIBLE.test(f));
  for (const file of files) {
    let content = await readFile(file);
    if (file.endsWith('.js')) {
      const minified = await transform(content.toString('utf8'), {
        minify: true,
        format: 'esm',
        target: 'es2022',
        legalComments: 'none',
      });
      content = Buffer.from(minified.code);
      await writeFile(file, content);
    }
    const [br, gz] = await Promise.all([
      brotli(content, {
        params: {
          [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: content.length,
        },
      }),
      gzipped(content, { level: 9 }),
    ]);
    await Promise.all([writeFile(`${file}.br`, br), writeFile(`${file}.gz`, gz)]);
  }
}

/** Removes bundles other than the live one, and staging folders of builds that died. */
async function prune(distDir: string, keep: string): Promise<void> {
  for (const entry of await readdir(distDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    const full = path.join(distDir, entry.name);
    if (entry.name.startsWith(STAGING_PREFIX)) {
      const info = await stat(full).catch(() => null);
      if (!info || Date.now() - info.mtimeMs < ABANDONED_MS) continue;
    }
    await rm(full, { recursive: true, force: true });
  }
}

/**
 * Builds the preview unless the live bundle was built from the same sources (`force` builds anyway).
 * Each build goes to a staging folder inside distDir, becomes `<distDir>/<hash>` in one rename, and
 * only then is named in current.json: a server never serves half a bundle, and a build killed
 * half-way leaves nothing outside the ignored folder.
 */
export async function buildPreview(
  options: Partial<PreviewPaths> & { force?: boolean } = {},
): Promise<PreviewBuildResult> {
  const paths: PreviewPaths = { ...DEFAULT_PREVIEW_PATHS, ...options };
  const started = performance.now();
  const hash = await previewSourceHash(paths);
  const bundleDir = path.join(paths.distDir, hash);
  if (!options.force && (await builtHash(paths.distDir)) === hash) {
    return { built: false, bundleDir, hash, ms: performance.now() - started };
  }
  await mkdir(paths.distDir, { recursive: true });
  const staging = path.join(paths.distDir, `${STAGING_PREFIX}${process.pid}-${Date.now()}`);
  try {
    await mkdir(staging);
    await compile(paths, staging);
    if (options.force) await rm(bundleDir, { recursive: true, force: true });
    await rename(staging, bundleDir).catch(async (error: unknown) => {
      // Another process finished the same build first: theirs is as good as ours.
      if (!(await stat(path.join(bundleDir, 'assets/preview.js')).catch(() => null))) throw error;
      await rm(staging, { recursive: true, force: true });
    });
    const pointer = path.join(paths.distDir, `${CURRENT_FILE}.${process.pid}`);
    await writeFile(pointer, JSON.stringify({ hash, builtAt: new Date().toISOString() }, null, 2) + '\n');
    await rename(pointer, path.join(paths.distDir, CURRENT_FILE));
    await prune(paths.distDir, hash);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { built: true, bundleDir, hash, ms: performance.now() - started };
}
