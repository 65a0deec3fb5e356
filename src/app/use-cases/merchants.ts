// Merchants, stores, terminals and API keys: the operator's and the merchant's set-up.
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../core/errors.js';
import { isTimeZone } from '../../core/time-zone.js';
import { loadTerminal, notFound, requireSecretKey } from '../access.js';
import type { App, Caller } from '../context.js';
import type { ApiKey, KeyKind, Merchant, Mode, Page, ReadTx, Store, Terminal, Tx } from '../ports/persistence.js';
import { merchantNow, nowFor } from '../time.js';
import type { Work } from '../unit-of-work.js';
import { apiKeyActor } from './audit.js';
import { merchantWebhookSecret } from './request-webhook-secret.js';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export const DEFAULT_STORE_NAME = 'Main store';

/** A name is refused when blank (spaces alone): nothing on a page, a report or a receipt would name it. */
function notBlank(name: string, what: string): void {
  if (name.trim() === '') throw new DomainError('parameter_invalid', `A ${what} name cannot be blank.`, 'name');
}

/** A merchant always starts with one store, so terminals can be added at once (admin API and CLI alike). */
export async function createMerchant(unit: Work, input: { name: string; storeName?: string }): Promise<{ merchant: Merchant; store: Store }> {
  notBlank(input.name, 'merchant');
  const merchant: Merchant = { id: unit.app.ids.id('mer'), name: input.name, testClockOffsetMs: 0, underpaymentToleranceBps: 0, timeZone: null, createdAt: unit.app.clock.now() };
  await unit.tx.insertMerchant(merchant);
  return { merchant, store: await createStore(unit, merchant.id, { name: input.storeName ?? DEFAULT_STORE_NAME }) };
}

export async function requireMerchant(tx: ReadTx, id: string): Promise<Merchant> {
  const merchant = await tx.getMerchant(id);
  if (!merchant) throw notFound('merchant', id);
  return merchant;
}

export async function createStore(unit: Work, merchantId: string, input: { name: string }): Promise<Store> {
  notBlank(input.name, 'store');
  await requireMerchant(unit.tx, merchantId);
  const store: Store = { id: unit.app.ids.id('sto'), merchantId, name: input.name, createdAt: unit.app.clock.now() };
  await unit.tx.insertStore(store);
  return store;
}

export async function requireStore(tx: Tx, id: string): Promise<Store> {
  const store = await tx.getStore(id);
  if (!store) throw notFound('store', id);
  return store;
}

/** A terminal's name is the merchant's own terminal id, unique within the merchant. */
export async function createTerminal(unit: Work, storeId: string, input: { name: string }): Promise<Terminal> {
  // the name is the merchant's own terminal id, which a provider's API sends (and trims): a blank
  // one, or one with spaces around it, names a terminal no such call could reach
  notBlank(input.name, 'terminal');
  if (input.name !== input.name.trim()) throw new DomainError('parameter_invalid', `A terminal name has no spaces at its start or end (${JSON.stringify(input.name)}).`, 'name');
  const store = await requireStore(unit.tx, storeId);
  const terminal: Terminal = {
    id: unit.app.ids.id('term'),
    merchantId: store.merchantId,
    storeId: store.id,
    name: input.name,
    checkedInPatronId: null,
    checkedInAt: null,
    createdAt: unit.app.clock.now(),
    posId: null,
  };
  await unit.tx.insertTerminal(terminal);
  return terminal;
}

export interface IssuedKey {
  key: ApiKey;
  /** The key itself: shown once, never stored. */
  secret: string;
  /**
   * The merchant's request-webhook secret of the key's mode (what signs deliveries to a request's
   * webhookUrl), given with every key issued: whoever may make a request with a webhookUrl needs it.
   */
  webhookSecret?: string;
}

const KEY_PREFIX: Record<KeyKind, string> = { secret: 'sk', terminal: 'tk' };

export async function createApiKey(unit: Work, input: { merchantId: string; terminalId?: string | null; mode: Mode }): Promise<IssuedKey> {
  const merchant = await requireMerchant(unit.tx, input.merchantId);
  const kind: KeyKind = input.terminalId ? 'terminal' : 'secret';
  if (input.terminalId) {
    const terminal = await unit.tx.getTerminal(input.terminalId);
    if (!terminal || terminal.merchantId !== input.merchantId) throw notFound('terminal', input.terminalId);
  }
  const secret = unit.app.ids.secret(`${KEY_PREFIX[kind]}_${input.mode}_`, 32);
  const key: ApiKey = {
    id: unit.app.ids.id('key'),
    merchantId: input.merchantId,
    terminalId: input.terminalId ?? null,
    kind,
    mode: input.mode,
    hash: hashSecret(secret),
    last4: secret.slice(-4),
    // a key has its mode: a test-mode key's timestamps are on the merchant's test clock
    createdAt: nowFor(unit.app, merchant, input.mode === 'live'),
    revokedAt: null,
  };
  await unit.tx.insertApiKey(key);
  return { key, secret, webhookSecret: await merchantWebhookSecret(unit.app, unit.tx, input.merchantId, input.mode === 'live') };
}

/** The operator's revoke (CLI): a key already revoked is an error, so a typo'd or repeated id is noticed. */
export async function revokeApiKeyOnce(unit: Work, id: string): Promise<ApiKey> {
  const key = await unit.tx.getApiKey(id);
  if (!key) throw notFound('key', id);
  if (key.revokedAt !== null) throw new DomainError('invalid_state', `Key ${id} was already revoked at ${new Date(key.revokedAt).toISOString()}.`);
  return revokeApiKey(unit, id);
}

/** Every key of every merchant (or of one), revoked ones too: the operator's list. */
export async function listApiKeys(app: App, merchantId?: string): Promise<ApiKey[]> {
  if (merchantId !== undefined) {
    await requireMerchant(app.db.read, merchantId);
    return app.db.read.listApiKeys(merchantId);
  }
  const keys: ApiKey[] = [];
  for (let afterId: string | undefined; ; ) {
    const page = await app.db.read.listMerchants({ limit: 100, afterId });
    for (const merchant of page.items) keys.push(...(await app.db.read.listApiKeys(merchant.id)));
    if (!page.hasMore || page.items.length === 0) return keys;
    afterId = page.items.at(-1)!.id;
  }
}

/** Every store of a merchant. */
export async function listStores(app: App, merchantId: string): Promise<Store[]> {
  await requireMerchant(app.db.read, merchantId);
  return app.db.read.listStores(merchantId);
}

/** Revokes a key; with a scope, only a key of that merchant, mode and terminal (else: not found). */
export async function revokeApiKey(unit: Work, id: string, scope?: { merchantId: string; mode: Mode; terminalId: string }): Promise<ApiKey> {
  const key = await unit.tx.getApiKey(id);
  if (!key || (scope && (key.merchantId !== scope.merchantId || key.mode !== scope.mode || key.terminalId !== scope.terminalId))) throw notFound('key', id);
  if (key.revokedAt === null) {
    const at = await merchantNow(unit.app, unit.tx, key.merchantId, key.mode === 'live');
    await unit.tx.revokeApiKey(id, at);
    return { ...key, revokedAt: at };
  }
  return key;
}

/**
 * Resolves a presented API key to a caller; unknown and revoked keys are refused alike. `via` is the
 * API the key was presented to (the dialect's name): the audit log names the key and it. A
 * provider's API says `ownRequestsOnly`: its caller sees only the requests made through it.
 */
export async function authenticate(app: App, presented: string | undefined, via: string, options: { ownRequestsOnly?: boolean } = {}): Promise<Caller> {
  if (!presented) throw new DomainError('missing_api_key', 'No API key: send Authorization: Bearer <key>.');
  const hash = hashSecret(presented);
  const key = await app.db.read.findApiKeyByHash(hash);
  // the lookup is by hash; compare again in constant time so no code path depends on the secret's bytes
  if (!key || !timingSafeEqual(Buffer.from(key.hash, 'hex'), Buffer.from(hash, 'hex')) || key.revokedAt !== null)
    throw new DomainError('invalid_api_key', 'The API key is not valid (unknown or revoked).');
  const caller: Caller = { merchantId: key.merchantId, livemode: key.mode === 'live', terminalId: key.terminalId, credentialId: key.id, kind: key.kind, actor: apiKeyActor(key, via) };
  // a provider's API sees only the requests made through it (Caller.source): said by that API
  return options.ownRequestsOnly ? { ...caller, source: via } : caller;
}

// --- the merchant's own view (native /v1/terminals) ---

export async function listTerminals(app: App, caller: Caller, page: { limit: number; afterId?: string }): Promise<Page<Terminal>> {
  return app.db.read.listTerminals(caller.merchantId, { ...page, terminalId: caller.terminalId ?? undefined });
}

export async function getTerminal(app: App, caller: Caller, id: string): Promise<Terminal> {
  return loadTerminal(app.db.read, caller, id);
}

export async function createOwnTerminal(unit: Work, caller: Caller, input: { name: string; storeId?: string }): Promise<Terminal> {
  requireSecretKey(caller, 'Creating a terminal');
  const stores = await unit.tx.listStores(caller.merchantId);
  const store = input.storeId ? stores.find((s) => s.id === input.storeId) : stores[0];
  if (!store) throw input.storeId ? notFound('store', input.storeId, 'storeId') : new DomainError('parameter_missing', 'The merchant has no store yet: pass storeId.', 'storeId');
  return createTerminal(unit, store.id, input);
}

/** A new terminal key in the caller's mode; the terminal's older keys stay valid until revoked. */
export async function createTerminalKey(unit: Work, caller: Caller, terminalId: string): Promise<IssuedKey> {
  const terminal = await loadTerminal(unit.tx, caller, terminalId);
  return createApiKey(unit, { merchantId: caller.merchantId, terminalId: terminal.id, mode: caller.livemode ? 'live' : 'test' });
}

export async function revokeTerminalKey(unit: Work, caller: Caller, terminalId: string, keyId: string): Promise<ApiKey> {
  const terminal = await loadTerminal(unit.tx, caller, terminalId);
  return revokeApiKey(unit, keyId, { merchantId: caller.merchantId, mode: caller.livemode ? 'live' : 'test', terminalId: terminal.id });
}

// --- the operator's view (admin API) ---

/**
 * Changes a merchant's settings: how far short of the amount a payment may be and still settle a
 * request (basis points, 0–10,000), and its time zone (an IANA name, or null for none).
 */
export async function updateMerchantSettings(unit: Work, merchantId: string, settings: { underpaymentToleranceBps?: number; timeZone?: string | null }): Promise<Merchant> {
  const merchant = await requireMerchant(unit.tx, merchantId);
  const bps = settings.underpaymentToleranceBps;
  if (bps !== undefined && (!Number.isSafeInteger(bps) || bps < 0 || bps > 10_000)) throw new DomainError('parameter_invalid', 'The tolerance must be between 0 and 100 percent.', 'underpaymentTolerancePercent');
  if (settings.timeZone != null && !isTimeZone(settings.timeZone)) throw new DomainError('parameter_invalid', `Unknown time zone ${settings.timeZone}: use an IANA name such as Africa/Lagos.`, 'timeZone');
  await unit.tx.updateMerchantSettings(merchant.id, settings);
  return { ...merchant, underpaymentToleranceBps: bps ?? merchant.underpaymentToleranceBps, timeZone: settings.timeZone === undefined ? merchant.timeZone : settings.timeZone };
}

/** A merchant's time zone, or `fallback` when it has set none. */
export async function merchantTimeZone(app: App, merchantId: string, fallback: string): Promise<string> {
  return (await app.db.read.getMerchant(merchantId))?.timeZone ?? fallback;
}

export function listMerchants(app: App, page: { limit: number; afterId?: string }): Promise<Page<Merchant>> {
  return app.db.read.listMerchants(page);
}

/** A merchant with its stores and (the first 100 of) its terminals. */
export async function merchantOverview(app: App, id: string): Promise<{ merchant: Merchant; stores: Store[]; terminals: Terminal[] }> {
  const merchant = await requireMerchant(app.db.read, id);
  const stores = await app.db.read.listStores(id);
  const terminals = await app.db.read.listTerminals(id, { limit: 100 });
  return { merchant, stores, terminals: terminals.items };
}

/** A key for any terminal, in the mode the operator asks for. */
export async function createKeyForTerminal(unit: Work, terminalId: string, mode: Mode): Promise<IssuedKey> {
  const terminal = await unit.tx.getTerminal(terminalId);
  if (!terminal) throw notFound('terminal', terminalId);
  return createApiKey(unit, { merchantId: terminal.merchantId, terminalId: terminal.id, mode });
}
