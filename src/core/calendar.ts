// Calendar days in a time zone: where a merchant's day begins and ends, exactly (a day of 23 or 25
// hours included), with the time-zone data the runtime carries (Intl). Pure: no clock.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** YYYY-MM-DD → [year, month (1-12), day], or null when it is not a real date. */
export function parseDate(text: string): [number, number, number] | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return null;
  return [y, m, d];
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(ms: number, zone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), min: Number(parts.minute), s: Number(parts.second) };
}

/** How far the zone's wall clock is ahead of UTC at an instant (ms). */
function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a day begins in a zone: the first instant whose local date is that day. Usually its
 * local midnight; where a daylight-saving change skips midnight (America/Santiago, 00:00 → 01:00),
 * the instant of the change; where one repeats it, the first of the two.
 */
export function startOfDay(y: number, m: number, d: number, zone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  const date = dateOf(wall, 'UTC');
  // local midnight under each offset the zone has around that day (two at most: before and after a change)
  const offsets = new Set([offsetAt(wall - 86_400_000, zone), offsetAt(wall, zone), offsetAt(wall + 86_400_000, zone)]);
  const candidates = [...offsets].map((offset) => wall - offset).sort((a, b) => a - b);
  let before: number | null = null; // the latest candidate known to fall on an earlier date
  for (const candidate of candidates) {
    if (dateOf(candidate, zone) < date) {
      before = candidate;
      continue;
    }
    if (dateOf(candidate - 1, zone) < date) return candidate;
    // the day began between the candidates: at a change that skipped its midnight (not at midnight itself)
    let [lo, hi] = [before ?? candidate - 86_400_000, candidate];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (dateOf(mid, zone) < date) lo = mid;
      else hi = mid;
    }
    return hi;
  }
  throw new RangeError(`no instant of ${date} in ${zone}`);
}

/** The date (YYYY-MM-DD) an instant falls on in a zone. */
export function dateOf(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  return `${String(w.y).padStart(4, '0')}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** The date `n` days after a date (n may be negative). */
export function addDays(date: string, n: number): string {
  const parsed = parseDate(date);
  if (!parsed) throw new RangeError(`not a date: ${date}`);
  const t = new Date(Date.UTC(parsed[0], parsed[1] - 1, parsed[2] + n));
  return t.toISOString().slice(0, 10);
}

/** Whole days from one valid date YYYY-MM-DD to another (negative when `to` is the earlier). */
export function dayCount(from: string, to: string): number {
  const [a, b] = [parseDate(from), parseDate(to)];
  if (!a || !b) throw new RangeError(`not a date: ${a ? to : from}`);
  return (Date.UTC(b[0], b[1] - 1, b[2]) - Date.UTC(a[0], a[1] - 1, a[2])) / 86_400_000;
}

export interface CalendarDay {
  date: string;
  from: number;
  to: number;
}

/** The days [from, to) as bounds in a zone, oldest first. */
export function daysBetween(from: string, to: string, zone: string): CalendarDay[] {
  const days: CalendarDay[] = [];
  const start = (date: string) => startOfDay(...parseDate(date)!, zone);
  // a day ends where the next begins: each bound is worked out once
  for (let date = from, begins = from < to ? start(from) : 0; date < to; ) {
    const next = addDays(date, 1);
    const ends = start(next);
    days.push({ date, from: begins, to: ends });
    [date, begins] = [next, ends];
  }
  return days;
}
