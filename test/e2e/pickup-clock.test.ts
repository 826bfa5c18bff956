import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_QUEUES } from '../../companion/src/crm/local/demo-people.js';
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
 * The pickup clock (pickupClock) on the preview's Lead page, in a real browser: its owner sees who owns
 * the lead, since when, when it is due and what happens then, and may Accept it or Reject it with a
 * reason (the lead is routed again); others see the clock without the buttons; a lead in a queue says
 * why it has no clock.
 */
const browserMissing = !existsSync(CHROMIUM);

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });

const noah = demoUser('Noah Fischer'); // an AE, not in the AMER SDR pool
const hopper = DEMO_QUEUES.find((q) => q.DeveloperName === 'Hopper')!.Id;

describe.skipIf(browserMissing && process.env.CI !== 'true')(
  'pickup clock in Chromium',
  { timeout: 120_000 },
  () => {
    let companion: Companion;
    let browser: Browser;
    let leads = 0;

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

    /** A new AMER web lead, routed as inbound routing would: the amer-sdr pool gives it an SDR and a clock. */
    async function newAmerLead(): Promise<{ id: string; owner: { id: string; name: string } }> {
      leads += 1;
      const lead = await companion.org.insertLead({
        fields: {
          FirstName: 'Pia',
          LastName: `Clock ${leads}`,
          Company: `Bilby Robotics ${leads}`,
          Email: `pia.${leads}@bilby-robotics-${leads}.example`,
          Country: 'United States',
          State: 'NY',
          LeadSource: 'Web',
        },
      });
      const routed = await companion.routing.route({ leadId: lead.Id, trigger: { kind: 'created' } });
      expect(routed.decision.poolChanges[0]?.pool, routed.decision.summary).toBe('amer-sdr');
      return { id: lead.Id, owner: { id: routed.decision.owner!.id, name: routed.decision.owner!.name! } };
    }

    async function open(leadId: string, actor: string): Promise<Page> {
      const page = await browser.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${companion.url}/preview/lead/${leadId}?as=${actor}`);
      return page;
    }

    const card = (page: Page) => page.locator('c-pickup-clock');
    const ownerInHeader = (page: Page) => page.locator('preview-page-header [data-label="Lead Owner"]');

    it('shows its owner the clock and lets them accept it; the clock then says when and by whom', async () => {
      const lead = await newAmerLead();
      const page = await open(lead.id, lead.owner.id);
      const clock = card(page);
      await eventually(() => clock.locator('.waiting').textContent()).toBe(`Waiting for ${lead.owner.name}`);
      expect(await clock.locator('.owner').textContent()).toBe(lead.owner.name);
      expect(await clock.locator('.policy').textContent()).toBe(
        'AMER SDR leads are taken within a working hour',
      );
      expect(await clock.locator('.next').textContent()).toBe(`${lead.owner.name} gets a reminder.`);
      expect(await clock.locator('.working-time').textContent()).toMatch(
        new RegExp(
          `^45 working minutes in ${lead.owner.name}'s hours: Mon–\u2060Fri, 09:00–17:00 \\(America/`,
        ),
      );
      expect((await clock.locator('.due').textContent())!.length).toBeGreaterThan(0);
      await screenshot(page, 'pickup-clock-owner');
      expect(await seriousViolations(page)).toEqual([]);

      await clock.getByRole('button', { name: 'Accept' }).click();
      await eventually(() => clock.locator('.accepted-title').textContent()).toMatch(
        new RegExp(`^Accepted by ${lead.owner.name} on `),
      );
      expect(await clock.locator('.accepted-how').textContent()).toBe('They pressed Accept.');
      expect(await clock.getByRole('button', { name: 'Accept' }).count()).toBe(0);
      expect(await page.getByRole('status').filter({ hasText: 'You accepted the lead.' }).count()).toBe(1);
      await screenshot(page, 'pickup-clock-accepted');
      await page.close();
    });

    it('shows others the clock without Accept or Reject', async () => {
      const lead = await newAmerLead();
      const page = await open(lead.id, noah);
      const clock = card(page);
      await eventually(() => clock.locator('.owner').textContent()).toBe(lead.owner.name);
      expect(await clock.locator('.next').textContent()).toBe(`${lead.owner.name} gets a reminder.`);
      expect(await clock.getByRole('button').count()).toBe(0);
      await page.close();
    });

    it('lets its owner reject it with a reason: the lead is routed again to the next rep, who now has the clock', async () => {
      const lead = await newAmerLead();
      const page = await open(lead.id, lead.owner.id);
      const clock = card(page);
      await eventually(() => ownerInHeader(page).textContent()).toBe(lead.owner.name);
      await eventually(() => clock.getByRole('button', { name: 'Reject' }).count()).toBe(1);
      await clock.getByRole('button', { name: 'Reject' }).click();
      const confirm = clock.getByRole('button', { name: 'Reject and route again' });
      expect(await confirm.isDisabled()).toBe(true);
      await clock.getByLabel(/Why do you pass it on/).fill('I only work New England accounts');
      await eventually(() => confirm.isDisabled()).toBe(false);
      await screenshot(page, 'pickup-clock-reject-reason');
      expect(await seriousViolations(page)).toEqual([]);
      await confirm.click();

      const toast = page.getByRole('status').filter({ hasText: 'The lead went to' });
      await eventually(() => toast.count()).toBe(1);
      const next = (await toast.locator('h2').textContent())!
        .replace('The lead went to ', '')
        .replace(/\.$/, '');
      expect(next).not.toBe(lead.owner.name);
      await eventually(() => ownerInHeader(page).textContent()).toBe(next);
      await eventually(() => clock.locator('.owner').textContent()).toBe(next);
      // The rejecting rep is not the owner any more: no buttons for them.
      expect(await clock.getByRole('button').count()).toBe(0);
      expect((await companion.org.getLead(lead.id))!.OwnerId).not.toBe(lead.owner.id);
      const newest = page.locator('c-routing-history li.decision').first();
      await eventually(() => newest.getByText('Reason: I only work New England accounts').count()).toBe(1);
      expect(await newest.getByText('Pickup clock', { exact: true }).count()).toBe(1);
      await screenshot(page, 'pickup-clock-rejected');
      await page.close();
    });

    it('says a lead waiting in a queue has no clock, and why', async () => {
      const lead = await companion.org.insertLead({
        fields: { LastName: 'Queued', Company: 'Quoll Freight', Country: 'Germany', OwnerId: hopper },
      });
      const page = await open(lead.Id, noah);
      const clock = card(page);
      await eventually(() => clock.getByText('No pickup clock on this lead').count()).toBe(1);
      expect(await clock.locator('.why').textContent()).toMatch(/^It waits in a queue\./);
      expect(await clock.locator('.due').count()).toBe(0);
      await screenshot(page, 'pickup-clock-none');
      await page.close();
    });
  },
);
