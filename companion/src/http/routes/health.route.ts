import { Router, type RequestHandler } from 'express';
import { sql } from 'kysely';
import type { AppDeps } from '../app-context.js';

interface Check {
  name: 'store' | 'index' | 'crm';
  ok: boolean;
  message: string;
}

/** GET /healthz: the process answers. No auth, no I/O: for load balancers and supervisors. */
export const healthz: RequestHandler = (_req, res) => {
  res.json({ status: 'ok' });
};

/** GET /readyz and GET /metrics (both behind the API key). */
export function opsRoute(deps: AppDeps): Router {
  const router = Router();

  router.get('/readyz', async (_req, res) => {
    const checks: Check[] = [await storeCheck(deps), indexCheck(deps), crmCheck(deps)];
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
  });

  router.get('/metrics', async (_req, res) => {
    const text = await deps.metrics.registry.metrics();
    res.type(deps.metrics.registry.contentType).send(text);
  });

  return router;
}

async function storeCheck(deps: AppDeps): Promise<Check> {
  try {
    await sql`select 1`.execute(deps.store.db);
    return { name: 'store', ok: true, message: 'The store answers.' };
  } catch (err) {
    deps.logger.warn({ err }, 'readiness: the store does not answer');
    return {
      name: 'store',
      ok: false,
      message: 'The store does not answer; check the database and the logs.',
    };
  }
}

function indexCheck(deps: AppDeps): Check {
  return deps.status.indexLoaded()
    ? { name: 'index', ok: true, message: 'The match index is loaded.' }
    : { name: 'index', ok: false, message: 'The match index is still being built from the CRM.' };
}

function crmCheck(deps: AppDeps): Check {
  const crm = deps.status.crm();
  return crm.limited
    ? {
        name: 'crm',
        ok: false,
        message: `The CRM API limit is spent; work resumes${crm.until ? ` at ${crm.until}` : ' when it resets'}.`,
      }
    : { name: 'crm', ok: true, message: 'The CRM accepts calls.' };
}
