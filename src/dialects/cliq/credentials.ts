// The cliq set of `posgate credentials --json`: `key`, a terminal API key of the merchant's first
// terminal (kept hashed), and `apiSecret`, which every call's MD5 hash ends with. posgate must
// compute those hashes itself, so the secret is sealed at rest (readable again), never logged.
import type { App, Caller } from '../../app/context.js';
import { ensureFirstTerminal } from '../../app/use-cases/bootstrap.js';
import { createDialectCredential, findDialectCredentialOfMerchant, type DialectSecretSpec } from '../../app/use-cases/dialect-credentials.js';
import { createApiKey } from '../../app/use-cases/merchants.js';
import type { Work } from '../../app/unit-of-work.js';
import { DomainError } from '../../core/errors.js';
import { DIALECT } from './fields.js';

const CLIQ_SET: DialectSecretSpec = { dialect: DIALECT, lookupPrefix: 'cliq_', secretPrefix: '' };

export interface CliqCredentials {
  key: string;
  apiSecret: string;
}

export async function issueCliqCredentials(unit: Work, merchantId: string, options: { livemode?: boolean } = {}): Promise<CliqCredentials> {
  const livemode = options.livemode ?? false;
  const { credential } = await createDialectCredential(unit, CLIQ_SET, merchantId, { livemode, issueSecret: false });
  const terminal = await ensureFirstTerminal(unit, merchantId);
  const key = await createApiKey(unit, { merchantId, terminalId: terminal.id, mode: livemode ? 'live' : 'test' });
  const apiSecret = unit.app.ids.secret('', 24);
  const now = unit.app.clock.now();
  await unit.tx.putDialectRecord({ dialect: DIALECT, kind: 'api_secret', key: credential.id, data: { sealed: unit.app.box.seal(apiSecret) }, createdAt: now, updatedAt: now });
  return { key: key.secret, apiSecret };
}

/** The api_secret of the caller's merchant, opened: the hashes of its calls end with it. */
export async function apiSecretOf(app: App, caller: Pick<Caller, 'merchantId' | 'livemode'>): Promise<string> {
  const credential = await findDialectCredentialOfMerchant(app, caller.merchantId, DIALECT);
  const record = credential && credential.livemode === caller.livemode ? await app.db.read.getDialectRecord(DIALECT, 'api_secret', credential.id) : null;
  if (!record || typeof record.data.sealed !== 'string') throw new DomainError('invalid_api_key', 'This key has no CLIQ credential set: ask the operator for one.');
  return app.box.open(record.data.sealed);
}
