import { Router } from 'express';
import { actorOf } from '../access.js';
import type { AppDeps } from '../app-context.js';
import { parseRequest } from '../validation.js';
import { userView } from '../views.js';
import { listQuery } from './leads.route.js';

/** GET /v1/me (who is acting, and what they may do) and GET /v1/users (search, for pickers). */
export function usersRoute(deps: AppDeps): Router {
  const router = Router();

  router.get('/me', (_req, res) => {
    const actor = actorOf(res);
    res.json({
      id: actor.id,
      name: actor.name,
      role: actor.role,
      permissions: { reroute: actor.canReroute, admin: actor.isAdmin },
    });
  });

  router.get('/users', async (req, res) => {
    const { query } = parseRequest(req, { query: listQuery });
    const users = await deps.org.searchUsers(query.q, query.limit);
    res.json({ q: query.q, limit: query.limit, items: users.map(userView) });
  });

  return router;
}
