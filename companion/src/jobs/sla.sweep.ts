import type { JobRunCounts } from '../store/job-run.repository.js';
import type { NotificationSender } from '../routing/notification-sender.js';
import type { SlaClocks, SweepResult } from '../routing/sla-clocks.js';
import type { SlaSweepRunner } from './scheduled-jobs.js';

export interface SlaSweepOptions {
  clocks: Pick<SlaClocks, 'sweep' | 'preview'>;
  /** Sends what the sweep queued (and retries what failed before); without it notifications wait. */
  notifications?: Pick<NotificationSender, 'deliver'>;
}

/**
 * The body of the sla-sweep job (`SLA_SWEEP_JOB`, run by the JobScheduler on its cron, once across
 * instances): the clocks follow the new decisions and fire the steps that are due, then the
 * notifications waiting go out. Even if two passes overlap, the store lets each decision, step and
 * notification be taken once. A dry run says what would fire now and writes nothing.
 */
export class SlaSweep implements SlaSweepRunner {
  constructor(private readonly options: SlaSweepOptions) {}

  async run({ dryRun }: { dryRun: boolean }): Promise<Omit<JobRunCounts, 'apiCalls'>> {
    if (dryRun) return counts(await this.options.clocks.preview(), 0);
    const result = await this.options.clocks.sweep();
    const delivery = await this.options.notifications?.deliver();
    return counts(result, delivery?.failed ?? 0);
  }
}

/** A sweep as a job run: clocks looked at, leads moved (reassigned or escalated), failures. */
function counts(result: SweepResult, failedNotices: number): Omit<JobRunCounts, 'apiCalls'> {
  const moved = result.fired.reassign + result.fired.escalate;
  const failed = result.failed + failedNotices;
  return {
    candidates: result.due,
    moved,
    unchanged: Math.max(0, result.due - moved - result.failed),
    failed,
  };
}
