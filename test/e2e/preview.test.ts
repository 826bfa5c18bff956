import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scenario } from '../../companion/src/crm/local/demo-scenarios.js';
import {
  CHROMIUM,
  SCREENSHOTS,
  demoUser,
  launchBrowser,
  screenshot,
  seriousViolations,
  startCompanion,
  type Browser,
  type Companion,
} from './e2e.fixture.js';

/**
 * The preview in a real browser: the package's components, compiled from force-app, on Lead and
 * Account pages served by a real companion. Without Chromium the suite is skipped on a developer's
 * machine (with the command that installs it) and fails under CI.
 */
const browserMissing = !existsSync(CHROMIUM);
if (browserMissing) {
  const where = process.env.CI === 'true' ? 'CI needs it: failing' : 'skipping the browser tests';
  console.warn(`No Chromium at ${CHROMIUM} (${where}). Install it with: apt-get install -y chromium`);
}

/** Pages update when the companion answers; on a busy CI machine that can take a few seconds. */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

const ava = demoUser('Ava Patel'); // SDR, may re-route
const noah = demoUser('Noah Fischer'); // AE, may not

describe.skipIf(browserMissing && process.env.CI !== 'true')(
  'preview in Chromium',
  { timeout: 90_000 },
  () => {
    let companion: Companion;
    let browser: Browser;

    beforeAll(async () => {
      // The browser first: without it there is nothing to start a companion for. The first build of the
      // bundle takes a minute on a busy two-core machine; later runs reuse it.
      browser = await launchBrowser();
      companion = await startCompanion();
    }, 300_000);

    afterEach(() => {
      // A refusal answers 409 and the browser logs it; script errors are what a page must never have.
      const errors = browser.problems.splice(0).filter((p) => !p.includes('Failed to load resource'));
      expect(errors).toEqual([]);
    });

    afterAll(async () => {
      await browser?.close();
      await companion?.close();
    });

    async function open(path: string, actor: string): Promise<Page> {
      const page = await browser.newPage();
      await page.goto(`${companion.url}${path}${path.includes('?') ? '&' : '?'}as=${actor}`);
      return page;
    }

    /** Focus inside shadow roots: each level's active element, outermost first. */
    const activeChain = (page: Page) =>
      page.evaluate(() => {
        const chain: string[] = [];
        let node: Element | null = document.activeElement;
        while (node) {
          chain.push(`${node.tagName.toLowerCase()}.${[...node.classList].join('.')}`);
          node = node.shadowRoot?.activeElement ?? null;
        }
        return chain.join(' > ');
      });

    const highlight = (page: Page, label: string) =>
      page.locator(`preview-page-header [data-label="${label}"]`);
    const decisions = (page: Page) => page.locator('c-routing-history li.decision');

    it('shows a rep only the matched leads Salesforce lets him read, counted as he sees them, and why each matched', async () => {
      const account = await accountASellerSeesPartly();
      const page = await open(`/preview/account/${account.id}`, account.seller);

      // His own leads only (the demo org's leads are private), counted as he sees them.
      await eventually(() => page.getByText(`Matched Leads (${account.seen})`).count()).toBe(1);
      await eventually(() => page.getByRole('link', { name: account.firstLead, exact: true }).count()).toBe(
        1,
      );
      expect(account.seen).toBeLessThan(account.all);
      // Why each matched: short on the row, the matcher's words in its tooltip and one click away.
      const reasons = () =>
        page
          .locator('c-matched-leads button.why')
          .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('title')));
      await eventually(reasons).toContain(account.firstReason);
      expect(await page.getByRole('columnheader', { name: /Why it matched/ }).count()).toBe(1);
      // No lead he may not read is on the page.
      expect(await page.getByRole('link', { name: account.hiddenLead, exact: true }).count()).toBe(0);
      await screenshot(page, 'account-matched-leads');
      await page.close();
    });

    it('fits the matched leads of a busy account in a 1,024 px window, one line a lead, re-route beside its row', async () => {
      const account = await accountWithManyMatchedLeads();
      const page = await open(`/preview/account/${account.id}`, ava);
      await page.setViewportSize({ width: 1024, height: 768 });
      const panel = page.locator('c-matched-leads');
      const rows = panel.locator('tr.lead');
      await eventually(() => rows.count()).toBe(25);

      // Compact: nothing wider than the window, one line a lead, every header whole.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
      const heights = await rows.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height));
      expect(Math.max(...heights)).toBeLessThanOrEqual(40);
      const cutHeaders = await panel
        .locator('thead .header-label')
        .evaluateAll((spans) =>
          spans.filter((s) => s.scrollWidth > s.clientWidth + 1).map((s) => s.textContent),
        );
      expect(cutHeaders).toEqual([]);

      // Why it matched: short on the row, the matcher's words one click away.
      const firstWhy = rows.first().locator('button.why');
      expect(await firstWhy.textContent()).toMatch(/^\s*Email domain\s*$/);
      await firstWhy.click();
      await eventually(() => panel.locator('tr.reason-row').textContent()).toMatch(
        /email domain .* website domain/,
      );
      await firstWhy.click();
      await eventually(() => panel.locator('tr.reason-row').count()).toBe(0);

      // Re-route only where the re-route flow would: MQLs.
      const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[3]!.textContent!.trim()));
      const buttons = await rows.evaluateAll((trs) =>
        trs.map((tr) => tr.querySelector('button.reroute') !== null),
      );
      expect(statuses.filter((s) => s !== 'MQL').length).toBeGreaterThan(0);
      expect(buttons).toEqual(statuses.map((s) => s === 'MQL'));

      // Row 20 or the last MQL after it: its confirmation opens under it, in view, with focus in it.
      const index = statuses.findIndex((s, i) => i >= 19 && s === 'MQL');
      expect(index).toBeGreaterThanOrEqual(19);
      const row = rows.nth(index);
      const name = (await row.locator('th').textContent())!.trim();
      await row.getByRole('button', { name: `Re-route ${name}` }).click();
      const question = page.getByRole('heading', { name: `Re-route ${name}?` });
      await eventually(() => question.count()).toBe(1);
      const rowBox = (await row.boundingBox())!;
      const questionBox = (await question.boundingBox())!;
      expect(questionBox.y).toBeGreaterThan(rowBox.y + rowBox.height - 1);
      expect(questionBox.y - (rowBox.y + rowBox.height)).toBeLessThan(40);
      expect(questionBox.y).toBeGreaterThanOrEqual(0);
      expect(questionBox.y + questionBox.height).toBeLessThanOrEqual(768);
      await eventually(() => activeChain(page)).toMatch(/h2\.question/);
      await page.screenshot({ path: `${SCREENSHOTS}/e2e-account-1024-reroute.png` });

      // Escape closes it and gives focus back to the row's button; then re-route for real.
      await page.keyboard.press('Escape');
      await eventually(() => question.count()).toBe(0);
      await eventually(() => activeChain(page)).toMatch(/button\.reroute/);
      await row.getByRole('button', { name: `Re-route ${name}` }).click();
      await page.getByRole('button', { name: 'Re-route', exact: true }).click();
      const outcome = page
        .getByRole('status')
        .or(page.getByRole('alert'))
        .filter({ hasText: /Re-routed to|stays the owner|converted|was not re-routed/ });
      await eventually(() => outcome.count()).toBeGreaterThan(0);
      await screenshot(page, 'account-after-inline-reroute');
      await page.close();
    });

    it('searches the matched leads by company, and opens a lead through Lightning navigation', async () => {
      const account = await accountWithManyMatchedLeads();
      const page = await open(`/preview/account/${account.id}`, ava);
      const rows = page.locator('c-matched-leads tr.lead');
      await eventually(() => rows.count()).toBe(25);
      await page.getByPlaceholder(/Search by name, company/).fill(account.otherCompany);
      await page.getByPlaceholder(/Search by name, company/).press('Enter');
      await eventually(() => rows.count()).toBe(account.otherCompanyLeads);
      const tips = await rows
        .locator('th div')
        .evaluateAll((divs) => divs.map((d) => d.getAttribute('title')));
      expect(tips.every((tip) => tip!.endsWith(`· ${account.otherCompany}`))).toBe(true);
      await screenshot(page, 'account-search-company');

      const first = rows.first().locator('th a');
      const name = (await first.textContent())!.trim();
      await first.click();
      await page.waitForURL(/\/preview\/lead\//);
      expect(new URL(page.url()).searchParams.get('as')).toBe(ava);
      await eventually(() => highlight(page, 'Company').textContent()).toBe(account.otherCompany);
      expect(await page.getByRole('heading', { name }).count()).toBeGreaterThan(0);
      await page.close();
    });

    it('re-routes a lead from its page: new owner in the header, a toast, one more decision in the history', async () => {
      const lead = scenario('reroute-eligible').lead;
      const page = await open(`/preview/lead/${lead.Id}`, ava);

      await eventually(() => highlight(page, 'Lead Owner').textContent()).toBe('Ava Patel');
      await eventually(() => page.getByRole('img', { name: /^Partner status: / }).count()).toBe(1);
      await expect
        .poll(() => page.getByText(/has not been routed yet|Re-routed by|New lead/).count())
        .toBeGreaterThan(0);
      const before = await decisions(page).count();
      await screenshot(page, 'lead-before-reroute');

      await page.getByRole('button', { name: 'Re-route' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(/Why are you re-routing/).fill('Country fixed to GB');
      await dialog.getByRole('button', { name: 'Re-route', exact: true }).click();

      const toast = page.getByRole('status').filter({ hasText: 'Re-routed to' });
      await eventually(() => toast.count()).toBe(1);
      const newOwner = (await toast.locator('h2').textContent())!.replace('Re-routed to ', '').trim();
      expect(newOwner).not.toBe('Ava Patel');
      expect(newOwner.length).toBeGreaterThan(0);
      await eventually(() => dialog.count()).toBe(0);
      await eventually(() => highlight(page, 'Lead Owner').textContent()).toBe(newOwner);
      await eventually(() => decisions(page).count()).toBe(before + 1);
      await eventually(() => page.getByText('Re-routed by Ava Patel').count()).toBeGreaterThan(0);
      const newest = decisions(page).first();
      expect(await newest.getByText('Reason: Country fixed to GB').count()).toBe(1);
      expect(await newest.getByText(`Owner: Ava Patel → ${newOwner}`).count()).toBe(1);
      // Why, in plain words: the steps that decided, no API names; every step one click away.
      const steps = newest.locator('li.step');
      const plain = await steps.allTextContents();
      expect(plain.length).toBeGreaterThan(0);
      expect(plain.join('\n')).not.toMatch(/__c|no branch applies|\blead\.[A-Z]/);
      expect(plain.join('\n')).toContain(newOwner);
      await newest.getByRole('button', { name: 'Show every step (for admins)' }).click();
      await eventually(() => steps.count()).toBeGreaterThan(plain.length);
      expect((await steps.allTextContents()).join('\n')).toMatch(/no branch applies/);
      await screenshot(page, 'lead-after-reroute');
      await page.close();
    });

    it('says why a lead may not be re-routed and leaves its owner alone', async () => {
      const lead = scenario('reroute-high-priority').lead;
      const page = await open(`/preview/lead/${lead.Id}`, ava);
      await eventually(() => highlight(page, 'Lead Owner').textContent()).toBe('Ben Carter');

      await page.getByRole('button', { name: 'Re-route' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Re-route', exact: true }).click();

      const refusal = dialog.getByRole('alert');
      await eventually(() => refusal.count()).toBe(1);
      const words = (await refusal.textContent()) ?? '';
      expect(words).toContain('The lead was not re-routed');
      expect(words).toMatch(/high.priority/i);
      expect(words).not.toMatch(/[{}]/);
      // Asking again could only be refused again.
      expect(await dialog.getByRole('button', { name: 'Re-route', exact: true }).isDisabled()).toBe(true);
      // The history shows the refusal at once, as a refusal, without a reload.
      const newest = decisions(page).first();
      await eventually(() => newest.getByText('Refused: the lead was not re-routed').count()).toBeGreaterThan(
        0,
      );
      expect(await newest.getByText('Applied').count()).toBe(0);
      expect(await newest.getByText('Re-routed by Ava Patel').count()).toBe(1);
      expect(await newest.getByText('Owner: Ben Carter, unchanged').count()).toBe(1);
      await screenshot(page, 'lead-refused');
      await dialog.getByRole('button', { name: 'Close', exact: true }).click();
      await eventually(() => dialog.count()).toBe(0);
      expect(await highlight(page, 'Lead Owner').textContent()).toBe('Ben Carter');
      await screenshot(page, 'lead-refused-history');
      await page.close();
    });

    it('states the re-route rules before the click, in the words of the re-route flow', async () => {
      const lead = scenario('reroute-eligible').lead;
      const page = await open(`/preview/lead/${lead.Id}`, ava);
      await eventually(() => page.getByRole('img', { name: /^Partner status: / }).count()).toBe(1);
      await page.getByRole('button', { name: 'Re-route' }).click();
      const rules = page.getByRole('dialog').getByRole('list').getByRole('listitem');
      await eventually(() => rules.allTextContents()).toEqual([
        'The lead is not an MQL. Only MQLs are re-routed.',
        'The lead is high priority. High-priority leads are not re-routed.',
        'The matched account is marked Actively Working by its BDR.',
        'In APJ, a BDR is assigned to the matched account.',
      ]);
      expect(await page.getByRole('dialog').textContent()).toContain('stays with its current owner');
      await screenshot(page, 'lead-reroute-rules');
      await page.close();
    });

    it('shows a lead the partner declined as declined, never as qualifying', async () => {
      // As Impartner leaves a lead the partner turned down: the share declined, the status still Qualifying.
      const lead = scenario('partner-event').lead;
      await companion.org.updateLeadsAsUser([
        {
          id: lead.Id,
          fields: { Partner_Share_Status__c: 'Declined', Partner_Lead_Status__c: 'Qualifying' },
        },
      ]);
      const page = await open(`/preview/lead/${lead.Id}`, ava);
      const badge = page.getByRole('img', { name: 'Partner status: Declined by partner' });
      await eventually(() => badge.count()).toBe(1);
      await badge.focus();
      const tooltip = page.getByRole('tooltip');
      await eventually(() => tooltip.textContent()).toContain('declined the lead; our own team works it.');
      expect(await tooltip.textContent()).toContain('Partner share status: Declined');
      expect(await page.getByText('Qualifying', { exact: true }).count()).toBe(0);
      await screenshot(page, 'lead-partner-declined');
      await page.close();
    });

    it('does not let a rep without the re-route permission re-route, and says whom to ask', async () => {
      const lead = scenario('reroute-not-mql').lead;
      const page = await open(`/preview/lead/${lead.Id}`, ava);
      await eventually(() => highlight(page, 'Lead Owner').textContent()).toBe('Ben Carter');
      await page.getByLabel('Act as').selectOption(noah);
      await page.waitForURL((url) => url.searchParams.get('as') === noah);
      await eventually(() => highlight(page, 'Lead Owner').textContent()).toBe('Ben Carter');

      await page.getByRole('button', { name: 'Re-route' }).click();
      const dialog = page.getByRole('dialog');
      await eventually(() => dialog.getByText(/You can't re-route leads/).count()).toBe(1);
      expect(await dialog.getByRole('button', { name: 'Re-route', exact: true }).count()).toBe(0);
      await screenshot(page, 'lead-no-permission');
      await page.close();
    });

    // An SDR works every lead (the demo org's sharing), so the whole demo org is there to search.
    it('finds a record from the search box and opens its page as the chosen user', async () => {
      const page = await open('/preview/', ava);
      await eventually(() => page.getByRole('link', { name: 'Olga Ivanova' }).count()).toBe(1);
      await eventually(() => page.getByLabel('Act as').inputValue()).toBe(ava);
      const matched = page.getByRole('list', { name: 'Accounts with matched leads' }).getByRole('link');
      await eventually(() => matched.count()).toBeGreaterThan(0);

      await page.getByPlaceholder(/Search leads and accounts/).fill('Meridian');
      const result = page
        .getByRole('list', { name: 'Matching leads' })
        .getByRole('link', { name: 'Victor Cruz' });
      await eventually(() => result.count()).toBe(1);
      await screenshot(page, 'search');
      await result.click();
      await page.waitForURL(/\/preview\/lead\//);
      await eventually(() => highlight(page, 'Company').textContent()).toBe('Meridian Bank');
      expect(new URL(page.url()).searchParams.get('as')).toBe(ava);
      await page.close();
    });

    it('offers each lead to try the routing that shows its rule, and says in the row what it did', async () => {
      const page = await open('/preview/', ava);
      const table = page.getByRole('table', { name: 'Leads to try' });
      await eventually(() => table.getByRole('row').count()).toBeGreaterThan(20);
      // Priya Nair's rule is inbound: the partner-sponsored event sends her to the Partner Queue.
      await table.getByRole('button', { name: 'Route as new Priya Nair' }).click();
      const priya = table.getByRole('row').filter({ hasText: 'Priya Nair' });
      await eventually(() => priya.locator('.outcome').textContent()).toMatch(/^Partner Queue \(queue\): /);
      // Victor Cruz's rule is a refused re-route: the refusal is the answer.
      await table.getByRole('button', { name: 'Re-route Victor Cruz' }).click();
      const victor = table.getByRole('row').filter({ hasText: 'Victor Cruz' });
      await eventually(() => victor.locator('.outcome').textContent()).toMatch(/high-priority lead/);
      // Leo Grant is context for Ivy Chen: no action, and it says why.
      const leo = table.getByRole('row').filter({ hasText: 'Leo Grant' });
      expect(await leo.getByRole('button').count()).toBe(0);
      expect(await leo.textContent()).toContain('Ivy Chen');
      await screenshot(page, 'start-leads-to-try');
      await page.close();
    });

    // Distribute Lead, "Hopper and Assign To": the lead waits in the Hopper, its account's owner named.
    it('routes a lead of no country we know into the Hopper, and its page says so with the named owner', async () => {
      const dana = scenario('blueprint-hopper').lead;
      const start = await open('/preview/', ava);
      const table = start.getByRole('table', { name: 'Leads to try' });
      await table.getByRole('button', { name: 'Route as new Dana Wells' }).click();
      const row = table.getByRole('row').filter({ hasText: 'Dana Wells' });
      await eventually(() => row.locator('.outcome').textContent()).toMatch(
        /In the Hopper, with Olivia Martin named as owner/,
      );
      await start.close();

      const page = await open(`/preview/lead/${dana.Id}`, ava);
      await eventually(() => highlight(page, 'Lead Owner').textContent()).toBe('Olivia Martin');
      await eventually(() => decisions(page).first().textContent()).toMatch(
        /In the Hopper, with Olivia Martin named as owner/,
      );
      await screenshot(page, 'lead-in-hopper');
      await page.close();
    });

    it('walks the search results with the arrow keys and opens one with Enter', async () => {
      const page = await open('/preview/', ava);
      const box = page.getByPlaceholder(/Search leads and accounts/);
      await box.fill('Meridian');
      const leads = page.getByRole('list', { name: 'Matching leads' }).getByRole('link');
      const accounts = page.getByRole('list', { name: 'Matching accounts' }).getByRole('link');
      await eventually(() => leads.count()).toBeGreaterThan(0);
      await eventually(() => accounts.count()).toBeGreaterThan(0);
      const focused = () =>
        page.evaluate(() => {
          let node: Element | null = document.activeElement;
          while (node?.shadowRoot?.activeElement) node = node.shadowRoot.activeElement;
          return `${node?.tagName.toLowerCase()} ${node?.textContent?.trim() ?? ''}`;
        });
      await box.press('ArrowDown');
      expect(await focused()).toBe(`a ${(await leads.first().textContent())!.trim()}`);
      const total = (await leads.count()) + (await accounts.count());
      for (let i = 1; i < total; i += 1) await page.keyboard.press('ArrowDown');
      expect(await focused()).toBe(`a ${(await accounts.last().textContent())!.trim()}`);
      // Past the last result focus stays; up walks back, and past the first returns to the box.
      await page.keyboard.press('ArrowDown');
      expect(await focused()).toBe(`a ${(await accounts.last().textContent())!.trim()}`);
      for (let i = 1; i < total; i += 1) await page.keyboard.press('ArrowUp');
      expect(await focused()).toBe(`a ${(await leads.first().textContent())!.trim()}`);
      await page.keyboard.press('ArrowUp');
      expect(await focused()).toBe('input ');
      await screenshot(page, 'search-keyboard');

      // Enter from the box opens the first result; Enter on a result opens that one.
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      const second = (await focused()).slice(2);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/preview\/(lead|account)\//);
      await eventually(() => page.getByRole('heading', { name: second }).count()).toBeGreaterThan(0);
      await page.goto(`${companion.url}/preview/?as=${ava}`);
      await page.getByPlaceholder(/Search leads and accounts/).fill('Meridian');
      await eventually(() => leads.count()).toBeGreaterThan(0);
      const first = (await leads.first().textContent())!.trim();
      await page.getByPlaceholder(/Search leads and accounts/).press('Enter');
      await page.waitForURL(/\/preview\/lead\//);
      await eventually(() => page.getByRole('heading', { name: first }).count()).toBeGreaterThan(0);
      await page.close();
    });

    it('keeps focus in the re-route dialog, closes it on Escape and gives focus back to Re-route', async () => {
      const lead = scenario('reroute-eligible').lead;
      const page = await open(`/preview/lead/${lead.Id}`, noah);
      await eventually(() => highlight(page, 'Lead Owner').textContent()).not.toBe('');
      const action = page.getByRole('button', { name: 'Re-route', exact: true });
      await action.click();
      const dialog = page.getByRole('dialog');
      await eventually(() => dialog.count()).toBe(1);
      // Focus inside shadow roots: each level's active element, outermost first.
      const focusChain = () =>
        page.evaluate(() => {
          const chain: string[] = [];
          let node: Element | null = document.activeElement;
          while (node) {
            const inside = node.closest('[role="dialog"]') ? '{dialog}' : '';
            chain.push(`${node.tagName.toLowerCase()}.${[...node.classList].join('.')}${inside}`);
            node = node.shadowRoot?.activeElement ?? null;
          }
          return chain.join(' > ');
        });
      const inDialog = async () => (await focusChain()).includes('{dialog}');
      await eventually(inDialog).toBe(true);
      for (let i = 0; i < 8; i += 1) {
        await page.keyboard.press('Tab');
        expect(await inDialog()).toBe(true);
      }
      await page.keyboard.press('Shift+Tab');
      expect(await inDialog()).toBe(true);
      await page.keyboard.press('Escape');
      await eventually(() => dialog.count()).toBe(0);
      await eventually(focusChain).toMatch(/reroute-action/);
      await page.close();
    });

    it('has no serious accessibility violation on the start, lead and account pages (axe)', async () => {
      const lead = scenario('reroute-eligible').lead;
      const account = await accountWithMatchedLeads();
      for (const [name, path] of [
        ['start', '/preview/'],
        ['lead', `/preview/lead/${lead.Id}`],
        ['account', `/preview/account/${account.id}`],
      ] as const) {
        const page = await open(path, noah);
        await page.waitForLoadState('networkidle');
        expect(await seriousViolations(page), `${name} page`).toEqual([]);
        await page.close();
      }
    });

    it('tells an open tab to reload the page when the companion restarted with another key', async () => {
      const lead = scenario('reroute-eligible').lead;
      const page = await open(`/preview/lead/${lead.Id}`, ava);
      await eventually(() => highlight(page, 'Lead Owner').textContent()).not.toBe('');
      // As after a restart: the key written into this page is no longer the companion's.
      await page.route('**/v1/**', (route) =>
        route.fulfill({
          status: 401,
          contentType: 'application/json',
          body: JSON.stringify({
            error: { code: 'UNAUTHENTICATED', message: 'The API key is not valid.', action: 'Use the key…' },
          }),
        }),
      );
      await page.getByRole('button', { name: 'Refresh routing history' }).click();
      const problem = page.getByRole('alert');
      await eventually(() => problem.allTextContents()).toContainEqual(
        expect.stringMatching(/Reload the page/),
      );
      expect((await problem.allTextContents()).join(' ')).not.toMatch(/API key is not valid/);
      await screenshot(page, 'lead-after-restart');
      await page.close();
    });

    it('explains an address it cannot show instead of a blank page', async () => {
      const page = await open('/preview/lead/hello', ava);
      const problem = page.getByRole('alert');
      await eventually(() => problem.count()).toBe(1);
      expect(await problem.textContent()).toMatch(
        /"hello" is not a lead Id.*Search for a lead or an account/s,
      );

      await page.goto(`${companion.url}/preview/account/001SY0009999999YAA?as=${ava}`);
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toMatch(/This account could not be opened/);
      expect(await page.getByRole('alert').textContent()).toContain('001SY0009999999YAA');
      await screenshot(page, 'missing-account');
      await page.close();
    });

    it(
      'bound to every interface (HOST=0.0.0.0), never serves the key to an anonymous browser and asks for it once',
      { timeout: 120_000 },
      async () => {
        const open = await startCompanion({ host: '0.0.0.0' });
        const page = await browser.newPage();
        try {
          const lead = scenario('reroute-eligible').lead;
          // Every page a stranger could ask for, the not-found pages included, comes without the key.
          for (const path of [
            '/preview/',
            `/preview/lead/${lead.Id}`,
            '/preview/no-such-page',
            '/preview/lead/hello',
          ]) {
            const html = await (await fetch(`${open.url}${path}`)).text();
            expect(html).toContain('switchyard-preview-data');
            expect(html).not.toContain(open.apiKey);
          }
          await page.goto(`${open.url}/preview/lead/${lead.Id}`);
          await expect
            .poll(() => page.getByRole('heading', { name: 'Connect to the companion' }).count())
            .toBe(1);
          expect(await page.content()).not.toContain(open.apiKey);
          await screenshot(page, 'open-host-connect');

          // Typed once, the key is kept for the tab: the record pages work, and still no page carries it.
          await page.getByLabel('API key').fill(open.apiKey);
          await page.getByRole('button', { name: 'Connect' }).click();
          await eventually(() => highlight(page, 'Company').textContent()).toBe('Soylent Foods');
          await page.goto(`${open.url}/preview/lead/${lead.Id}`);
          await eventually(() => highlight(page, 'Company').textContent()).toBe('Soylent Foods');
          expect(await page.content()).not.toContain(open.apiKey);
          await screenshot(page, 'open-host-connected');
        } finally {
          await page.close();
          await open.close();
        }
      },
    );

    it(
      'beside a Salesforce org, says why there is no preview instead of pages whose every call would be refused',
      {
        timeout: 120_000,
      },
      async () => {
        const beside = await startCompanion({ previewMode: 'salesforce' });
        const page = await browser.newPage();
        try {
          const lead = scenario('reroute-eligible').lead;
          await page.goto(`${beside.url}/preview/lead/${lead.Id}`);
          expect(
            await page.getByRole('heading', { name: 'No preview beside a Salesforce org' }).count(),
          ).toBe(1);
          expect(await page.getByRole('status').textContent()).toMatch(
            /Apex controller signs[\s\S]*components in Salesforce[\s\S]*local mode/,
          );
          expect(await page.content()).not.toContain(beside.apiKey);
          expect(await page.getByRole('heading', { name: 'Connect to the companion' }).count()).toBe(0);
          await screenshot(page, 'salesforce-mode-notice');
        } finally {
          await page.close();
          await beside.close();
        }
      },
    );

    const headersAs = (user: string) => ({
      authorization: `Bearer ${companion.apiKey}`,
      'x-switchyard-user': user,
    });
    type MatchedPage = {
      total: number;
      items: Array<{ name: string; email: string | null; matchReason: string }>;
    };
    const matchedAs = async (accountId: string, user: string) =>
      (await (
        await fetch(`${companion.url}/v1/accounts/${accountId}/matched-leads?limit=25`, {
          headers: headersAs(user),
        })
      ).json()) as MatchedPage;
    const accountsWithMatches = async () =>
      (
        (await (
          await fetch(`${companion.url}/v1/accounts?limit=50`, { headers: headersAs(ava) })
        ).json()) as {
          items: Array<{ id: string; name: string }>;
        }
      ).items;

    /** The nth account (from 0) the demo org has matched leads for, as an SDR (who sees every lead) reads it. */
    async function accountWithMatchedLeads(nth = 0) {
      let skip = nth;
      for (const account of await accountsWithMatches()) {
        const page = await matchedAs(account.id, ava);
        const first = page.items[0];
        if (first && skip-- === 0) {
          return { id: account.id, total: page.total, firstLead: first.name, firstReason: first.matchReason };
        }
      }
      throw new Error('The demo org has no account with matched leads.');
    }

    let crowded: Promise<{ id: string; otherCompany: string; otherCompanyLeads: number }> | undefined;
    /**
     * A prospect account with 30 more matched leads, as a busy account has: inbound leads from its email
     * domain (some not MQLs), a third of them naming a subsidiary as their company. Made once.
     */
    function accountWithManyMatchedLeads() {
      crowded ??= (async () => {
        const accounts = (
          (await (
            await fetch(`${companion.url}/v1/accounts?limit=50`, { headers: headersAs(ava) })
          ).json()) as {
            items: Array<{ id: string; name: string; type: string | null; website: string | null }>;
          }
        ).items;
        const account = accounts.find((a) => a.type === 'Prospect' && a.website)!;
        const domain = new URL(
          account.website!.startsWith('http') ? account.website! : `https://${account.website}`,
        ).hostname.replace(/^www\./, '');
        const otherCompany = 'Harbour Signal Works';
        let otherCompanyLeads = 0;
        for (let i = 0; i < 30; i += 1) {
          const subsidiary = i % 3 === 0;
          if (subsidiary) otherCompanyLeads += 1;
          const lead = await companion.org.insertLead({
            fields: {
              FirstName: `Test${i}`,
              LastName: `Busy${String.fromCharCode(65 + (i % 26))}`,
              Email: `test${i}.busy@${domain}`,
              Company: subsidiary ? otherCompany : account.name,
              Title: i % 2 ? 'Head of Platform Engineering' : 'CTO',
              Country: 'US',
              LeadSource: 'Website',
              Status: i % 4 ? 'MQL' : 'Inquiry',
            },
          });
          await companion.routing.route({ leadId: lead.Id, trigger: { kind: 'created' } });
        }
        return { id: account.id, otherCompany, otherCompanyLeads };
      })();
      return crowded;
    }

    /**
     * An account where a BDR (who reaches only the leads he owns and the Partner Queue's, in the demo org's
     * private lead sharing) sees some of the matched leads but not all.
     */
    async function accountASellerSeesPartly() {
      const reps = ['Kara Lopez', 'Liam Walsh', 'Mei Chen'].map(demoUser);
      for (const account of await accountsWithMatches()) {
        const all = await matchedAs(account.id, ava);
        for (const seller of reps) {
          const seen = await matchedAs(account.id, seller);
          const first = seen.items[0];
          const hidden = all.items.find((i) => !seen.items.some((s) => s.name === i.name));
          if (!first || !hidden || seen.total >= all.total) continue;
          return {
            seller,
            id: account.id,
            all: all.total,
            seen: seen.total,
            firstLead: first.name,
            firstReason: first.matchReason,
            hiddenLead: hidden.name,
          };
        }
      }
      throw new Error('The demo org has no account whose matched leads a BDR sees only in part.');
    }
  },
);
