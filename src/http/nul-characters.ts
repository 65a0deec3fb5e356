// No field of any API means a NUL character (U+0000), and PostgreSQL's text cannot hold one (its
// driver fails the statement, which would be a 500; SQLite would store it). So a NUL anywhere in a
// request's path, query or body is bad input, refused alike on both databases before a use case
// runs, in the caller's dialect (the hooks' errors go to the route's own error handler).
import { DomainError } from '../core/errors.js';

const NUL = '\u0000';

interface Visit {
  value: unknown;
  key: string;
  parent: Visit | null;
}

/** `a.b.0` for the visit, its names from the root down (`` for the root itself). */
function pathOf(visit: Visit): string {
  const names: string[] = [];
  for (let at: Visit | null = visit; at && at.parent; at = at.parent) names.push(at.key);
  return names.reverse().join('.');
}

/**
 * Where a NUL of a parsed value is (`a.b.0`, `` for the value itself), or null if it holds none.
 * Walked with a stack of its own, not by recursion: a body nested 100,000 deep is valid JSON, and
 * must be a clean answer, not a stack overflow; the path is made only for the one found.
 */
export function whereNul(root: unknown): string | null {
  const stack: Visit[] = [{ value: root, key: '', parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return pathOf(visit);
    } else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
      for (const [key, item] of Object.entries(value)) {
        const child = { value: item, key, parent: visit };
        if (key.includes(NUL)) return pathOf(child);
        stack.push(child);
      }
    }
  }
  return null;
}

/** A path short enough to name in an answer. */
const shown = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

/** The refusal of a request whose `part` holds a NUL, or undefined when none does. */
export function refuseNul(part: unknown): DomainError | undefined {
  const found = whereNul(part);
  if (found === null) return undefined;
  const where = shown(found);
  return new DomainError('parameter_invalid', `${where === '' ? 'The request' : where} holds a NUL character (U+0000), which no field accepts.`, where === '' ? undefined : where);
}
