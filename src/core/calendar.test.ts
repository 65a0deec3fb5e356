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
  describe('where a daylight-saving change skips or repeats midnight, a day begins at its first instant', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    // [zone, date, the day's first instant]
    const cases: [string, string, string][] = [
      // 00:00 → 01:00: the day begins at 01:00 local, the instant of the change
      ['America/Santiago', '2026-09-06', '2026-09-06T04:00:00.000Z'],
      ['America/Asuncion', '2024-10-06', '2024-10-06T04:00:00.000Z'],
      ['America/Havana', '2026-03-08', '2026-03-08T05:00:00.000Z'],
      // 24:00 → 23:00 the day before: the day begins at its one midnight, an hour after the change
      ['America/Santiago', '2026-04-05', '2026-04-05T04:00:00.000Z'],
      // 01:00 → 00:00: midnight comes twice, the day begins at the first
      ['America/Havana', '2026-11-01', '2026-11-01T04:00:00.000Z'],
      // changes away from midnight: the day begins at local midnight
      ['Pacific/Auckland', '2026-09-27', '2026-09-26T12:00:00.000Z'],
      ['Pacific/Auckland', '2026-09-28', '2026-09-27T11:00:00.000Z'],
      ['Pacific/Auckland', '2026-04-05', '2026-04-04T11:00:00.000Z'],
      ['Pacific/Auckland', '2026-04-06', '2026-04-05T12:00:00.000Z'],
      ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z'],
      ['America/New_York', '2026-03-09', '2026-03-09T04:00:00.000Z'],
      ['America/New_York', '2026-11-01', '2026-11-01T04:00:00.000Z'],
      ['America/New_York', '2026-11-02', '2026-11-02T05:00:00.000Z'],
    ];
    it.each(cases)('%s %s begins at %s', (zone, date, first) => {
      const [y, m, d] = parseDate(date)!;
      const start = startOfDay(y, m, d, zone);
      expect(iso(start)).toBe(first);
      expect(dateOf(start, zone)).toBe(date);
      expect(dateOf(start - 1, zone)).toBe(addDays(date, -1));
    });

    it('days around the change are bounded end to end: every instant falls in the day that names it', () => {
      const days = daysBetween('2026-09-05', '2026-09-08', 'America/Santiago');
      expect(days.map((day) => (day.to - day.from) / 3600_000)).toStrictEqual([24, 23, 24]);
      for (let t = days[0]!.from; t < days.at(-1)!.to; t += 15 * 60_000) expect(days.find((day) => t >= day.from && t < day.to)!.date).toBe(dateOf(t, 'America/Santiago'));
      const [saturday] = days;
      // 23:30 on the Saturday, Santiago time: the Saturday, not the Sunday
      expect(Date.parse('2026-09-06T03:30:00Z')).toBeLessThan(saturday!.to);
    });
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
