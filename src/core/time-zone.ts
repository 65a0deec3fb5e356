// Wall-clock date and time in a named (IANA) time zone, for APIs that print a local date and time
// (the merchant's). Intl knows the zones and their daylight-saving rules; nothing here reads a clock.

/** True for a zone name Intl accepts ("Africa/Lagos", "UTC"); an unknown name is false, never a throw. */
export function isTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(timeZone, format);
  }
  return format;
}

/** `ms` since the epoch as "YYYY-MM-DD" and "HH:mm:ss" on a wall clock in `timeZone`. */
export function localDateTime(ms: number, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(formatFor(timeZone).formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
}
