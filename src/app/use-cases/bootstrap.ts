// First start: the operator's admin token and a demo merchant that works out of the box.
import { timingSafeEqual } from 'node:crypto';
import type { App } from '../context.js';
import type { SecretBox } from '../ports/secret-box.js';
import { inTransaction } from '../unit-of-work.js';
import { createApiKey, createMerchant, createStore, createTerminal, hashSecret } from './merchants.js';

const ADMIN_TOKEN_HASH = 'admin_token_hash';
const DEMO_CREDENTIALS = 'demo_credentials';
const webhookSecretKey = (merchantId: string) => `webhook_secret:${merchantId}`;

export interface NativeCredentials {
  secretKey: string;
  terminalKey: string;
  terminalId: string;
  webhookSecret: string;
}

export interface DemoCredentials {
  merchantId: string;
  native: NativeCredentials;
  [dialect: string]: unknown;
}

/**
 * Without POSGATE_ADMIN_TOKEN a token is generated on first start and only its hash kept:
 * the returned plaintext is printed once and never again.
 */
export async function ensureAdminToken(app: App, configured: string | null): Promise<string | null> {
  if (configured) return null;
  return inTransaction(app, async ({ tx }) => {
    if (await tx.getSetting(ADMIN_TOKEN_HASH)) return null;
    const token = app.ids.secret('adm_', 32);
    await tx.setSetting(ADMIN_TOKEN_HASH, hashSecret(token));
    return token;
  });
}

export async function verifyAdminToken(app: App, configured: string | null, presented: string): Promise<boolean> {
  const expected = configured ? hashSecret(configured) : await app.store.read.getSetting(ADMIN_TOKEN_HASH);
  if (!expected) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(hashSecret(presented), 'hex'));
}

/** The merchant's request-webhook secret (native.webhookSecret), made on first use, sealed at rest. */
export async function merchantWebhookSecret(app: App, box: SecretBox, merchantId: string): Promise<string> {
  return inTransaction(app, async ({ tx }) => {
    const sealed = await tx.getSetting(webhookSecretKey(merchantId));
    if (sealed) return box.open(sealed);
    const secret = app.ids.secret('whsec_', 32);
    await tx.setSetting(webhookSecretKey(merchantId), box.seal(secret));
    return secret;
  });
}

/** A fresh native credential set for a merchant: new secret and terminal keys (test mode) for its first terminal. */
export async function issueNativeCredentials(app: App, box: SecretBox, merchantId: string): Promise<NativeCredentials> {
  const webhookSecret = await merchantWebhookSecret(app, box, merchantId);
  return inTransaction(app, async (unit) => {
    const page = await unit.tx.listTerminals(merchantId, { limit: 1 });
    let terminal = page.items[0];
    if (!terminal) {
      const store = (await unit.tx.listStores(merchantId))[0] ?? (await createStore(unit, merchantId, { name: 'Main store' }));
      terminal = await createTerminal(unit, store.id, { name: 'till-1' });
    }
    const secretKey = await createApiKey(unit, { merchantId, mode: 'test' });
    const terminalKey = await createApiKey(unit, { merchantId, terminalId: terminal.id, mode: 'test' });
    return { secretKey: secretKey.secret, terminalKey: terminalKey.secret, terminalId: terminal.id, webhookSecret };
  });
}

/** Creates the demo merchant (one store, one terminal, test keys) once; later starts return it unchanged. */
export async function ensureDemoMerchant(app: App, box: SecretBox): Promise<{ credentials: DemoCredentials; created: boolean }> {
  const existing = await readDemoCredentials(app, box);
  if (existing) return { credentials: existing, created: false };
  const merchant = await inTransaction(app, async (unit) => {
    const m = await createMerchant(unit, { name: 'Demo merchant' });
    const store = await createStore(unit, m.id, { name: 'Demo store' });
    await createTerminal(unit, store.id, { name: 'till-1' });
    return m;
  });
  const native = await issueNativeCredentials(app, box, merchant.id);
  const credentials: DemoCredentials = { merchantId: merchant.id, native };
  await inTransaction(app, ({ tx }) => tx.setSetting(DEMO_CREDENTIALS, box.seal(JSON.stringify(credentials))));
  return { credentials, created: true };
}

export async function readDemoCredentials(app: App, box: SecretBox): Promise<DemoCredentials | null> {
  const sealed = await app.store.read.getSetting(DEMO_CREDENTIALS);
  return sealed ? (JSON.parse(box.open(sealed)) as DemoCredentials) : null;
}
