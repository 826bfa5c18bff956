import { Router } from 'express';
import { z } from 'zod';
import type { AccountRecord } from '../../engine/model.js';
import { toId18 } from '../../engine/salesforce-id.js';
import { findLead } from '../access.js';
import type { AppDeps } from '../app-context.js';
import { partnerStatusView } from '../partner-status.js';
import { plainPaths } from '../path-words.js';
import { leadParams, parseRequest, queryInt, queryText } from '../validation.js';
import { historyView, leadView, OwnerNames } from '../views.js';

export const listQuery = z.object({ limit: queryInt(25, 1, 200), q: queryText(200) });

/** GET /v1/leads, /v1/leads/{id}, /v1/leads/{id}/partner-status, /v1/leads/{id}/routing-history. */
export function leadsRoute(deps: AppDeps): Router {
  const router = Router();

  router.get('/leads', async (req, res) => {
    const { query } = parseRequest(req, { query: listQuery });
    const leads = await deps.org.searchLeads(query.q, query.limit);
    const accountIds = leads.map((l) => l.Matched_Account__c).filter((id): id is string => !!id);
    const [owners, accounts] = await Promise.all([
      OwnerNames.load(
        deps.org,
        leads.map((l) => l.OwnerId),
      ),
      deps.org.getMany<AccountRecord>('Account', accountIds),
    ]);
    res.json({
      q: query.q,
      limit: query.limit,
      items: leads.map((lead) =>
        leadView(lead, owners, accounts.get(toId18(lead.Matched_Account__c ?? '') ?? '') ?? null),
      ),
    });
  });

  router.get('/leads/:leadId', async (req, res) => {
    const { params } = parseRequest(req, { params: leadParams });
    const lead = await findLead(deps.org, params.leadId);
    const [owners, account] = await Promise.all([
      OwnerNames.load(deps.org, [lead.OwnerId]),
      lead.Matched_Account__c ? deps.org.getAccount(lead.Matched_Account__c) : null,
    ]);
    res.json(leadView(lead, owners, account));
  });

  router.get('/leads/:leadId/partner-status', async (req, res) => {
    const { params } = parseRequest(req, { params: leadParams });
    const lead = await findLead(deps.org, params.leadId);
    const partnerId = lead.Impartner_Partner_Account__c;
    const partner = partnerId && toId18(partnerId) ? await deps.org.getAccount(partnerId) : null;
    res.json(partnerStatusView(lead, partner?.Name ?? partnerId ?? null));
  });

  router.get('/leads/:leadId/routing-history', async (req, res) => {
    const { params, query } = parseRequest(req, {
      params: leadParams,
      query: z.object({ limit: queryInt(20, 1, 200) }),
    });
    const lead = await findLead(deps.org, params.leadId);
    const items = await deps.routing.history(lead.Id, query.limit);
    const [people, steps] = await Promise.all([
      OwnerNames.load(
        deps.org,
        items.map((item) => item.trigger.actorId),
      ),
      plainPaths(
        deps.org,
        items.map((item) => item.decision.path),
      ),
    ]);
    res.json({
      leadId: lead.Id,
      items: items.map((item, i) => historyView(item, people, steps[i] ?? [])),
    });
  });

  return router;
}
