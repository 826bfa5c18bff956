import type { LeadChange, LeadChangeListener, LeadChangeSource } from '../crm.port.js';

/**
 * Lead changes in the demo org, told after they commit: the local stand-in for Salesforce's change
 * data capture, so route-on-update works in local mode. In-process only.
 */
export class LocalChangeFeed implements LeadChangeSource {
  private readonly listeners = new Set<LeadChangeListener>();

  /** Returns the function that unsubscribes. */
  subscribe(listener: LeadChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(changes: LeadChange[]): void {
    for (const change of changes) {
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch {
          // A failing listener must not undo a committed write or starve the other listeners.
        }
      }
    }
  }
}

/** The fields whose values differ between two versions of a record. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter(
    (k) => k !== 'SystemModstamp' && JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  );
}
