import { Router } from 'express';
import { findAccount } from '../access.js';
import type { AppDeps } from '../app-context.js';
import { accountParams, parseRequest } from '../validation.js';
import { accountView, OwnerNames } from '../views.js';
import { listQuery } from './leads.route.js';

/** GET /v1/accounts (search, for pickers) and /v1/accounts/{id}. */
export function accountsRoute(deps: AppDeps): Router {
  const router = Router();

  router.get('/accounts', async (req, res) => {
    const { query } = parseRequest(req, { query: listQuery });
    const accounts = await deps.org.searchAccounts(query.q, query.limit);
    const owners = await OwnerNames.load(
      deps.org,
      accounts.flatMap((a) => [a.OwnerId, a.BDR_Assigned__c]),
    );
    res.json({ q: query.q, limit: query.limit, items: accounts.map((a) => accountView(a, owners)) });
  });

  router.get('/accounts/:accountId', async (req, res) => {
    const { params } = parseRequest(req, {
      params: accountParams,
    });
    const account = await findAccount(deps.org, params.accountId);
    const owners = await OwnerNames.load(deps.org, [account.OwnerId, account.BDR_Assigned__c]);
    res.json(accountView(account, owners));
  });

  return router;
}
