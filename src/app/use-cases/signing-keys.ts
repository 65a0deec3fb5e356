// Webhook signing keys (ES256 on P-256, for the webhook formats that sign with JWTs), their private
// keys sealed at rest. Receivers verify with the JWKS that such a dialect publishes, which they may
// cache for JWKS_MAX_AGE_SECONDS. So a rotation publishes the new key at once but signs with it only
// once a cached JWKS from before the rotation can no longer be in use (SIGNING_KEY_ACTIVATION_MS);
// until then the key it replaces keeps signing. A key that stops signing stays published for
// PREVIOUS_KEY_RETENTION_MS from its rotation, and never less than until the last token it signed
// has expired. All times are the app clock's.
//
// Kept in settings: `webhook_signing_keys` holds the whole set (one row, so a reader never sees
// half a rotation). Two processes may make or rotate it at once (PostgreSQL): the first key is
// claimed by inserting that row, a rotation by inserting `webhook_signing_keys:generation:<n>`;
// both are unique, so the loser's transaction fails, is retried by inTransaction, and builds on
// what the winner committed instead of overwriting it.
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { App } from '../context.js';
import type { Tx } from '../ports/persistence.js';
import { inTransaction, type Work } from '../unit-of-work.js';

const SETTING = 'webhook_signing_keys';
const generationClaim = (generation: number) => `${SETTING}:generation:${generation}`;

/** How long a receiver may cache the JWKS (its Cache-Control max-age). */
export const JWKS_MAX_AGE_SECONDS = 60;
/** The longest a token signed with one of these keys is valid for (a webhook JWT's exp - iat). */
export const SIGNED_TOKEN_LIFETIME_SECONDS = 300;
/** Slack for clocks that differ and for a JWKS fetch or a token in flight. */
const MARGIN_MS = 30_000;
/** A rotated-in key signs this long after it is published: one JWKS cache lifetime, plus the margin. */
export const SIGNING_KEY_ACTIVATION_MS = JWKS_MAX_AGE_SECONDS * 1000 + MARGIN_MS;
/** How long a rotated-out public key stays published, from its rotation (at least until its last token expired). */
export const PREVIOUS_KEY_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** A P-256 public key as JWK members (base64url coordinates) and its key id. */
export interface PublicSigningKey {
  kid: string;
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

interface StoredKey extends PublicSigningKey {
  createdAt: number;
  /** Signs from then on, until a newer key does (app clock). */
  activatesAt: number;
  /** Sealed PKCS#8 PEM; dropped once a newer key signs (nothing signs with it again). */
  privateKeySealed?: string;
  /** Published until then (app clock); none while no newer key exists. */
  expiresAt?: number;
}

interface StoredKeys {
  generation: number;
  /** Newest first: keys not signing yet, then the one that signs, then those rotated out. */
  keys: StoredKey[];
}

/** The set as an earlier posgate stored it: one current key, the rotated-out ones newest first. */
interface LegacyStoredKeys {
  generation: number;
  current: PublicSigningKey & { privateKeySealed: string; createdAt: number };
  previous: (PublicSigningKey & { expiresAt: number })[];
}

const publicOf = (key: PublicSigningKey): PublicSigningKey => ({ kid: key.kid, kty: key.kty, crv: key.crv, x: key.x, y: key.y });

/** RFC 7638 thumbprint: a kid that names the key itself, so it cannot collide or be reused. */
function thumbprint(x: string, y: string): string {
  return createHash('sha256').update(JSON.stringify({ crv: 'P-256', kty: 'EC', x, y })).digest('base64url');
}

function newKey(app: App, activatesAt: number): StoredKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('P-256 public key without coordinates');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { kid: thumbprint(jwk.x, jwk.y), kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, privateKeySealed: app.box.seal(pem), createdAt: app.clock.now(), activatesAt };
}

async function read(tx: Pick<Tx, 'getSetting'>): Promise<StoredKeys | null> {
  const value = await tx.getSetting(SETTING);
  if (!value) return null;
  const stored = JSON.parse(value) as StoredKeys | LegacyStoredKeys;
  if ('keys' in stored) return stored;
  // the earlier shape: its current key signs already; its previous ones keep their expiry
  return {
    generation: stored.generation,
    keys: [
      { ...publicOf(stored.current), createdAt: stored.current.createdAt, activatesAt: stored.current.createdAt, privateKeySealed: stored.current.privateKeySealed },
      ...stored.previous.map((p) => ({ ...publicOf(p), createdAt: 0, activatesAt: 0, expiresAt: p.expiresAt })),
    ],
  };
}

/** The key that signs at `now`: the newest one active by then that still has its private key. */
function signingIndex(keys: StoredKey[], now: number): number {
  const index = keys.findIndex((k) => k.activatesAt <= now && k.privateKeySealed !== undefined);
  if (index < 0) throw new Error('no webhook signing key is active');
  return index;
}

/** The set, made on first use: of processes making it together, one inserts it and the others retry and read it. */
async function ensure(app: App): Promise<StoredKeys> {
  const existing = await read(app.db.read);
  if (existing) return existing;
  return inTransaction(app, async ({ tx }) => {
    const found = await read(tx);
    if (found) return found;
    // the first key signs at once: no receiver can hold a JWKS without it, nor a token it does not verify
    const made: StoredKeys = { generation: 1, keys: [newKey(app, app.clock.now())] };
    await tx.insertSetting(SETTING, JSON.stringify(made));
    return made;
  });
}

/** The key that signs now (made on first use). Read each time, so a rotation in another process is seen at once. */
export async function currentSigningKey(app: App): Promise<SigningKey> {
  const { keys } = await ensure(app);
  const key = keys[signingIndex(keys, app.clock.now())] as StoredKey;
  return { kid: key.kid, privateKey: createPrivateKey(app.box.open(key.privateKeySealed as string)) };
}

/**
 * The public keys receivers may verify with, newest first: a rotated-in key that does not sign yet,
 * the one that signs, and those rotated out that are still published.
 */
export async function publishedSigningKeys(app: App): Promise<PublicSigningKey[]> {
  const { keys } = await ensure(app);
  const now = app.clock.now();
  return keys.filter((k) => k.expiresAt === undefined || k.expiresAt > now).map(publicOf);
}

/**
 * A new key, published at once and signing from `activatesAt` (one JWKS cache lifetime later);
 * the keys it replaces keep signing until then and stay published for 7 days. Answers the new kid.
 */
export async function rotateSigningKey(unit: Work): Promise<{ kid: string; activatesAt: number }> {
  const { app, tx } = unit;
  const now = app.clock.now();
  const stored = await read(tx);
  if (!stored) {
    // nothing signed yet, nothing published: the first key is the rotation and signs at once
    const made: StoredKeys = { generation: 1, keys: [newKey(app, now)] };
    await tx.insertSetting(SETTING, JSON.stringify(made));
    return { kid: made.keys[0]!.kid, activatesAt: now };
  }
  const generation = stored.generation + 1;
  // the claim: a concurrent rotation from the same generation fails here and is retried on top of ours
  await tx.insertSetting(generationClaim(generation), String(now));
  const fresh = newKey(app, now + SIGNING_KEY_ACTIVATION_MS);
  // Every older key stops signing by the time the new one signs at the latest; its last token
  // expires a token lifetime after that. Published 7 days from now, and never less than that.
  const lastTokenExpires = fresh.activatesAt + SIGNED_TOKEN_LIFETIME_SECONDS * 1000 + MARGIN_MS;
  const expiresAt = Math.max(now + PREVIOUS_KEY_RETENTION_MS, lastTokenExpires);
  const signing = signingIndex(stored.keys, now);
  const older = stored.keys
    .filter((k) => k.expiresAt === undefined || k.expiresAt > now)
    .map((k) => {
      // the keys older than the one signing now never sign again: their private keys go
      const retired = stored.keys.indexOf(k) > signing;
      const { privateKeySealed, ...rest } = k;
      return { ...rest, ...(retired ? {} : { privateKeySealed }), expiresAt: k.expiresAt ?? expiresAt };
    });
  const rotated: StoredKeys = { generation, keys: [fresh, ...older] };
  await tx.setSetting(SETTING, JSON.stringify(rotated));
  return { kid: fresh.kid, activatesAt: fresh.activatesAt };
}
