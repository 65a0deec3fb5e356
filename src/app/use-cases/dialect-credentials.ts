// A merchant's credential set for a provider dialect that authenticates with a name and a token of
// its own (a public code + an access token). The token is kept only as a hash.
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../core/errors.js';
import type { App, Caller } from '../context.js';
import type { DialectCredential } from '../ports/persistence.js';
import type { Work } from '../unit-of-work.js';
import { hashSecret, requireMerchant } from './merchants.js';

export interface DialectSecretSpec {
  dialect: string;
  /** Prefix of the lookup value and of the secret (`mp_`, `mpat_`): people can tell them apart. */
  lookupPrefix: string;
  secretPrefix: string;
}

export interface IssuedDialectCredential {
  credential: DialectCredential;
  /** The secret in plain text: shown once (null when none was issued). */
  secret: string | null;
}

const invalid = () => new DomainError('invalid_api_key', 'The credentials are not valid (unknown, or the token was reset).');

function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** One set per merchant and dialect; with `issueSecret: false` the first secret is fetched later (issueFirstSecret). */
export async function createDialectCredential(unit: Work, spec: DialectSecretSpec, merchantId: string, input: { livemode: boolean; issueSecret: boolean }): Promise<IssuedDialectCredential> {
  await requireMerchant(unit.tx, merchantId);
  if (await unit.tx.findDialectCredentialOfMerchant(merchantId, spec.dialect))
    throw new DomainError('already_exists', `Merchant ${merchantId} already has a ${spec.dialect} credential set.`);
  const now = unit.app.clock.now();
  const secret = input.issueSecret ? unit.app.ids.secret(spec.secretPrefix, 32) : null;
  const credential: DialectCredential = {
    id: unit.app.ids.id('dcr'), merchantId, dialect: spec.dialect, livemode: input.livemode, lookup: unit.app.ids.secret(spec.lookupPrefix, 8),
    secretHash: secret === null ? null : hashSecret(secret), createdAt: now, updatedAt: now,
  };
  await unit.tx.insertDialectCredential(credential);
  return { credential, secret };
}

export async function findDialectCredentialOfMerchant(app: App, merchantId: string, dialect: string): Promise<DialectCredential | null> {
  return app.db.read.findDialectCredentialOfMerchant(merchantId, dialect);
}

/** The caller behind a lookup value and its secret: a merchant-wide caller in the set's mode. */
export async function authenticateDialect(app: App, dialect: string, lookup: string, secret: string): Promise<Caller> {
  const credential = await app.db.read.findDialectCredential(dialect, lookup);
  if (!credential || credential.secretHash === null || !sameHash(credential.secretHash, hashSecret(secret))) throw invalid();
  return { merchantId: credential.merchantId, livemode: credential.livemode, terminalId: null, credentialId: credential.id, kind: 'secret' };
}

/** Issues the first secret of a set that has none; refused once one exists (it can only be reset). */
export async function issueFirstSecret(unit: Work, spec: DialectSecretSpec, lookup: string): Promise<string> {
  const credential = await unit.tx.findDialectCredential(spec.dialect, lookup);
  if (!credential) throw invalid();
  if (credential.secretHash !== null) throw new DomainError('already_exists', 'A token already exists for these credentials; reset it with the previous token.');
  const secret = unit.app.ids.secret(spec.secretPrefix, 32);
  if (!(await unit.tx.replaceDialectSecret(credential.id, null, hashSecret(secret), unit.app.clock.now())))
    throw new DomainError('already_exists', 'A token was issued for these credentials meanwhile.');
  return secret;
}

/** Replaces the secret; the previous one must be presented, and stops working at once. */
export async function resetSecret(unit: Work, spec: DialectSecretSpec, lookup: string, previous: string): Promise<string> {
  const credential = await unit.tx.findDialectCredential(spec.dialect, lookup);
  const previousHash = hashSecret(previous);
  if (!credential || credential.secretHash === null || !sameHash(credential.secretHash, previousHash)) throw invalid();
  const secret = unit.app.ids.secret(spec.secretPrefix, 32);
  // compare-and-set: of two resets with the same previous token, one wins and the other is refused
  if (!(await unit.tx.replaceDialectSecret(credential.id, previousHash, hashSecret(secret), unit.app.clock.now()))) throw invalid();
  return secret;
}
