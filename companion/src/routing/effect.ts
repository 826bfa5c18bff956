import type { LeadConversion, LeadUpdate } from '../crm/crm.port.js';
import type { OutboxRow } from '../store/outbox.repository.js';

/** One effect of a decision, to apply through the CRM port; kept in the outbox until applied. */
export type Effect =
  { kind: 'update-lead'; payload: LeadUpdate } | { kind: 'convert-lead'; payload: LeadConversion };

/** An effect's outbox row. */
export type EffectRow = OutboxRow<Effect>;
