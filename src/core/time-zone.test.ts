import { describe, expect, it } from 'vitest';
import { isTimeZone, localDateTime } from './time-zone.js';

describe('time zones', () => {
  it('know IANA names and refuse others', () => {
    expect(isTimeZone('Africa/Lagos')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('print the wall clock of the zone, across midnight and daylight saving', () => {
    const at = Date.UTC(2026, 11, 31, 23, 30, 5); // 2026-12-31 23:30:05 UTC
    expect(localDateTime(at, 'UTC')).toEqual({ date: '2026-12-31', time: '23:30:05' });
    expect(localDateTime(at, 'Africa/Lagos')).toEqual({ date: '2027-01-01', time: '00:30:05' });
    expect(localDateTime(at, 'America/New_York')).toEqual({ date: '2026-12-31', time: '18:30:05' });
    // New York in July is on daylight time (UTC-4); midnight prints as 00, never 24
    expect(localDateTime(Date.UTC(2026, 6, 1, 4, 0, 0), 'America/New_York')).toEqual({ date: '2026-07-01', time: '00:00:00' });
  });
});
