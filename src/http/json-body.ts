// A JSON body, parsed as Fastify would (secure-json-parse), with answers that say what is wrong:
// JSON's own syntax error, or where a body holds a key that reaches an object's prototype
// (`__proto__`, or `constructor` holding `prototype`), which no field of any API is named and
// which is refused rather than dropped: a body is never taken as something other than it says.
import secureJson from 'secure-json-parse';
import { DomainError } from '../core/errors.js';

const FORBIDDEN = { protoAction: 'error', constructorAction: 'error' } as const;

/** The path (`metadata.__proto__`) of the first key that reaches a prototype, in a value JSON.parse made. */
function whereForbidden(root: unknown): string | null {
  const stack: Array<{ value: unknown; path: string }> = [{ value: root, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, item] of Object.entries(value)) {
      const at = path === '' ? key : `${path}.${key}`;
      if (key === '__proto__') return at;
      if (key === 'constructor' && typeof item === 'object' && item !== null && Object.hasOwn(item, 'prototype')) return `${at}.prototype`;
      stack.push({ value: item, path: at });
    }
  }
  return null;
}

export function parseJsonBody(text: string): unknown {
  try {
    return secureJson.parse(text, undefined, FORBIDDEN);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // JSON.parse keeps such keys as plain own properties: safe to look through for the path (the
    // text parsed, so only a byte order mark, which secure-json-parse skips, could stop it)
    const where = message.includes('forbidden prototype property') ? whereForbidden(JSON.parse(text.replace(/^\uFEFF/, ''))) : null;
    if (where !== null) throw new DomainError('parameter_invalid', `${where}: a key named __proto__, or constructor holding prototype, is refused anywhere in a body (it would reach an object's prototype).`, where);
    throw new DomainError('invalid_json', `The body is not valid JSON: ${message}`);
  }
}
