// CLIQ's call signature: `hash` is the hex MD5 of fields concatenated with no separator, ending in
// the api_secret (specs/dialects.md). MD5 is CLIQ's choice, kept for compatibility; compared in
// constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

export function md5Hex(parts: readonly string[]): string {
  return createHash('md5').update(parts.join(''), 'utf8').digest('hex');
}

/** Whether `presented` is one of the expected hashes (hex, any case), each compared in constant time. */
export function hashMatches(presented: string, expected: ReadonlyArray<readonly string[]>): boolean {
  // what is not 32 hex digits matches nothing (and would not be 32 bytes to compare)
  if (!/^[0-9a-f]{32}$/i.test(presented)) return false;
  const given = Buffer.from(presented.toLowerCase(), 'ascii');
  let matched = false;
  for (const parts of expected) matched = timingSafeEqual(given, Buffer.from(md5Hex(parts), 'ascii')) || matched;
  return matched;
}
