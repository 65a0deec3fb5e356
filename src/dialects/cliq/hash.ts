// CLIQ's call signature: `hash` is the hex MD5 of fields concatenated with no separator, ending in
// the api_secret (specs/dialects.md). MD5 is CLIQ's choice, kept for compatibility; compared in
// constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

export function md5Hex(parts: readonly string[]): string {
  return createHash('md5').update(parts.join(''), 'utf8').digest('hex');
}

/** Whether `presented` is one of the expected hashes (hex, any case), in constant time for each. */
export function hashMatches(presented: string, expected: ReadonlyArray<readonly string[]>): boolean {
  const given = Buffer.from(presented.toLowerCase().padEnd(32, '0').slice(0, 32), 'utf8');
  const wellFormed = /^[0-9a-f]{32}$/i.test(presented);
  let matched = false;
  for (const parts of expected) matched = timingSafeEqual(given, Buffer.from(md5Hex(parts), 'utf8')) || matched;
  return wellFormed && matched;
}
