// First start: the operator's admin token and a demo merchant that works out of the box.
import { timingSafeEqual } from 'node:crypto';
import type { App } from '../context.js';
import { ConcurrentUpdate, type Terminal } from '../ports/persistence.js';
import { isDomainError } from '../../core/errors.js';
import { inTransaction, type Work } from '../unit-of-work.js';
import { createApiKey, createMerchant, createStore, createTerminal, DEFAULT_STORE_NAME, hashSecret, requireMerchant } from './merchants.js';
import { createUser, newPassword } from './users.js';
import { merchantWebhookSecret } from './request-webhook-secret.js';
import { createDisplayToken } from './display-tokens.js';

const ADMIN_TOKEN_HASH = 'admin_token_hash';
const DEMO_CREDENTIALS = 'demo_credentials';

export interface NativeCredentials {
  secretKey: string;
  terminalKey: string;
  terminalId: string;
  webhookSecret: string;
}

/** The demo merchant's dashboard owner: its password sealed with the rest, so it can be printed again. */
export interface DemoDashboardUser {
  email: string;
  password: string;
}

export interface DemoCredentials {
  merchantId: string;
  native: NativeCredentials;
  dashboard?: DemoDashboardUser;
  /** The display token of the demo terminal's customer display (native.displayUrl). */
  displayToken?: string;
  [dialect: string]: unknown;
}

export const DEMO_OWNER_EMAIL = 'owner@example.com';

/**
 * Without POSGATE_ADMIN_TOKEN a token is generated on first start and only its hash kept:
 * the returned plaintext is printed once and never again.
 */
export async function ensureAdminToken(app: App, configured: string | null): Promise<string | null> {
  if (configured) return null;
  return inTransaction(app, async ({ tx }) => {
    if (await tx.getSetting(ADMIN_TOKEN_HASH)) return null;
    const token = app.ids.secret('adm_', 32);
    await tx.insertSetting(ADMIN_TOKEN_HASH, hashSecret(token));
    return token;
  });
}

export async function verifyAdminToken(app: App, configured: string | null, presented: string): Promise<boolean> {
  const expected = configured ? hashSecret(configured) : await app.db.read.getSetting(ADMIN_TOKEN_HASH);
  if (!expected) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(hashSecret(presented), 'hex'));
}

/** A dialect's credential set for a merchant, in its `posgate credentials --json` shape. */
export type CredentialIssuer = (unit: Work, merchantId: string) => Promise<unknown>;

/** The merchant's first terminal, made (till-1, in its first store) if it has none. */
export async function ensureFirstTerminal(unit: Work, merchantId: string): Promise<Terminal> {
  await requireMerchant(unit.tx, merchantId);
  const existing = (await unit.tx.listTerminals(merchantId, { limit: 1 })).items[0];
  if (existing) return existing;
  const store = (await unit.tx.listStores(merchantId))[0] ?? (await createStore(unit, merchantId, { name: DEFAULT_STORE_NAME }));
  return createTerminal(unit, store.id, { name: 'till-1' });
}

/** New test-mode secret and terminal keys for the merchant's first terminal (made if it has none). */
export async function issueNativeCredentials(unit: Work, merchantId: string): Promise<NativeCredentials> {
  const terminal = await ensureFirstTerminal(unit, merchantId);
  const webhookSecret = await merchantWebhookSecret(unit.app, unit.tx, merchantId, false);
  const secretKey = await createApiKey(unit, { merchantId, mode: 'test' });
  const terminalKey = await createApiKey(unit, { merchantId, terminalId: terminal.id, mode: 'test' });
  return { secretKey: secretKey.secret, terminalKey: terminalKey.secret, terminalId: terminal.id, webhookSecret };
}

/**
 * Creates the demo merchant (one store, one terminal, test keys) once, in one transaction that
 * first claims the setting: of processes starting together, one creates it and the others retry
 * and read it. A dialect added since the demo was made gets its set on the next start.
 */
export async function ensureDemoMerchant(app: App, dialects: Record<string, CredentialIssuer> = {}): Promise<{ credentials: DemoCredentials; created: boolean }> {
  return inTransaction(app, async (unit) => {
    const sealed = await unit.tx.getSetting(DEMO_CREDENTIALS);
    let credentials: DemoCredentials;
    if (sealed) {
      credentials = JSON.parse(app.box.open(sealed)) as DemoCredentials;
    } else {
      await unit.tx.insertSetting(DEMO_CREDENTIALS, 'creating');
      // issueNativeCredentials makes the merchant's first terminal (till-1) in its store
      const { merchant } = await createMerchant(unit, { name: 'Demo merchant', storeName: 'Demo store' });
      credentials = { merchantId: merchant.id, native: await issueNativeCredentials(unit, merchant.id) };
    }
    const missing = Object.keys(dialects).filter((dialect) => credentials[dialect] === undefined);
    for (const dialect of missing) {
      try {
        credentials[dialect] = await (dialects[dialect] as CredentialIssuer)(unit, credentials.merchantId);
      } catch (error) {
        // another process added this set since we read the setting: start over and read its result
        if (isDomainError(error) && error.code === 'already_exists') throw new ConcurrentUpdate(DEMO_CREDENTIALS);
        throw error;
      }
    }
    // the owner of the demo's dashboard (made on the first start that knows dashboards)
    const addOwner = credentials.dashboard === undefined;
    if (addOwner) {
      // hashed in the transaction (newPassword says why not to): once, on the first start, before the server serves
      const { user, password } = await createUser(unit, { merchantId: credentials.merchantId, email: DEMO_OWNER_EMAIL, role: 'owner', password: await newPassword() });
      credentials.dashboard = { email: user.email, password };
    }
    const addDisplay = credentials.displayToken === undefined;
    if (addDisplay) credentials.displayToken = (await createDisplayToken(unit, { merchantId: credentials.merchantId, terminalId: credentials.native.terminalId, mode: 'test' })).secret;
    if (!sealed || missing.length > 0 || addOwner || addDisplay) await unit.tx.setSetting(DEMO_CREDENTIALS, app.box.seal(JSON.stringify(credentials)));
    return { credentials, created: !sealed };
  });
}

/**
 * The demo merchant's printed set of `dialect` follows an issue or a revoke made since, so that
 * `posgate credentials` prints only sets that work as printed: a revoked one is dropped (`set`
 * undefined: the next ensureDemoMerchant issues a fresh one), an issued one replaces it, and one
 * issued with options of its own (a live-mode set, say, under "test mode") is not printed (`set`
 * null, which ensureDemoMerchant leaves alone: the merchant has that dialect's set). Nothing for
 * other merchants.
 */
export async function followDemoSet(unit: Work, merchantId: string, dialect: string, set: unknown): Promise<void> {
  const sealed = await unit.tx.getSetting(DEMO_CREDENTIALS);
  if (!sealed || sealed === 'creating') return;
  const credentials = JSON.parse(unit.app.box.open(sealed)) as DemoCredentials;
  if (credentials.merchantId !== merchantId) return;
  if (set === undefined) delete credentials[dialect];
  else credentials[dialect] = set;
  await unit.tx.setSetting(DEMO_CREDENTIALS, unit.app.box.seal(JSON.stringify(credentials)));
}

const KEY_CHECK = 'secret_key_check';
const KEY_CHECK_TEXT = 'posgate secret key check';

function keyOpens(app: App, sealed: string): boolean {
  try {
    app.box.open(sealed);
    return true;
  } catch {
    return false;
  }
}

/**
 * Before an existing database is migrated: does the configured key open the check it holds? A
 * wrong key is refused before the migration changes anything. A database without a check yet
 * (new, or older than the check) answers true here, and secretKeyOpensDatabase decides after
 * migrating. It reads only the settings table, there since the first migration.
 */
export async function storedKeyCheckOpens(app: App): Promise<boolean> {
  const check = await app.db.read.getSetting(KEY_CHECK);
  return check === null || keyOpens(app, check);
}

/**
 * Does the configured at-rest key open this database? A value sealed with the first key it ran with
 * is kept and opened on every start (an older database without one is checked on its demo
 * credentials), so a wrong key is refused before anything sealed is read or written with it.
 */
export async function secretKeyOpensDatabase(app: App): Promise<boolean> {
  const opens = (sealed: string) => keyOpens(app, sealed);
  return inTransaction(app, async ({ tx }) => {
    const check = await tx.getSetting(KEY_CHECK);
    if (check) return opens(check);
    const demo = await tx.getSetting(DEMO_CREDENTIALS);
    if (demo && demo !== 'creating' && !opens(demo)) return false;
    await tx.insertSetting(KEY_CHECK, app.box.seal(KEY_CHECK_TEXT));
    return true;
  });
}
