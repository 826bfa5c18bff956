import { DEFAULT_WORKING_HOURS, localClock, workingHoursProblem } from '../distribution/availability.js';
import type { UserRecord, WorkingHours } from '../model.js';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

function clockMinutes(value: string): number {
  const [h, m] = value.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * Minutes from the local clock to the end of the working window it is in, or null when it is outside
 * every window (the windows of `isWithinWorkingHours`: one past midnight belongs to the day it starts).
 */
function minutesLeftInWindow(hours: WorkingHours, day: number, minutes: number): number | null {
  const start = clockMinutes(hours.start);
  const end = clockMinutes(hours.end);
  const worksOn = (d: number) => hours.days.includes(d);
  if (start === end) return worksOn(day) ? DAY_MINUTES - minutes : null;
  if (start < end) return worksOn(day) && minutes >= start && minutes < end ? end - minutes : null;
  if (worksOn(day) && minutes >= start) return DAY_MINUTES - minutes + end;
  const previousDay = day === 1 ? 7 : day - 1;
  return worksOn(previousDay) && minutes < end ? end - minutes : null;
}

/** Minutes from the local clock to the next start of a window (always ahead, at most a day). */
function minutesToNextStart(hours: WorkingHours, minutes: number): number {
  const start = clockMinutes(hours.start);
  return start > minutes ? start - minutes : DAY_MINUTES - minutes + start;
}

/** The hours and zone a user's working minutes are counted in: their own, else 09:00–17:00 on weekdays in UTC. */
export function workingCalendar(user: UserRecord | undefined): { hours: WorkingHours; timeZone: string } {
  const own = user?.WorkingHours;
  const hours = own && !workingHoursProblem(own) ? own : DEFAULT_WORKING_HOURS;
  const timeZone = user?.TimeZoneSidKey || 'UTC';
  return { hours, timeZone: localClock(0, timeZone) ? timeZone : 'UTC' };
}

/**
 * The instant `minutes` working minutes after `fromMs`, counting only the minutes inside the working
 * hours in `timeZone`. Walks window to window (two steps a day), re-reading the local clock after
 * each step so a daylight-saving change moves the windows as the wall clock does. A calendar without
 * working days counts every minute.
 */
export function addWorkingMinutes(
  fromMs: number,
  minutes: number,
  calendar: { hours: WorkingHours; timeZone: string },
): number {
  const { hours, timeZone } = calendar;
  if (hours.days.length === 0) return fromMs + minutes * MINUTE_MS;
  // Whole minutes: a window opens on a minute boundary.
  let at = Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS;
  let left = minutes;
  for (let guard = 0; guard < 10_000; guard++) {
    const clock = localClock(at, timeZone)!;
    const inWindow = minutesLeftInWindow(hours, clock.day, clock.minutes);
    if (inWindow === null) {
      at += minutesToNextStart(hours, clock.minutes) * MINUTE_MS;
      continue;
    }
    if (left <= inWindow) return at + left * MINUTE_MS;
    left -= inWindow;
    at += inWindow * MINUTE_MS;
  }
  return at + left * MINUTE_MS;
}

/** The working minutes between two instants (whole minutes, rounded down), in `timeZone`'s hours. */
export function workingMinutesBetween(
  fromMs: number,
  toMs: number,
  calendar: { hours: WorkingHours; timeZone: string },
): number {
  const { hours, timeZone } = calendar;
  if (toMs <= fromMs) return 0;
  if (hours.days.length === 0) return Math.floor((toMs - fromMs) / MINUTE_MS);
  let at = Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS;
  let counted = 0;
  for (let guard = 0; guard < 10_000 && at < toMs; guard++) {
    const clock = localClock(at, timeZone)!;
    const inWindow = minutesLeftInWindow(hours, clock.day, clock.minutes);
    if (inWindow === null) {
      at += minutesToNextStart(hours, clock.minutes) * MINUTE_MS;
      continue;
    }
    const step = Math.min(inWindow, Math.floor((toMs - at) / MINUTE_MS));
    if (step <= 0) break;
    counted += step;
    at += step * MINUTE_MS;
  }
  return counted;
}
