import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/crm/local/demo-people.js';
import { startApi, type TestApi } from '../http/api-fixture.js';
import { runCli } from './run-cli.js';

const cli = (args: string[], url: string) => runCli(args, { SWITCHYARD_URL: url });

describe(
  'npm run cli -- flows list|show|history and the set commands under flows',
  { timeout: 200_000 },
  () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startApi({ user: DEMO.admin });
    }, 120_000);
    afterAll(() => api.close());

    it('lists the live flows with their triggers, shows one as stored, and names its versions', async () => {
      const list = await cli(['flows', 'list'], api.url);
      expect(list.status, list.stderr).toBe(0);
      expect(list.stdout).toContain('Live flows of version 1:');
      expect(list.stdout).toMatch(/ {2}reroute +reroute\.flow\.yaml +reroute, updated\n/);
      expect(list.stdout).toMatch(
        /leandata-blueprint +leandata-blueprint\.flow\.yaml +created, campaign-member, updated, inactive-owner/,
      );

      const show = await cli(['flows', 'show', 'reroute'], api.url);
      expect(show.status).toBe(0);
      expect(show.stdout).toMatch(/^# [\s\S]*\nflow: reroute\n/);
      const missing = await cli(['flows', 'show', 'nope'], api.url);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain(
        'Version 1 has no flow named nope: it has leandata-blueprint, partner-routing, reroute, scheduled-clean-up.',
      );

      const history = await cli(['flows', 'history', 'reroute'], api.url);
      expect(history.status, history.stderr).toBe(0);
      expect(history.stdout).toMatch(/ {3}1 {2}\S+ {2}first-start by Switchyard/);
    });

    it('runs validate under flows as the command itself', async () => {
      const validate = await cli(['flows', 'validate'], api.url);
      expect(validate.status).toBe(0);
      expect(validate.stdout).toMatch(/flows, \d+ pools and \d+ territory tables are valid\./);
      const unknown = await cli(['flows', 'frobnicate'], api.url);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toContain("Unknown flows command 'frobnicate'.");
    });
  },
);
