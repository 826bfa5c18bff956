import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  demoUser,
  launchBrowser,
  screenshot,
  seriousViolations,
  startCompanion,
  type Browser,
  type Companion,
} from './e2e.fixture.js';

/**
 * The admin page (switchyardAdmin, an app page in Salesforce) in the preview, in a real browser:
 * versions with their diff and a rollback with a reason, the last backtest and publishing its
 * candidate, each live flow as a picture, the scheduled jobs run dry and paused, as the demo org's
 * admin; a rep is told the page is not for him.
 */
const browserMissing = !existsSync(CHROMIUM);

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });

const admin = demoUser('Zoe Park');
const rep = demoUser('Ava Patel');

describe.skipIf(browserMissing && process.env.CI !== 'true')(
  'admin page in Chromium',
  { timeout: 120_000 },
  () => {
    let companion: Companion;
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchBrowser();
      companion = await startCompanion();
    }, 300_000);

    afterEach(() => {
      const errors = browser.problems.splice(0).filter((p) => !p.includes('Failed to load resource'));
      expect(errors).toEqual([]);
    });

    afterAll(async () => {
      await browser?.close();
      await companion?.close();
    });

    async function open(actor: string): Promise<Page> {
      const page = await browser.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${companion.url}/preview/admin?as=${actor}`);
      return page;
    }

    it('shows the versions, each live flow as a picture, and the jobs, with no serious axe violation', async () => {
      const page = await open(admin);
      await eventually(() => page.locator('.version-row').count()).toBeGreaterThan(0);
      await expect(page.locator('.live-version').textContent()).resolves.toBe('Live: version 1');
      await expect(page.locator('.version-row').first().locator('.version-who').textContent()).resolves.toBe(
        'Switchyard',
      );
      await eventually(() => page.locator('img.flow-picture').count()).toBe(4);
      await expect(page.locator('.flow-name').allTextContents()).resolves.toEqual([
        'leandata-blueprint',
        'partner-routing',
        'reroute',
        'scheduled-clean-up',
      ]);
      // Each picture loaded as an image (an SVG the browser could draw, not an error).
      await eventually(() =>
        page
          .locator('img.flow-picture')
          .evaluateAll((imgs) =>
            (imgs as HTMLImageElement[]).every((img) => img.complete && img.naturalWidth > 0),
          ),
      ).toBe(true);
      await eventually(() => page.locator('.job-row').count()).toBe(5); // the four clean-up jobs and the SLA sweep
      // The pools as the pools API lists them, each member a row.
      await expect(page.locator('.pool[data-pool="amer-sdr"] .pool-member').count()).resolves.toBeGreaterThan(
        0,
      );
      await screenshot(page, 'admin-page');
      expect(await seriousViolations(page)).toEqual([]);
      await page.close();
    });

    it('runs a job dry, then pauses and resumes it, the list saying each', async () => {
      const page = await open(admin);
      const row = page.locator('.job-row[data-job="daily-mql-recycle"]');
      await eventually(() => row.count()).toBe(1);
      await expect(row.locator('.job-last-text').textContent()).resolves.toBe('Not run yet');
      await row.getByRole('button', { name: 'Dry run of daily-mql-recycle' }).click();
      await eventually(() => row.locator('.job-last-text').textContent()).toMatch(
        /looked at \d+, moved \d+, failed 0, \d+ API calls/,
      );
      await expect(row.locator('.job-last').textContent()).resolves.toContain('Dry run');
      await row.getByRole('button', { name: 'Pause daily-mql-recycle' }).click();
      await eventually(() => row.locator('.job-paused').count()).toBe(1);
      await screenshot(page, 'admin-jobs-paused');
      await row.getByRole('button', { name: 'Resume daily-mql-recycle' }).click();
      await eventually(() => row.locator('.job-paused').count()).toBe(0);
      await page.close();
    });

    it('asks for a reason before a rollback, then makes the old version live as a new one', async () => {
      // A second version to roll back from: the live set with one pool file edited, published as an admin.
      const headers = {
        Authorization: `Bearer ${companion.apiKey}`,
        'X-Switchyard-User': admin,
        'Content-Type': 'application/json',
      };
      const live = (await (await fetch(`${companion.url}/v1/flows/export`, { headers })).json()) as {
        version: number;
        files: Array<{ name: string; text: string }>;
      };
      const files = live.files.map((f) =>
        f.name === 'reroute.flow.yaml' ? { ...f, text: `${f.text}\n# reviewed by the admin team\n` } : f,
      );
      const published = await fetch(`${companion.url}/v1/flows/publish`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ files, reason: 'Note the review', baseVersion: live.version }),
      });
      expect(published.status).toBe(201);

      const page = await open(admin);
      const newest = page.locator('.version-row').first();
      await eventually(() => newest.locator('.version-why').textContent()).toBe('Note the review');
      await expect(newest.locator('.version-changes').textContent()).resolves.toBe(
        'reroute.flow.yaml: +2 −0',
      );
      await newest.getByRole('button', { name: `Show diff of version ${live.version + 1}` }).click();
      await expect(page.locator('.diff-added').allTextContents()).resolves.toContain(
        '+# reviewed by the admin team',
      );

      const older = page.locator(`.version-row[data-version="${live.version}"]`);
      await older.getByRole('button', { name: `Roll back to version ${live.version}` }).click();
      const reason = page.getByRole('textbox', { name: 'Why roll back?' });
      await eventually(() =>
        reason.evaluate((el) => el === document.activeElement || el.matches(':focus')),
      ).toBe(true);
      await page.locator('.rollback-confirm-button').getByRole('button', { name: 'Roll back' }).click();
      // The empty field says what it needs; nothing is rolled back.
      await eventually(() => page.locator('.rollback-reason').textContent()).toContain(
        'Say in a few words why you roll back.',
      );
      await expect(page.locator('.live-version').textContent()).resolves.toBe(
        `Live: version ${live.version + 1}`,
      );
      await screenshot(page, 'admin-rollback-confirm');
      await reason.fill('The note was premature');
      // Leaving the field first: its message goes away, so the button stays where the click lands.
      await reason.press('Tab');
      await page.locator('.rollback-confirm-button').getByRole('button', { name: 'Roll back' }).click();
      await eventually(() => page.locator('.live-version').textContent()).toBe(
        `Live: version ${live.version + 2}`,
      );
      await expect(
        page.locator('.version-row').first().locator('.version-action').textContent(),
      ).resolves.toBe(`Rolled back to version ${live.version}`);
      await expect(page.locator('.version-row').first().locator('.version-why').textContent()).resolves.toBe(
        'The note was premature',
      );
      await screenshot(page, 'admin-after-rollback');
      await page.close();
    });

    it('adds a territory row from the page: a refusal says what is wrong, the saved row is listed and shows in the history', async () => {
      const page = await open(admin);
      const table = page.locator('.territory-table[data-table="sdr-regions"]');
      await eventually(() => table.locator('.territory-row').count()).toBe(3);
      await expect(
        table.locator('.territory-row').first().locator('.territory-target').textContent(),
      ).resolves.toContain('Pool AMER SDR round robin (amer-sdr)');
      await table.getByRole('button', { name: 'Add a row to sdr-regions' }).click();
      // Focus lands in the form's first field.
      await eventually(() =>
        page.getByLabel('Regions (AMER, EMEA, APJ)').evaluate((el) => el.matches(':focus')),
      ).toBe(true);
      const countries = page.getByLabel('Countries (ISO codes such as DE, US)');
      await countries.fill('Atlantis');
      await page.getByLabel('Pool name').fill('emea-sdr');
      await page.getByLabel('Why (kept in the history)').fill('German team');
      await page.getByRole('button', { name: 'Save row' }).click();
      const refusal = page.locator('.territory-form c-error-panel');
      await eventually(() => refusal.textContent()).toContain(
        "The change was refused: 'Atlantis' is not a country we know: use an ISO code such as 'DE' or 'US'.",
      );
      await screenshot(page, 'admin-territory-refused', '.territory-tables');
      expect(await seriousViolations(page)).toEqual([]);

      await countries.fill('DE');
      await page.getByRole('button', { name: 'Save row' }).click();
      await eventually(() => table.locator('.territory-row').count()).toBe(4);
      const added = table.locator('.territory-row[data-row="4"]');
      await expect(added.locator('.territory-leads').textContent()).resolves.toBe('Country DE');
      await expect(added.locator('.territory-target').textContent()).resolves.toContain(
        'Pool EMEA SDR round robin (emea-sdr)',
      );
      const newest = page.locator('.version-row').first();
      await eventually(() => newest.locator('.version-action').textContent()).toBe('Territory change');
      await expect(newest.locator('.version-why').textContent()).resolves.toBe(
        'sdr-regions: row added: country DE → pool emea-sdr: German team',
      );
      await screenshot(page, 'admin-territory-added', '.territory-tables');
      await screenshot(page, 'admin-territory-history', '.versions');

      await added.getByRole('button', { name: 'Remove row 4 of sdr-regions' }).click();
      await page.locator('.remove-confirm').getByLabel('Why (kept in the history)').fill('Back to regions');
      await screenshot(page, 'admin-territory-remove-confirm', '.territory-table[data-table="sdr-regions"]');
      await page.getByRole('button', { name: 'Remove row', exact: true }).click();
      await eventually(() => table.locator('.territory-row').count()).toBe(3);
      await page.close();
    });

    it('changes a pool from the page, each change after a preview of who gets the next leads: a rep out of office, a weight, a refused inactive rep, an added and a removed rep looked at, its catch-up and a pause and resume; the pool says who is next and why others are passed over', async () => {
      const page = await open(admin);
      const pool = page.locator('.pool[data-pool="amer-sdr"]');
      await eventually(() => pool.locator('.pool-member').count()).toBeGreaterThan(0);
      await expect(pool.locator('.pool-next').textContent()).resolves.toMatch(/^Next: \w+/);
      // Diego Ramos is inactive in the demo org: the pool says so beside him.
      const diego = pool.locator('.pool-member', { hasText: 'Diego Ramos' });
      await expect(diego.locator('.member-skipped').textContent()).resolves.toContain('inactive');

      await pool.getByRole('button', { name: 'Out of office for Ava Patel in amer-sdr' }).click();
      await page.getByLabel('Out of office from').fill('2026-12-20');
      await page.getByLabel('Last day out').fill('2026-12-24');
      await page.getByLabel('Why (kept in the history)').fill('Holidays');
      await screenshot(page, 'admin-pool-away', '.pool[data-pool="amer-sdr"]');
      await page.locator('.pool-form').getByRole('button', { name: 'Preview' }).click();
      // The days are after today (the companion's clock is MONDAY, 2026-11-23): nobody's turn moves.
      await eventually(() => page.locator('.pool-form .next-same').textContent()).toBe(
        'No change to who gets the next 12 leads.',
      );
      await page.locator('.pool-form').getByRole('button', { name: 'Save' }).click();
      const ava = pool.locator('.pool-member', { hasText: 'Ava Patel' });
      await eventually(() => ava.locator('.member-away').textContent()).toBe('2026-12-20 to 2026-12-24');

      // A weight: previewed (Ava gets more of the next leads), then saved on the version previewed.
      await pool.getByRole('button', { name: 'Change Ava Patel in amer-sdr' }).click();
      await page.getByLabel('Weight').fill('3');
      await page.getByLabel('Why (kept in the history)').fill('Senior rep');
      await page.locator('.pool-form').getByRole('button', { name: 'Preview' }).click();
      const avas = (line: string | null) =>
        (line ?? '').split(', ').filter((n) => n.endsWith('Ava Patel')).length;
      const before = avas(await page.locator('.pool-form .next-before').textContent());
      const after = avas(await page.locator('.pool-form .next-after').textContent());
      expect(before).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(before);
      await expect(ava.locator('.member-weight').textContent()).resolves.toBe('1');
      await screenshot(page, 'admin-pool-change-preview', '.pool[data-pool="amer-sdr"]');
      await page.locator('.pool-form').getByRole('button', { name: 'Save' }).click();
      await eventually(() => ava.locator('.member-weight').textContent()).toBe('3');
      const newest = page.locator('.version-row').first();
      await eventually(() => newest.locator('.version-why').textContent()).toBe(
        'Ava Patel in amer-sdr: weight 3: Senior rep',
      );
      await expect(newest.locator('.version-action').textContent()).resolves.toBe('Pool change');

      await pool.getByRole('button', { name: 'Add a rep to amer-sdr' }).click();
      await page.getByLabel('Username or email').fill('diego.ramos@switchyard-demo.example');
      await page.getByLabel('Why (kept in the history)').fill('Covering');
      await page.locator('.pool-form').getByRole('button', { name: 'Preview' }).click();
      await eventually(() => page.locator('.pool-form c-error-panel').textContent()).toContain(
        'Diego Ramos is inactive in the org, so routing would pass them over.',
      );
      await screenshot(page, 'admin-pool-refused', '.pool[data-pool="amer-sdr"]');
      expect(await seriousViolations(page)).toEqual([]);
      // Someone active instead: the preview names them among the next leads; Cancel stores nothing.
      await page.getByLabel('Username or email').fill('emma.schulz@switchyard-demo.example');
      await page.locator('.pool-form').getByRole('button', { name: 'Preview' }).click();
      await eventually(() => page.locator('.pool-form .next-after').textContent()).toContain('Emma Schulz');
      await expect(page.locator('.pool-form .next-before').textContent()).resolves.not.toContain(
        'Emma Schulz',
      );
      await screenshot(page, 'admin-pool-add-preview', '.pool[data-pool="amer-sdr"]');
      expect(await seriousViolations(page)).toEqual([]);
      await page.locator('.pool-form').getByRole('button', { name: 'Cancel' }).click();
      // A removal: previewed as the next leads without the rep, in a destructive button only then.
      await pool.getByRole('button', { name: 'Remove Ben Carter from amer-sdr' }).click();
      await page.getByLabel('Why (kept in the history)').fill('Moves to EMEA');
      await page.locator('.pool-form').getByRole('button', { name: 'Preview' }).click();
      await eventually(() => page.locator('.pool-form .next-before').textContent()).toContain('Ben Carter');
      await expect(page.locator('.pool-form .next-after').textContent()).resolves.not.toContain('Ben Carter');
      await expect(
        page.locator('.pool-form').getByRole('button', { name: 'Remove rep' }).count(),
      ).resolves.toBe(1);
      await screenshot(page, 'admin-pool-remove-preview', '.pool[data-pool="amer-sdr"]');
      await page.locator('.pool-form').getByRole('button', { name: 'Cancel' }).click();
      await expect(pool.locator('.pool-member', { hasText: 'Ben Carter' }).count()).resolves.toBe(1);
      await expect(pool.locator('.pool-member', { hasText: 'Emma Schulz' }).count()).resolves.toBe(0);
      await screenshot(page, 'admin-pools', '.pool-tables');

      // Catch-up: previewed first (who gets the next leads now and with it), stored on Confirm.
      await expect(pool.locator('.pool-catch-up').textContent()).resolves.toBe(
        'Catch-up: off (turns missed while away are not made up)',
      );
      await pool.getByRole('button', { name: 'Change catch-up of amer-sdr' }).click();
      await page.getByLabel('Leads to make up, at most').fill('2');
      await page.getByLabel('For turns missed in the last (days)').fill('5');
      await page.getByLabel('Why (kept in the history)').fill('Fair share after time off');
      await page.locator('.pool-form').getByRole('button', { name: 'Preview' }).click();
      // Nobody in amer-sdr is back from time off, so catch-up changes nobody's turn: said in words.
      await eventually(() => page.locator('.pool-form .next-same').textContent()).toBe(
        'No change to who gets the next 12 leads.',
      );
      await expect(page.locator('.pool-form .next-before').count()).resolves.toBe(0);
      await expect(pool.locator('.pool-catch-up').textContent()).resolves.toContain('off');
      await screenshot(page, 'admin-pool-catch-up-preview', '.pool[data-pool="amer-sdr"]');
      expect(await seriousViolations(page)).toEqual([]);
      await page.locator('.pool-form').getByRole('button', { name: 'Confirm' }).click();
      await eventually(() => pool.locator('.pool-catch-up').textContent()).toBe(
        'Catch-up: a rep back from time off gets up to 2 leads for turns missed in the last 5 days',
      );
      await eventually(() => newest.locator('.version-why').textContent()).toBe(
        'amer-sdr gives back up to 2 missed turns of the last 5 days: Fair share after time off',
      );

      // Pause and resume: previewed first too; pausing leaves nobody to take the next leads.
      await pool.getByRole('button', { name: 'Pause amer-sdr' }).click();
      await page.getByLabel('Why (kept in the history)').fill('Team offsite');
      await page.locator('.pool-form').getByRole('button', { name: 'Preview' }).click();
      await eventually(() => page.locator('.pool-form .next-before').textContent()).toMatch(
        /^The next leads now: \w+/,
      );
      await expect(page.locator('.pool-form .next-after').textContent()).resolves.toBe(
        'The next leads with the change: nobody can take a lead now',
      );
      await expect(pool.locator('.pool-paused').count()).resolves.toBe(0);
      await screenshot(page, 'admin-pool-pause-preview', '.pool[data-pool="amer-sdr"]');
      expect(await seriousViolations(page)).toEqual([]);
      await page.locator('.pool-form').getByRole('button', { name: 'Pause pool' }).click();
      await eventually(() => pool.locator('.pool-paused').count()).toBe(1);
      await expect(pool.locator('.pool-next').textContent()).resolves.toBe(
        'Nobody can take a lead now: the pool is paused',
      );

      await pool.getByRole('button', { name: 'Resume amer-sdr' }).click();
      await page.getByLabel('Why (kept in the history)').fill('Back from the offsite');
      await page.locator('.pool-form').getByRole('button', { name: 'Preview' }).click();
      await eventually(() => page.locator('.pool-form .next-after').textContent()).toMatch(
        /^The next leads with the change: \w+/,
      );
      await expect(page.locator('.pool-form .next-before').textContent()).resolves.toBe(
        'The next leads now: nobody can take a lead now',
      );
      await screenshot(page, 'admin-pool-resume-preview', '.pool[data-pool="amer-sdr"]');
      await page.locator('.pool-form').getByRole('button', { name: 'Resume pool' }).click();
      await eventually(() => pool.locator('.pool-paused').count()).toBe(0);
      await eventually(() => newest.locator('.version-why').textContent()).toBe(
        'amer-sdr resumed: Back from the offsite',
      );
      await page.close();
    });

    it('shows the last backtest of a candidate before it is published, after a reload too', async () => {
      const headers = {
        Authorization: `Bearer ${companion.apiKey}`,
        'X-Switchyard-User': admin,
        'Content-Type': 'application/json',
      };
      const live = (await (await fetch(`${companion.url}/v1/flows/export`, { headers })).json()) as {
        version: number;
        files: Array<{ name: string; text: string }>;
      };
      // A candidate without the EMEA row: EMEA leads fall through to the table's other rows or none.
      const candidate = live.files.map((f) =>
        f.name === 'territories.yaml'
          ? { ...f, text: f.text.replace(/\n {6}- region: \[EMEA\]\n {8}assign: \{ pool: emea-sdr \}/, '') }
          : f,
      );
      expect(candidate.find((f) => f.name === 'territories.yaml')!.text).not.toContain('region: [EMEA]');
      const ran = await fetch(`${companion.url}/v1/backtests`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ candidate, days: 30 }),
      });
      expect(ran.status).toBe(200);
      const result = (await ran.json()) as { summary: { leads: number; ownerChanged: number } };
      expect(result.summary.ownerChanged).toBeGreaterThan(0);

      const page = await open(admin);
      const summary = page.locator('.last-backtest');
      await eventually(() => summary.locator('.backtest-ran').textContent()).toContain('Run by Zoe Park');
      await expect(
        summary.locator('.backtest-figure[data-figure="changed"] .figure-value').textContent(),
      ).resolves.toBe(String(result.summary.ownerChanged));
      await expect(summary.locator('.backtest-not-published').count()).resolves.toBe(1);
      await expect(summary.locator('.backtest-move').count()).resolves.toBeGreaterThan(0);
      await screenshot(page, 'admin-last-backtest', '.last-backtest');
      // Kept by the companion: a reload shows it again.
      await page.reload();
      await eventually(() =>
        summary.locator('.backtest-figure[data-figure="leads"] .figure-value').textContent(),
      ).toBe(String(result.summary.leads));
      expect(await seriousViolations(page)).toEqual([]);
      await page.close();
    });

    it('publishes the backtested candidate with a reason; one published over meanwhile is refused, naming the other version', async () => {
      const headers = {
        Authorization: `Bearer ${companion.apiKey}`,
        'X-Switchyard-User': admin,
        'Content-Type': 'application/json',
      };
      const exportLive = async () =>
        (await (await fetch(`${companion.url}/v1/flows/export`, { headers })).json()) as {
          version: number;
          files: Array<{ name: string; text: string }>;
        };
      /** The live set without the EMEA territory row, backtested over the last 30 days. */
      const backtestWithoutEmea = async () => {
        const live = await exportLive();
        const candidate = live.files.map((f) =>
          f.name === 'territories.yaml'
            ? { ...f, text: f.text.replace(/\n {6}- region: \[EMEA\]\n {8}assign: \{ pool: emea-sdr \}/, '') }
            : f,
        );
        expect(candidate).not.toEqual(live.files);
        const ran = await fetch(`${companion.url}/v1/backtests`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ candidate, days: 30 }),
        });
        expect(ran.status).toBe(200);
        return { live, candidate };
      };

      const { live } = await backtestWithoutEmea();
      const page = await open(admin);
      const summary = page.locator('.last-backtest');
      await eventually(() => page.locator('.live-version').textContent()).toBe(
        `Live: version ${live.version}`,
      );
      await summary.getByRole('button', { name: 'Publish this candidate' }).click();
      const reason = page.getByRole('textbox', { name: 'Why publish?' });
      await eventually(() => reason.evaluate((el) => el.matches(':focus'))).toBe(true);
      await expect(summary.locator('.publish-explain').textContent()).resolves.toContain(
        `becomes live as version ${live.version + 1}, over version ${live.version}`,
      );
      // Someone publishes another change while the confirmation is open.
      const theirs = await fetch(`${companion.url}/v1/flows/publish`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          files: live.files.map((f) =>
            f.name === 'reroute.flow.yaml' ? { ...f, text: `${f.text}\n# checked by ops\n` } : f,
          ),
          reason: 'Ops note',
          baseVersion: live.version,
        }),
      });
      expect(theirs.status).toBe(201);
      await reason.fill('EMEA leads to the regional tables');
      await reason.press('Tab');
      await summary.locator('.publish-confirm-button').getByRole('button', { name: 'Publish' }).click();
      const refusal = summary.locator('.publish-confirm c-error-panel');
      await eventually(() => refusal.textContent()).toContain(
        `Version ${live.version + 1} of the routing set (publish by Zoe Park`,
      );
      await expect(refusal.textContent()).resolves.toContain('The publish was refused');
      await expect(refusal.textContent()).resolves.toContain(
        `Run the backtest again, against version ${live.version + 1}`,
      );
      await screenshot(page, 'admin-publish-conflict', '.last-backtest');
      expect(await seriousViolations(page)).toEqual([]);
      await summary.getByRole('button', { name: 'Cancel' }).click();
      await page.close();

      // Backtested again, against the version that holds the ops note: now it publishes.
      const again = await backtestWithoutEmea();
      expect(again.live.version).toBe(live.version + 1);
      const second = await open(admin);
      const box = second.locator('.last-backtest');
      await box.getByRole('button', { name: 'Publish this candidate' }).click();
      const confirm = box.locator('.publish-confirm-button').getByRole('button', { name: 'Publish' });
      await confirm.click();
      // The empty field says what it needs; nothing is published.
      await eventually(() => box.locator('.publish-reason').textContent()).toContain(
        'Say in a few words why you publish.',
      );
      await screenshot(second, 'admin-publish-confirm', '.last-backtest');
      const why = second.getByRole('textbox', { name: 'Why publish?' });
      await why.fill('EMEA leads to the regional tables');
      await why.press('Tab');
      await confirm.click();
      await eventually(() => second.locator('.live-version').textContent()).toBe(
        `Live: version ${live.version + 2}`,
      );
      const newest = second.locator('.version-row').first();
      await expect(newest.locator('.version-action').textContent()).resolves.toBe('Published');
      await expect(newest.locator('.version-why').textContent()).resolves.toBe(
        'EMEA leads to the regional tables',
      );
      await expect(newest.locator('.version-changes').textContent()).resolves.toBe('territories.yaml: +0 −2');
      await eventually(() => box.locator('.backtest-published').count()).toBe(1);
      await expect(box.getByRole('button', { name: 'Publish this candidate' }).count()).resolves.toBe(0);
      const exported = await exportLive();
      expect(exported.version).toBe(live.version + 2);
      expect(exported.files).toEqual(again.candidate);
      await screenshot(second, 'admin-after-publish', '.last-backtest');
      await screenshot(second, 'admin-after-publish-versions', '.versions');
      expect(await seriousViolations(second)).toEqual([]);
      await second.close();
    });

    it('tells a rep the page is for admins, and shows nothing of it', async () => {
      const page = await open(rep);
      await eventually(() => page.locator('.not-admin').count()).toBe(1);
      await expect(page.locator('.not-admin').textContent()).resolves.toContain('for Switchyard admins');
      await expect(page.locator('.version-row').count()).resolves.toBe(0);
      await screenshot(page, 'admin-page-rep');
      await page.close();
    });
  },
);
