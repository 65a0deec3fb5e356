// Text posgate cannot store as it came is refused, not altered: no field of any API means a NUL
// character (U+0000), and PostgreSQL's text cannot hold one (its driver fails the statement, which
// would be a 500; SQLite would store it); a lone UTF-16 surrogate (JSON's "\ud800" with no partner)
// is no character at all, and UTF-8 storage turns it into U+FFFD, so a reference acknowledged in a
// 201 would read back changed. Either, anywhere in a request's path, query or body, is bad input,
// refused alike on both databases before a use case runs, in the caller's dialect (the hooks'
// errors go to the route's own error handler).
import { DomainError } from '../core/errors.js';

const NUL = '\u0000';

/** What makes a string unstorable, or null when it can be stored as it is. */
function flawOf(text: string): string | null {
  if (text.includes(NUL)) return 'a NUL character (U+0000)';
  if (!text.isWellFormed()) return 'a lone UTF-16 surrogate (not a character)';
  return null;
}

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
 * Where a parsed value holds unstorable text (`a.b.0`, `` for the value itself) and what is wrong
 * with it, or null if it holds none. Walked with a stack of its own, not by recursion: a body
 * nested 100,000 deep is valid JSON, and must be a clean answer, not a stack overflow; the path is
 * made only for the one found.
 */
export function whereUnstorable(root: unknown): { path: string; flaw: string } | null {
  const stack: Visit[] = [{ value: root, key: '', parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (typeof value === 'string') {
      const flaw = flawOf(value);
      if (flaw) return { path: pathOf(visit), flaw };
    } else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
      for (const [key, item] of Object.entries(value)) {
        const child = { value: item, key, parent: visit };
        const flaw = flawOf(key);
        if (flaw) return { path: pathOf(child), flaw };
        stack.push(child);
      }
    }
  }
  return null;
}

/** A path short enough to name in an answer. */
const shown = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

/** The refusal of a request whose `part` holds unstorable text, or undefined when none does. */
export function refuseUnstorable(part: unknown): DomainError | undefined {
  const found = whereUnstorable(part);
  if (found === null) return undefined;
  const where = shown(found.path);
  return new DomainError('parameter_invalid', `${where === '' ? 'The request' : where} holds ${found.flaw}, which no field accepts.`, where === '' ? undefined : where);
}
