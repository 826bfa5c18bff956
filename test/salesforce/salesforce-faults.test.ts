import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../companion/src/config.js';
import { defaultAudience } from '../../companion/src/crm/salesforce/salesforce-auth.js';
import { createSalesforceCrm } from '../../companion/src/crm/salesforce/salesforce.factory.js';
import { SHORT_TIMEOUT, seedLeads, seedUser, startHarness, type Harness } from './salesforce.fixture.js';
import { SalesforceStandIn } from './stand-in/stand-in.server.js';

let h: Harness | undefined;
let bare: SalesforceStandIn | undefined;
afterEach(async () => {
  await h?.standIn.close();
  await bare?.close();
  h = bare = undefined;
});

async function firstPage<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  for await (const page of it) return page;
  return [];
}

describe('Salesforce adapter: sessions', () => {
  it('gets one new token when the session expires and carries on', async () => {
    h = await startHarness();
    h.standIn.org.insert('Account', { Name: 'Acme' }, true);
    h.standIn.expireTokens();
    expect(await firstPage(h.crm.streamAccounts())).toHaveLength(1);
    expect(h.standIn.calls()).toEqual({ query: 2, token: 1 });
    expect(h.auth.tokensIssued).toBe(2);
  });

  it('refreshes an expired session for SOAP conversion too', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    const [leadId] = seedLeads(h.standIn, 1, owner) as [string];
    await h.crm.getLeadContexts([leadId]);
    h.standIn.resetCounts();
    // Expire between the IsConverted read and the SOAP call.
    h.standIn.faults.timeouts = [];
    const original = h.standIn.org.run.bind(h.standIn.org);
    h.standIn.org.run = (soql, all) => {
      const result = original(soql, all);
      if (soql.includes('IsConverted, ConvertedContactId')) h!.standIn.expireTokens();
      return result;
    };
    const [result] = await h.crm.convertLeads([
      { leadId, accountId: account, ownerId: owner, createOpportunity: false },
    ]);
    expect(result).toMatchObject({ id: leadId, ok: true });
    expect(h.standIn.calls()).toMatchObject({ soap: 2, token: 1 });
  });

  it('stops after one refused refresh with a clear SF_AUTH_FAILED error instead of looping', async () => {
    h = await startHarness();
    h.standIn.expireTokens();
    h.standIn.faults.issueDeadTokens = true;
    const err = await firstPage(h.crm.streamAccounts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_AUTH_FAILED' });
    expect((err as Error).message).toMatch(/connected app/);
    expect((err as Error).message).toMatch(/pre-authorised/);
    expect(h.standIn.calls()).toEqual({ query: 2, token: 1 });
  });

  it('logs in with the key SF_PRIVATE_KEY_FILE names', async () => {
    bare = await SalesforceStandIn.start();
    const dir = mkdtempSync(join(tmpdir(), 'sf-key-'));
    const file = join(dir, 'switchyard.key');
    writeFileSync(file, bare.privateKeyPem);
    try {
      const config = loadConfig(
        {
          SWITCHYARD_MODE: 'salesforce',
          SWITCHYARD_API_KEY: 'a-key-of-sixteen-or-more',
          SF_LOGIN_URL: bare.url,
          SF_CLIENT_ID: bare.clientId,
          SF_USERNAME: bare.username,
          SF_PRIVATE_KEY_FILE: file,
        },
        // Logging in is all this checks: no requests are served, so no org certificate is asked for.
        { serving: false },
      );
      const { auth } = await createSalesforceCrm(config.salesforce!);
      expect(auth.orgId).toBe(bare.orgId);
      expect(auth.userId).toBe(bare.integrationUserId);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signs for the login host Salesforce expects as audience', () => {
    expect(defaultAudience('https://login.salesforce.com')).toBe('https://login.salesforce.com');
    expect(defaultAudience('https://acme.my.salesforce.com')).toBe('https://login.salesforce.com');
    expect(defaultAudience('https://acme--uat.sandbox.my.salesforce.com')).toBe(
      'https://test.salesforce.com',
    );
    expect(defaultAudience('https://test.salesforce.com/')).toBe('https://test.salesforce.com');
  });

  it('reports a refused login with what to check', async () => {
    bare = await SalesforceStandIn.start();
    bare.faults.refuseLogins = "user hasn't approved this consumer";
    const err = await createSalesforceCrm({
      loginUrl: bare.url,
      clientId: bare.clientId,
      username: bare.username,
      privateKey: bare.privateKeyPem,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_AUTH_FAILED' });
    expect((err as Error).message).toContain("invalid_grant: user hasn't approved this consumer");
    expect((err as Error).message).toContain('certificate');
  });

  it('asks for a token again when the login host closed the connection before answering', async () => {
    bare = await SalesforceStandIn.start();
    bare.faults.resets.push('token');
    const crm = await createSalesforceCrm({
      loginUrl: bare.url,
      clientId: bare.clientId,
      username: bare.username,
      privateKey: bare.privateKeyPem,
    });
    expect(crm.auth.orgId).not.toBe('');
    expect(bare.calls()['token']).toBe(2);
  });

  it('is refused when the key does not match the connected app certificate', async () => {
    bare = await SalesforceStandIn.start();
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const err = await createSalesforceCrm({
      loginUrl: bare.url,
      clientId: bare.clientId,
      username: bare.username,
      privateKey: other.toString(),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_AUTH_FAILED' });
    expect((err as Error).message).toContain('invalid assertion');
  });
});

describe('Salesforce adapter: limits and budget', () => {
  it('pauses after REQUEST_LIMIT_EXCEEDED, shows it in health, and resumes after the pause', async () => {
    h = await startHarness({ policy: { limitPauseMs: 60_000 } });
    h.standIn.org.insert('Account', { Name: 'Acme' }, true);
    h.standIn.faults.requestLimit = 1;
    await expect(firstPage(h.crm.streamAccounts())).rejects.toMatchObject({ code: 'SF_REQUEST_LIMIT' });
    const health = h.crm.health();
    expect(health.limited).toBe(true);
    // 60 s with up to 20% jitter (random is 0.5 in tests → 66 s).
    expect(health.until).toBe('2026-11-22T10:01:06.000Z');

    // While paused, no call reaches Salesforce.
    await expect(firstPage(h.crm.streamAccounts())).rejects.toMatchObject({ code: 'SF_REQUEST_LIMIT' });
    expect(h.standIn.calls()).toEqual({ query: 1 });

    h.clock.now += 66_001;
    expect(h.crm.health().limited).toBe(false);
    expect(await firstPage(h.crm.streamAccounts())).toHaveLength(1);
  });

  it('doubles the pause while the limit persists', async () => {
    h = await startHarness({ policy: { limitPauseMs: 1_000, random: () => 0 } });
    h.standIn.faults.requestLimit = 2;
    await expect(firstPage(h.crm.streamAccounts())).rejects.toMatchObject({ code: 'SF_REQUEST_LIMIT' });
    h.clock.now += 1_000;
    await expect(firstPage(h.crm.streamAccounts())).rejects.toMatchObject({ code: 'SF_REQUEST_LIMIT' });
    expect(h.crm.health().until).toBe(new Date(h.clock.now + 2_000).toISOString());
  });

  it('turns a limit hit during updates into retryable per-record results', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const ids = seedLeads(h.standIn, 2, owner);
    h.standIn.faults.requestLimit = 1;
    const results = await h.crm.updateLeads(ids.map((id) => ({ id, fields: { Status: 'Working' } })));
    expect(results.map((r) => !r.ok && r.code)).toEqual(['SF_REQUEST_LIMIT', 'SF_REQUEST_LIMIT']);
    expect(results.every((r) => !r.ok && r.retryable)).toBe(true);
  });

  it('counts calls per kind and stops at its share of the org’s daily limit', async () => {
    h = await startHarness({ dailyApiMax: 10, policy: { budgetShare: 0.5 } });
    expect(h.crm.health()).toMatchObject({ limited: false, budget: 5, apiCallsToday: 1 });
    for (let i = 0; i < 4; i++) await firstPage(h.crm.streamAccounts());
    await expect(firstPage(h.crm.streamAccounts())).rejects.toMatchObject({ code: 'SF_BUDGET_EXHAUSTED' });
    expect(h.crm.apiCalls()).toMatchObject({ today: 5, byKind: { limits: 1, query: 4 } });
    expect(h.crm.health().orgApiUsage).toEqual({ used: 5, limit: 10 });

    // A new UTC day brings a new allowance.
    h.clock.now += 24 * 3600 * 1000;
    expect(await firstPage(h.crm.streamAccounts())).toEqual([]);
    expect(h.crm.apiCalls().today).toBe(1);
  });

  it('counts the calls of one piece of work, e.g. one routing decision, and totals them per work', async () => {
    h = await startHarness();
    const owner = seedUser(h.standIn, 'Owner');
    const target = seedUser(h.standIn, 'Target');
    const [a, b] = seedLeads(h.standIn, 2, owner) as [string, string];
    const route = (id: string) =>
      h!.api.meter.track('route', async () => {
        await h!.crm.getLeadContexts([id]);
        return h!.crm.updateLeads([{ id, fields: { OwnerId: target }, expectedOwnerId: owner }]);
      });
    const [first, second] = await Promise.all([route(a), route(b)]);
    expect(first.calls).toBe(3);
    expect(second.calls).toBe(3);
    expect(first.result[0]?.ok).toBe(true);
    await firstPage(h.crm.streamAccounts());
    expect(h.crm.apiCalls().byWork).toEqual({ route: 6 });
  });

  it('retries a read that timed out and fails clearly when it keeps timing out', async () => {
    h = await startHarness(SHORT_TIMEOUT);
    h.standIn.faults.timeouts.push({ endpoint: 'query', afterApply: false });
    expect(await firstPage(h.crm.streamAccounts())).toEqual([]);
    h.standIn.faults.timeouts.push(
      { endpoint: 'query', afterApply: false },
      { endpoint: 'query', afterApply: false },
      { endpoint: 'query', afterApply: false },
    );
    await expect(firstPage(h.crm.streamAccounts())).rejects.toMatchObject({ code: 'SF_TIMEOUT' });
  });

  it('sends a read again when its connection closed before an answer, and not a write', async () => {
    h = await startHarness();
    const [lead] = seedLeads(h.standIn, 1, h.standIn.integrationUserId) as [string];
    h.standIn.faults.resets.push('query');
    h.standIn.resetCounts();
    expect((await h.crm.getLeadContexts([lead])).has(lead)).toBe(true);
    expect(h.standIn.calls()['query']).toBe(2);

    // A conversion is not idempotent: its closed connection is an error, and it is not sent again.
    const account = h.standIn.org.insert('Account', { Name: 'Acme' }, true).Id;
    h.standIn.faults.resets.push('soap');
    const [result] = await h.crm.convertLeads([
      { leadId: lead, accountId: account, ownerId: h.standIn.integrationUserId, createOpportunity: false },
    ]);
    expect(result).toMatchObject({ id: lead, ok: false });
    expect(h.standIn.calls()['soap']).toBe(1);
    expect(h.standIn.org.get('Lead', lead)?.['IsConverted']).toBe(false);
  });
});
