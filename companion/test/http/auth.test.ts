import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrgReadPort } from '../../src/crm/org-read.port.js';
import { DEMO_USERS, demoUserId } from '../../src/crm/local/demo-people.js';
import { ACTOR_TTL_MS, requireActor, UNKNOWN_TTL_MS } from '../../src/http/auth.js';
import { toErrorResponse } from '../../src/http/http.errors.js';

const ava = DEMO_USERS.find((u) => u.Name === 'Ava Patel')!;

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** requireActor alone in front of one route, over an org that counts its user lookups, on a clock the test moves. */
async function actorApp(lookupsAllowed: number) {
  const clock = { now: 0 };
  const asked: string[] = [];
  const org = {
    getUser: async (id: string) => {
      asked.push(id);
      return id === ava.Id ? ava : null;
    },
  } as unknown as OrgReadPort;
  let budget = lookupsAllowed;
  const app = express();
  app.use(
    requireActor(org, {
      nowMs: () => clock.now,
      takeLookup: () => (budget-- > 0 ? 0 : 7),
    }),
  );
  app.get('/me', (_req, res) => res.json({ id: (res.locals.actor as { id: string }).id }));
  const errors: ErrorRequestHandler = (err, _req, res, _next) => {
    const { status, body, headers } = toErrorResponse(err);
    res.status(status).set(headers).json(body);
  };
  app.use(errors);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server!.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/me`;
  const as = async (user: string) => {
    const res = await fetch(url, { headers: { 'x-switchyard-user': user } });
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  };
  return { clock, asked, as };
}

describe('requireActor: what a caller costs the org', () => {
  it('keeps refreshing a user it knows when made-up Ids have spent the lookup budget', async () => {
    const { clock, asked, as } = await actorApp(2);
    expect((await as(ava.Id)).status).toBe(200);
    expect((await as(demoUserId(9200))).status).toBe(401);
    // The budget is spent: the next made-up Id is refused without asking the org.
    expect(await as(demoUserId(9201))).toEqual({ status: 429, retryAfter: '7' });
    expect(asked).toEqual([ava.Id, demoUserId(9200)]);
    // Past the time a lookup is trusted, the known user is asked about again, outside the budget.
    clock.now += ACTOR_TTL_MS + 1;
    expect((await as(ava.Id)).status).toBe(200);
    expect(asked).toEqual([ava.Id, demoUserId(9200), ava.Id]);
  });

  it('asks the org about an Id that names no one at most once a minute', async () => {
    const { clock, asked, as } = await actorApp(10);
    const ghost = demoUserId(9300);
    for (let i = 0; i < 5; i++) expect((await as(ghost)).status).toBe(401);
    // The 15-character form is the same user.
    expect((await as(ghost.slice(0, 15))).status).toBe(401);
    expect(asked).toEqual([ghost]);
    clock.now += 59_000;
    expect((await as(ghost)).status).toBe(401);
    expect(asked).toEqual([ghost]);
    clock.now = UNKNOWN_TTL_MS + 1;
    expect((await as(ghost)).status).toBe(401);
    expect(asked).toEqual([ghost, ghost]);
  });
});
