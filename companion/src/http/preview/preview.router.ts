import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import express, { Router, type RequestHandler, type Response } from 'express';
import { KEY_PREFIX } from '../../engine/salesforce-id.js';
import {
  buildPreview,
  currentBundleDir,
  DEFAULT_PREVIEW_PATHS,
  PAGE_MANIFEST,
  type PreviewBuildResult,
  type PreviewPaths,
} from './preview-build.js';

/**
 * The local preview: the package's Lightning components on a Lead page and an Account page, served
 * by the companion itself. Mount it where no API key is needed (createApp's `public` router): the
 * pages and the bundle are public; every call the components make goes to /v1 with the key.
 */
export interface PreviewRouterOptions {
  /** 'salesforce': every page says why there is no preview beside a real org, and nothing is built. */
  mode: 'local' | 'salesforce';
  /**
   * Put into the pages in local mode on a loopback interface only, so the components can call the API
   * at once; never in salesforce mode, nor when the companion listens where other machines reach it.
   */
  apiKey: string;
  /** The interface the companion listens on (HOST); anything but loopback keeps the key out of pages. */
  host?: string;
  paths?: PreviewPaths;
  /** Build the bundle now when it is missing or stale (default), or only serve what is on disk. */
  build?: boolean;
  logger?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Local mode: whom "act as" offers and the sample records the landing page links to (the demo org's). */
  demo?: PreviewDemo;
}

export interface PreviewDemo {
  actors: PreviewActor[];
  defaultActor?: string;
  samples: PageData['samples'];
}

export interface PreviewActor {
  id: string;
  name: string;
  role: string;
  canReroute: boolean;
}

interface PageData {
  mode: 'local' | 'salesforce';
  apiKey?: string;
  page: 'landing' | 'lead' | 'account' | 'admin' | 'not-found';
  recordId?: string;
  problem?: string;
  actors: PreviewActor[];
  defaultActor?: string;
  samples: {
    leads: Array<{
      id: string;
      name: string;
      company: string;
      rule: string;
      /** The routing that shows the rule: inbound routing ("created") or a re-route; null when none does. */
      action: 'created' | 'reroute' | null;
      /** Why there is no action. */
      note: string;
    }>;
    accounts: Array<{ id: string; name: string; note: string }>;
  };
}

/** Salesforce Ids as the address bar carries them: 15 or 18 letters and digits with the object's prefix. */
const recordIdPattern = (prefix: string) => new RegExp(`^${prefix}[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$`);
const LEAD_ID = recordIdPattern(KEY_PREFIX.lead);
const ACCOUNT_ID = recordIdPattern(KEY_PREFIX.account);

/** The pages load scripts and styles from here only; LWC's synthetic shadow writes component styles inline. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** JSON inside a script element: nothing in it may close the element or start a comment. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** Where a bundle's files are served: its source hash in the path, so each file may be cached for good. */
const bundlePath = (hash: string) => `/preview/v/${hash}`;

/** The chunk preview/app imports for each page (its component's name), whose files the page preloads. */
const PAGE_CHUNK: Partial<Record<PageData['page'], string>> = {
  landing: 'landing',
  lead: 'leadPage',
  account: 'accountPage',
  admin: 'switchyardAdmin',
};

function hostPage(title: string, data: PageData, hash: string, pageFiles: readonly string[]): string {
  const base = bundlePath(hash);
  const preloads = pageFiles
    .map((file) => `<link rel="modulepreload" href="${base}/assets/${escapeHtml(file)}">\n`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Switchyard preview</title>
<script type="application/json" id="switchyard-preview-data">${scriptJson(data)}</script>
<!-- Before the stylesheets, which would hold it back: preview.js asks for the page's data at once. -->
<script type="module" src="${base}/assets/preview.js"></script>
<link rel="modulepreload" href="${base}/assets/start.js">
${preloads}<link rel="stylesheet" href="${base}/slds/assets/styles/salesforce-lightning-design-system.min.css">
<link rel="stylesheet" href="${base}/assets/preview.css">
</head>
<body>
<div id="preview-root"></div>
<noscript>The Switchyard preview needs JavaScript.</noscript>
</body>
</html>
`;
}

/**
 * Shown while the bundle cannot be served (building, or broken): plain HTML with its own styles,
 * since the SLDS stylesheet comes with the bundle.
 */
function noticePage(
  notice: { title: string; message: string; action: string },
  /** `prose`: the message is sentences, not a build's output. */
  options: { tone: 'info' | 'error'; refreshSeconds?: number; prose?: boolean },
): string {
  const colour = options.tone === 'error' ? '#ba0517' : '#0176d3';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">\n` : ''}<title>${escapeHtml(notice.title)} · Switchyard preview</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; background: #f3f3f3; color: #181818; margin: 0; padding: 3rem 1rem; }
main { max-width: 44rem; margin: 0 auto; background: #fff; border-top: 4px solid ${colour}; border-radius: 4px; padding: 1.5rem; box-shadow: 0 2px 4px rgba(0,0,0,.1); }
h1 { font-size: 1.25rem; margin: 0 0 .75rem; }
pre { white-space: pre-wrap; background: #f3f3f3; padding: .75rem; border-radius: 4px; }
</style>
</head>
<body>
<main role="${options.tone === 'error' ? 'alert' : 'status'}">
<h1>${escapeHtml(notice.title)}</h1>
${options.prose ? `<p>${escapeHtml(notice.message)}</p>` : `<pre>${escapeHtml(notice.message)}</pre>`}
<p>${escapeHtml(notice.action)}</p>
</main>
</body>
</html>
`;
}

/** What every preview page says beside a real org (salesforce mode). */
const SALESFORCE_MODE_NOTICE = {
  title: 'No preview beside a Salesforce org',
  message:
    'This companion runs against a Salesforce org. There it acts only for a person the org vouches for: each call carries an assertion the Switchyard Apex controller signs for the user who is acting, and a preview page in a browser cannot sign one.',
  action:
    'Use the Switchyard components in Salesforce, on the Lead and Account pages. To try them here, start a companion in local mode (npm start, without SWITCHYARD_MODE=salesforce): it serves the demo org and its preview.',
};

/** The path as the reader typed it; it goes into JSON that cannot close its script element. */
function readablePath(urlPath: string): string {
  try {
    return decodeURIComponent(urlPath);
  } catch {
    return urlPath;
  }
}

/** Whether only this machine can reach an interface: 127.0.0.0/8, ::1 or localhost. */
function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1'
  );
}

/** One build per bundle folder per process, shared by every request that arrives while it runs. */
const builds = new Map<string, Promise<PreviewBuildResult>>();

/** Builds the preview when it is missing or stale; concurrent callers share one build. */
export function ensurePreviewBuilt(paths: PreviewPaths = DEFAULT_PREVIEW_PATHS): Promise<PreviewBuildResult> {
  let pending = builds.get(paths.distDir);
  if (!pending) {
    pending = buildPreview(paths);
    builds.set(paths.distDir, pending);
    // A failed build is tried again on the next request, after the source has been fixed.
    pending.catch(() => builds.delete(paths.distDir));
  }
  return pending;
}

export function previewRouter(options: PreviewRouterOptions): Router {
  const paths = options.paths ?? DEFAULT_PREVIEW_PATHS;
  const local = options.mode === 'local';
  // Beside a real org the pages only say why there is no preview (below): nothing to build.
  const build = local && (options.build ?? true);
  /** The folder to serve from: built first when `build` is on, else whatever was built last. */
  const ready = async (): Promise<string> => {
    if (build) return (await ensurePreviewBuilt(paths)).bundleDir;
    const dir = await currentBundleDir(paths.distDir);
    if (!dir)
      throw new Error(`There is no preview bundle in ${paths.distDir}. Run \`npm run build:preview\`.`);
    return dir;
  };

  if (build) {
    ready().then(
      (result) => options.logger?.info({ preview: result }, 'preview ready at /preview/'),
      (err: unknown) => options.logger?.error({ err }, 'the preview could not be built'),
    );
  }

  // Bound elsewhere, anyone who reaches the port would read the key in any page: they type it instead.
  const keyInPage = local && isLoopback(options.host ?? '127.0.0.1');
  const common = (): Omit<PageData, 'page'> => ({
    mode: options.mode,
    ...(keyInPage ? { apiKey: options.apiKey } : {}),
    actors: (local && options.demo?.actors) || [],
    ...(local && options.demo?.defaultActor ? { defaultActor: options.demo.defaultActor } : {}),
    samples: (local && options.demo?.samples) || { leads: [], accounts: [] },
  });

  /** How long a page request waits for a build before it answers "building" and reloads itself. */
  const BUILD_WAIT_MS = 1500;

  const send = async (res: Response, status: number, title: string, data: PageData) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('Cache-Control', 'no-store');
    if (!local) {
      // Beside a real org the companion takes a call only with an assertion the org signed for the acting
      // user (X-Switchyard-Assertion, checked in auth.ts). A browser page cannot make one, so every call
      // the components made would be refused: the page says so instead.
      res
        .status(200)
        .type('html')
        .send(noticePage(SALESFORCE_MODE_NOTICE, { tone: 'info', prose: true }));
      return;
    }
    const building = Symbol('building');
    let outcome: string | typeof building;
    try {
      outcome = await Promise.race([
        ready(),
        new Promise<typeof building>((resolve) => setTimeout(() => resolve(building), BUILD_WAIT_MS).unref()),
      ]);
    } catch (err) {
      res
        .status(500)
        .type('html')
        .send(
          noticePage(
            {
              title: 'The preview could not be built',
              message: err instanceof Error ? err.message : String(err),
              action: 'Fix what it names and reload this page: the preview builds itself again.',
            },
            { tone: 'error' },
          ),
        );
      return;
    }
    if (outcome === building) {
      res
        .status(503)
        .setHeader('Retry-After', '5')
        .type('html')
        .send(
          noticePage(
            {
              title: 'The preview is being built',
              message: 'Switchyard is compiling the Lightning components for this preview.',
              action: 'The first build takes about a minute; this page reloads itself until it is ready.',
            },
            { tone: 'info', refreshSeconds: 5 },
          ),
        );
      return;
    }
    const chunk = PAGE_CHUNK[data.page];
    const pageFiles = chunk ? ((await pageManifest(outcome))[chunk] ?? []) : [];
    res
      .status(status)
      .type('html')
      .send(hostPage(title, data, path.basename(outcome), pageFiles));
  };

  /** Each bundle's pages.json (what each page preloads), read once per bundle. */
  const manifests = new Map<string, Promise<Record<string, string[]>>>();
  const pageManifest = (bundleDir: string) => {
    let manifest = manifests.get(bundleDir);
    if (!manifest) {
      manifest = readFile(path.join(bundleDir, 'assets', PAGE_MANIFEST), 'utf8').then(
        (text) => JSON.parse(text) as Record<string, string[]>,
        // A bundle without one still works: its pages load their chunks once the app asks for them.
        () => ({}),
      );
      manifests.set(bundleDir, manifest);
    }
    return manifest;
  };

  const statics = new Map<string, RequestHandler>();
  /** Which files have a compressed copy beside them (the build writes .br and .gz), by path. */
  const encoded = new Map<string, Promise<boolean>>();
  const hasCopy = (file: string) => {
    let known = encoded.get(file);
    if (!known) {
      known = stat(file).then(
        (s) => s.isFile(),
        () => false,
      );
      encoded.set(file, known);
    }
    return known;
  };
  /**
   * A bundle's files: the compressed copy the browser accepts (brotli, else gzip), else the file. Under
   * the bundle's hash they never change, so browsers keep them for a year; the unhashed paths (icon
   * sprites asked for by older pages) are checked again on each use.
   */
  const assets =
    (dir: 'assets' | 'slds', immutable: boolean): RequestHandler =>
    (req, res, next) => {
      ready().then(
        async (bundleDir) => {
          if (immutable && req.params.hash !== path.basename(bundleDir)) {
            res
              .status(404)
              .setHeader('Cache-Control', 'no-store')
              .type('text')
              .send('This preview was rebuilt since the page was opened: reload the page.');
            return;
          }
          const key = path.join(bundleDir, dir);
          let serve = statics.get(key);
          if (!serve) {
            serve = express.static(key, { fallthrough: false, index: false, cacheControl: false });
            statics.set(key, serve);
          }
          res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
          const accepts = String(req.headers['accept-encoding'] ?? '');
          let file = '';
          try {
            file = path.join(key, path.normalize(decodeURIComponent(req.path)));
          } catch {
            // A malformed path: express.static answers it (400) without our help.
          }
          for (const [encoding, ext] of [
            ['br', '.br'],
            ['gzip', '.gz'],
          ] as const) {
            if (
              new RegExp(`\\b${encoding}\\b`).test(accepts) &&
              file.startsWith(key + path.sep) &&
              (await hasCopy(file + ext))
            ) {
              res.vary('Accept-Encoding');
              res.setHeader('Content-Encoding', encoding);
              res.type(path.extname(file));
              req.url = `${req.url.split('?')[0]}${ext}`;
              break;
            }
          }
          serve(req, res, next);
        },
        () =>
          res.status(503).type('text').send('The preview bundle is not built; open /preview/ to see why.'),
      );
    };

  const router = Router();
  router.use('/preview/v/:hash/assets', assets('assets', true));
  router.use('/preview/v/:hash/slds', assets('slds', true));
  router.use('/preview/assets', assets('assets', false));
  router.use('/preview/slds', assets('slds', false));

  // Routes match with or without a trailing slash; the landing page wants one so relative links work.
  router.get('/preview', (req, res) => {
    const [pathname, query] = req.originalUrl.split('?');
    if (!pathname!.endsWith('/')) return res.redirect(302, `/preview/${query ? `?${query}` : ''}`);
    return send(res, 200, 'Start', { ...common(), page: 'landing' });
  });
  // Browsers ask for it on every page; without it each visit logs a 401 from the API's key check.
  router.get('/favicon.ico', (_req, res) => res.status(204).end());

  // The admin page (an app page in Salesforce): the companion answers its calls for admins only.
  router.get('/preview/admin', (_req, res) => send(res, 200, 'Admin', { ...common(), page: 'admin' }));

  router.get('/preview/lead/:id', (req, res) => {
    const id = String(req.params.id);
    if (!LEAD_ID.test(id)) {
      return send(res, 404, 'Not a lead', {
        ...common(),
        page: 'not-found',
        problem: `"${id}" is not a lead Id. Lead Ids start with 00Q and have 15 or 18 letters and digits.`,
      });
    }
    return send(res, 200, 'Lead', { ...common(), page: 'lead', recordId: id });
  });

  router.get('/preview/account/:id', (req, res) => {
    const id = String(req.params.id);
    if (!ACCOUNT_ID.test(id)) {
      return send(res, 404, 'Not an account', {
        ...common(),
        page: 'not-found',
        problem: `"${id}" is not an account Id. Account Ids start with 001 and have 15 or 18 letters and digits.`,
      });
    }
    return send(res, 200, 'Account', { ...common(), page: 'account', recordId: id });
  });

  router.get(/^\/preview\/.+/, (req, res) =>
    send(res, 404, 'Not found', {
      ...common(),
      page: 'not-found',
      problem: `The preview has no page at ${readablePath(req.path)}. Open a lead at /preview/lead/<Id> or an account at /preview/account/<Id>.`,
    }),
  );

  // Record links inside the components are Salesforce-style "/<Id>"; in the preview they open the record's page.
  router.get(/^\/([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})$/, (req, res, next) => {
    const id = req.path.slice(1);
    const kind = LEAD_ID.test(id) ? 'lead' : ACCOUNT_ID.test(id) ? 'account' : null;
    if (!kind) return next();
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    return res.redirect(302, `/preview/${kind}/${id}${query}`);
  });

  return router;
}
