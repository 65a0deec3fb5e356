// An application/x-www-form-urlencoded body read as a call's fields, for the dialects whose
// providers take forms: a field given more than once is refused, naming it, rather than read as
// its last value (`reference=a&reference=b` is no one reference).
import { DomainError } from '../../core/errors.js';

export function formFields(body: string): Record<string, string> {
  const entries = [...new URLSearchParams(body)];
  const seen = new Set<string>();
  for (const [name] of entries) {
    if (seen.has(name)) throw new DomainError('parameter_invalid', `${name} is given more than once in the form; give it once.`, name);
    seen.add(name);
  }
  // own data properties, whatever the names (`__proto__` included): never the object's prototype
  return Object.fromEntries(entries);
}
