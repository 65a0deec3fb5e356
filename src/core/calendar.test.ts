import { describe, expect, it } from 'vitest';
import { addDays, dateOf, dayCount, daysBetween, parseDate, startOfDay } from './calendar.js';

describe('calendar days in a time zone', () => {
  it('bounds a UTC day at midnight UTC', () => {
    expect(startOfDay(2026, 3, 1, 'UTC')).toBe(Date.UTC(2026, 2, 1));
  });
  it('bounds an Auckland day at its local midnight (13 h before UTC midnight in summer)', () => {
    expect(startOfDay(2026, 1, 15, 'Pacific/Auckland')).toBe(Date.UTC(2026, 0, 14, 11));
  });
  it('gives a day of 25 hours when daylight saving ends (Auckland, 5 April 2026)', () => {
    const [day] = daysBetween('2026-04-05', '2026-04-06', 'Pacific/Auckland');
    expect(day!.to - day!.from).toBe(25 * 3600_000);
  });
  it('names the local date of an instant', () => {
    expect(dateOf(Date.UTC(2026, 0, 14, 11, 30), 'Pacific/Auckland')).toBe('2026-01-15');
    expect(dateOf(Date.UTC(2026, 0, 14, 11, 30), 'UTC')).toBe('2026-01-14');
  });
  it('refuses dates that do not exist', () => {
    expect(parseDate('2026-02-30')).toBeNull();
    expect(parseDate('2026-2-3')).toBeNull();
  });
  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('dayCount', () => {
  it('counts whole days between dates, across years and leap days, either way', () => {
    expect(dayCount('2026-03-11', '2026-03-12')).toBe(1);
    expect(dayCount('2024-02-28', '2024-03-01')).toBe(2);
    expect(dayCount('2025-03-11', '2026-03-12')).toBe(366);
    expect(dayCount('2026-03-12', '2026-03-11')).toBe(-1);
    expect(dayCount('9999-12-30', '9999-12-31')).toBe(1);
    expect(() => dayCount('2026-02-30', '2026-03-01')).toThrow(RangeError);
  });
});
