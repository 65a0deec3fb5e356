// What the merchant's dashboard reads and does. Every action calls the same use case the native
// API calls (refund, cancel, capture, void, redeliver), in one transaction with its audit entry.
import { loadPaymentRequest, notFound } from '../access.js';
import { DomainError } from '../../core/errors.js';
import { isTimeZone } from '../../core/time-zone.js';
import type { DisplayToken, User, UserRole } from '../ports/dashboard.js';
import { createDisplayToken, revokeDisplayToken, type IssuedDisplayToken } from './display-tokens.js';
import type { ApiKey, Mode, Terminal } from '../ports/persistence.js';
import { createApiKey, createOwnTerminal, revokeApiKey, type IssuedKey } from './merchants.js';
import { createUser, disableUser, newPassword, type CreatedUser } from './users.js';
import type { App, Caller } from '../context.js';
import type { AuditEntry, LoggedAttempt } from '../ports/dashboard.js';
import type { Page, PaymentRequestFilter, StoredEvent } from '../ports/persistence.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';
import type { Delivery, WebhookEndpoint } from '../../core/webhooks.js';
import { inTransaction } from '../unit-of-work.js';
import { recordAudit, type Actor } from './audit.js';
import { redeliver } from './deliveries.js';
import { cancelPaymentRequest, capturePaymentRequest, getPaymentRequest, listCurrentPaymentRequests } from './payment-requests.js';
import { createRefund, voidPaymentRequest } from './refunds.js';

export type DashboardFilter = Omit<PaymentRequestFilter, 'merchantId' | 'livemode'>;

export function listRequests(app: App, caller: Caller, filter: DashboardFilter, page: { limit: number; beforeId?: string }): Promise<Page<PaymentRequest>> {
  return listCurrentPaymentRequests(app, caller, filter, page);
}

export interface RequestDetail {
  request: PaymentRequest;
  events: StoredEvent[];
  refunds: Refund[];
  attempts: LoggedAttempt[];
  audit: AuditEntry[];
  /** An operation on it waits for the payment channel's answer: any other action would wait, then be refused. */
  awaitingChannel: boolean;
}

/** A request with its timeline (events, oldest first), refunds, webhook attempts and audit entries. */
export async function requestDetail(app: App, caller: Caller, id: string): Promise<RequestDetail> {
  const request = await getPaymentRequest(app, caller, id);
  const events = await app.db.read.listEvents({ merchantId: caller.merchantId, livemode: caller.livemode, paymentRequestId: id }, { limit: 500 });
  return {
    request,
    events: events.items,
    refunds: await app.db.read.listRefunds(id),
    attempts: await app.db.read.listDeliveryAttemptsOfRequest(id),
    audit: (await app.db.read.listAuditEntries(caller.merchantId, caller.livemode, { limit: 100, objectId: id })).items,
    awaitingChannel: (await app.db.read.channelCommandsOf(id)).inFlight !== null,
  };
}

export type RequestAction =
  | { kind: 'refund'; amount: number; reference: string; reason?: string }
  | { kind: 'cancel' }
  | { kind: 'capture'; amount?: number }
  | { kind: 'void' };

/** What an action did: the request as it is now, and for a refund the refund as the channel answered it (succeeded, pending or failed). */
export interface ActionResult {
  request: PaymentRequest;
  refund?: Refund;
}

/**
 * Runs one action on a request as the signed-in user. The use case writes the audit entry in this
 * transaction, naming the user: the caller carries it (sessions' callerOf), as an API caller
 * carries its key, so the entry is written once, by the same rule for every API and the dashboard.
 */
export async function actOnRequest(app: App, caller: Caller, id: string, action: RequestAction): Promise<ActionResult> {
  return inTransaction(app, async (unit) => {
    let refund: Refund | undefined;
    switch (action.kind) {
      case 'refund':
        ({ refund } = await createRefund(unit, caller, id, { amount: action.amount, reference: action.reference, reason: action.reason }));
        break;
      case 'cancel':
        await cancelPaymentRequest(unit, caller, id, 'cancelled from the dashboard');
        break;
      case 'capture':
        await capturePaymentRequest(unit, caller, id, action.amount);
        break;
      case 'void':
        await voidPaymentRequest(unit, caller, id);
        break;
    }
    return { request: await loadPaymentRequest(unit.tx, caller, id), ...(refund ? { refund } : {}) };
  });
}

/** Redelivers an event; the use case records it in the audit log under the caller's user. */
export function redeliverEvent(app: App, caller: Caller, eventId: string): Promise<Delivery[]> {
  return inTransaction(app, (unit) => redeliver(unit, caller, eventId));
}

export interface WebhookLog {
  endpoints: WebhookEndpoint[];
  attempts: LoggedAttempt[];
}

export async function webhookLog(app: App, caller: Caller, endpointId?: string): Promise<WebhookLog> {
  return {
    endpoints: await app.db.read.listWebhookEndpoints(caller.merchantId, caller.livemode),
    attempts: await app.db.read.listRecentDeliveryAttempts(caller.merchantId, caller.livemode, { limit: 100, endpointId }),
  };
}

// --- the owner's pages: users, terminals and keys, each change audited ---

export async function createUserAsOwner(app: App, actor: Actor, input: { email: string; role: UserRole }): Promise<CreatedUser> {
  const password = await newPassword();
  return inTransaction(app, (unit) => createUser(unit, { merchantId: actor.merchantId, email: input.email, role: input.role, password }, actor));
}

/** `userId` is the user's id or email: either way, an owner cannot disable itself (disableUser compares the user found). */
export async function disableUserAsOwner(app: App, actor: Actor, userId: string): Promise<User> {
  return inTransaction(app, (unit) => disableUser(unit, actor.merchantId, userId, actor));
}

export interface KeysView {
  terminals: Terminal[];
  keys: ApiKey[];
  displayTokens: DisplayToken[];
}

export async function keysView(app: App, merchantId: string): Promise<KeysView> {
  return {
    terminals: (await app.db.read.listTerminals(merchantId, { limit: 500 })).items,
    keys: await app.db.read.listApiKeys(merchantId),
    displayTokens: await app.db.read.listDisplayTokens(merchantId),
  };
}

export async function issueKeyAsOwner(app: App, actor: Actor, input: { terminalId: string | null; mode: Mode }): Promise<IssuedKey> {
  return inTransaction(app, async (unit) => {
    const issued = await createApiKey(unit, { merchantId: actor.merchantId, terminalId: input.terminalId, mode: input.mode });
    await recordAudit(unit, actor, input.mode === 'live', 'api_key.create', 'api_key', issued.key.id, `${issued.key.kind} …${issued.key.last4}`);
    return issued;
  });
}

export async function revokeKeyAsOwner(app: App, actor: Actor, keyId: string): Promise<ApiKey> {
  return inTransaction(app, async (unit) => {
    const key = await unit.tx.getApiKey(keyId);
    if (!key || key.merchantId !== actor.merchantId) throw notFound('key', keyId);
    const revoked = await revokeApiKey(unit, keyId);
    await recordAudit(unit, actor, key.mode === 'live', 'api_key.revoke', 'api_key', key.id, `${key.kind} …${key.last4}`);
    return revoked;
  });
}

export async function createTerminalAsOwner(app: App, actor: Actor, name: string): Promise<Terminal> {
  if (name.trim().length === 0 || name.length > 200) throw new DomainError('parameter_invalid', 'A terminal name has 1 to 200 characters.', 'name');
  return inTransaction(app, async (unit) => {
    const terminal = await createOwnTerminal(unit, { merchantId: actor.merchantId, livemode: false, terminalId: null, credentialId: actor.id, kind: 'secret' }, { name });
    await recordAudit(unit, actor, false, 'terminal.create', 'terminal', terminal.id, name);
    return terminal;
  });
}

/** The merchant's time zone: where its report's days begin (an IANA name such as Pacific/Auckland). */
export async function setTimeZoneAsOwner(app: App, actor: Actor, timeZone: string): Promise<void> {
  if (!isTimeZone(timeZone) || timeZone.length > 64) throw new DomainError('parameter_invalid', `${timeZone} is not a time zone name (such as Pacific/Auckland or UTC).`, 'timeZone');
  await inTransaction(app, async (unit) => {
    await unit.tx.updateMerchantSettings(actor.merchantId, { timeZone });
    await recordAudit(unit, actor, false, 'merchant.time_zone', 'merchant', actor.merchantId, timeZone);
  });
}

export function issueDisplayTokenAsOwner(app: App, actor: Actor, input: { terminalId: string; mode: Mode }): Promise<IssuedDisplayToken> {
  return inTransaction(app, (unit) => createDisplayToken(unit, { merchantId: actor.merchantId, ...input }, actor));
}

export function revokeDisplayTokenAsOwner(app: App, actor: Actor, id: string): Promise<DisplayToken> {
  return inTransaction(app, (unit) => revokeDisplayToken(unit, actor.merchantId, id, actor));
}
