// A merchant's credential set for a provider dialect: a name the caller goes by (a public code), a
// secret of its own (kept as a hash; also sealed when the server must sign or check a signature with
// it) and, for dialects whose callers send a posgate terminal key, the key it issued. One set per
// merchant and dialect; revoking it revokes its key, and the merchant may then be issued a new one.
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../core/errors.js';
import type { App, Caller } from '../context.js';
import type { DialectCredential, Terminal } from '../ports/persistence.js';
import type { Work } from '../unit-of-work.js';
import { apiKeyActor } from './audit.js';
import { ensureFirstTerminal, followDemoSet } from './bootstrap.js';
import { createApiKey, hashSecret, requireMerchant, type IssuedKey } from './merchants.js';

export interface DialectSecretSpec {
  dialect: string;
  /** Prefix of the lookup value and of the secret (`mp_`, `mpat_`): people can tell them apart. */
  lookupPrefix: string;
  secretPrefix: string;
  /** The server reads the secret again (to check a caller's hash or HMAC made with it): keep it sealed too. */
  sealSecret?: boolean;
}

export interface IssuedDialectCredential {
  credential: DialectCredential;
  /** The secret in plain text: shown once (null when none was issued). */
  secret: string | null;
  /** The terminal key issued with the set and its terminal (the merchant's first), when asked for. */
  terminalKey: (IssuedKey & { terminal: Terminal }) | null;
}

const invalid = () => new DomainError('invalid_api_key', 'The credentials are not valid (unknown, or the token was reset).');

function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** How a secret is kept: always its hash; sealed as well when the set's spec asks. */
function kept(unit: Work, spec: DialectSecretSpec, secret: string): { hash: string; sealed: string | null } {
  return { hash: hashSecret(secret), sealed: spec.sealSecret ? unit.app.box.seal(secret) : null };
}

/**
 * One set per merchant and dialect (revoke the old one to issue a new one). With `issueSecret: false`
 * the first secret is fetched later (issueFirstSecret); with `terminalKey` the set also issues a
 * terminal key of the merchant's first terminal, in the set's mode, bound to the set.
 */
export async function createDialectCredential(unit: Work, spec: DialectSecretSpec, merchantId: string, input: { livemode: boolean; issueSecret: boolean; terminalKey?: boolean }): Promise<IssuedDialectCredential> {
  await requireMerchant(unit.tx, merchantId);
  if (await unit.tx.findDialectCredentialOfMerchant(merchantId, spec.dialect))
    throw new DomainError('already_exists', `Merchant ${merchantId} already has a ${spec.dialect} credential set; revoke it first to issue a new one.`);
  const now = unit.app.clock.now();
  const secret = input.issueSecret ? unit.app.ids.secret(spec.secretPrefix, 32) : null;
  const stored = secret === null ? null : kept(unit, spec, secret);
  let terminalKey: IssuedDialectCredential['terminalKey'] = null;
  if (input.terminalKey) {
    const terminal = await ensureFirstTerminal(unit, merchantId);
    terminalKey = { ...(await createApiKey(unit, { merchantId, terminalId: terminal.id, mode: input.livemode ? 'live' : 'test' })), terminal };
  }
  const credential: DialectCredential = {
    id: unit.app.ids.id('dcr'), merchantId, dialect: spec.dialect, livemode: input.livemode, lookup: unit.app.ids.secret(spec.lookupPrefix, 8),
    secretHash: stored?.hash ?? null, secretSealed: stored?.sealed ?? null, apiKeyId: terminalKey?.key.id ?? null, createdAt: now, updatedAt: now,
  };
  await unit.tx.insertDialectCredential(credential);
  return { credential, secret, terminalKey };
}

/** Ends a merchant's set for a dialect: its lookup stops resolving and its terminal key is revoked, at once. */
export async function revokeDialectCredential(unit: Work, dialect: string, merchantId: string): Promise<DialectCredential> {
  await requireMerchant(unit.tx, merchantId);
  const credential = await unit.tx.findDialectCredentialOfMerchant(merchantId, dialect);
  if (!credential) throw new DomainError('not_found', `Merchant ${merchantId} has no ${dialect} credential set.`, 'dialect');
  // a key revoked already keeps its first revocation time
  if (credential.apiKeyId !== null) await unit.tx.revokeApiKey(credential.apiKeyId, unit.app.clock.now());
  await unit.tx.deleteDialectCredential(credential.id);
  await followDemoSet(unit, merchantId, dialect, undefined);
  return credential;
}

/**
 * A merchant's new set for `dialect`, made by that dialect's `issue` (its shape is the dialect's
 * own) with `options` (the admin call's; none: the kind the demo merchant is made with).
 */
export async function issueCredentialSet<T>(unit: Work, dialect: string, merchantId: string, options: Record<string, unknown>, issue: (unit: Work) => Promise<T>): Promise<T> {
  const set = await issue(unit);
  await followDemoSet(unit, merchantId, dialect, Object.keys(options).length === 0 ? set : null);
  return set;
}

/** The secret of a set that keeps it sealed (spec.sealSecret), for checking what a caller signed with it. */
export function openDialectSecret(app: App, credential: DialectCredential): string | null {
  return credential.secretSealed === null ? null : app.box.open(credential.secretSealed);
}

/** The set a caller names by its lookup value, or null (unknown or revoked). */
export function findDialectCredential(app: App, dialect: string, lookup: string): Promise<DialectCredential | null> {
  return app.db.read.findDialectCredential(dialect, lookup);
}

export async function findDialectCredentialOfMerchant(app: App, merchantId: string, dialect: string): Promise<DialectCredential | null> {
  return app.db.read.findDialectCredentialOfMerchant(merchantId, dialect);
}

/** The caller behind a lookup value and its secret: a merchant-wide caller in the set's mode. */
export async function authenticateDialect(app: App, dialect: string, lookup: string, secret: string): Promise<Caller> {
  const credential = await app.db.read.findDialectCredential(dialect, lookup);
  if (!credential || credential.secretHash === null || !sameHash(credential.secretHash, hashSecret(secret))) throw invalid();
  return {
    merchantId: credential.merchantId, livemode: credential.livemode, terminalId: null, credentialId: credential.id, kind: 'secret',
    actor: apiKeyActor({ id: credential.id, kind: 'credential set' }, dialect), source: dialect,
  };
}

/** Issues the first secret of a set that has none; refused once one exists (it can only be reset). */
export async function issueFirstSecret(unit: Work, spec: DialectSecretSpec, lookup: string): Promise<string> {
  const credential = await unit.tx.findDialectCredential(spec.dialect, lookup);
  if (!credential) throw invalid();
  if (credential.secretHash !== null) throw new DomainError('already_exists', 'A token already exists for these credentials; reset it with the previous token.');
  const secret = unit.app.ids.secret(spec.secretPrefix, 32);
  if (!(await unit.tx.replaceDialectSecret(credential.id, null, kept(unit, spec, secret), unit.app.clock.now())))
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
  if (!(await unit.tx.replaceDialectSecret(credential.id, previousHash, kept(unit, spec, secret), unit.app.clock.now()))) throw invalid();
  return secret;
}
