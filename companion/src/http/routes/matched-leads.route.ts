import { Router } from 'express';
import { z } from 'zod';
import { ORG_LEAD_SORTS, type OrgLeadSortField } from '../../crm/org-read.port.js';
import type { LeadRecord } from '../../engine/model.js';
import { KEY_PREFIX } from '../../engine/salesforce-id.js';
import { findAccount } from '../access.js';
import type { AppDeps } from '../app-context.js';
import { leadActivity } from '../lead-activity.js';
import { parseRequest, queryEnum, queryInt, queryText, salesforceId } from '../validation.js';
import { fullName, isoOrNull, OwnerNames, type OwnerView } from '../views.js';

/**
 * The API's sorts: the org's own, then those only the companion knows. The Apex controller and the
 * matchedLeads component keep copies; `test/metadata/matched-lead-sorts.test.ts` fails when they drift.
 */
export const MATCHED_LEAD_SORTS = [
  ...ORG_LEAD_SORTS,
  'lastFlowName',
  'activeFlowsCount',
  'matchScore',
] as const;
type SortField = (typeof MATCHED_LEAD_SORTS)[number];

/** Sorts the org can do itself, a page at a time; the others need the companion's own data. */
const isOrgSort = (sort: SortField): sort is OrgLeadSortField =>
  (ORG_LEAD_SORTS as readonly string[]).includes(sort);

/** An account's leads beyond this are not searched or sorted by companion-side fields. */
const SCAN_MAX = 5000;

export const matchedLeadsQuery = z.object({
  limit: queryInt(25, 1, 200),
  offset: queryInt(0, 0, 1_000_000),
  sort: queryEnum(MATCHED_LEAD_SORTS),
  direction: queryEnum(['asc', 'desc']),
  q: queryText(200),
});

interface MatchedLeadItem {
  id: string;
  name: string;
  title: string | null;
  email: string | null;
  status: string | null;
  owner: OwnerView | null;
  lastActivity: string | null;
  lastFlowName: string | null;
  activeFlowsCount: number;
  matchScore: number | null;
  matchReason: string | null;
}

/** GET /v1/accounts/{accountId}/matched-leads: the account's matched leads, paged, sorted and searchable. */
export function matchedLeadsRoute(deps: AppDeps): Router {
  const router = Router();
  router.get('/accounts/:accountId/matched-leads', async (req, res) => {
    const { params, query } = parseRequest(req, {
      params: z.object({ accountId: salesforceId(KEY_PREFIX.account) }),
      query: matchedLeadsQuery,
    });
    const account = await findAccount(deps.org, params.accountId);
    const sort: SortField = query.sort ?? 'lastActivity';
    const direction =
      query.direction ??
      (sort === 'lastActivity' || sort === 'activeFlowsCount' || sort === 'matchScore' ? 'desc' : 'asc');
    if (isOrgSort(sort) && !query.q) {
      const page = await deps.org.matchedLeads(account.Id, {
        limit: query.limit,
        offset: query.offset,
        sort,
        direction,
      });
      res.json({
        accountId: account.Id,
        accountName: account.Name,
        total: page.total,
        // The org's own limit and offset: it may cap them (SOQL's OFFSET stops at 2,000).
        limit: page.limit,
        offset: page.offset,
        items: await present(deps, account.Id, page.records),
      });
      return;
    }
    const all = await allMatchedLeads(deps, account.Id);
    let items = await present(deps, account.Id, all);
    if (query.q) {
      const needle = query.q.toLowerCase();
      items = items.filter((i) =>
        [i.name, i.title, i.email, i.status, i.owner?.name].some((v) => v?.toLowerCase().includes(needle)),
      );
    }
    items.sort(compareBy(sort, direction));
    res.json({
      accountId: account.Id,
      accountName: account.Name,
      total: items.length,
      limit: query.limit,
      offset: query.offset,
      items: items.slice(query.offset, query.offset + query.limit),
    });
  });
  return router;
}

async function allMatchedLeads(deps: AppDeps, accountId: string): Promise<LeadRecord[]> {
  const leads: LeadRecord[] = [];
  for (let offset = 0; offset < SCAN_MAX; offset += 200) {
    const page = await deps.org.matchedLeads(accountId, {
      limit: 200,
      offset,
      sort: 'name',
      direction: 'asc',
    });
    // An org that caps the offset (SOQL stops at 2,000) answers another page: stop rather than repeat it.
    if (page.offset !== offset) break;
    leads.push(...page.records);
    if (page.records.length < 200 || offset + 200 >= page.total) break;
  }
  return leads;
}

async function present(deps: AppDeps, accountId: string, leads: LeadRecord[]): Promise<MatchedLeadItem[]> {
  const [owners, activity] = await Promise.all([
    OwnerNames.load(
      deps.org,
      leads.map((l) => l.OwnerId),
    ),
    leadActivity(
      deps.store,
      leads.map((l) => l.Id),
      deps.clock(),
    ),
  ]);
  return leads.map((lead) => {
    // The matcher's view of this lead now: the account it takes, or look-alikes it could not tell apart.
    const found = deps.accounts?.lookup(lead, { limit: 5 });
    const match =
      found?.outcome === 'none' ? undefined : found?.candidates.find((c) => c.account.Id === accountId);
    const seen = activity.get(lead.Id);
    return {
      id: lead.Id,
      name: fullName(lead),
      title: lead.Title ?? null,
      email: lead.Email ?? null,
      status: lead.Status ?? null,
      owner: owners.owner(lead.OwnerId),
      lastActivity: isoOrNull(lead.LastActivityDate),
      lastFlowName: lead.Last_Routing_Flow__c ?? seen?.lastFlowName ?? null,
      activeFlowsCount: seen?.activeFlowsCount ?? 0,
      matchScore: match ? Math.round(match.score * 1000) / 1000 : null,
      matchReason:
        (match && found?.outcome === 'ambiguous' ? `Ambiguous: ${found.reason}` : match?.reason) ??
        (deps.accounts ? 'Set on the lead; no automatic match points to this account now.' : null),
    };
  });
}

function compareBy(sort: SortField, direction: 'asc' | 'desc') {
  const value = (i: MatchedLeadItem): string | number | null => {
    switch (sort) {
      case 'owner':
        return i.owner?.name ?? null;
      case 'name':
      case 'title':
      case 'email':
      case 'status':
      case 'lastActivity':
      case 'lastFlowName':
        return i[sort];
      case 'activeFlowsCount':
      case 'matchScore':
        return i[sort];
    }
  };
  const sign = direction === 'asc' ? 1 : -1;
  return (a: MatchedLeadItem, b: MatchedLeadItem): number => {
    const x = value(a);
    const y = value(b);
    // Empty values go last whichever way the list is sorted, as in the org's own sort.
    if (x === null || x === '') return y === null || y === '' ? a.id.localeCompare(b.id) : 1;
    if (y === null || y === '') return -1;
    const order =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y), 'en', { sensitivity: 'base' });
    return order !== 0 ? sign * order : a.id.localeCompare(b.id);
  };
}
