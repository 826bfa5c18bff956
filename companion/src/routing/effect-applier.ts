import type { CrmPort, WriteResult } from '../crm/crm.port.js';
import type { LeadRecord } from '../engine/model.js';
import type { DecisionStatus, OutboxStatus } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { ContactRouter } from './contact-router.js';
import type { LiveOrgSnapshot } from './live-org-snapshot.js';
import { recogniseApplied } from './recognise-applied.js';
import { recordOutcomes } from '../store/decision.repository.js';
import {
  effectsOf,
  formatError,
  markApplied,
  markFailed,
  WAITING_FOR_UPDATE,
} from '../store/outbox.repository.js';
import type { Effect, EffectRow } from './effect.js';

/** How a decision stands after its effects were tried. */
export interface Applied {
  status: DecisionStatus;
  errors: Array<{ code: string; message: string }>;
  /** The org's words when it refused an effect because the lead's owner changed meanwhile. */
  ownerChanged: string | null;
}

export interface ApplyOptions {
  /** The leads as decided, by decision id: the match index takes the applied values onto them. */
  leads?: Map<string, LeadRecord>;
  /** True when `rows` are all the effects of their decisions, none tried before (right after deciding). */
  fresh?: boolean;
}

export interface EffectApplierOptions {
  crm: CrmPort;
  store: Store;
  /** The snapshot routing decides on: applied effects are taken into its match index at once. */
  org: LiveOrgSnapshot;
  /** Contact ownership after conversions; null without a contact port. */
  contacts: ContactRouter | null;
  /** Contact ownership failed after a conversion; the conversion itself stands. */
  onContactsError?: (error: unknown) => void;
}

type Failure = Extract<WriteResult, { ok: false }>;
type Update = Extract<Effect, { kind: 'update-lead' }>;
type Conversion = Extract<Effect, { kind: 'convert-lead' }>;

/**
 * The one way routing writes to the CRM, right after deciding and in the outbox worker alike:
 * lead updates in one batch, then the conversions whose lead update went through. A refusal that
 * shows the effect already happened (a retry after a crash) counts as applied. Records every row's
 * outcome and each decision's status, keeps the match index fresh, and lets contacts follow
 * converted leads' accounts.
 */
export class EffectApplier {
  constructor(private readonly options: EffectApplierOptions) {}

  async apply(
    rows: EffectRow[],
    { leads = new Map(), fresh = false }: ApplyOptions = {},
  ): Promise<Map<string, Applied>> {
    const outcomes = new Map<string, WriteResult>();
    await this.writeUpdates(rows, outcomes);
    const conversions = await this.writeConversions(rows, outcomes, fresh);
    await recogniseApplied(this.options.crm, rows, outcomes);
    const applied = await this.record(rows, outcomes, fresh);
    this.keepIndexFresh(rows, outcomes, leads);
    await this.contactsFollow(
      conversions
        .filter((r) => outcomes.get(r.id)?.ok)
        .map((r) => (r.effect as Conversion).payload.accountId),
    );
    return applied;
  }

  private async writeUpdates(rows: EffectRow[], outcomes: Map<string, WriteResult>): Promise<void> {
    const updates = rows.filter((r) => r.effect.kind === 'update-lead');
    const results = await unlessDown(updates, () =>
      this.options.crm.updateLeads(updates.map((r) => (r.effect as Update).payload)),
    );
    updates.forEach((r, j) => outcomes.set(r.id, results[j] ?? missing(r)));
  }

  /** Conversions go after their decision's update; one waiting on an update not yet applied waits. */
  private async writeConversions(
    rows: EffectRow[],
    outcomes: Map<string, WriteResult>,
    fresh: boolean,
  ): Promise<EffectRow[]> {
    const all = fresh
      ? rows
      : await effectsOf<Effect>(this.options.store.db, [...new Set(rows.map((r) => r.decisionId))]);
    const updatesOf = groupBy(
      all.filter((r) => r.effect.kind === 'update-lead'),
      (r) => r.decisionId,
    );
    const conversions: EffectRow[] = [];
    for (const r of rows.filter((x) => x.effect.kind === 'convert-lead')) {
      const blocking = (updatesOf.get(r.decisionId) ?? [])
        .map((u) => outcomes.get(u.id) ?? (u.status === 'applied' ? { id: u.id, ok: true as const } : null))
        .find((o) => o === null || !o.ok);
      if (blocking === undefined) conversions.push(r);
      else if (blocking === null)
        outcomes.set(r.id, {
          id: r.id,
          ok: false,
          code: WAITING_FOR_UPDATE,
          message: 'The lead update of this decision has not been applied yet.',
          retryable: true,
        });
      else outcomes.set(r.id, blocking);
    }
    const results = await unlessDown(conversions, () =>
      this.options.crm.convertLeads(conversions.map((r) => (r.effect as Conversion).payload)),
    );
    conversions.forEach((r, j) => outcomes.set(r.id, results[j] ?? missing(r)));
    return conversions;
  }

  /** Stores each row's outcome and each decision's status; returns how each decision stands. */
  private async record(
    rows: EffectRow[],
    outcomes: Map<string, WriteResult>,
    fresh: boolean,
  ): Promise<Map<string, Applied>> {
    const { store } = this.options;
    const appliedRows = rows.filter((r) => outcomes.get(r.id)?.ok);
    // Right after deciding, the statuses follow from this attempt alone, so the rows are marked
    // applied together with them below; the worker reads the rows' statuses back, after marking.
    if (!fresh)
      await markApplied(
        store.db,
        appliedRows.map((r) => r.id),
      );
    for (const r of rows) {
      const outcome = outcomes.get(r.id);
      if (!outcome || outcome.ok) continue;
      await markFailed(
        store.db,
        r.id,
        formatError(outcome),
        outcome.retryable && outcome.code !== 'OWNER_CHANGED',
        outcome.code === WAITING_FOR_UPDATE ? { retryAfterMs: 1000, maxAttempts: 1000 } : {},
      );
    }

    // Each decision's status follows all its rows, including ones applied before.
    const decisionIds = [...new Set(rows.map((r) => r.decisionId))];
    const after = groupBy(
      fresh
        ? rows.map((r) => ({ ...r, status: statusAfter(outcomes.get(r.id)) }))
        : await effectsOf<Effect>(store.db, decisionIds),
      (r) => r.decisionId,
    );
    const byDecision = groupBy(rows, (r) => r.decisionId);
    const applied = new Map<string, Applied>();
    const statuses: Array<{ id: string; status: DecisionStatus; detail: string | null }> = [];
    for (const id of decisionIds) {
      const failures = (byDecision.get(id) ?? [])
        .map((r) => outcomes.get(r.id))
        .filter((o): o is Failure => o !== undefined && !o.ok);
      const ownerChanged = failures.find((f) => f.code === 'OWNER_CHANGED') ?? null;
      const status = decisionStatus(
        ownerChanged !== null,
        (after.get(id) ?? []).map((r) => r.status),
      );
      const errors = failures
        .filter((f) => f.code !== WAITING_FOR_UPDATE)
        .map((f) => ({ code: f.code, message: f.message }));
      applied.set(id, { status, errors, ownerChanged: ownerChanged?.message ?? null });
      statuses.push({
        id,
        status,
        detail: ownerChanged
          ? `Not applied: ${ownerChanged.message}`
          : errors.length > 0
            ? errors.map(formatError).join('; ')
            : null,
      });
    }
    await recordOutcomes(store.db, fresh ? appliedRows : [], statuses);
    return applied;
  }

  /** The match index takes what was applied at once, before the org's change feed reports it. */
  private keepIndexFresh(
    rows: EffectRow[],
    outcomes: Map<string, WriteResult>,
    leads: Map<string, LeadRecord>,
  ): void {
    const { org } = this.options;
    const changed: LeadRecord[] = [];
    const removedLeadIds: string[] = [];
    for (const r of rows) {
      if (!outcomes.get(r.id)?.ok) continue;
      if (r.effect.kind === 'convert-lead') {
        removedLeadIds.push(r.effect.payload.leadId);
        continue;
      }
      const base = leads.get(r.decisionId) ?? org.leads.get(r.effect.payload.id);
      if (base) changed.push({ ...base, ...r.effect.payload.fields } as LeadRecord);
    }
    org.apply({ leads: changed, removedLeadIds });
  }

  /**
   * The contacts of accounts that leads were just converted into follow contact ownership, whether
   * the conversion was applied right after deciding or later by the outbox worker.
   */
  private async contactsFollow(accountIds: string[]): Promise<void> {
    const { contacts, onContactsError } = this.options;
    if (!contacts || accountIds.length === 0) return;
    try {
      await contacts.routeAccounts(accountIds);
    } catch (error) {
      onContactsError?.(error);
    }
  }
}

/** A decision's status from its rows': stale when the org refused it for a changed owner. */
function decisionStatus(ownerChanged: boolean, rows: OutboxStatus[]): DecisionStatus {
  if (ownerChanged) return 'stale';
  if (rows.every((s) => s === 'applied')) return 'applied';
  return rows.includes('failed') ? 'failed' : 'pending';
}

/**
 * Calls the CRM for a batch of rows; when the call itself fails (the org unreachable, a session that
 * cannot be renewed), every row gets a retryable failure with the reason, so the worker tries again.
 */
async function unlessDown(rows: EffectRow[], call: () => Promise<WriteResult[]>): Promise<WriteResult[]> {
  if (rows.length === 0) return [];
  try {
    return await call();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return rows.map((r) => ({
      id: r.id,
      ok: false,
      code: typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : 'CRM_UNAVAILABLE',
      message: `The CRM could not be reached: ${message}`,
      retryable: true,
    }));
  }
}

function missing(row: EffectRow): Failure {
  return {
    id: row.id,
    ok: false,
    code: 'NO_RESULT',
    message: 'The CRM returned no result for this record.',
    retryable: true,
  };
}

/** A row's status after this attempt, as markApplied and markFailed leave it (first attempt). */
function statusAfter(outcome: WriteResult | undefined): OutboxStatus {
  if (!outcome || outcome.ok) return outcome ? 'applied' : 'pending';
  return outcome.retryable && outcome.code !== 'OWNER_CHANGED' ? 'pending' : 'failed';
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
