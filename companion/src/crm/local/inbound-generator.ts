import type { AccountRecord, LeadRecord } from '../../engine/model.js';
import { createInboundLeadFactory, type InboundLead } from './demo-org.generator.js';
import type { LocalOrg } from './local-org.js';

export interface InboundGeneratorOptions {
  org: LocalOrg;
  /** New demo leads per minute; 0 makes `start` do nothing. */
  ratePerMinute: number;
  clock?: () => Date;
  seed?: number;
  onError?: (error: unknown) => void;
}

/** Ticks at most this often; faster rates add several leads per tick. */
const MIN_TICK_MS = 1000;

/**
 * Local mode's stream of new demo leads (form fills, list imports, event scans): each is inserted
 * into the demo org, whose change feed gets it routed like any new lead. It plays the world outside
 * the org, so it belongs to the demo org, not to the jobs.
 */
export class InboundGenerator {
  private timer: NodeJS.Timeout | null = null;
  private next: ((now: Date) => InboundLead) | null = null;
  private owed = 0;
  private busy = false;
  private readonly clock: () => Date;

  constructor(private readonly options: InboundGeneratorOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  start(): void {
    if (this.timer || this.options.ratePerMinute <= 0) return;
    const tickMs = Math.max(MIN_TICK_MS, 60_000 / this.options.ratePerMinute);
    const perTick = (this.options.ratePerMinute * tickMs) / 60_000;
    this.timer = setInterval(() => {
      this.owed += perTick;
      const due = Math.floor(this.owed);
      if (due === 0 || this.busy) return;
      this.owed -= due;
      this.busy = true;
      this.emit(due)
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => (this.busy = false));
    }, tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Adds `count` new demo leads now and returns them. */
  async emit(count: number): Promise<LeadRecord[]> {
    const factory = this.next ?? (this.next = await this.factory());
    const added: LeadRecord[] = [];
    for (let i = 0; i < count; i++) {
      const { lead, campaignId, memberStatus } = factory(this.clock());
      added.push(await this.options.org.insertLead({ fields: lead, campaignId, memberStatus }));
    }
    return added;
  }

  private async factory(): Promise<(now: Date) => InboundLead> {
    const accounts: AccountRecord[] = [];
    for await (const page of this.options.org.streamAccounts()) accounts.push(...page);
    return createInboundLeadFactory(
      accounts,
      await this.options.org.listCampaigns(),
      this.options.seed ?? this.clock().getTime() % 2_147_483_647,
    );
  }
}
