// The cliq set of `posgate credentials --json`: `key`, a terminal API key of the merchant's first
// terminal bound to the set (kept hashed; revoking the set revokes it), and `apiSecret`, which every
// call's MD5 hash ends with. posgate computes those hashes itself, so the secret is sealed at rest
// (readable again) besides its hash, and never logged.
import type { App, Caller } from '../../app/context.js';
import { createDialectCredential, findDialectCredentialOfMerchant, openDialectSecret, type DialectSecretSpec } from '../../app/use-cases/dialect-credentials.js';
import type { Work } from '../../app/unit-of-work.js';
import { DomainError } from '../../core/errors.js';
import { DIALECT } from './fields.js';

const CLIQ_SET: DialectSecretSpec = { dialect: DIALECT, lookupPrefix: 'cliq_', secretPrefix: '', sealSecret: true };

export interface CliqCredentials {
  key: string;
  apiSecret: string;
}

export async function issueCliqCredentials(unit: Work, merchantId: string, options: { livemode?: boolean } = {}): Promise<CliqCredentials> {
  const { secret, terminalKey } = await createDialectCredential(unit, CLIQ_SET, merchantId, { livemode: options.livemode ?? false, issueSecret: true, terminalKey: true });
  return { key: terminalKey!.secret, apiSecret: secret! };
}

/** The merchant's api_secret, opened, when `caller` came with the set's own key (else the key is not a CLIQ key). */
export async function apiSecretOf(app: App, caller: Pick<Caller, 'merchantId' | 'livemode' | 'credentialId'>): Promise<string> {
  const credential = await findDialectCredentialOfMerchant(app, caller.merchantId, DIALECT);
  const secret = credential && credential.apiKeyId === caller.credentialId && credential.livemode === caller.livemode ? openDialectSecret(app, credential) : null;
  if (secret === null) throw new DomainError('invalid_api_key', 'key is not the key of a CLIQ credential set (unknown, revoked, or another API\'s key).');
  return secret;
}

/** The merchant's api_secret for what posgate sends it (postback hashes); null when its set was revoked. */
export async function merchantApiSecret(app: App, merchant: { merchantId: string; livemode: boolean }): Promise<string | null> {
  const credential = await findDialectCredentialOfMerchant(app, merchant.merchantId, DIALECT);
  return credential && credential.livemode === merchant.livemode ? openDialectSecret(app, credential) : null;
}
