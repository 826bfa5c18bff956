import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallMeter, meteredPort } from '../../src/crm/call-meter.js';
import { demoUserId } from '../../src/crm/local/demo-people.js';
import { API_KEY, startApi, type TestApi } from './api-fixture.js';

// Beside a real org the companion does not take X-Switchyard-User on trust: the Apex controller signs,
// with the org's certificate, a short-lived assertion naming the acting user, and the companion
// verifies it. A caller holding only the shared key cannot act as anyone.

const ORG_ID = '00DSY0000000001AAA';
const ava = demoUserId(1);
const zoe = demoUserId(27); // the demo org's admin

const org = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const certificate = org.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An assertion as Auth.JWS makes it: RS256 over header.claims. */
function assertion(
  claims: Record<string, unknown>,
  key = org.privateKey,
  header: Record<string, unknown> = { alg: 'RS256' },
): string {
  const body = `${b64(header)}.${b64(claims)}`;
  return `${body}.${sign('RSA-SHA256', Buffer.from(body), key).toString('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const claimsFor = (user: string, extra: Record<string, unknown> = {}) => ({
  iss: ORG_ID,
  sub: user,
  aud: 'switchyard-companion',
  iat: now(),
  exp: now() + 120,
  ...extra,
});

let api: TestApi;
let app: Awaited<ReturnType<TestApi['sibling']>>;
const meter = new CallMeter();

beforeAll(async () => {
  api = await startApi();
  app = await api.sibling({
    config: {
      apiKey: API_KEY,
      mode: 'salesforce',
      userAssertion: { orgId: ORG_ID, certificates: [certificate] },
    },
    org: meteredPort(api.org, meter),
  });
});

afterAll(async () => {
  await app?.close();
  await api?.close();
});

const me = (user: string, signed?: string) =>
  app.call('GET', '/v1/me', { user, headers: signed ? { 'x-switchyard-assertion': signed } : {} });

describe('who is asking, beside a real org', () => {
  it('acts for the user the org signed for', async () => {
    const res = await me(ava, assertion(claimsFor(ava)));
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(ava);
  });

  it('refuses a request with the valid key whose user cannot be verified, before asking the org anything', async () => {
    const before = meter.counts().total;
    const cases = {
      'no assertion': await me(zoe),
      'signed by another key': await me(zoe, assertion(claimsFor(zoe), stranger.privateKey)),
      'naming another user than the header': await me(zoe, assertion(claimsFor(ava))),
      'issued by another org': await me(zoe, assertion(claimsFor(zoe, { iss: '00DSY0000000002AAA' }))),
      'for another service': await me(zoe, assertion(claimsFor(zoe, { aud: 'someone-else' }))),
      expired: await me(zoe, assertion(claimsFor(zoe, { iat: now() - 600, exp: now() - 300 }))),
      'living too long': await me(zoe, assertion(claimsFor(zoe, { exp: now() + 86_400 }))),
      'unsigned (alg none)': await me(zoe, assertion(claimsFor(zoe), org.privateKey, { alg: 'none' })),
      'not a JWT': await me(zoe, 'hello'),
    };
    for (const [what, res] of Object.entries(cases)) {
      expect(res.status, what).toBe(401);
      expect(res.body.error.code, what).toBe('UNAUTHENTICATED');
      expect(res.body.error.action, what).toMatch(/Apex controller/);
    }
    expect(meter.counts().total).toBe(before);
  });

  it('takes no assertion in local mode, where the demo users are named as they are', async () => {
    expect((await api.call('GET', '/v1/me', { user: ava })).status).toBe(200);
  });
});
