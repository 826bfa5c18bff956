import { Router } from 'express';
import { z } from 'zod';
import { ORG_LEAD_SORTS } from '../../crm/org-read.port.js';
import type { LeadRecord } from '../../engine/model.js';
import { KEY_PREFIX, toId18 } from '../../engine/salesforce-id.js';
import { actorOf, findAccount } from '../access.js';
import type { Actor, AppDeps } from '../app-context.js';
import { leadActivity } from '../lead-activity.js';
import {
  accountParams,
  parseRequest,
  queryEnum,
  queryInt,
  queryText,
  salesforceId,
  strictBody,
} from '../validation.js';
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

/** An account's leads beyond this are not searched or sorted by companion-side fields. */
const SCAN_MAX = 5000;

export const matchedLeadsQuery = z.object({
  limit: queryInt(25, 1, 200),
  offset: queryInt(0, 0, 1_000_000),
  sort: queryEnum(MATCHED_LEAD_SORTS),
  direction: queryEnum(['asc', 'desc']),
  q: queryText(200),
});

/**
 * How a lead came to match the account, for a short label in the panel (the full words are matchReason):
 * the matcher's method, `ambiguous` when look-alikes tie, `set-on-lead` when the lead names the account
 * and no automatic match points to it now.
 */
type MatchMethodView = 'email-domain' | 'website' | 'company-name' | 'ambiguous' | 'set-on-lead';

interface MatchedLeadItem {
  id: string;
  name: string;
  company: string | null;
  title: string | null;
  email: string | null;
  status: string | null;
  owner: OwnerView | null;
  lastActivity: string | null;
  lastFlowName: string | null;
  activeFlowsCount: number;
  matchScore: number | null;
  matchReason: string | null;
  matchMethod: MatchMethodView | null;
}

/** Most lead Ids the Apex controller sends: the matched leads one person may see, read in user mode. */
export const VISIBLE_IDS_MAX = 2000;

const visibleLeadsBody = strictBody({
  visibleLeadIds: z
    .array(salesforceId(KEY_PREFIX.lead), { error: 'must be a list of lead Ids' })
    .max(VISIBLE_IDS_MAX, `must hold at most ${VISIBLE_IDS_MAX} lead Ids`),
});

/**
 * The item fields each Lead field feeds: a field the person may not read leaves its item field empty,
 * and is named in `hiddenFields`, so the panel says it is hidden instead of showing it blank.
 */
const ITEM_FIELDS: ReadonlyArray<[leadField: string, item: 'title' | 'email' | 'status']> = [
  ['Title', 'title'],
  ['Email', 'email'],
  ['Status', 'status'],
];

/**
 * The account's matched leads as the acting person sees them: only leads they may read and only fields
 * they may read, filtered before counting and paging, so the total is what they can page through and
 * no page comes back short.
 * - GET /v1/accounts/{accountId}/matched-leads: the companion asks the org (UserRecordAccess, field
 *   permissions) what the person may read.
 * - POST /v1/accounts/{accountId}/matched-leads: the Apex controller has read, in user mode, which of
 *   the account's leads the person may see, and sends their Ids (`visibleLeadIds`); the answer holds no
 *   other lead.
 */
export function matchedLeadsRoute(deps: AppDeps): Router {
  const router = Router();
  router.get('/accounts/:accountId/matched-leads', async (req, res) => {
    const { params, query } = parseRequest(req, {
      params: accountParams,
      query: matchedLeadsQuery,
    });
    const actor = actorOf(res);
    res.json(
      await matchedLeadsPage(deps, actor, params.accountId, query, async (leads) => {
        const readable = new Set<string>();
        for (let i = 0; i < leads.length; i += 200) {
          const ids = leads.slice(i, i + 200).map((l) => l.Id);
          const access = await deps.org.leadAccess(actor.id, ids);
          for (const id of ids) if (access.get(id)?.read) readable.add(id);
        }
        return readable;
      }),
    );
  });
  router.post('/accounts/:accountId/matched-leads', async (req, res) => {
    const { params, query, body } = parseRequest(req, {
      params: accountParams,
      query: matchedLeadsQuery,
      body: visibleLeadsBody,
    });
    const visible = new Set(body.visibleLeadIds.map((id) => toId18(id) ?? id));
    res.json(await matchedLeadsPage(deps, actorOf(res), params.accountId, query, async () => visible));
  });
  return router;
}

async function matchedLeadsPage(
  deps: AppDeps,
  actor: Actor,
  accountId: string,
  query: z.infer<typeof matchedLeadsQuery>,
  visibleOf: (leads: LeadRecord[]) => Promise<Set<string>>,
) {
  const account = await findAccount(deps.org, accountId);
  const sort: SortField = query.sort ?? 'lastActivity';
  const direction =
    query.direction ??
    (sort === 'lastActivity' || sort === 'activeFlowsCount' || sort === 'matchScore' ? 'desc' : 'asc');
  const [all, readableFields] = await Promise.all([
    allMatchedLeads(deps, account.Id),
    deps.org.readableLeadFields(actor.id),
  ]);
  const visible = await visibleOf(all);
  const hiddenFields = ITEM_FIELDS.filter(([field]) => !readableFields.has(field)).map(([, item]) => item);
  let items = (
    await present(
      deps,
      account.Id,
      all.filter((l) => visible.has(l.Id)),
    )
  ).map((item) => {
    for (const field of hiddenFields) item[field] = null;
    return item;
  });
  if (query.q) {
    // Only what the person may read is searched: a hidden email never answers a search.
    const needle = query.q.toLowerCase();
    items = items.filter((i) =>
      [i.name, i.company, i.title, i.email, i.status, i.owner?.name].some((v) =>
        v?.toLowerCase().includes(needle),
      ),
    );
  }
  // Sorting by a field the person may not read would reveal its order: such a sort keeps the default.
  const effectiveSort = (hiddenFields as string[]).includes(sort) ? 'lastActivity' : sort;
  const names = new Map(all.map((l) => [l.Id, `${l.LastName ?? ''}\u0000${l.FirstName ?? ''}`]));
  items.sort(
    compareBy(effectiveSort, effectiveSort === sort ? direction : 'desc', (id) => names.get(id) ?? ''),
  );
  return {
    accountId: account.Id,
    accountName: account.Name,
    total: items.length,
    limit: query.limit,
    offset: query.offset,
    hiddenFields,
    items: items.slice(query.offset, query.offset + query.limit),
  };
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
      company: lead.Company ?? null,
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
      matchMethod: match
        ? found?.outcome === 'ambiguous'
          ? 'ambiguous'
          : match.method
        : deps.accounts
          ? 'set-on-lead'
          : null,
    };
  });
}

/** `sortName` gives a lead's name as the org sorts it: last name, then first name. */
function compareBy(sort: SortField, direction: 'asc' | 'desc', sortName: (id: string) => string) {
  const value = (i: MatchedLeadItem): string | number | null => {
    switch (sort) {
      case 'owner':
        return i.owner?.name ?? null;
      case 'name':
        return sortName(i.id);
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
