import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario } from '../../../src/crm/local/demo-scenarios.js';
import { auraEnabledMethods } from '../../../src/http/preview/preview-build.js';
import { previewRouter } from '../../../src/http/preview/preview.router.js';
import { demoPreview } from '../../../src/crm/local/demo-preview.js';

const KEY = 'preview-test-key-0123456789';

/** The router over a hand-made bundle folder: these tests check serving, not compiling. */
async function serve(mode: 'local' | 'salesforce') {
  const distDir = mkdtempSync(path.join(tmpdir(), 'switchyard-preview-'));
  mkdirSync(path.join(distDir, 'abc123/assets'), { recursive: true });
  writeFileSync(path.join(distDir, 'abc123/assets/preview.js'), 'export {};\n');
  writeFileSync(path.join(distDir, 'abc123/assets/preview.js.br'), brotliCompressSync('export {};\n'));
  writeFileSync(path.join(distDir, 'abc123/assets/preview.js.gz'), gzipSync('export {};\n'));
  writeFileSync(
    path.join(distDir, 'abc123/assets/pages.json'),
    JSON.stringify({ leadPage: ['pages/leadPage.js', 'chunks/c-x1.js'], landing: ['pages/landing.js'] }),
  );
  writeFileSync(path.join(distDir, 'current.json'), JSON.stringify({ hash: 'abc123' }));
  const app = express();
  app.use(
    previewRouter({
      mode,
      apiKey: KEY,
      build: false,
      paths: { root: process.cwd(), distDir },
      demo: demoPreview(),
    }),
  );
  app.use((_req, res) => res.status(401).json({ error: { code: 'UNAUTHENTICATED' } }));
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get: (route: string, headers: Record<string, string> = {}) =>
      fetch(url + route, { redirect: 'manual', headers }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(distDir, { recursive: true, force: true });
    },
  };
}

/** The page data the server writes into the host page. */
async function pageData(res: Response) {
  const html = await res.text();
  const json = /<script type="application\/json" id="switchyard-preview-data">(.*?)<\/script>/s.exec(
    html,
  )?.[1];
  return { html, data: JSON.parse(json ?? 'null') as Record<string, unknown> };
}

describe('preview router in local mode', () => {
  let preview: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    preview = await serve('local');
  });
  afterAll(() => preview.close());

  it('serves a lead page with the key, the acting users and a strict content security policy', async () => {
    const lead = scenario('reroute-eligible').lead.Id;
    const res = await preview.get(`/preview/lead/${lead}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    const { data } = await pageData(res);
    expect(data).toMatchObject({ mode: 'local', apiKey: KEY, page: 'lead', recordId: lead });
    const actors = data.actors as Array<{ name: string; canReroute: boolean }>;
    expect(actors.some((a) => a.canReroute)).toBe(true);
    expect(actors.some((a) => !a.canReroute)).toBe(true);
  });

  it("preloads the page's own chunks beside the page script, and no other page's", async () => {
    const preloads = async (route: string) =>
      [
        ...(await (await preview.get(route)).text()).matchAll(/<link rel="modulepreload" href="([^"]+)">/g),
      ].map((m) => m[1]);
    const lead = scenario('reroute-eligible').lead.Id;
    expect(await preloads(`/preview/lead/${lead}`)).toEqual([
      '/preview/v/abc123/assets/start.js',
      '/preview/v/abc123/assets/pages/leadPage.js',
      '/preview/v/abc123/assets/chunks/c-x1.js',
    ]);
    expect(await preloads('/preview/')).toEqual([
      '/preview/v/abc123/assets/start.js',
      '/preview/v/abc123/assets/pages/landing.js',
    ]);
    expect(await preloads('/preview/no-such-page')).toEqual(['/preview/v/abc123/assets/start.js']);
  });

  it('lists the demo scenario leads and accounts on the landing page', async () => {
    const res = await preview.get('/preview/');
    const { data } = await pageData(res);
    const samples = data.samples as { leads: Array<{ name: string; rule: string }>; accounts: unknown[] };
    expect(samples.leads).toContainEqual(
      expect.objectContaining({ name: 'Victor Cruz', rule: 'A high-priority lead is not re-routed' }),
    );
    expect(samples.accounts.length).toBeGreaterThan(0);
  });

  it('redirects /preview to /preview/ and record links (/<Id>) to their page, keeping the query', async () => {
    expect((await preview.get('/preview?as=x')).headers.get('location')).toBe('/preview/?as=x');
    const lead = scenario('reroute-eligible').lead.Id;
    expect((await preview.get(`/${lead}?as=y`)).headers.get('location')).toBe(`/preview/lead/${lead}?as=y`);
  });

  it('answers a malformed Id with a page that says what a lead Id looks like', async () => {
    const res = await preview.get('/preview/lead/not-an-id');
    expect(res.status).toBe(404);
    const { data } = await pageData(res);
    expect(data.page).toBe('not-found');
    expect(String(data.problem)).toContain('start with 00Q');
  });

  it('never lets page data close its script element', async () => {
    const res = await preview.get('/preview/nothing/<script>alert(1)</script>');
    const { html } = await pageData(res);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('\\u003cscript\\u003e');
  });

  it('serves the bundle without a key and leaves everything else to the API', async () => {
    expect((await preview.get('/preview/assets/preview.js')).status).toBe(200);
    expect((await preview.get('/preview/assets/missing.js')).status).toBe(404);
    expect((await preview.get('/v1/me')).status).toBe(401);
  });

  it('points pages at the bundle under its hash, kept for good and sent compressed', async () => {
    const { html } = await pageData(await preview.get('/preview/'));
    expect(html).toContain('src="/preview/v/abc123/assets/preview.js"');
    expect(html).toContain('href="/preview/v/abc123/slds/assets/styles/');

    const br = await preview.get('/preview/v/abc123/assets/preview.js', { 'accept-encoding': 'gzip, br' });
    expect(br.status).toBe(200);
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    expect(br.headers.get('vary')).toMatch(/Accept-Encoding/i);
    // fetch decodes what it is sent: the words arrive whole.
    expect(await br.text()).toBe('export {};\n');

    const gz = await preview.get('/preview/v/abc123/assets/preview.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const plain = await preview.get('/preview/v/abc123/assets/preview.js', { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe('export {};\n');
  });

  it('tells a page opened before a rebuild to reload instead of serving it stale code', async () => {
    const old = await preview.get('/preview/v/0ld0ne/assets/preview.js');
    expect(old.status).toBe(404);
    expect(old.headers.get('cache-control')).toBe('no-store');
    expect(await old.text()).toMatch(/reload the page/);
  });
});

describe('preview router in salesforce mode', () => {
  it('says on every page why there is no preview beside a real org, never with the key or demo users', async () => {
    const preview = await serve('salesforce');
    try {
      for (const at of [
        '/preview/',
        `/preview/lead/${scenario('reroute-eligible').lead.Id}`,
        '/preview/account/001nope',
        '/preview/else',
      ]) {
        const res = await preview.get(at);
        expect(res.status, at).toBe(200);
        const html = await res.text();
        expect(html, at).toContain('No preview beside a Salesforce org');
        expect(html, at).toMatch(/Apex controller signs/);
        expect(html, at).toMatch(/local mode/);
        expect(html, at).not.toContain(KEY);
        expect(html, at).not.toContain('switchyard-preview-data');
        expect(html, at).not.toContain(demoPreview().actors[0]!.name);
      }
    } finally {
      await preview.close();
    }
  });
});

describe('auraEnabledMethods', () => {
  it('finds the methods a component may import, and only those', () => {
    const source = `public with sharing class C {
      @AuraEnabled(cacheable=true)
      public static Map<String, Object> getMatchedLeads(Id accountId) { return null; }
      @AuraEnabled
      public static Boolean rerouteLead(Id leadId, String reason) { return true; }
      public static void helper() {}
    }`;
    expect([...auraEnabledMethods(source)].sort()).toEqual(['getMatchedLeads', 'rerouteLead']);
  });
});

describe('preview router when the bundle cannot be built', () => {
  it('answers every page with what failed and what to do, instead of a blank page', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'switchyard-preview-broken-'));
    // Components and the Apex class are there; the preview's own entry module is missing.
    mkdirSync(path.join(root, 'force-app/main/default/lwc'), { recursive: true });
    mkdirSync(path.join(root, 'force-app/main/default/classes'), { recursive: true });
    writeFileSync(
      path.join(root, 'force-app/main/default/classes/SwitchyardController.cls'),
      'public class X {}',
    );
    const app = express();
    app.use(previewRouter({ mode: 'local', apiKey: KEY, paths: { root, distDir: path.join(root, 'dist') } }));
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      let res = await fetch(`${url}/preview/`);
      // A build that has not failed yet answers "being built" and reloads itself.
      for (let tries = 0; res.status === 503 && tries < 20; tries++) res = await fetch(`${url}/preview/`);
      expect(res.status).toBe(500);
      const html = await res.text();
      expect(html).toContain('The preview could not be built');
      expect(html).toContain('scripts/preview/main.js');
      expect(html).not.toContain(KEY);
      expect((await fetch(`${url}/preview/assets/preview.js`)).status).toBe(503);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    }
  });
});
