import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_USERS } from '../../companion/src/crm/local/demo-people.js';
import type { LocalOrg } from '../../companion/src/crm/local/local-org.js';
import type { RoutingService } from '../../companion/src/routing/routing.service.js';
import { demoPreview } from '../../companion/src/crm/local/demo-preview.js';
import { ensurePreviewBuilt, previewRouter } from '../../companion/src/http/preview/preview.router.js';
import { startLocalCompanion } from '../support/local-companion.js';

/** Debian's Chromium; CHROMIUM_PATH points elsewhere on other machines. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-results');

/** A Monday afternoon in Europe, morning in the Americas: every SDR pool has someone at work. */
const MONDAY = '2026-11-23T15:00:00.000Z';
const API_KEY = 'e2e-key-4b8d2f6a1c9e3b7d5f0a';

export function demoUser(name: string): string {
  const user = DEMO_USERS.find((u) => u.Name === name);
  if (!user) throw new Error(`no demo user named ${name}`);
  return user.Id;
}

export interface Companion {
  url: string;
  apiKey: string;
  /** The demo org behind the pages, for a test to set a record up as Salesforce would hold it. */
  org: LocalOrg;
  /** Its routing service, for a test to route leads it added as inbound routing would. */
  routing: RoutingService;
  /** Every log line, for a failing test to show. */
  logLines: string[];
  close(): Promise<void>;
}

/**
 * The companion as `npm start` composes it in local mode (embedded store in a temporary folder, the
 * demo org with its scenarios, the shipped flows, the preview), with the clock on MONDAY and no
 * inbound demo leads, so pages show the same records every run. `previewMode: 'salesforce'` serves the
 * preview as it is served beside an org: without the key or demo users in the page; `host: '0.0.0.0'`
 * as it is served in local mode to other machines: without the key.
 */
export async function startCompanion(
  options: { previewMode?: 'local' | 'salesforce'; host?: string } = {},
): Promise<Companion> {
  await ensurePreviewBuilt();
  const companion = await startLocalCompanion({
    now: MONDAY,
    apiKey: API_KEY,
    size: { accounts: 150, leads: 300 },
    rateLimit: { perSecond: 1000, burst: 1000 },
    public: previewRouter({
      mode: options.previewMode ?? 'local',
      apiKey: API_KEY,
      demo: demoPreview(),
      // The preview as main.ts serves it with this HOST (the test itself still listens on loopback).
      ...(options.host ? { host: options.host } : {}),
    }),
  });
  return {
    url: companion.url,
    apiKey: API_KEY,
    org: companion.org,
    routing: companion.routing,
    logLines: companion.logLines,
    close: () => companion.close(),
  };
}

export interface Browser {
  context: BrowserContext;
  /** Browser console errors and failed requests, so a blank page explains itself. */
  problems: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium in a fresh profile, with the flags that keep it off the network. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'switchyard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const problems: string[] = [];
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    problems,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The whole page, or only the part `part` finds (a long page's section, at a size one can read). */
export async function screenshot(page: Page, name: string, part?: string): Promise<void> {
  const file = path.join(SCREENSHOTS, `e2e-${name}.png`);
  if (part) await page.locator(part).first().screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

/** axe-core's serious and critical violations on the page, run inside it (evaluate is not subject to its CSP). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const results = await page.evaluate(async () => {
    const runner = (
      window as unknown as {
        axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> };
      }
    ).axe;
    return (await runner.run()).violations;
  });
  return results
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
}
