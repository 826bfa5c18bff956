import type { UserRecord, WorkingHours } from '../model.js';
import { InvalidTimeError } from './distribution.errors.js';

/** Used when a user has no WorkingHours of their own. */
export const DEFAULT_WORKING_HOURS: WorkingHours = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const DAY_NUMBERS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Epoch milliseconds for an ISO timestamp or epoch milliseconds; anything else is a caller's mistake. */
export function toEpochMs(time: string | number): number {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) throw new InvalidTimeError(time);
  return ms;
}

// Building a formatter is the slow part of Intl; one per zone is enough.
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      formatter = null;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface LocalClock {
  /** 1 (Monday) … 7 (Sunday). */
  day: number;
  /** Minutes since local midnight. */
  minutes: number;
}

/** The weekday and time of day at `epochMs` in `timeZone`, or null when the zone is not an IANA zone. */
export function localClock(epochMs: number, timeZone: string): Readonly<LocalClock> | null {
  // Zones are whole minutes from UTC, so one reading serves every moment of the same minute.
  const key = `${timeZone} ${Math.floor(epochMs / 60_000)}`;
  let clock = clocks.get(key);
  if (clock === undefined) {
    clock = readLocalClock(epochMs, timeZone);
    if (clocks.size >= 10_000) clocks.clear();
    clocks.set(key, clock);
  }
  return clock;
}

const clocks = new Map<string, Readonly<LocalClock> | null>();

function readLocalClock(epochMs: number, timeZone: string): LocalClock | null {
  const formatter = formatterFor(timeZone);
  if (!formatter) return null;
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(epochMs)) {
    if (part.type === 'weekday') day = DAY_NUMBERS[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minutes: hour * 60 + minute };
}

const clockTimes = new Map<string, number | null>();

/** 'HH:MM' (00:00 … 24:00) as minutes since midnight, or null. */
function parseClockTime(value: string): number | null {
  let minutes = clockTimes.get(value);
  if (minutes === undefined) {
    minutes = readClockTime(value);
    // Working hours use a few dozen distinct times; the bound only guards against odd input.
    if (clockTimes.size > 1000) clockTimes.clear();
    clockTimes.set(value, minutes);
  }
  return minutes;
}

function readClockTime(value: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (Number(match[2]) > 59 || minutes > 24 * 60) return null;
  return minutes;
}

/** Why a WorkingHours value cannot be used, or null when it can. */
export function workingHoursProblem(hours: WorkingHours): string | null {
  if (!Array.isArray(hours.days) || hours.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    return 'working days must be numbers from 1 (Monday) to 7 (Sunday)';
  }
  if (parseClockTime(hours.start) === null || parseClockTime(hours.end) === null) {
    return `working hours '${hours.start}'–'${hours.end}' are not times like '09:00'`;
  }
  return null;
}

/**
 * Whether the local clock falls in the window. A window whose end is before its start runs past
 * midnight and belongs to the day it starts (Mon 22:00–06:00 covers Tuesday 03:00); start equal to
 * end means the whole day.
 */
export function isWithinWorkingHours(hours: WorkingHours, clock: LocalClock): boolean {
  const start = parseClockTime(hours.start);
  const end = parseClockTime(hours.end);
  if (start === null || end === null) return false;
  const worksOn = (day: number): boolean => hours.days.includes(day);
  if (start === end) return worksOn(clock.day);
  if (start < end) return worksOn(clock.day) && clock.minutes >= start && clock.minutes < end;
  const previousDay = clock.day === 1 ? 7 : clock.day - 1;
  return (worksOn(clock.day) && clock.minutes >= start) || (worksOn(previousDay) && clock.minutes < end);
}

/** 'Mon–Fri', 'Mon, Wed, Fri', 'Sat, Sun'. */
export function describeDays(days: number[]): string {
  const sorted = [...new Set(days)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  if (sorted.length === 0) return 'no days';
  const runs: string[] = [];
  let runStart = sorted[0]!;
  let previous = runStart;
  const close = (from: number, to: number): void => {
    const name = (d: number): string => DAY_NAMES[d - 1]!;
    if (from === to) runs.push(name(from));
    else if (to === from + 1) runs.push(name(from), name(to));
    else runs.push(`${name(from)}–${name(to)}`);
  };
  for (const day of sorted.slice(1)) {
    if (day !== previous + 1) {
      close(runStart, previous);
      runStart = day;
    }
    previous = day;
  }
  close(runStart, previous);
  return runs.join(', ');
}

export function describeWorkingHours(hours: WorkingHours): string {
  return `${describeDays(hours.days)} ${hours.start}–${hours.end}`;
}

function formatClock(clock: LocalClock): string {
  const hh = String(Math.floor(clock.minutes / 60)).padStart(2, '0');
  const mm = String(clock.minutes % 60).padStart(2, '0');
  return `${DAY_NAMES[clock.day - 1] ?? '?'} ${hh}:${mm}`;
}

export type UnavailableCode = 'out-of-office' | 'outside-hours';

export interface Unavailable {
  code: UnavailableCode;
  reason: string;
}

/** A return time in words a rep reads: the UTC day, with the time when it is not midnight. */
function returnWords(ms: number): string {
  const iso = new Date(ms).toISOString();
  const time = iso.slice(11, 16);
  return time === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time} UTC`;
}

/**
 * Whether a user can take a lead at `nowMs` as far as their calendar goes: out of office and,
 * when `respectWorkingHours`, their working hours in their own time zone (UTC when none is set).
 */
export function unavailability(
  user: UserRecord,
  nowMs: number,
  respectWorkingHours: boolean,
  clockIn: (timeZone: string) => LocalClock | null = (zone) => localClock(nowMs, zone),
): Unavailable | null {
  const away = user.Out_Of_Office_Until__c;
  if (away) {
    const until = Date.parse(away);
    if (!Number.isFinite(until)) {
      return { code: 'out-of-office', reason: `out of office, with an unreadable return date '${away}'` };
    }
    if (until > nowMs) return { code: 'out-of-office', reason: `out of office until ${returnWords(until)}` };
  }
  if (!respectWorkingHours) return null;
  const hours = user.WorkingHours ?? DEFAULT_WORKING_HOURS;
  const problem = workingHoursProblem(hours);
  if (problem) return { code: 'outside-hours', reason: `outside working hours: ${problem}` };
  const timeZone = user.TimeZoneSidKey || 'UTC';
  const clock = clockIn(timeZone);
  if (!clock) {
    return { code: 'outside-hours', reason: `outside working hours: '${timeZone}' is not a time zone` };
  }
  if (isWithinWorkingHours(hours, clock)) return null;
  return {
    code: 'outside-hours',
    reason: `outside working hours: it is ${formatClock(clock)} in ${timeZone} (works ${describeWorkingHours(hours)})`,
  };
}
