import type { CrmPort, LeadContext, WriteResult } from '../crm/crm.port.js';
import type { EffectRow } from './effect.js';

/**
 * After a crash the org may already hold an effect whose row was never marked applied: the lead has
 * the update's values, or was converted onto the same account. The org then refuses the retry
 * (OWNER_CHANGED, CANNOT_UPDATE_CONVERTED_LEAD); this looks at the leads and turns those refusals
 * into successes in `outcomes`.
 */
export async function recogniseApplied(
  crm: Pick<CrmPort, 'getLeadContexts'>,
  rows: EffectRow[],
  outcomes: Map<string, WriteResult>,
): Promise<void> {
  const doubtful = rows.filter((r) => {
    const o = outcomes.get(r.id);
    return o && !o.ok && (o.code === 'OWNER_CHANGED' || o.code === 'CANNOT_UPDATE_CONVERTED_LEAD');
  });
  if (doubtful.length === 0) return;
  const ids = doubtful.map((r) =>
    r.effect.kind === 'update-lead' ? r.effect.payload.id : r.effect.payload.leadId,
  );
  // Unable to look (the org is away): the refusals stand, and the worker looks again later.
  const current = await crm.getLeadContexts([...new Set(ids)]).catch(() => new Map<string, LeadContext>());
  doubtful.forEach((r, j) => {
    const lead = current.get(ids[j]!)?.lead;
    if (!lead) return;
    const done =
      r.effect.kind === 'update-lead'
        ? Object.entries(r.effect.payload.fields).every(([f, v]) => same(lead[f], v))
        : lead.IsConverted === true && lead.ConvertedAccountId === r.effect.payload.accountId;
    if (done) outcomes.set(r.id, { id: r.id, ok: true });
  });
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
