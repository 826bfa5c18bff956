import type { CrmPort, LeadConversion, LeadUpdate } from '../../companion/src/crm/crm.port.js';

/**
 * Salesforce holding a write: the CRM port's lead writes that touch a held lead wait until it is
 * released (as a composite request waits on a record another transaction has locked, or on a slow
 * org). Writes for other leads pass at once.
 */
export class HeldWrites {
  private readonly held = new Map<string, { released: Promise<void>; release: () => void }>();
  /** Leads whose write is waiting right now. */
  readonly waiting = new Set<string>();

  hold(leadId: string): void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held.set(leadId, { released, release });
  }

  release(leadId: string): void {
    this.held.get(leadId)?.release();
    this.held.delete(leadId);
  }

  releaseAll(): void {
    for (const leadId of [...this.held.keys()]) this.release(leadId);
  }

  /** The port with its lead writes held as told. */
  wrap(crm: CrmPort): CrmPort {
    const wait = (leadIds: string[]) => this.wait(leadIds);
    return new Proxy(crm, {
      get(target, name, receiver) {
        if (name === 'updateLeads') {
          return async (updates: LeadUpdate[]) => {
            await wait(updates.map((u) => u.id));
            return target.updateLeads(updates);
          };
        }
        if (name === 'convertLeads') {
          return async (conversions: LeadConversion[]) => {
            await wait(conversions.map((c) => c.leadId));
            return target.convertLeads(conversions);
          };
        }
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private async wait(leadIds: string[]): Promise<void> {
    const holds = leadIds.filter((id) => this.held.has(id));
    for (const id of holds) this.waiting.add(id);
    try {
      await Promise.all(holds.map((id) => this.held.get(id)!.released));
    } finally {
      for (const id of holds) this.waiting.delete(id);
    }
  }
}
