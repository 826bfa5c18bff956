import { describe, expect, it } from 'vitest';
import { nextCronRun } from '../../src/jobs/cron.js';

const next = (cron: string, after: string) => nextCronRun(cron, new Date(after)).toISOString();

describe('the next run of a cron (UTC)', () => {
  it('finds the next minute a schedule fires, never the moment itself', () => {
    expect(next('0 2 * * *', '2026-11-23T15:00:00Z')).toBe('2026-11-24T02:00:00.000Z');
    expect(next('0 2 * * *', '2026-11-24T01:59:30Z')).toBe('2026-11-24T02:00:00.000Z');
    expect(next('0 2 * * *', '2026-11-24T02:00:00Z')).toBe('2026-11-25T02:00:00.000Z');
    expect(next('30 2 * * *', '2026-12-31T23:00:00Z')).toBe('2027-01-01T02:30:00.000Z');
  });

  it('reads weekdays (0 and 7 are Sunday), steps, ranges and lists', () => {
    // 2026-11-23 is a Monday; the next Saturday is the 28th.
    expect(next('0 3 * * 6', '2026-11-23T15:00:00Z')).toBe('2026-11-28T03:00:00.000Z');
    expect(next('0 9 * * 7', '2026-11-23T15:00:00Z')).toBe('2026-11-29T09:00:00.000Z');
    expect(next('*/15 * * * *', '2026-11-23T15:07:00Z')).toBe('2026-11-23T15:15:00.000Z');
    expect(next('0 8-17/3 * * 1-5', '2026-11-27T18:00:00Z')).toBe('2026-11-30T08:00:00.000Z');
    expect(next('0 0 1,15 * *', '2026-11-23T15:00:00Z')).toBe('2026-12-01T00:00:00.000Z');
  });

  it('fires on either day field when both are set, as cron does', () => {
    // The 1st of the month or any Friday: Friday 27 November comes first.
    expect(next('0 0 1 * 5', '2026-11-23T15:00:00Z')).toBe('2026-11-27T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('says what is wrong with a malformed cron', () => {
    expect(() => nextCronRun('0 2 * *', new Date())).toThrow(/not a five-field cron/);
    expect(() => nextCronRun('61 * * * *', new Date())).toThrow(
      /'61' is out of range for the minute \(0-59\)/,
    );
    expect(() => nextCronRun('0 two * * *', new Date())).toThrow(/'two' is not a valid hour/);
  });
});
