/** `sla report` and `sla notifications`: the admin CLI asks the running companion (its HTTP API). */
import { parseArgs } from 'node:util';
import type { HandoffReportRow } from '../store/handoff.repository.js';
import type { NotificationRow } from '../store/notification.repository.js';
import { CliError, connection, connectionOptions, get, WHAT_IF_HELP } from './admin-commands.js';

export const SLA_HELP = `Usage: npm run cli -- sla report [--by rep|pool] [--weeks n] [--json]
       npm run cli -- sla notifications [--failed] [--limit n] [--json]
report: per week and rep (or pool), the leads assigned, time to assign and to first touch (p50 and
p90) and SLA breaches (owners on whose watch a step fired). notifications: the newest notifications of
SLA steps, with their status; --failed lists only those that failed for good, with their error.

${WHAT_IF_HELP.connection}`;

/** Seconds as a person reads them: 42 s, 7 min, 3.5 h, 2.1 d. */
function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** The report as a table, one line per week and rep or pool. */
export function formatSlaReport(by: string, rows: Array<HandoffReportRow & { name: string | null }>): string {
  if (rows.length === 0) return 'No leads were assigned to a person in these weeks.';
  const head = ['week', by, 'leads', 'assign p50', 'p90', 'touched', 'touch p50', 'p90', 'breaches'];
  const lines = rows.map((r) => [
    r.week,
    r.name ?? (r.key || '(no pool)'),
    String(r.leads),
    duration(r.assignP50),
    duration(r.assignP90),
    String(r.touched),
    duration(r.touchP50),
    duration(r.touchP90),
    String(r.breaches),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [head, ...lines]
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function slaCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...connectionOptions,
      by: { type: 'string' },
      weeks: { type: 'string' },
      failed: { type: 'boolean' },
      limit: { type: 'string' },
    },
  });
  if (values.help || sub === undefined || sub === '--help' || sub === '-h') {
    console.log(SLA_HELP);
    return 0;
  }
  const c = connection(values, env);
  if (sub === 'report') {
    const query = new URLSearchParams({ by: values.by ?? 'rep', weeks: values.weeks ?? '4' });
    const answer = (await (await get(c, `/v1/sla/report?${query}`)).json()) as {
      by: string;
      items: Array<HandoffReportRow & { name: string | null }>;
    };
    console.log(values.json ? JSON.stringify(answer, null, 2) : formatSlaReport(answer.by, answer.items));
    return 0;
  }
  if (sub === 'notifications') {
    const query = new URLSearchParams({
      limit: values.limit ?? '50',
      ...(values.failed ? { status: 'failed' } : {}),
    });
    const answer = (await (await get(c, `/v1/sla/notifications?${query}`)).json()) as {
      items: Array<NotificationRow & { recipientName: string | null }>;
    };
    if (values.json) console.log(JSON.stringify(answer, null, 2));
    else if (answer.items.length === 0)
      console.log(values.failed ? 'No notification has failed.' : 'No notifications.');
    else
      for (const n of answer.items)
        console.log(
          `${n.createdAt}  ${n.status.padEnd(7)} ${n.channel} → ${n.recipientName && n.recipientName !== n.recipientId ? `${n.recipientName} (${n.recipientId})` : n.recipientId}  ${n.kind}: ${n.message}` +
            (n.lastError ? `\n    last error (try ${n.attempts}): ${n.lastError}` : ''),
        );
    return 0;
  }
  throw new CliError(`Unknown sla command '${sub}'.\n\n${SLA_HELP}`, 2);
}
