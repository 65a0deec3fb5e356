// No field of any API means a NUL character (U+0000), and PostgreSQL's text cannot hold one (its
// driver fails the statement, which would be a 500; SQLite would store it). So a NUL anywhere in a
// request's path, query or body is bad input, refused alike on both databases before a use case
// runs, in the caller's dialect (the hooks' errors go to the route's own error handler).
import { DomainError } from '../core/errors.js';

const NUL = '\u0000';

/** Where the first NUL of a parsed value is (`a.b.0`, `` for the value itself), or null if it holds none. */
export function whereNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (key.includes(NUL)) return here;
    const found = whereNul(item, here);
    if (found !== null) return found;
  }
  return null;
}

/** The refusal of a request whose `part` holds a NUL, or undefined when none does. */
export function refuseNul(part: unknown): DomainError | undefined {
  const where = whereNul(part);
  if (where === null) return undefined;
  return new DomainError('parameter_invalid', `${where === '' ? 'The request' : where} holds a NUL character (U+0000), which no field accepts.`, where === '' ? undefined : where);
}
