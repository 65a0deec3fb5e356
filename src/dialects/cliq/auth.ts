// Who is calling: the body's `key` (a terminal API key) and `hash`, the MD5 of the call's fields
// ending in the merchant's api_secret. The key is checked first (its merchant's secret is needed
// to compute the hash); the hash then, over the fields each call names.
import type { App, Caller } from '../../app/context.js';
import { authenticate } from '../../app/use-cases/merchants.js';
import { DomainError } from '../../core/errors.js';
import { apiSecretOf } from './credentials.js';
import { hashMatches } from './hash.js';
import { DIALECT } from './fields.js';
import { optionalText, type Params } from './params.js';

export interface CliqAuth {
  caller: Caller;
  key: string;
  hash: string;
  apiSecret: string;
}

export async function authOf(app: App, params: Params): Promise<CliqAuth> {
  const key = optionalText(params, 'key', 256);
  const hash = optionalText(params, 'hash', 256);
  if (!key || !hash) throw new DomainError('missing_api_key', 'key and hash are required: the terminal API key, and the MD5 hash of the call ending in your api_secret.');
  const caller = await authenticate(app, key, DIALECT, { ownRequestsOnly: true });
  if (caller.kind !== 'terminal') throw new DomainError('invalid_api_key', 'key must be a terminal API key (the cliq set\'s key).');
  return { caller, key, hash, apiSecret: await apiSecretOf(app, caller) };
}

/** The hash must be the MD5 of one of these concatenations (each followed by api_secret). */
export function checkHash(auth: CliqAuth, formulas: ReadonlyArray<{ parts: readonly string[]; names: string }>): void {
  if (hashMatches(auth.hash, formulas.map((formula) => [...formula.parts, auth.apiSecret]))) return;
  const expected = formulas.map((formula) => `md5(${formula.names}+api_secret)`).join(' or ');
  throw new DomainError('invalid_api_key', `The hash does not match: it must be ${expected}, in lower-case hex.`, 'hash');
}
