import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/engine/decision.js';
import type { RouteResult } from '../../src/http/app-context.js';
import { toErrorResponse } from '../../src/http/http.errors.js';
import { assertRouted } from '../../src/http/routes/route-lead.route.js';
import { LeadNotFoundError, NoFlowError } from '../../src/routing/routing.errors.js';

const result = (
  decision: Partial<Decision>,
  status: RouteResult['status'] = 'applied',
  errors: RouteResult['errors'] = [],
) =>
  ({
    decisionId: 'd1',
    decision: { outcome: 'assigned', summary: 'Assigned.', refusal: null, ...decision },
    status,
    errors,
  }) as RouteResult;

const thrown = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return toErrorResponse(err);
  }
  return null;
};

describe('what a routing result means to the caller', () => {
  it('passes applied, pending and dry-run decisions through', () => {
    for (const status of ['applied', 'pending', 'dry-run'] as const)
      expect(thrown(() => assertRouted(result({}, status)))).toBeNull();
  });

  it('turns a refusal into 409 with the flow’s own words', () => {
    const answer = thrown(() =>
      assertRouted(
        result({
          outcome: 'refused',
          refusal: {
            code: 'LEAD_NOT_ELIGIBLE',
            message: 'Dana Ruiz is working Acme.',
            action: 'Ask Dana Ruiz.',
          },
        }),
      ),
    );
    expect(answer).toMatchObject({
      status: 409,
      body: {
        error: { code: 'LEAD_NOT_ELIGIBLE', message: 'Dana Ruiz is working Acme.', action: 'Ask Dana Ruiz.' },
      },
    });
  });

  it('says when the owner changed meanwhile (409 STALE_DECISION) and when Salesforce refused the write (503)', () => {
    expect(thrown(() => assertRouted(result({}, 'stale')))).toMatchObject({
      status: 409,
      body: { error: { code: 'STALE_DECISION' } },
    });
    const failed = thrown(() =>
      assertRouted(
        result({}, 'failed', [
          { code: 'INACTIVE_OWNER_OR_USER', message: 'operation performed with inactive user' },
        ]),
      ),
    );
    expect(failed?.status).toBe(503);
    expect(failed?.body.error.message).toContain('operation performed with inactive user');
  });
});

describe('errors from other layers', () => {
  it('maps codes to statuses in one place', () => {
    expect(toErrorResponse(new LeadNotFoundError('00Q1')).status).toBe(404);
    expect(toErrorResponse(new NoFlowError('reroute')).body.error.code).toBe('LEAD_NOT_ELIGIBLE');
    expect(toErrorResponse(Object.assign(new Error('limit'), { code: 'SF_REQUEST_LIMIT' })).status).toBe(503);
    expect(toErrorResponse({ type: 'entity.too.large' }).status).toBe(413);
  });

  it('never shows the inside of an unexpected error', () => {
    const answer = toErrorResponse(new Error('relation "decisions" does not exist at /srv/secret/path'));
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(answer.body)).not.toMatch(/decisions|secret/);
  });
});
