/**
 * The next time a five-field cron (minute hour day-of-month month day-of-week, read in UTC as the
 * scheduler reads them) fires: for the jobs list's "next run". Fields take *, numbers, lists (1,15),
 * ranges (1-5) and steps (*\/10, 0-30/5); day of week 0 or 7 is Sunday. As in cron, when both day
 * fields are restricted a day matching either fires.
 */

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

interface Parsed {
  sets: Array<Set<number>>;
  /** Whether each day field was restricted (not *). */
  domRestricted: boolean;
  dowRestricted: boolean;
}

function parse(cron: string): Parsed {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new Error(`'${cron}' is not a five-field cron (minute hour day month weekday).`);
  const sets = parts.map((part, i) => {
    const { name, min, max } = FIELDS[i]!;
    const values = new Set<number>();
    for (const item of part.split(',')) {
      const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(item);
      if (!m) throw new Error(`'${item}' is not a valid ${name} in cron '${cron}'.`);
      const [from, to] = m[1] === '*' ? [min, max] : m[1]!.split('-').map(Number);
      // "5/15" runs from 5 to the end of the range, as "5-59/15" would.
      const end = to ?? (m[2] ? max : from!);
      const step = m[2] ? Number(m[2]) : 1;
      if (from! < min || end > max || from! > end || step < 1) {
        throw new Error(`'${item}' is out of range for the ${name} (${min}-${max}) in cron '${cron}'.`);
      }
      for (let v = from!; v <= end; v += step) values.add(i === 4 && v === 7 ? 0 : v);
    }
    return values;
  });
  return { sets, domRestricted: parts[2] !== '*', dowRestricted: parts[4] !== '*' };
}

/** The first minute strictly after `after` at which the cron fires (UTC). Throws on a malformed cron. */
export function nextCronRun(cron: string, after: Date): Date {
  const { sets, domRestricted, dowRestricted } = parse(cron);
  const [minutes, hours, days, months, weekdays] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const dayFires = (d: Date) => {
    const dom = days.has(d.getUTCDate());
    const dow = weekdays.has(d.getUTCDay());
    if (domRestricted && dowRestricted) return dom || dow;
    return (domRestricted ? dom : true) && (dowRestricted ? dow : true);
  };
  const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  // Day by day (at most eight years ahead, enough for 29 February on a given weekday), then the minute.
  for (let day = 0; day < 366 * 8; day++) {
    if (months.has(t.getUTCMonth() + 1) && dayFires(t)) {
      for (let h = t.getUTCHours(); h < 24; h++) {
        if (!hours.has(h)) continue;
        const fromMinute = h === t.getUTCHours() ? t.getUTCMinutes() : 0;
        for (let m = fromMinute; m < 60; m++) {
          if (minutes.has(m)) {
            return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), h, m));
          }
        }
      }
    }
    t.setUTCHours(0, 0, 0, 0);
    t.setUTCDate(t.getUTCDate() + 1);
  }
  throw new Error(`cron '${cron}' never fires.`);
}
