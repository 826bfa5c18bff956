import { AsyncLocalStorage } from 'node:async_hooks';

export interface ApiCallCounts {
  total: number;
  /** By kind of call, e.g. 'query', 'composite' (Salesforce) or the port method (local org). */
  byKind: Record<string, number>;
  /** By the work that made them: 'route' for decisions, a job's name for its runs. */
  byWork: Record<string, number>;
  /** How many pieces of each work were done (decisions, job runs): calls per piece = byWork / done. */
  done: Record<string, number>;
}

interface Scope {
  work: string;
  calls: number;
  /** The work this one runs inside (a job's decisions): a call counts for both. */
  outer: Scope | undefined;
}

/**
 * Counts the calls made to the CRM, by kind and by the piece of work that made them. A piece of
 * work is whatever runs inside `track` (a batch of decisions, one job run): the count follows it
 * across awaits, so two decisions in flight at once are counted apart, and a call made by a
 * decision inside a job run counts for the decision and for the run.
 */
export class CallMeter {
  private total = 0;
  private readonly byKind = new Map<string, number>();
  private readonly byWork = new Map<string, number>();
  private readonly done = new Map<string, number>();
  private readonly scopes = new AsyncLocalStorage<Scope>();

  count(kind: string): void {
    this.total++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    const counted = new Set<string>();
    for (let scope = this.scopes.getStore(); scope; scope = scope.outer) {
      scope.calls++;
      if (counted.has(scope.work)) continue;
      counted.add(scope.work);
      this.byWork.set(scope.work, (this.byWork.get(scope.work) ?? 0) + 1);
    }
  }

  /**
   * Runs `run`, counting its calls under `work` (keep the names few: 'route', a job's name), as
   * `pieces` pieces of that work (e.g. the decisions of a batch), done once it returns.
   */
  async track<T>(work: string, run: () => Promise<T>, pieces = 1): Promise<{ result: T; calls: number }> {
    const scope: Scope = { work, calls: 0, outer: this.scopes.getStore() };
    const result = await this.scopes.run(scope, run);
    this.done.set(work, (this.done.get(work) ?? 0) + pieces);
    return { result, calls: scope.calls };
  }

  counts(): ApiCallCounts {
    return {
      total: this.total,
      byKind: Object.fromEntries(this.byKind),
      byWork: Object.fromEntries(this.byWork),
      done: Object.fromEntries(this.done),
    };
  }
}

/**
 * Wraps a port so every call to one of its methods is counted by method name: the API-call figure
 * in local mode, where there is no Salesforce API to count.
 */
export function meteredPort<T extends object>(target: T, meter: CallMeter): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        meter.count(prop);
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}
