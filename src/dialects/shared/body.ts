// A JSON body read by a dialect's own zod schema, for the dialects that answer a bad body in their
// own envelope rather than by Fastify's validation: the first problem decides the code and names
// its field, as the native API's validation does.
import type { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { isAbsent, MISSING_KEYWORDS } from './errors.js';

/** `isAmount` says which fields (dotted paths) hold money, so a bad one is amount_invalid. */
export function parseObjectBody<T extends z.ZodType>(schema: T, body: unknown, isAmount: (field: string) => boolean): z.infer<T> {
  if (body === undefined || body === null) throw new DomainError('parameter_missing', 'The body is required: a JSON object.', 'body');
  if (typeof body !== 'object' || Array.isArray(body)) throw new DomainError('parameter_invalid', 'The body must be a JSON object.', 'body');
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = [...issue.path, issue.keys[0] ?? 'field'].join('.');
    throw new DomainError('unknown_field', `Unknown field ${key}.`, key);
  }
  const field = issue.path.join('.') || 'body';
  if (MISSING_KEYWORDS.has(issue.code) && isAbsent(body, issue.path)) throw new DomainError('parameter_missing', `${field} is required.`, field);
  throw new DomainError(isAmount(field) ? 'amount_invalid' : 'parameter_invalid', `${field}: ${issue.message}`, field);
}
