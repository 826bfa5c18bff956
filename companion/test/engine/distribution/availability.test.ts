import { describe, expect, it } from 'vitest';
import {
  describeDays,
  isWithinWorkingHours,
  localClock,
  unavailability,
} from '../../../src/engine/distribution/availability.js';
import { user } from './pool-fixtures.js';

const at = (iso: string): number => Date.parse(iso);

describe('localClock', () => {
  it('reads the weekday and time in the given zone', () => {
    // 23:30 UTC on Sunday is already Monday 08:30 in Tokyo and still Sunday 18:30 in New York.
    expect(localClock(at('2026-11-15T23:30:00Z'), 'Asia/Tokyo')).toEqual({ day: 1, minutes: 8 * 60 + 30 });
    expect(localClock(at('2026-11-15T23:30:00Z'), 'America/New_York')).toEqual({
      day: 7,
      minutes: 18 * 60 + 30,
    });
  });

  it('handles zones with half-hour offsets', () => {
    expect(localClock(at('2026-11-16T03:30:00Z'), 'Asia/Kolkata')).toEqual({ day: 1, minutes: 9 * 60 });
  });

  it('returns null for a zone that does not exist', () => {
    expect(localClock(0, 'Nowhere/Special')).toBeNull();
  });
});

describe('isWithinWorkingHours', () => {
  const monday = (hh: number, mm = 0): { day: number; minutes: number } => ({
    day: 1,
    minutes: hh * 60 + mm,
  });

  it('includes the start and excludes the end', () => {
    const hours = { days: [1], start: '09:00', end: '17:00' };
    expect(isWithinWorkingHours(hours, monday(9))).toBe(true);
    expect(isWithinWorkingHours(hours, monday(8, 59))).toBe(false);
    expect(isWithinWorkingHours(hours, monday(16, 59))).toBe(true);
    expect(isWithinWorkingHours(hours, monday(17))).toBe(false);
  });

  it('reads 00:00–24:00 and equal start and end as the whole day', () => {
    expect(isWithinWorkingHours({ days: [1], start: '00:00', end: '24:00' }, monday(23, 59))).toBe(true);
    expect(isWithinWorkingHours({ days: [1], start: '08:00', end: '08:00' }, monday(3))).toBe(true);
    expect(isWithinWorkingHours({ days: [2], start: '08:00', end: '08:00' }, monday(3))).toBe(false);
  });
});

describe('describeDays', () => {
  it('writes runs of days the way people do', () => {
    expect(describeDays([1, 2, 3, 4, 5])).toBe('Mon–Fri');
    expect(describeDays([5, 1, 3])).toBe('Mon, Wed, Fri');
    expect(describeDays([6, 7])).toBe('Sat, Sun');
    expect(describeDays([1, 2, 3, 6, 7])).toBe('Mon–Wed, Sat, Sun');
    expect(describeDays([])).toBe('no days');
  });
});

describe('unavailability', () => {
  const noon = at('2026-11-16T12:00:00Z');

  it('checks hours in UTC when the user has no time zone', () => {
    expect(unavailability(user('a', { TimeZoneSidKey: null }), noon, true)).toBeNull();
    expect(unavailability(user('a', { TimeZoneSidKey: null }), at('2026-11-16T18:00:00Z'), true)?.code).toBe(
      'outside-hours',
    );
  });

  it('treats an unreadable return date as still away, and says so', () => {
    expect(unavailability(user('a', { Out_Of_Office_Until__c: 'next week' }), noon, true)).toEqual({
      code: 'out-of-office',
      reason: "out of office, with an unreadable return date 'next week'",
    });
  });

  it('refuses working days outside 1–7', () => {
    const odd = user('a', { WorkingHours: { days: [0, 8], start: '09:00', end: '17:00' } });
    expect(unavailability(odd, noon, true)?.reason).toBe(
      'outside working hours: working days must be numbers from 1 (Monday) to 7 (Sunday)',
    );
  });
});
