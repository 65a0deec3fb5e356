// Webhook signing keys (ES256 on P-256, for Centrapay-format webhooks): one current key pair,
// made on first use, its private key sealed at rest; a rotation makes a new current key and keeps
// the previous public key published for 7 days (app clock), so a receiver checking a delivery
// signed just before the rotation (or a retry of it) still finds its `kid`.
//
// Kept in settings: `webhook_signing_keys` holds the whole set (one row, so a reader never sees
// half a rotation). Two processes may make or rotate it at once (PostgreSQL): the first key is
// claimed by inserting that row, a rotation by inserting `webhook_signing_keys:generation:<n>`;
// both are unique, so the loser's transaction fails, is retried by inTransaction, and builds on
// what the winner committed instead of overwriting it.
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { App } from '../context.js';
import type { Tx } from '../ports/store.js';
import { inTransaction, type Work } from '../unit-of-work.js';

const SETTING = 'webhook_signing_keys';
const generationClaim = (generation: number) => `${SETTING}:generation:${generation}`;
/** How long a rotated-out public key stays published. */
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

interface StoredCurrent extends PublicSigningKey {
  privateKeySealed: string;
  createdAt: number;
}

interface StoredPrevious extends PublicSigningKey {
  /** Published until then (app clock). */
  expiresAt: number;
}

interface StoredKeys {
  generation: number;
  current: StoredCurrent;
  /** Newest first. */
  previous: StoredPrevious[];
}

const publicOf = (key: PublicSigningKey): PublicSigningKey => ({ kid: key.kid, kty: key.kty, crv: key.crv, x: key.x, y: key.y });

/** RFC 7638 thumbprint: a kid that names the key itself, so it cannot collide or be reused. */
function thumbprint(x: string, y: string): string {
  return createHash('sha256').update(JSON.stringify({ crv: 'P-256', kty: 'EC', x, y })).digest('base64url');
}

function newKey(app: App): StoredCurrent {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('P-256 public key without coordinates');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { kid: thumbprint(jwk.x, jwk.y), kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, privateKeySealed: app.box.seal(pem), createdAt: app.clock.now() };
}

async function read(tx: Pick<Tx, 'getSetting'>): Promise<StoredKeys | null> {
  const value = await tx.getSetting(SETTING);
  return value ? (JSON.parse(value) as StoredKeys) : null;
}

/** The set, made on first use: of processes making it together, one inserts it and the others retry and read it. */
async function ensure(app: App): Promise<StoredKeys> {
  const existing = await read(app.store.read);
  if (existing) return existing;
  return inTransaction(app, async ({ tx }) => {
    const found = await read(tx);
    if (found) return found;
    const made: StoredKeys = { generation: 1, current: newKey(app), previous: [] };
    await tx.insertSetting(SETTING, JSON.stringify(made));
    return made;
  });
}

/** The key that signs now (made on first use). Read each time, so a rotation in another process is seen at once. */
export async function currentSigningKey(app: App): Promise<SigningKey> {
  const { current } = await ensure(app);
  return { kid: current.kid, privateKey: createPrivateKey(app.box.open(current.privateKeySealed)) };
}

/** The public keys receivers may verify with: the current one first, then those rotated out in the last 7 days, newest first. */
export async function publishedSigningKeys(app: App): Promise<PublicSigningKey[]> {
  const keys = await ensure(app);
  const now = app.clock.now();
  return [publicOf(keys.current), ...keys.previous.filter((k) => k.expiresAt > now).map(publicOf)];
}

/** A new current key; the one it replaces stays published for 7 days. Answers the new key's kid. */
export async function rotateSigningKey(unit: Work): Promise<{ kid: string }> {
  const { app, tx } = unit;
  const now = app.clock.now();
  const keys = await read(tx);
  if (!keys) {
    // nothing signed yet: the first key is the rotation
    const made: StoredKeys = { generation: 1, current: newKey(app), previous: [] };
    await tx.insertSetting(SETTING, JSON.stringify(made));
    return { kid: made.current.kid };
  }
  const generation = keys.generation + 1;
  // the claim: a concurrent rotation from the same generation fails here and is retried on top of ours
  await tx.insertSetting(generationClaim(generation), String(now));
  const retired: StoredPrevious = { ...publicOf(keys.current), expiresAt: now + PREVIOUS_KEY_RETENTION_MS };
  const rotated: StoredKeys = { generation, current: newKey(app), previous: [retired, ...keys.previous.filter((k) => k.expiresAt > now)] };
  // the retired private key is not kept: nothing signs with it again
  await tx.setSetting(SETTING, JSON.stringify(rotated));
  return { kid: rotated.current.kid };
}
