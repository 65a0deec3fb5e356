// The storage contract: one suite every driver's test runs (`runStoreContract('sqlite', () => …)`),
// Hono-style. Driver-neutral on purpose: it speaks only the Persistence / Tx interface, never SQL.
// Each test gets a fresh, migrated store seeded with two merchants, their stores and terminals.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChannelBusy, ConcurrentUpdate, UniqueViolation,
  type ApiKey, type DialectCredential, type EventFilter, type IdempotencyScope, type Merchant, type Patron, type PatronCode, type PaymentRequestFilter, type Store, type StoredEvent, type Persistence, type Terminal, type Tx,
} from '../app/ports/persistence.js';
import type { ChannelCommand } from '../core/channel-command.js';
import type { DialectRecord } from '../app/ports/dialect-records.js';
import type { AuditEntry, DisplayToken, Session, User } from '../app/ports/dashboard.js';
import { ACTIVE_STATUSES, FINAL_STATUSES, PAYMENT_REQUEST_STATUSES, type PaymentRequest, type PaymentRequestStatus } from '../core/payment-request.js';
import { REFUND_STATUSES, type Refund } from '../core/refund.js';
import type { Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint } from '../core/webhooks.js';
import { verifyTotals } from '../app/use-cases/verify.js';
import { UNIQUE } from './schema.js';

// ---- explicit times -------------------------------------------------------------------------
/** 2026-01-01T00:00:00Z */
const NOW = 1_767_225_600_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The largest amount the API accepts: 10^12 minor units. */
const MAX_AMOUNT = 1_000_000_000_000;

// ---- fixtures ---------------------------------------------------------------------------------
const M1: Merchant = { id: 'm_1', name: 'Merchant One', testClockOffsetMs: 0, underpaymentToleranceBps: 0, timeZone: null, createdAt: NOW - 10 * DAY };
const M2: Merchant = { id: 'm_2', name: 'Merchant Two', testClockOffsetMs: 0, underpaymentToleranceBps: 250, timeZone: 'Africa/Lagos', createdAt: NOW - 9 * DAY };
const ST1: Store = { id: 'st_1', merchantId: 'm_1', name: 'Main Street', createdAt: NOW - 10 * DAY };
const ST2: Store = { id: 'st_2', merchantId: 'm_2', name: 'Harbour', createdAt: NOW - 9 * DAY };

function aTerminal(overrides: Partial<Terminal> = {}): Terminal {
  return { id: 't_1', merchantId: 'm_1', storeId: 'st_1', name: 'till-1', checkedInPatronId: null, checkedInAt: null, createdAt: NOW - 10 * DAY, posId: null, ...overrides };
}
const T1 = aTerminal();
const T2 = aTerminal({ id: 't_2', name: 'till-2' });
const T3 = aTerminal({ id: 't_3', merchantId: 'm_2', storeId: 'st_2', name: 'till-1' });

let serial = 0;
const next = () => String(++serial).padStart(4, '0');

/** A complete payment request: test mode, created, on t_1 of m_1. Unique id and short code unless given. */
function aRequest(overrides: Partial<PaymentRequest> = {}): PaymentRequest {
  const n = next();
  return {
    id: `pr_${n}`, livemode: false, merchantId: 'm_1', storeId: 'st_1', terminalId: 't_1',
    status: 'created', statusReason: null, cancellationReason: null, amount: 1250, currency: 'NZD',
    amountReceived: 0, amountAuthorized: 0, amountCaptured: 0, amountRefunded: 0, amountRefundReserved: 0, overpaid: false,
    captureMode: 'automatic', reference: null, shortCode: `SC${n}`, description: null, lineItems: null, metadata: {},
    webhookUrl: null, redirectUrl: null, partialAllowed: false, basketAmount: null, patronNotPresent: false, allowConcurrent: false,
    allowedMethods: null, paymentMethod: null, methodDetails: null, patronId: null, source: 'native', fingerprint: null, externalRef: null, minimumAge: null, conditionsEnabled: null, conditions: [], authorizationTtlMs: null,
    expiresAt: NOW + 15 * MINUTE, authorizationExpiresAt: null, createdAt: NOW, updatedAt: NOW, version: 1,
    ...overrides,
  };
}

/** A request that is paid in full: what refunds hang off. */
function aSucceededRequest(overrides: Partial<PaymentRequest> = {}): PaymentRequest {
  return aRequest({ status: 'succeeded', amount: 5000, amountReceived: 5000, amountAuthorized: 5000, amountCaptured: 5000, paymentMethod: 'card', ...overrides });
}

/** A complete refund of `pr_1`, automatic and pending. */
function aRefund(overrides: Partial<Refund> = {}): Refund {
  const n = next();
  return {
    id: `rf_${n}`, livemode: false, merchantId: 'm_1', terminalId: 't_1', paymentRequestId: 'pr_1', amount: 100, currency: 'NZD',
    status: 'pending', reference: `ref-${n}`, reason: null, captureMode: 'automatic', expiresAt: null,
    createdAt: NOW, updatedAt: NOW, version: 1,
    ...overrides,
  };
}

function anEvent(overrides: Partial<StoredEvent> = {}): StoredEvent {
  const n = next();
  return {
    id: `ev_${n}`, type: 'payment_request.created', objectType: 'payment_request', objectId: 'pr_1', paymentRequestId: 'pr_1',
    merchantId: 'm_1', terminalId: 't_1', livemode: false, sequence: 1, data: aRequest({ id: 'pr_1', shortCode: 'EVDATA' }), createdAt: NOW,
    ...overrides,
  };
}

function anApiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  const n = next();
  return { id: `key_${n}`, merchantId: 'm_1', terminalId: null, kind: 'secret', mode: 'test', hash: `hash_${n}`, last4: n, createdAt: NOW, revokedAt: null, ...overrides };
}

function aPatron(overrides: Partial<Patron> = {}): Patron {
  return { id: 'pa_1', merchantId: 'm_1', livemode: false, name: 'Aroha', age: null, createdAt: NOW, ...overrides };
}

function aPatronCode(overrides: Partial<PatronCode> = {}): PatronCode {
  const n = next();
  return { code: `PC${n}`, patronId: 'pa_1', merchantId: 'm_1', livemode: false, issuedAt: NOW, expiresAt: NOW + 5 * MINUTE, usedAt: null, ...overrides };
}

const SCOPE: IdempotencyScope = { credentialId: 'key_1', method: 'POST', path: '/v1/payment-requests', key: 'idem-abc' };

/** Resolves to the error a promise rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected the operation to throw'),
    (error: unknown) => error,
  );
}

async function expectUnique(promise: Promise<unknown>, constraint: string): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(UniqueViolation);
  expect((error as UniqueViolation).constraint).toBe(constraint);
}

async function expectConcurrentUpdate(promise: Promise<unknown>): Promise<void> {
  expect(await rejectionOf(promise)).toBeInstanceOf(ConcurrentUpdate);
}

/** A write the database itself refuses (a CHECK): it throws, but neither as a uniqueness nor as a version conflict. */
async function expectRefused(promise: Promise<unknown>): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(Error);
  expect(error).not.toBeInstanceOf(UniqueViolation);
  expect(error).not.toBeInstanceOf(ConcurrentUpdate);
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);
const sortedIds = (items: { id: string }[]) => ids(items).sort();

/**
 * Runs one SQL statement on the database of the store `newStore` made last, behind the port's back:
 * how a test corrupts a row on purpose (the port itself keeps totals consistent).
 */
export type RawSql = (statement: string) => Promise<void>;

export function runStoreContract(name: string, newStore: () => Promise<Persistence>, rawSql: RawSql): void {
  describe(name, () => {
    let store: Persistence;

    beforeEach(async () => {
      serial = 0;
      store = await newStore();
      await store.migrate();
      await store.transaction(async (tx) => {
        await tx.insertMerchant(M1);
        await tx.insertMerchant(M2);
        await tx.insertStore(ST1);
        await tx.insertStore(ST2);
        await tx.insertTerminal(T1);
        await tx.insertTerminal(T2);
        await tx.insertTerminal(T3);
      });
    });

    afterEach(async () => {
      await store.close();
    });

    const insertRequests = (...requests: PaymentRequest[]) =>
      store.transaction(async (tx) => {
        for (const request of requests) await tx.insertPaymentRequest(request);
      });

    describe('lifecycle', () => {
      it('migrate is idempotent', async () => {
        await store.migrate();
        expect(await store.read.getMerchant('m_1')).toStrictEqual(M1);
      });

      it('migration 0012 runs again over itself, and refuses to run over rows that break its rules', async () => {
        await store.transaction(async (tx) => {
          for (const sequence of [1, 2, 3]) await tx.appendEvent(anEvent({ id: `ev_${sequence}`, objectId: 'pr_1', sequence }));
        });
        await rawSql("delete from kysely_migration where name = '0012-row-invariants'");
        await store.migrate();
        await expectRefused(store.transaction((tx) => tx.appendEvent(anEvent({ id: 'ev_5', objectId: 'pr_1', sequence: 5 }))));
        // a deleted event leaves a gap the rules never let an insert make
        await rawSql("delete from events where id = 'ev_2'");
        await rawSql("delete from kysely_migration where name = '0012-row-invariants'");
        expect(String(await rejectionOf(store.migrate()))).toMatch(/events whose sequence follows no event of their object: ev_3\b/);
      });

      it('transaction returns what its work returns and commits it', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.setSetting('greeting', 'kia ora');
          return 42;
        });
        expect(result).toBe(42);
        expect(await store.read.getSetting('greeting')).toBe('kia ora');
      });

      it('a transaction whose work throws after writes leaves nothing behind', async () => {
        const request = aRequest({ id: 'pr_atomic', reference: 'ATOMIC' });
        const boom = new Error('boom');
        const error = await rejectionOf(store.transaction(async (tx) => {
          await tx.insertMerchant({ ...M1, id: 'm_atomic' });
          await tx.insertPaymentRequest(request);
          await tx.addReference('pr_atomic', 'm_1', false, 'kpay', 'KP-ATOMIC');
          await tx.appendEvent(anEvent({ id: 'ev_atomic', objectId: 'pr_atomic', paymentRequestId: 'pr_atomic' }));
          await tx.claimIdempotencyKey(SCOPE, 'fp', NOW, NOW + DAY, NOW - MINUTE, 'idem_atomic');
          await tx.setSetting('atomic', 'yes');
          await tx.setTestClockOffset('m_1', HOUR);
          // what was written is visible inside the transaction…
          expect(await tx.getPaymentRequest('pr_atomic')).toStrictEqual(request);
          throw boom;
        }));
        expect(error).toBe(boom);
        // …and none of it outside, afterwards
        const read = store.read;
        expect(await read.getMerchant('m_atomic')).toBeNull();
        expect(await read.getPaymentRequest('pr_atomic')).toBeNull();
        expect(await read.findPaymentRequestByReference('m_1', false, 'ATOMIC')).toBeNull();
        expect(await read.resolveReference('m_1', false, 'KP-ATOMIC')).toBeNull();
        expect(await read.getEvent('ev_atomic')).toBeNull();
        expect(await read.lastEventSequence('pr_atomic')).toBe(0);
        expect(await read.getSetting('atomic')).toBeNull();
        expect((await read.getMerchant('m_1'))?.testClockOffsetMs).toBe(0);
        expect(await store.transaction((tx) => tx.claimIdempotencyKey(SCOPE, 'fp', NOW, NOW + DAY, NOW - MINUTE, 'idem_after'))).toStrictEqual({ kind: 'claimed', recordId: 'idem_after' });
      });

      it('a transaction knows whether it has written anything yet, through every kind of write', async () => {
        await insertRequests(aRequest({ id: 'pr_w' }));
        // reads, a lock and a write that changed nothing (the request's version was not the one expected) write nothing
        const before = await store.transaction(async (tx) => {
          await tx.getMerchant('m_1');
          const request = (await tx.lockPaymentRequest('pr_w'))!;
          await tx.listWebhookEndpoints('m_1', false);
          const unchanged = !tx.hasWritten();
          await rejectionOf(tx.updatePaymentRequest({ ...request, version: request.version + 5 }));
          return { unchanged, afterNothing: tx.hasWritten() };
        });
        expect(before).toStrictEqual({ unchanged: true, afterNothing: false });
        // a compiled write (the hot path's), a built one, one with RETURNING (SQLite gives no count
        // for it) and one of the dashboard's store each count
        await store.transaction((tx) => tx.insertChannelCommand({
          id: 'cmd_w', kind: 'capture', paymentRequestId: 'pr_w', amount: 500, intent: {}, status: 'pending', outcome: null, createdAt: NOW, updatedAt: NOW,
        }, null));
        const writes: Array<(tx: Tx) => Promise<unknown>> = [
          async (tx) => expect(await tx.claimChannelCommands(NOW, 10, { owner: 'w1', until: NOW + MINUTE })).toHaveLength(1),
          async (tx) => {
            const request = (await tx.getPaymentRequest('pr_w'))!;
            await tx.updatePaymentRequest({ ...request, description: 'changed', version: request.version + 1 });
          },
          (tx) => tx.setSetting('written', 'yes'),
          (tx) => tx.insertAuditEntry({ id: 'aud_w', merchantId: 'm_1', livemode: false, actorType: 'api_key', actorId: 'key_1', actorName: 'key', action: 'test', objectType: 'merchant', objectId: 'm_1', detail: null, createdAt: NOW }),
        ];
        for (const write of writes) {
          expect(await store.transaction(async (tx) => {
            await write(tx);
            return tx.hasWritten();
          })).toBe(true);
        }
      });

      it('a refused write rolls back the writes before it in the same transaction', async () => {
        await insertRequests(aRequest({ id: 'pr_a', reference: 'DUP' }));
        await expectUnique(store.transaction(async (tx) => {
          await tx.setSetting('before', 'written');
          await tx.insertPaymentRequest(aRequest({ id: 'pr_b', terminalId: 't_2', reference: 'DUP' }));
        }), UNIQUE.reference);
        expect(await store.read.getSetting('before')).toBeNull();
        expect(await store.read.getPaymentRequest('pr_b')).toBeNull();
      });
    });

    describe('merchants, stores, terminals', () => {
      it('merchants round-trip, page by id and take a test clock offset', async () => {
        expect(await store.read.getMerchant('m_1')).toStrictEqual(M1);
        expect(await store.read.getMerchant('m_nope')).toBeNull();
        const m3: Merchant = { id: 'm_3', name: 'Merchant Three', testClockOffsetMs: 5 * HOUR, underpaymentToleranceBps: 0, timeZone: null, createdAt: NOW };
        await store.transaction((tx) => tx.insertMerchant(m3));
        expect(await store.read.getMerchant('m_3')).toStrictEqual(m3);

        const first = await store.read.listMerchants({ limit: 2 });
        expect(first).toStrictEqual({ items: [M1, M2], hasMore: true });
        const second = await store.read.listMerchants({ limit: 2, afterId: 'm_2' });
        expect(second).toStrictEqual({ items: [m3], hasMore: false });
        expect(await store.read.listMerchants({ limit: 3 })).toMatchObject({ hasMore: false });

        await store.transaction((tx) => tx.setTestClockOffset('m_1', 3 * DAY));
        expect(await store.read.getMerchant('m_1')).toStrictEqual({ ...M1, testClockOffsetMs: 3 * DAY });
        expect((await store.read.getMerchant('m_2'))?.testClockOffsetMs).toBe(0);

        // settings change one at a time; the others stay as they were
        await store.transaction((tx) => tx.updateMerchantSettings('m_2', { timeZone: 'America/New_York' }));
        expect(await store.read.getMerchant('m_2')).toStrictEqual({ ...M2, timeZone: 'America/New_York' });
        await store.transaction((tx) => tx.updateMerchantSettings('m_2', { underpaymentToleranceBps: 10, timeZone: null }));
        expect(await store.read.getMerchant('m_2')).toStrictEqual({ ...M2, underpaymentToleranceBps: 10, timeZone: null });
      });

      it('the test clock advances by what is added to the offset as it stands: advances made at once add up, each with its own offset', async () => {
        await store.transaction((tx) => tx.setTestClockOffset('m_1', HOUR));
        expect(await store.transaction((tx) => tx.advanceTestClock('m_1', MINUTE))).toBe(HOUR + MINUTE);
        expect(await store.transaction((tx) => tx.advanceTestClock('m_1', -HOUR))).toBe(MINUTE);
        expect(await store.transaction((tx) => tx.advanceTestClock('m_nope', MINUTE))).toBeNull();
        expect((await store.read.getMerchant('m_2'))?.testClockOffsetMs).toBe(0);
        // within a transaction, the merchant read before shows the new offset
        await store.transaction(async (tx) => {
          expect((await tx.getMerchant('m_1'))?.testClockOffsetMs).toBe(MINUTE);
          expect(await tx.advanceTestClock('m_1', MINUTE)).toBe(2 * MINUTE);
          expect((await tx.getMerchant('m_1'))?.testClockOffsetMs).toBe(2 * MINUTE);
        });
        const moves = 12;
        const offsets = await Promise.all(Array.from({ length: moves }, () => store.transaction((tx) => tx.advanceTestClock('m_1', MINUTE))));
        expect(offsets.sort((a, b) => (a ?? 0) - (b ?? 0))).toStrictEqual(Array.from({ length: moves }, (_, i) => (i + 3) * MINUTE));
        expect(await store.read.getMerchant('m_1')).toStrictEqual({ ...M1, testClockOffsetMs: (moves + 2) * MINUTE });
      });

      it('a transaction reads its own writes to a merchant it read before', async () => {
        await store.transaction(async (tx) => {
          expect((await tx.getMerchant('m_1'))?.testClockOffsetMs).toBe(0);
          await tx.setTestClockOffset('m_1', HOUR);
          expect((await tx.getMerchant('m_1'))?.testClockOffsetMs).toBe(HOUR);
          await tx.updateMerchantSettings('m_1', { timeZone: 'Pacific/Auckland' });
          expect(await tx.getMerchant('m_1')).toStrictEqual({ ...M1, testClockOffsetMs: HOUR, timeZone: 'Pacific/Auckland' });
        });
        // and the store's reads see each commit, never a copy of an earlier read
        expect((await store.read.getMerchant('m_1'))?.timeZone).toBe('Pacific/Auckland');
        await store.transaction((tx) => tx.updateMerchantSettings('m_1', { timeZone: null }));
        expect((await store.read.getMerchant('m_1'))?.timeZone).toBeNull();
      });

      it('a request or a terminal read with its merchant has the merchant as it stands, a transaction\'s own writes included', async () => {
        const aRequestOf = aRequest({ id: 'pr_m' });
        await insertRequests(aRequestOf);
        const settled = { underpaymentToleranceBps: 25, timeZone: 'Pacific/Auckland' };
        await store.transaction(async (tx) => {
          await tx.updateMerchantSettings(aRequestOf.merchantId, settled);
          expect(await tx.lockPaymentRequest('pr_m')).toStrictEqual(aRequestOf);
          expect(await tx.getMerchant(aRequestOf.merchantId)).toStrictEqual({ ...M1, ...settled });
          await tx.setTestClockOffset(aRequestOf.merchantId, HOUR);
          expect((await tx.getTerminal(T1.id))?.id).toBe(T1.id);
          expect(await tx.getMerchant(aRequestOf.merchantId)).toStrictEqual({ ...M1, ...settled, testClockOffsetMs: HOUR });
          await tx.setTestClockOffset(aRequestOf.merchantId, 2 * HOUR); // after the reads: the write wins over what they brought
          expect(await tx.lockPaymentRequest('pr_m')).toStrictEqual(aRequestOf);
          expect((await tx.getMerchant(aRequestOf.merchantId))?.testClockOffsetMs).toBe(2 * HOUR);
        });
        expect(await store.transaction(async (tx) => [await tx.getTerminal(T3.id), await tx.getMerchant(T3.merchantId)])).toStrictEqual([T3, M2]);
        // a reader outside a transaction asks for both at once
        expect(await store.read.getPaymentRequestWithMerchant('pr_m')).toStrictEqual({ request: aRequestOf, merchant: { ...M1, ...settled, testClockOffsetMs: 2 * HOUR } });
        expect(await store.read.getPaymentRequestWithMerchant('pr_none')).toBeNull();
        expect(await store.transaction(async (tx) => [await tx.lockPaymentRequest('pr_none'), await tx.getTerminal('t_none')])).toStrictEqual([null, null]);
      });

      it('stores round-trip and list per merchant', async () => {
        const st3: Store = { id: 'st_3', merchantId: 'm_1', name: 'Airport', createdAt: NOW };
        await store.transaction((tx) => tx.insertStore(st3));
        expect(await store.read.getStore('st_3')).toStrictEqual(st3);
        expect(await store.read.getStore('st_nope')).toBeNull();
        expect(await store.read.listStores('m_1')).toStrictEqual([ST1, st3]);
        expect(await store.read.listStores('m_2')).toStrictEqual([ST2]);
        expect(await store.read.listStores('m_nope')).toStrictEqual([]);
      });

      it('terminals round-trip, check in and out, and page per merchant', async () => {
        expect(await store.read.getTerminal('t_1')).toStrictEqual(T1);
        expect(await store.read.getTerminal('t_nope')).toBeNull();
        const checkedIn = aTerminal({ id: 't_4', name: 'till-4', checkedInPatronId: 'pa_9', checkedInAt: NOW - MINUTE });
        await store.transaction((tx) => tx.insertTerminal(checkedIn));
        expect(await store.read.getTerminal('t_4')).toStrictEqual(checkedIn);

        await store.transaction((tx) => tx.setTerminalCheckIn('t_1', 'pa_1', NOW));
        expect(await store.read.getTerminal('t_1')).toStrictEqual({ ...T1, checkedInPatronId: 'pa_1', checkedInAt: NOW });
        await store.transaction((tx) => tx.setTerminalCheckIn('t_1', null, null));
        expect(await store.read.getTerminal('t_1')).toStrictEqual(T1);

        expect(await store.read.listTerminals('m_1', { limit: 2 })).toStrictEqual({ items: [T1, T2], hasMore: true });
        expect(await store.read.listTerminals('m_1', { limit: 2, afterId: 't_2' })).toStrictEqual({ items: [checkedIn], hasMore: false });
        expect(await store.read.listTerminals('m_1', { limit: 10, terminalId: 't_2' })).toStrictEqual({ items: [T2], hasMore: false });
        expect(await store.read.listTerminals('m_2', { limit: 10 })).toStrictEqual({ items: [T3], hasMore: false });
      });

      it('a terminal locked is the terminal as read, with its merchant, and shows a check-in committed before', async () => {
        await store.transaction((tx) => tx.setTerminalCheckIn('t_1', 'pa_1', NOW));
        const checkedIn = { ...T1, checkedInPatronId: 'pa_1', checkedInAt: NOW };
        await store.transaction(async (tx) => {
          expect(await tx.lockTerminal('t_1')).toStrictEqual(checkedIn);
          expect(await tx.getMerchant('m_1')).toStrictEqual(M1);
          expect(await tx.lockTerminal('t_nope')).toBeNull();
          await tx.setTerminalCheckIn('t_1', null, null);
          expect(await tx.lockTerminal('t_1')).toStrictEqual(T1); // its own write
        });
        // the row is held until commit: a second locker waits, then reads the first one's check-in
        // (a create and a check-in at one terminal rely on it: src/app/use-cases/sandbox.ts checkIn)
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const hasLock = new Promise<void>((resolve) => (locked = resolve));
        const holder = store.transaction(async (tx) => {
          const row = await tx.lockTerminal('t_2');
          locked();
          await held;
          await tx.setTerminalCheckIn('t_2', 'pa_2', NOW);
          return row;
        });
        await hasLock;
        const waiter = store.transaction(async (tx) => (await tx.lockTerminal('t_2'))?.checkedInPatronId);
        // lets the waiter reach the database and block on the lock; without a lock it would read null
        // (if it had not reached it yet, it would read pa_2 either way: the test can only be weaker, never flaky)
        await new Promise((resolve) => setTimeout(resolve, 100));
        release();
        expect(await holder).toStrictEqual(T2);
        expect(await waiter).toBe('pa_2');
        expect(await store.read.getTerminal('t_2')).toStrictEqual({ ...T2, checkedInPatronId: 'pa_2', checkedInAt: NOW });
      });

      it('terminals are found by name within a merchant and by PoS id; a PoS id is set only over what was expected', async () => {
        expect(await store.read.findTerminalByName('m_1', 'till-1')).toStrictEqual(T1);
        expect(await store.read.findTerminalByName('m_2', 'till-1')).toStrictEqual(T3);
        expect(await store.read.findTerminalByName('m_1', 'till-9')).toBeNull();
        expect(await store.transaction((tx) => tx.setTerminalPosId('t_1', null, 'pos-a'))).toBe(true);
        expect(await store.transaction((tx) => tx.setTerminalPosId('t_1', null, 'pos-b'))).toBe(false); // someone set it first
        expect(await store.read.findTerminalByPosId('pos-a')).toStrictEqual({ ...T1, posId: 'pos-a' });
        await expectUnique(store.transaction((tx) => tx.setTerminalPosId('t_2', null, 'pos-a')), UNIQUE.terminalPosId);
        expect(await store.transaction((tx) => tx.setTerminalPosId('t_1', 'pos-b', null))).toBe(false);
        expect(await store.transaction((tx) => tx.setTerminalPosId('t_1', 'pos-a', null))).toBe(true);
        expect(await store.read.findTerminalByPosId('pos-a')).toBeNull();
        expect(await store.read.getTerminal('t_1')).toStrictEqual(T1);
      });

      it('a terminal name is unique per merchant', async () => {
        await expectUnique(store.transaction((tx) => tx.insertTerminal(aTerminal({ id: 't_dup', name: 'till-1' }))), UNIQUE.terminalName);
        // the same name at another merchant is fine (t_3 is m_2's till-1)
        expect((await store.read.getTerminal('t_3'))?.name).toBe('till-1');
      });
    });

    describe('dialect credentials', () => {
      const set = (overrides: Partial<DialectCredential> = {}): DialectCredential =>
        ({ id: 'dcr_1', merchantId: 'm_1', dialect: 'mobilepay', livemode: false, lookup: 'bio_1', secretHash: 'h1', secretSealed: null, apiKeyId: null, createdAt: NOW, updatedAt: NOW, ...overrides });

      it('round-trip, are found by lookup and by merchant, one per merchant and dialect', async () => {
        await store.transaction((tx) => tx.insertDialectCredential(set()));
        expect(await store.read.findDialectCredential('mobilepay', 'bio_1')).toStrictEqual(set());
        expect(await store.read.findDialectCredential('centrapay', 'bio_1')).toBeNull();
        expect(await store.read.findDialectCredentialOfMerchant('m_1', 'mobilepay')).toStrictEqual(set());
        expect(await store.read.findDialectCredentialOfMerchant('m_2', 'mobilepay')).toBeNull();
        await expectUnique(store.transaction((tx) => tx.insertDialectCredential(set({ id: 'dcr_2', lookup: 'bio_2' }))), UNIQUE.dialectPerMerchant);
        await expectUnique(store.transaction((tx) => tx.insertDialectCredential(set({ id: 'dcr_3', merchantId: 'm_2' }))), UNIQUE.dialectLookup);
        await store.transaction((tx) => tx.insertDialectCredential(set({ id: 'dcr_4', dialect: 'centrapay', secretHash: null, livemode: true })));
        expect(await store.read.findDialectCredential('centrapay', 'bio_1')).toMatchObject({ id: 'dcr_4', secretHash: null, livemode: true });
      });

      it('replace a secret only over the expected one, so one of two resets wins', async () => {
        await store.transaction((tx) => tx.insertDialectCredential(set({ secretHash: null })));
        expect(await store.transaction((tx) => tx.replaceDialectSecret('dcr_1', null, { hash: 'h1', sealed: null }, NOW + 1))).toBe(true);
        expect(await store.transaction((tx) => tx.replaceDialectSecret('dcr_1', null, { hash: 'h9', sealed: null }, NOW + 2))).toBe(false);
        expect(await store.transaction((tx) => tx.replaceDialectSecret('dcr_1', 'h1', { hash: 'h2', sealed: 'sealed-2' }, NOW + 3))).toBe(true);
        expect(await store.transaction((tx) => tx.replaceDialectSecret('dcr_1', 'h1', { hash: 'h3', sealed: null }, NOW + 4))).toBe(false);
        expect(await store.read.findDialectCredential('mobilepay', 'bio_1')).toMatchObject({ secretHash: 'h2', secretSealed: 'sealed-2', updatedAt: NOW + 3 });
      });

      it('keep a sealed secret and the key they issued, and are gone once deleted (the merchant may get a new set)', async () => {
        await store.transaction((tx) => tx.insertDialectCredential(set({ secretSealed: 'sealed-1', apiKeyId: 'key_1' })));
        expect(await store.read.findDialectCredentialOfMerchant('m_1', 'mobilepay')).toMatchObject({ secretSealed: 'sealed-1', apiKeyId: 'key_1' });
        await store.transaction((tx) => tx.deleteDialectCredential('dcr_1'));
        expect(await store.read.findDialectCredential('mobilepay', 'bio_1')).toBeNull();
        await store.transaction((tx) => tx.insertDialectCredential(set({ id: 'dcr_2', lookup: 'bio_2' })));
        expect((await store.read.findDialectCredentialOfMerchant('m_1', 'mobilepay'))?.id).toBe('dcr_2');
      });
    });

    describe('api keys', () => {
      it('round-trip, are found by hash, and revoke once', async () => {
        const secret = anApiKey({ id: 'key_s', hash: 'a'.repeat(64), last4: 'aaaa' });
        const terminal = anApiKey({ id: 'key_t', terminalId: 't_1', kind: 'terminal', mode: 'live', hash: 'b'.repeat(64), last4: 'bbbb', revokedAt: null });
        await store.transaction(async (tx) => {
          await tx.insertApiKey(secret);
          await tx.insertApiKey(terminal);
        });
        expect(await store.read.findApiKeyByHash('a'.repeat(64))).toStrictEqual(secret);
        expect(await store.read.findApiKeyByHash('b'.repeat(64))).toStrictEqual(terminal);
        expect(await store.read.findApiKeyByHash('c'.repeat(64))).toBeNull();
        expect(await store.read.getApiKey('key_t')).toStrictEqual(terminal);
        expect(await store.read.getApiKey('key_nope')).toBeNull();

        await store.transaction((tx) => tx.revokeApiKey('key_s', NOW + HOUR));
        expect(await store.read.getApiKey('key_s')).toStrictEqual({ ...secret, revokedAt: NOW + HOUR });
        // revoking again keeps the first revocation time
        await store.transaction((tx) => tx.revokeApiKey('key_s', NOW + DAY));
        expect((await store.read.findApiKeyByHash('a'.repeat(64)))?.revokedAt).toBe(NOW + HOUR);
        expect((await store.read.getApiKey('key_t'))?.revokedAt).toBeNull();
      });
    });

    describe('payment requests', () => {
      it('round-trip every field, with big amounts, JSON and booleans set', async () => {
        const full = aRequest({
          id: 'pr_full', livemode: true, status: 'authorized', statusReason: 'partially_paid',
          amount: MAX_AMOUNT, currency: 'JPY', amountReceived: MAX_AMOUNT + 5, amountAuthorized: MAX_AMOUNT, amountCaptured: MAX_AMOUNT - 1,
          amountRefunded: 999_999_999_998, amountRefundReserved: 999_999_999_999, overpaid: true, captureMode: 'manual',
          reference: 'INV-2026-0001', shortCode: 'K7Q2PX', description: 'Flat white ☕, "oat" & <cake>',
          lineItems: [
            { name: 'Flat white', sku: 'FW-1', quantity: 2, unitAmount: 499_999_999_999, discountAmount: 0, taxRate: 15, restricted: false },
            { name: 'Wine', quantity: 1, unitAmount: 2, restricted: true },
          ],
          metadata: { order: '42', 'tūī': 'bird', empty: '' },
          webhookUrl: 'https://pos.example/hooks?x=1&y=2', redirectUrl: 'https://shop.example/done', partialAllowed: true,
          basketAmount: MAX_AMOUNT, patronNotPresent: true, allowConcurrent: true, allowedMethods: ['card', 'wallet'],
          paymentMethod: 'card', methodDetails: { channel: 'crypto', quote: { rate: '50885.41', sats: 39304 } }, patronId: 'pa_1', source: 'kpay', fingerprint: 'sha256:abc',
          externalRef: 'order 7', minimumAge: 18, conditionsEnabled: false, conditions: [{ id: 'age-verification', name: 'Age', message: 'ID ✓', status: 'awaiting-merchant' }],
          authorizationTtlMs: 90 * DAY,
          expiresAt: NOW + 15 * MINUTE, authorizationExpiresAt: NOW + 7 * DAY, createdAt: NOW - 1, updatedAt: NOW + 1, version: 9,
        });
        await insertRequests(full);
        expect(await store.read.getPaymentRequest('pr_full')).toStrictEqual(full);
        expect(await store.transaction((tx) => tx.getPaymentRequest('pr_full'))).toStrictEqual(full);
        expect(await store.read.getPaymentRequest('pr_nope')).toBeNull();
      });

      it('round-trip every field with nulls, empty JSON and booleans unset', async () => {
        const bare = aRequest({ id: 'pr_bare', status: 'prepared', amount: null, metadata: {}, lineItems: null, allowedMethods: null });
        const emptyLists = aRequest({ id: 'pr_empty', terminalId: 't_2', lineItems: [], allowedMethods: [] });
        await insertRequests(bare, emptyLists);
        expect(await store.read.getPaymentRequest('pr_bare')).toStrictEqual(bare);
        expect(await store.read.getPaymentRequest('pr_empty')).toStrictEqual(emptyLists);
      });

      it('are found by reference (per merchant and mode), by short code and as the active one of a terminal', async () => {
        const live = aRequest({ id: 'pr_live', livemode: true, reference: 'R-1', shortCode: 'LIVE01', status: 'succeeded' });
        const test = aRequest({ id: 'pr_test', livemode: false, reference: 'R-1', shortCode: 'TEST01', status: 'pending' });
        await insertRequests(live, test);
        expect(await store.read.findPaymentRequestByReference('m_1', true, 'R-1')).toStrictEqual(live);
        expect(await store.read.findPaymentRequestByReference('m_1', false, 'R-1')).toStrictEqual(test);
        expect(await store.read.findPaymentRequestByReference('m_2', false, 'R-1')).toBeNull();
        expect(await store.read.findPaymentRequestByReference('m_1', false, 'R-2')).toBeNull();
        expect(await store.read.findPaymentRequestByShortCode('LIVE01')).toStrictEqual(live);
        expect(await store.read.findPaymentRequestByShortCode('NOPE00')).toBeNull();

        expect(await store.read.findActivePaymentRequestForTerminal('t_1', false)).toStrictEqual(test);
        expect(await store.read.findActivePaymentRequestForTerminal('t_2', false)).toBeNull();
      });

      it('the active one of a terminal ignores final and concurrent requests', async () => {
        await insertRequests(
          aRequest({ terminalId: 't_1', status: 'succeeded' }),
          aRequest({ terminalId: 't_1', status: 'cancelled' }),
          aRequest({ terminalId: 't_1', status: 'pending', allowConcurrent: true }),
        );
        expect(await store.read.findActivePaymentRequestForTerminal('t_1', false)).toBeNull();
        const authorized = aRequest({ id: 'pr_auth', terminalId: 't_1', status: 'authorized', authorizationExpiresAt: NOW + DAY });
        await insertRequests(authorized);
        expect(await store.read.findActivePaymentRequestForTerminal('t_1', false)).toStrictEqual(authorized);
        // among the requests of one API only
        expect(await store.read.findActivePaymentRequestForTerminal('t_1', false, 'native')).toStrictEqual(authorized);
        expect(await store.read.findActivePaymentRequestForTerminal('t_1', false, 'elsewhere')).toBeNull();
      });

      it('update writes the next version', async () => {
        const v1 = aRequest({ id: 'pr_1' });
        await insertRequests(v1);
        const v2: PaymentRequest = {
          ...v1, status: 'succeeded', statusReason: 'paid', amountReceived: 1250, amountAuthorized: 1250, amountCaptured: 1250,
          paymentMethod: 'wallet', patronId: 'pa_1', metadata: { settled: 'yes' }, lineItems: [{ name: 'Tea', quantity: 1, unitAmount: 1250 }],
          updatedAt: NOW + MINUTE, version: 2,
        };
        await store.transaction((tx) => tx.updatePaymentRequest(v2));
        expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(v2);
        const v3: PaymentRequest = { ...v2, metadata: {}, lineItems: null, paymentMethod: null, updatedAt: NOW + 2 * MINUTE, version: 3 };
        await store.transaction((tx) => tx.updatePaymentRequest(v3));
        expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(v3);
      });

      it('an update from the row the transaction read or wrote keeps every column right: indexed ones changed or not, write after write, over two versions, and with no row read', async () => {
        // an update from a row this transaction knows at that version leaves out the indexed columns it does not change
        const v1 = aRequest({ id: 'pr_n', reference: 'REF-1', externalRef: 'ext-1' });
        await insertRequests(v1);
        const v2: PaymentRequest = { ...v1, status: 'pending', paymentMethod: 'wallet', updatedAt: NOW + 1, version: 2 };
        const v3: PaymentRequest = { ...v2, reference: 'REF-2', expiresAt: v2.expiresAt + MINUTE, metadata: { note: 'x' }, updatedAt: NOW + 2, version: 3 };
        const seen = await store.transaction(async (tx) => {
          expect(await tx.lockPaymentRequest('pr_n')).toStrictEqual(v1);
          await tx.updatePaymentRequest(v2); // from the row locked
          await tx.updatePaymentRequest(v3); // from the row it wrote
          return tx.getPaymentRequest('pr_n');
        });
        expect(seen).toStrictEqual(v3);
        expect(await store.read.getPaymentRequest('pr_n')).toStrictEqual(v3);
        // two steps in one write (a refund reserved and answered), from the version read
        const v5: PaymentRequest = { ...v3, status: 'succeeded', reference: 'REF-1', externalRef: null, amountReceived: 1250, amountAuthorized: 1250, amountCaptured: 1250, updatedAt: NOW + 3, version: 5 };
        await store.transaction(async (tx) => {
          await tx.getPaymentRequest('pr_n');
          await tx.updatePaymentRequest(v5, 3);
        });
        expect(await store.read.getPaymentRequest('pr_n')).toStrictEqual(v5);
        // a transaction that has not read the request sets every column
        const v6: PaymentRequest = { ...v5, externalRef: 'ext-2', description: 'last', updatedAt: NOW + 4, version: 6 };
        await store.transaction((tx) => tx.updatePaymentRequest(v6));
        expect(await store.read.getPaymentRequest('pr_n')).toStrictEqual(v6);
      });

      it('lock holds the row until commit: a second locker reads the first one\'s change', async () => {
        const first = aRequest({ id: 'pr_1' });
        await insertRequests(first);
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const hasLock = new Promise<void>((resolve) => (locked = resolve));
        const holder = store.transaction(async (tx) => {
          const row = await tx.lockPaymentRequest('pr_1');
          locked();
          await held;
          await tx.updatePaymentRequest({ ...row!, status: 'pending', version: 2 });
        });
        await hasLock;
        const waiter = store.transaction(async (tx) => (await tx.lockPaymentRequest('pr_1'))?.version);
        // lets the waiter reach the database and block on the lock; without a lock it would read version 1
        // (if it had not reached it yet, it would read 2 either way: the test can only be weaker, never flaky)
        await new Promise((resolve) => setTimeout(resolve, 100));
        release();
        await holder;
        expect(await waiter).toBe(2);
        expect(await store.transaction((tx) => tx.lockPaymentRequest('pr_missing'))).toBeNull();
      });

      it('a request changed twice since it was read is written once, over the version read and no other', async () => {
        const v1 = aRequest({ id: 'pr_1' });
        await insertRequests(v1);
        const v3 = { ...v1, status: 'pending' as const, updatedAt: NOW + 2, version: 3 };
        await expectConcurrentUpdate(store.transaction((tx) => tx.updatePaymentRequest(v3))); // from v2 by default: not what is stored
        await expectConcurrentUpdate(store.transaction((tx) => tx.updatePaymentRequest(v3, 2)));
        await store.transaction((tx) => tx.updatePaymentRequest(v3, 1));
        expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(v3);
      });

      it('update with a stale version throws ConcurrentUpdate and changes nothing', async () => {
        const v1 = aRequest({ id: 'pr_1' });
        await insertRequests(v1);
        const v2 = { ...v1, status: 'pending' as const, updatedAt: NOW + 1, version: 2 };
        await store.transaction((tx) => tx.updatePaymentRequest(v2));

        // a writer that read v1 tries to write its own v2
        const stale = { ...v1, status: 'cancelled' as const, statusReason: 'merchant', updatedAt: NOW + 2, version: 2 };
        await expectConcurrentUpdate(store.transaction((tx) => tx.updatePaymentRequest(stale)));
        // a writer that skips a version
        await expectConcurrentUpdate(store.transaction((tx) => tx.updatePaymentRequest({ ...stale, version: 4 })));
        // a request that does not exist
        await expectConcurrentUpdate(store.transaction((tx) => tx.updatePaymentRequest(aRequest({ id: 'pr_ghost', version: 2 }))));
        expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(v2);
        expect(await store.read.getPaymentRequest('pr_ghost')).toBeNull();
      });

      describe('one active request per terminal', () => {
        // core's lists, not copies: the index (migration 0005) is built from the same lists
        const ACTIVE: readonly PaymentRequestStatus[] = ACTIVE_STATUSES;
        const FINAL: readonly PaymentRequestStatus[] = FINAL_STATUSES;

        it("core's active and final statuses together are every status, once", () => {
          expect([...ACTIVE, ...FINAL].sort()).toStrictEqual([...PAYMENT_REQUEST_STATUSES].sort());
        });

        for (const first of ACTIVE) {
          for (const second of ACTIVE) {
            it(`a ${second} request is refused while a ${first} one is active on the terminal`, async () => {
              await insertRequests(aRequest({ id: 'pr_first', status: first }));
              await expectUnique(insertRequests(aRequest({ id: 'pr_second', status: second })), UNIQUE.oneActivePerTerminal);
              expect(await store.read.getPaymentRequest('pr_second')).toBeNull();
            });
          }
        }

        for (const final of FINAL) {
          it(`a new active request is allowed once the previous one is ${final}`, async () => {
            await insertRequests(aRequest({ status: final }), aRequest({ status: final }));
            await insertRequests(aRequest({ id: 'pr_new', status: 'created' }));
            expect((await store.read.findActivePaymentRequestForTerminal('t_1', false))?.id).toBe('pr_new');
          });
        }

        it('the rule holds per mode: a test-mode request never blocks a live one on the same terminal', async () => {
          await insertRequests(aRequest({ id: 'pr_test', status: 'pending', livemode: false }));
          await insertRequests(aRequest({ id: 'pr_live', status: 'created', livemode: true }));
          expect((await store.read.findActivePaymentRequestForTerminal('t_1', false))?.id).toBe('pr_test');
          expect((await store.read.findActivePaymentRequestForTerminal('t_1', true))?.id).toBe('pr_live');
          await expectUnique(insertRequests(aRequest({ id: 'pr_live2', status: 'created', livemode: true })), UNIQUE.oneActivePerTerminal);
        });

        it('allowConcurrent on either side lifts the rule; other terminals are independent', async () => {
          await insertRequests(aRequest({ id: 'pr_a', status: 'pending', allowConcurrent: true }));
          await insertRequests(aRequest({ id: 'pr_b', status: 'pending' }));
          await insertRequests(aRequest({ id: 'pr_c', status: 'authorized', allowConcurrent: true }));
          await insertRequests(aRequest({ id: 'pr_d', status: 'created', terminalId: 't_2' }));
          await insertRequests(aRequest({ id: 'pr_e', status: 'created', terminalId: 't_3', merchantId: 'm_2', storeId: 'st_2' }));
          await expectUnique(insertRequests(aRequest({ id: 'pr_f', status: 'prepared' })), UNIQUE.oneActivePerTerminal);
          for (const id of ['pr_a', 'pr_b', 'pr_c', 'pr_d', 'pr_e']) expect(await store.read.getPaymentRequest(id)).not.toBeNull();
        });

        it('holds on update too: finishing the active request frees the terminal, reviving one is refused', async () => {
          const first = aRequest({ id: 'pr_first', status: 'pending' });
          await insertRequests(first);
          await store.transaction((tx) => tx.updatePaymentRequest({ ...first, status: 'cancelled', version: 2 }));
          const second = aRequest({ id: 'pr_second', status: 'created' });
          await insertRequests(second);
          // the old one cannot become active again beside the new one
          await expectUnique(
            store.transaction((tx) => tx.updatePaymentRequest({ ...first, status: 'pending', version: 3 })),
            UNIQUE.oneActivePerTerminal,
          );
          expect((await store.read.getPaymentRequest('pr_first'))?.status).toBe('cancelled');
          // dropping allowConcurrent on a concurrent request beside an active one is refused as well
          const concurrent = aRequest({ id: 'pr_conc', status: 'pending', allowConcurrent: true });
          await insertRequests(concurrent);
          await expectUnique(
            store.transaction((tx) => tx.updatePaymentRequest({ ...concurrent, allowConcurrent: false, version: 2 })),
            UNIQUE.oneActivePerTerminal,
          );
          expect(await store.read.getPaymentRequest('pr_conc')).toStrictEqual(concurrent);
        });
      });

      it('a reference is unique per merchant and mode; many requests may have none', async () => {
        await insertRequests(aRequest({ id: 'pr_1', reference: 'INV-1', status: 'succeeded' }));
        await expectUnique(insertRequests(aRequest({ id: 'pr_2', reference: 'INV-1', status: 'succeeded' })), UNIQUE.reference);
        await expectUnique(insertRequests(aRequest({ id: 'pr_3', reference: 'INV-1', terminalId: 't_2' })), UNIQUE.reference);
        // the other mode, another merchant: fine
        await insertRequests(aRequest({ id: 'pr_4', reference: 'INV-1', livemode: true, status: 'succeeded' }));
        await insertRequests(aRequest({ id: 'pr_5', reference: 'INV-1', merchantId: 'm_2', storeId: 'st_2', terminalId: 't_3' }));
        // no reference, many times
        await insertRequests(...[1, 2, 3].map(() => aRequest({ reference: null, status: 'expired' })));
        const all = await store.read.listPaymentRequests({ merchantId: 'm_1', livemode: false }, { limit: 10 });
        expect(all.items.filter((r) => r.reference === null)).toHaveLength(3);
        expect(await store.read.getPaymentRequest('pr_2')).toBeNull();
        expect(await store.read.getPaymentRequest('pr_3')).toBeNull();
        // an update that takes another request's reference is refused too
        const four = (await store.read.getPaymentRequest('pr_4'))!;
        await insertRequests(aRequest({ id: 'pr_6', reference: 'INV-6', livemode: true, status: 'succeeded' }));
        await expectUnique(store.transaction((tx) => tx.updatePaymentRequest({ ...four, reference: 'INV-6', version: 2 })), UNIQUE.reference);
        expect(await store.read.getPaymentRequest('pr_4')).toStrictEqual(four);
      });

      it('a short code is unique across the deployment', async () => {
        await insertRequests(aRequest({ id: 'pr_1', shortCode: 'ABC234', status: 'succeeded' }));
        await expectUnique(insertRequests(aRequest({ id: 'pr_2', shortCode: 'ABC234', status: 'succeeded' })), UNIQUE.shortCode);
        await expectUnique(
          insertRequests(aRequest({ id: 'pr_3', shortCode: 'ABC234', livemode: true, merchantId: 'm_2', storeId: 'st_2', terminalId: 't_3' })),
          UNIQUE.shortCode,
        );
        expect(await store.read.getPaymentRequest('pr_2')).toBeNull();
      });

      describe('the money invariants are enforced by the database', () => {
        const paid = () => aSucceededRequest({ id: 'pr_1', amount: 5000, amountAuthorized: 5000, amountCaptured: 5000 });

        it('accepts the boundaries: captured = authorized, refunded = reserved = captured', async () => {
          const request = paid();
          await insertRequests(request);
          const full = { ...request, amountRefundReserved: 5000, amountRefunded: 5000, version: 2 };
          await store.transaction((tx) => tx.updatePaymentRequest(full));
          expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(full);
        });

        it('refuses to insert more captured than authorized', async () => {
          await expectRefused(insertRequests(aSucceededRequest({ id: 'pr_1', amountAuthorized: 5000, amountCaptured: 5001 })));
          expect(await store.read.getPaymentRequest('pr_1')).toBeNull();
        });

        it('refuses to capture more than authorized (Σ captures ≤ authorized)', async () => {
          const request = paid();
          await insertRequests(request);
          await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, amountCaptured: 5001, version: 2 })));
          expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(request);
        });

        it('refuses to reserve refunds beyond what was captured (Σ refunds ≤ captured)', async () => {
          const request = paid();
          await insertRequests(request);
          await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, amountRefundReserved: 5001, version: 2 })));
          await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, amountCaptured: 0, amountRefundReserved: 1, version: 2 })));
          expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(request);
        });

        it('refuses to refund more than was reserved', async () => {
          const request = { ...paid(), amountRefundReserved: 1000 };
          await insertRequests(request);
          await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, amountRefunded: 1001, version: 2 })));
          expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(request);
        });

        it('refuses negative money', async () => {
          const request = paid();
          await insertRequests(request);
          await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, amountRefunded: -1, version: 2 })));
          await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, amountCaptured: -1, version: 2 })));
          await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, amountReceived: -1, version: 2 })));
          expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(request);
        });

        it('a refused money write rolls back the rest of its transaction', async () => {
          const request = paid();
          await insertRequests(request);
          await expectRefused(store.transaction(async (tx) => {
            await tx.insertRefund(aRefund({ id: 'rf_1', amount: 6000 }));
            await tx.appendEvent(anEvent({ id: 'ev_rf', type: 'refund.created', objectType: 'refund', objectId: 'rf_1' }));
            await tx.updatePaymentRequest({ ...request, amountRefundReserved: 6000, version: 2 });
          }));
          expect(await store.read.getRefund('rf_1')).toBeNull();
          expect(await store.read.getEvent('ev_rf')).toBeNull();
          expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(request);
        });
        it('refuses an amount asked for that is not positive, a basket outside (0, 10^12], and a negative refund or command', async () => {
          for (const bad of [{ amount: 0 }, { amount: -1250 }, { basketAmount: 0 }, { basketAmount: -1 }, { basketAmount: MAX_AMOUNT + 1 }, { amountAuthorized: -1 }]) {
            await expectRefused(insertRequests(aRequest({ id: 'pr_bad', ...bad })));
            expect(await store.read.getPaymentRequest('pr_bad')).toBeNull();
          }
          const request = paid();
          await insertRequests(request, aRequest({ id: 'pr_basket', terminalId: 't_2', basketAmount: MAX_AMOUNT }));
          await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, basketAmount: 0, version: 2 })));
          for (const amount of [0, -100]) await expectRefused(store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_bad', amount }))));
          const command = { id: 'cmd_bad', kind: 'capture', paymentRequestId: 'pr_1', amount: -1, intent: {}, status: 'pending', outcome: null, createdAt: NOW, updatedAt: NOW } as const;
          await expectRefused(store.transaction((tx) => tx.insertChannelCommand(command, null)));
          expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(request);
          expect(await store.read.getRefund('rf_bad')).toBeNull();
          expect((await store.read.channelCommandsOf('pr_1')).commands).toStrictEqual([]);
        });

        it('money is a whole number of minor units: a fraction or text is refused on every driver (SQLite too, migration 0012)', async () => {
          const notMoney = [12.5, 0.5, 'abc' as unknown as number];
          for (const amount of notMoney) {
            await expectRefused(insertRequests(aRequest({ id: 'pr_bad', amount })));
            await expectRefused(insertRequests(aRequest({ id: 'pr_bad', basketAmount: amount })));
          }
          expect(await store.read.getPaymentRequest('pr_bad')).toBeNull();
          const request = paid();
          await insertRequests(request);
          for (const amount of notMoney) {
            for (const column of ['amountReceived', 'amountAuthorized', 'amountCaptured', 'amountRefunded', 'amountRefundReserved'] as const) {
              await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, [column]: amount, version: 2 })));
            }
            await expectRefused(store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_bad', amount }))));
            const command = { id: 'cmd_bad', kind: 'capture', paymentRequestId: 'pr_1', amount, intent: {}, status: 'pending', outcome: null, createdAt: NOW, updatedAt: NOW } as const;
            await expectRefused(store.transaction((tx) => tx.insertChannelCommand(command, null)));
          }
          const refund = aRefund({ id: 'rf_1', amount: 100 });
          await store.transaction((tx) => tx.insertRefund(refund));
          await expectRefused(store.transaction((tx) => tx.updateRefund({ ...refund, amount: 100.5, version: 2 })));
          expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(request);
          expect(await store.read.listRefunds('pr_1')).toStrictEqual([refund]);
          expect((await store.read.channelCommandsOf('pr_1')).commands).toStrictEqual([]);
        });

        it('the refunds that hold money add up to at most what was captured, whatever the totals say (Σ refunds ≤ captured, on the rows)', async () => {
          // the totals left at nothing reserved: the rows alone are what the database counts here
          const request = paid();
          await insertRequests(request);
          const a = aRefund({ id: 'rf_a', amount: 3000 });
          const b = aRefund({ id: 'rf_b', amount: 2000, status: 'requires_capture', captureMode: 'manual', expiresAt: NOW + DAY });
          const failed = aRefund({ id: 'rf_failed', amount: 5000, status: 'failed' });
          await store.transaction(async (tx) => {
            await tx.insertRefund(a);
            await tx.insertRefund(b);
            // a refund that failed (or was cancelled, or expired) released its amount
            await tx.insertRefund(failed);
          });
          // 5000 of 5000 held: one more minor unit is refused, however it would be held
          await expectRefused(store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_more', amount: 1 }))));
          await expectRefused(store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_more', amount: 1, status: 'succeeded' }))));
          await expectRefused(store.transaction((tx) => tx.updateRefund({ ...failed, status: 'pending', version: 2 })));
          await expectRefused(store.transaction((tx) => tx.updateRefund({ ...a, amount: 3001, version: 2 })));
          // nor may the request capture less than its refunds hold (its own totals would allow it)
          await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, amountCaptured: 4999, version: 2 })));
          // what a refund's life does is allowed: settled, captured, failed and released
          await store.transaction(async (tx) => {
            await tx.updateRefund({ ...a, status: 'succeeded', version: 2 });
            await tx.updateRefund({ ...b, status: 'failed', version: 2 });
          });
          await store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_again', amount: 2000, status: 'succeeded' })));
          expect(await store.read.getRefund('rf_more')).toBeNull();
          expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(request);
          expect((await store.read.listRefunds('pr_1')).map((r) => [r.id, r.status, r.amount]).sort()).toStrictEqual([
            ['rf_a', 'succeeded', 3000], ['rf_again', 'succeeded', 2000], ['rf_b', 'failed', 2000], ['rf_failed', 'failed', 5000],
          ]);
        });

        it('two writers that each see room for their refund, neither locking the request: the second is refused', async () => {
          await insertRequests(paid());
          let release!: () => void;
          const held = new Promise<void>((resolve) => (release = resolve));
          let wrote!: () => void;
          const written = new Promise<void>((resolve) => (wrote = resolve));
          const first = store.transaction(async (tx) => {
            await tx.insertRefund(aRefund({ id: 'rf_first', amount: 3000 }));
            await tx.getSetting('flush'); // a statement after the insert: on PostgreSQL a held write is sent with it
            wrote();
            await held;
          });
          await written;
          // (refused, it may be told before the first is durable and resolves: watched from now)
          const second = expectRefused(store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_second', amount: 3000 }))));
          // lets the second reach the database while the first is uncommitted (if it had not, it would
          // see the first committed and be refused all the same: the test can only be weaker, never flaky)
          await new Promise((resolve) => setTimeout(resolve, 100));
          release();
          await first;
          await second;
          expect(ids(await store.read.listRefunds('pr_1'))).toStrictEqual(['rf_first']);
        });
      });

      describe("the status columns hold only core's statuses, enforced by the database", () => {
        const UNKNOWN = ['paid', 'SUCCEEDED', 'succeeded ', '', 'active'];

        it('every payment request status of core is accepted, on insert and on update', async () => {
          for (const status of PAYMENT_REQUEST_STATUSES) await insertRequests(aRequest({ id: `pr_${status}`, status, allowConcurrent: true }));
          for (const status of PAYMENT_REQUEST_STATUSES) expect((await store.read.getPaymentRequest(`pr_${status}`))?.status).toBe(status);
          const moving = aRequest({ id: 'pr_moving', status: 'prepared', allowConcurrent: true });
          await insertRequests(moving);
          for (const [index, status] of PAYMENT_REQUEST_STATUSES.entries()) {
            await store.transaction((tx) => tx.updatePaymentRequest({ ...moving, status, version: index + 2 }));
          }
          expect((await store.read.getPaymentRequest('pr_moving'))?.status).toBe(PAYMENT_REQUEST_STATUSES.at(-1));
        });

        for (const status of UNKNOWN) {
          it(`a payment request status of ${JSON.stringify(status)} is refused on insert and on update`, async () => {
            await expectRefused(insertRequests(aRequest({ id: 'pr_bad', status: status as PaymentRequestStatus })));
            expect(await store.read.getPaymentRequest('pr_bad')).toBeNull();
            const request = aRequest({ id: 'pr_ok', status: 'created' });
            await insertRequests(request);
            await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, status: status as PaymentRequestStatus, version: 2 })));
            expect(await store.read.getPaymentRequest('pr_ok')).toStrictEqual(request);
          });
        }

        it('every refund status of core is accepted; an unknown one is refused on insert and on update', async () => {
          await insertRequests(aSucceededRequest({ id: 'pr_1' }));
          for (const status of REFUND_STATUSES) await store.transaction((tx) => tx.insertRefund(aRefund({ id: `rf_${status}`, status })));
          for (const status of REFUND_STATUSES) expect((await store.read.getRefund(`rf_${status}`))?.status).toBe(status);
          const pending = (await store.read.getRefund('rf_pending'))!;
          for (const status of UNKNOWN) {
            await expectRefused(store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_bad', status: status as Refund['status'] }))));
            expect(await store.read.getRefund('rf_bad')).toBeNull();
            await expectRefused(store.transaction((tx) => tx.updateRefund({ ...pending, status: status as Refund['status'], version: 2 })));
          }
          expect(await store.read.getRefund('rf_pending')).toStrictEqual(pending);
        });
      });

      describe('listPaymentRequests', () => {
        // five test-mode requests of m_1, oldest first, plus others that no m_1 test-mode list may show
        const r1 = aRequest({ id: 'pr_01', terminalId: 't_1', status: 'succeeded', reference: 'A', shortCode: 'LST001', createdAt: NOW + 1 });
        const r2 = aRequest({ id: 'pr_02', terminalId: 't_2', status: 'cancelled', reference: 'B', shortCode: 'LST002', createdAt: NOW + 2 });
        const r3 = aRequest({ id: 'pr_03', terminalId: 't_1', status: 'pending', reference: 'C', shortCode: 'LST003', createdAt: NOW + 3 });
        const r4 = aRequest({ id: 'pr_04', terminalId: 't_2', status: 'authorized', reference: null, shortCode: 'LST004', createdAt: NOW + 4, authorizationExpiresAt: NOW + DAY });
        const r5 = aRequest({ id: 'pr_05', terminalId: 't_1', status: 'succeeded', reference: 'E', shortCode: 'LST005', createdAt: NOW + 5 });
        const live = aRequest({ id: 'pr_06', livemode: true, terminalId: 't_1', status: 'succeeded', reference: 'A', shortCode: 'LST006', createdAt: NOW + 6 });
        const other = aRequest({ id: 'pr_07', merchantId: 'm_2', storeId: 'st_2', terminalId: 't_3', status: 'created', reference: 'A', shortCode: 'LST007', createdAt: NOW + 7 });
        const list = (filter: Partial<PaymentRequestFilter>, limit = 10) =>
          store.read.listPaymentRequests({ merchantId: 'm_1', livemode: false, ...filter }, { limit });

        beforeEach(async () => {
          await insertRequests(r1, r2, r3, r4, r5, live, other);
        });

        it('filters by external ref and by a set of statuses', async () => {
          await store.transaction(async (tx) => {
            await tx.updatePaymentRequest({ ...r1, externalRef: 'order-1', version: 2 });
            await tx.updatePaymentRequest({ ...r3, externalRef: 'order-1', version: 2 });
            await tx.updatePaymentRequest({ ...r4, externalRef: 'order-2', version: 2 });
          });
          expect(ids((await list({ externalRef: 'order-1' })).items)).toStrictEqual(['pr_03', 'pr_01']);
          expect(ids((await list({ externalRef: 'order-1', statuses: ['succeeded'] })).items)).toStrictEqual(['pr_01']);
          expect(ids((await list({ statuses: ['pending', 'authorized'] })).items)).toStrictEqual(['pr_04', 'pr_03']);
          expect(ids((await list({ externalRef: 'order-9' })).items)).toStrictEqual([]);
        });

        it('lists one merchant and mode, newest first', async () => {
          expect(await list({})).toStrictEqual({ items: [r5, r4, r3, r2, r1], hasMore: false });
          expect(ids((await list({ livemode: true })).items)).toStrictEqual(['pr_06']);
          expect(ids((await list({ merchantId: 'm_2' })).items)).toStrictEqual(['pr_07']);
          expect(await list({ merchantId: 'm_nope' })).toStrictEqual({ items: [], hasMore: false });
        });

        it('pages backwards by id with hasMore', async () => {
          const page1 = await store.read.listPaymentRequests({ merchantId: 'm_1', livemode: false }, { limit: 2 });
          expect(page1).toStrictEqual({ items: [r5, r4], hasMore: true });
          const page2 = await store.read.listPaymentRequests({ merchantId: 'm_1', livemode: false }, { limit: 2, beforeId: 'pr_04' });
          expect(page2).toStrictEqual({ items: [r3, r2], hasMore: true });
          const page3 = await store.read.listPaymentRequests({ merchantId: 'm_1', livemode: false }, { limit: 2, beforeId: 'pr_02' });
          expect(page3).toStrictEqual({ items: [r1], hasMore: false });
          // exactly `limit` left: no more
          const exact = await store.read.listPaymentRequests({ merchantId: 'm_1', livemode: false }, { limit: 3, beforeId: 'pr_04' });
          expect(exact).toStrictEqual({ items: [r3, r2, r1], hasMore: false });
          // paging combines with a filter
          const filtered = await store.read.listPaymentRequests({ merchantId: 'm_1', livemode: false, terminalId: 't_1' }, { limit: 1, beforeId: 'pr_05' });
          expect(filtered).toStrictEqual({ items: [r3], hasMore: true });
        });

        it('filters by terminal, status, reference and short code', async () => {
          expect(ids((await list({ terminalId: 't_1' })).items)).toStrictEqual(['pr_05', 'pr_03', 'pr_01']);
          expect(ids((await list({ terminalId: 't_2' })).items)).toStrictEqual(['pr_04', 'pr_02']);
          expect(ids((await list({ status: 'succeeded' })).items)).toStrictEqual(['pr_05', 'pr_01']);
          expect(ids((await list({ status: 'expired' })).items)).toStrictEqual([]);
          expect(ids((await list({ reference: 'A' })).items)).toStrictEqual(['pr_01']);
          expect(ids((await list({ shortCode: 'LST003' })).items)).toStrictEqual(['pr_03']);
          expect(ids((await list({ shortCode: 'LST006' })).items)).toStrictEqual([]);
          expect(ids((await list({ terminalId: 't_1', status: 'succeeded', reference: 'E' })).items)).toStrictEqual(['pr_05']);
        });

        it('filters by creation time, both bounds inclusive', async () => {
          expect(ids((await list({ createdFrom: NOW + 2 })).items)).toStrictEqual(['pr_05', 'pr_04', 'pr_03', 'pr_02']);
          expect(ids((await list({ createdTo: NOW + 2 })).items)).toStrictEqual(['pr_02', 'pr_01']);
          expect(ids((await list({ createdFrom: NOW + 2, createdTo: NOW + 4 })).items)).toStrictEqual(['pr_04', 'pr_03', 'pr_02']);
          expect(ids((await list({ createdFrom: NOW + 3, createdTo: NOW + 3 })).items)).toStrictEqual(['pr_03']);
          expect(ids((await list({ createdFrom: NOW + 6 })).items)).toStrictEqual([]);
        });

        it('filters active and final requests', async () => {
          expect(ids((await list({ active: true })).items)).toStrictEqual(['pr_04', 'pr_03']);
          expect(ids((await list({ active: false })).items)).toStrictEqual(['pr_05', 'pr_02', 'pr_01']);
        });
      });
    });

    describe('due work at each merchant\'s clock', () => {
      const concurrent = { allowConcurrent: true };
      const m2 = { merchantId: 'm_2', storeId: 'st_2', terminalId: 't_3', ...concurrent };
      const ROLLBACK = new Error('rollback');
      /** What a claim would take, without keeping the lease (the transaction is rolled back). */
      async function peek<T>(claim: (tx: Tx) => Promise<T>): Promise<T> {
        let taken!: T;
        await store.transaction(async (tx) => {
          taken = await claim(tx);
          throw ROLLBACK;
        }).catch((error) => {
          if (error !== ROLLBACK) throw error;
        });
        return taken;
      }
      const lease = (owner = 'w_1', until = NOW + MINUTE) => ({ owner, until });
      const dueRequests = (now: number, limit: number, merchantId?: string) => peek((tx) => tx.claimDuePaymentRequests(now, limit, lease(), merchantId));
      const dueRefunds = (now: number, limit: number, merchantId?: string) => peek((tx) => tx.claimDueRefunds(now, limit, lease(), merchantId));
      const autopay = (now: number, delay: number, limit: number) => peek((tx) => tx.claimAutopayCandidates(now, delay, limit, lease()));

      it('claimDuePaymentRequests: test-mode requests at the offset clock, live ones at real time, authorized by authorization expiry', async () => {
        await store.transaction((tx) => tx.setTestClockOffset('m_2', HOUR));
        expect((await store.read.getMerchant('m_2'))?.testClockOffsetMs).toBe(HOUR);
        await insertRequests(
          aRequest({ id: 'pr_m2_test', ...m2, livemode: false, status: 'created', expiresAt: NOW + 30 * MINUTE }), // due at m_2's test clock
          aRequest({ id: 'pr_m2_live', ...m2, livemode: true, status: 'created', expiresAt: NOW + 30 * MINUTE }), // live: real time, not due
          aRequest({ id: 'pr_m2_later', ...m2, livemode: false, status: 'pending', expiresAt: NOW + HOUR + 1 }), // beyond even the offset
          aRequest({ id: 'pr_m1_test', ...concurrent, status: 'created', expiresAt: NOW + 30 * MINUTE }), // m_1 has no offset
          aRequest({ id: 'pr_m1_live', ...concurrent, livemode: true, status: 'pending', expiresAt: NOW }), // exactly due
          aRequest({ id: 'pr_prepared', ...concurrent, status: 'prepared', amount: null, expiresAt: NOW - 1 }),
          aRequest({ id: 'pr_auth_due', ...concurrent, status: 'authorized', expiresAt: NOW + DAY, authorizationExpiresAt: NOW - 1 }),
          aRequest({ id: 'pr_auth_later', ...concurrent, status: 'authorized', expiresAt: NOW - DAY, authorizationExpiresAt: NOW + 1 }),
          aRequest({ id: 'pr_final', ...concurrent, status: 'succeeded', expiresAt: NOW - DAY, authorizationExpiresAt: NOW - DAY }),
          aRequest({ id: 'pr_expired', ...concurrent, status: 'expired', expiresAt: NOW - DAY }),
        );
        const due = await dueRequests(NOW, 100);
        expect(sortedIds(due)).toStrictEqual(['pr_auth_due', 'pr_m1_live', 'pr_m2_test', 'pr_prepared']);
        expect(due.find((r) => r.id === 'pr_auth_due')).toStrictEqual(await store.read.getPaymentRequest('pr_auth_due'));
        expect(ids(await dueRequests(NOW, 100, 'm_2'))).toStrictEqual(['pr_m2_test']);
        expect(await dueRequests(NOW, 2)).toHaveLength(2);
        // an hour later at real time, m_2's test clock is two hours ahead
        expect(sortedIds(await dueRequests(NOW + HOUR, 100, 'm_2'))).toStrictEqual(['pr_m2_later', 'pr_m2_live', 'pr_m2_test']);
      });

      it('claimDueRefunds: manual refunds awaiting capture, at each merchant\'s clock', async () => {
        await store.transaction((tx) => tx.setTestClockOffset('m_2', HOUR));
        const m1Test = aSucceededRequest({ id: 'pr_m1_test' });
        const m1Live = aSucceededRequest({ id: 'pr_m1_live', livemode: true, terminalId: 't_2' });
        const m2Test = aSucceededRequest({ id: 'pr_m2_test', ...m2 });
        const m2Live = aSucceededRequest({ id: 'pr_m2_live', ...m2, livemode: true });
        await insertRequests(m1Test, m1Live, m2Test, m2Live);
        const manual = { status: 'requires_capture' as const, captureMode: 'manual' as const };
        const forM2 = { merchantId: 'm_2', terminalId: 't_3' };
        const refunds = [
          aRefund({ id: 'rf_m2_test', ...manual, ...forM2, paymentRequestId: 'pr_m2_test', expiresAt: NOW + 30 * MINUTE }), // due at m_2's test clock
          aRefund({ id: 'rf_m2_live', ...manual, ...forM2, livemode: true, paymentRequestId: 'pr_m2_live', expiresAt: NOW + 30 * MINUTE }), // not yet
          aRefund({ id: 'rf_m1_test', ...manual, paymentRequestId: 'pr_m1_test', expiresAt: NOW }), // exactly due
          aRefund({ id: 'rf_m1_later', ...manual, paymentRequestId: 'pr_m1_test', expiresAt: NOW + 1 }),
          aRefund({ id: 'rf_m1_live', ...manual, livemode: true, terminalId: 't_2', paymentRequestId: 'pr_m1_live', expiresAt: NOW - HOUR }),
          aRefund({ id: 'rf_pending', paymentRequestId: 'pr_m1_test', status: 'pending', expiresAt: NOW - HOUR }),
          aRefund({ id: 'rf_captured', ...manual, status: 'succeeded', paymentRequestId: 'pr_m1_test', expiresAt: NOW - HOUR }),
          aRefund({ id: 'rf_auto', paymentRequestId: 'pr_m1_test' }),
        ];
        await store.transaction(async (tx) => {
          for (const refund of refunds) await tx.insertRefund(refund);
        });
        const due = await dueRefunds(NOW, 100);
        expect(sortedIds(due)).toStrictEqual(['rf_m1_live', 'rf_m1_test', 'rf_m2_test']);
        expect(due.find((r) => r.id === 'rf_m2_test')).toStrictEqual(refunds[0]);
        expect(ids(await dueRefunds(NOW, 100, 'm_2'))).toStrictEqual(['rf_m2_test']);
        expect(await dueRefunds(NOW, 1)).toHaveLength(1);
        expect(sortedIds(await dueRefunds(NOW + 30 * MINUTE, 100, 'm_2'))).toStrictEqual(['rf_m2_live', 'rf_m2_test']);
      });

      it('claimAutopayCandidates: test-mode created/pending requests with an amount, created at or before the merchant\'s now − delay', async () => {
        await store.transaction((tx) => tx.setTestClockOffset('m_2', HOUR));
        const delay = 5_000;
        await insertRequests(
          aRequest({ id: 'pr_m2_due', ...m2, status: 'created', createdAt: NOW + HOUR - delay }), // the offset clock makes it due
          aRequest({ id: 'pr_m2_early', ...m2, status: 'created', createdAt: NOW + HOUR - delay + 1 }),
          aRequest({ id: 'pr_m1_due', ...concurrent, status: 'pending', createdAt: NOW - delay }),
          aRequest({ id: 'pr_m1_early', ...concurrent, status: 'pending', createdAt: NOW - delay + 1 }),
          aRequest({ id: 'pr_live', ...concurrent, livemode: true, status: 'created', createdAt: NOW - DAY }),
          aRequest({ id: 'pr_no_amount', ...concurrent, status: 'created', amount: null, createdAt: NOW - DAY }),
          aRequest({ id: 'pr_prepared', ...concurrent, status: 'prepared', createdAt: NOW - DAY }),
          aRequest({ id: 'pr_authorized', ...concurrent, status: 'authorized', createdAt: NOW - DAY, authorizationExpiresAt: NOW + DAY }),
          aRequest({ id: 'pr_succeeded', ...concurrent, status: 'succeeded', createdAt: NOW - DAY }),
        );
        const candidates = await autopay(NOW, delay, 100);
        expect(sortedIds(candidates)).toStrictEqual(['pr_m1_due', 'pr_m2_due']);
        expect(candidates.find((r) => r.id === 'pr_m1_due')).toStrictEqual(await store.read.getPaymentRequest('pr_m1_due'));
        expect(await autopay(NOW, delay, 1)).toHaveLength(1);
        expect(sortedIds(await autopay(NOW + 1, delay, 100))).toStrictEqual(['pr_m1_due', 'pr_m1_early', 'pr_m2_due', 'pr_m2_early']);
        await insertRequests(aRequest({ id: 'pr_never', ...concurrent, status: 'created', amount: 1504, createdAt: NOW - DAY }));
        expect(ids(await autopay(NOW, delay, 100))).not.toContain('pr_never');
      });

      it('a lease keeps due work from other owners until it ends or its owner releases it', async () => {
        await insertRequests(aRequest({ id: 'pr_due', ...concurrent, status: 'created', expiresAt: NOW - 1 }));
        const claim = (owner: string, now: number) => store.transaction((tx) => tx.claimDuePaymentRequests(now, 10, { owner, until: now + MINUTE }));
        expect(ids(await claim('w_1', NOW))).toStrictEqual(['pr_due']);
        expect(await claim('w_2', NOW + MINUTE - 1)).toStrictEqual([]);
        await store.transaction((tx) => tx.releaseLease('payment_requests', 'pr_due', 'w_2')); // not its lease: no effect
        expect(await claim('w_2', NOW + 1)).toStrictEqual([]);
        // the owner died: once the lease has run out another process takes the work over
        expect(ids(await claim('w_2', NOW + MINUTE + 1))).toStrictEqual(['pr_due']);
        await store.transaction((tx) => tx.releaseLease('payment_requests', 'pr_due', 'w_2'));
        expect(ids(await claim('w_3', NOW + MINUTE + 2))).toStrictEqual(['pr_due']);
      });

      it('refund leases work the same way', async () => {
        await insertRequests(aSucceededRequest({ id: 'pr_1' }));
        await store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_due', status: 'requires_capture', captureMode: 'manual', expiresAt: NOW - 1 })));
        const claim = (owner: string, now: number) => store.transaction((tx) => tx.claimDueRefunds(now, 10, { owner, until: now + MINUTE }));
        expect(ids(await claim('w_1', NOW))).toStrictEqual(['rf_due']);
        expect(await claim('w_2', NOW + 1)).toStrictEqual([]);
        await store.transaction((tx) => tx.releaseLease('refunds', 'rf_due', 'w_1'));
        expect(ids(await claim('w_2', NOW + 2))).toStrictEqual(['rf_due']);
      });
    });

    describe('payment request references', () => {
      it('resolve within their merchant and mode only', async () => {
        await insertRequests(aRequest({ id: 'pr_1' }), aRequest({ id: 'pr_2', livemode: true, terminalId: 't_2' }));
        await store.transaction(async (tx) => {
          await tx.addReference('pr_1', 'm_1', false, 'kpay', 'KP-1');
          await tx.addReference('pr_1', 'm_1', false, 'centrapay', 'CP-1');
          await tx.addReference('pr_2', 'm_1', true, 'kpay', 'KP-1');
        });
        expect(await store.read.resolveReference('m_1', false, 'KP-1')).toBe('pr_1');
        expect(await store.read.resolveReference('m_1', false, 'CP-1')).toBe('pr_1');
        expect(await store.read.resolveReference('m_1', true, 'KP-1')).toBe('pr_2');
        expect(await store.read.resolveReference('m_1', true, 'CP-1')).toBeNull();
        expect(await store.read.resolveReference('m_2', false, 'KP-1')).toBeNull();
        expect(await store.read.resolveReference('m_1', false, 'KP-2')).toBeNull();
      });
    });

    describe('refunds', () => {
      beforeEach(async () => {
        await insertRequests(aSucceededRequest({ id: 'pr_1', amount: MAX_AMOUNT, amountReceived: MAX_AMOUNT, amountAuthorized: MAX_AMOUNT, amountCaptured: MAX_AMOUNT }));
        await insertRequests(aSucceededRequest({ id: 'pr_2', terminalId: 't_2' }));
      });

      it('round-trip every field', async () => {
        // a refund is of its request's mode (migration 0012): a live one of a live request
        await insertRequests(aSucceededRequest({ id: 'pr_live', livemode: true, amount: MAX_AMOUNT, amountReceived: MAX_AMOUNT, amountAuthorized: MAX_AMOUNT, amountCaptured: MAX_AMOUNT }));
        const full = aRefund({
          id: 'rf_full', livemode: true, paymentRequestId: 'pr_live', amount: MAX_AMOUNT, currency: 'NZD', status: 'requires_capture', reference: 'RF-ü-1',
          reason: 'requested_by_customer', captureMode: 'manual', expiresAt: NOW + DAY, createdAt: NOW - 1, updatedAt: NOW + 1, version: 3,
        });
        const bare = aRefund({ id: 'rf_bare', reason: null, expiresAt: null });
        await store.transaction(async (tx) => {
          await tx.insertRefund(full);
          await tx.insertRefund(bare);
        });
        expect(await store.read.getRefund('rf_full')).toStrictEqual(full);
        expect(await store.read.getRefund('rf_bare')).toStrictEqual(bare);
        expect(await store.read.getRefund('rf_nope')).toBeNull();
      });

      it('are found by reference per request and listed per request', async () => {
        const a = aRefund({ id: 'rf_a', reference: 'R1' });
        const b = aRefund({ id: 'rf_b', reference: 'R2', status: 'succeeded' });
        const c = aRefund({ id: 'rf_c', reference: 'R1', paymentRequestId: 'pr_2', terminalId: 't_2' });
        await store.transaction(async (tx) => {
          await tx.insertRefund(b);
          await tx.insertRefund(a);
          await tx.insertRefund(c);
        });
        expect(await store.read.findRefundByReference('pr_1', 'R1')).toStrictEqual(a);
        expect(await store.read.findRefundByReference('pr_2', 'R1')).toStrictEqual(c);
        expect(await store.read.findRefundByReference('pr_2', 'R2')).toBeNull();
        expect(sortedIds(await store.read.listRefunds('pr_1'))).toStrictEqual(['rf_a', 'rf_b']);
        expect(await store.read.listRefunds('pr_2')).toStrictEqual([c]);
        expect(await store.read.listRefunds('pr_nope')).toStrictEqual([]);
      });

      it('a refund reference is unique per request', async () => {
        await store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_1', reference: 'R1' })));
        await expectUnique(store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_2', reference: 'R1' }))), UNIQUE.refundReference);
        expect(await store.read.getRefund('rf_2')).toBeNull();
        await store.transaction((tx) => tx.insertRefund(aRefund({ id: 'rf_3', reference: 'R1', paymentRequestId: 'pr_2', terminalId: 't_2' })));
        expect((await store.read.getRefund('rf_3'))?.reference).toBe('R1');
      });

      it('a refund is of an existing request, and of its merchant, mode and currency; a request keeps its refunds', async () => {
        await insertRequests(aSucceededRequest({ id: 'pr_m2', merchantId: 'm_2', storeId: 'st_2', terminalId: 't_3' }));
        const strays = [
          aRefund({ id: 'rf_bad', paymentRequestId: 'pr_ghost' }),
          aRefund({ id: 'rf_bad', merchantId: 'm_2' }),
          aRefund({ id: 'rf_bad', livemode: true }),
          aRefund({ id: 'rf_bad', currency: 'USD' }),
          aRefund({ id: 'rf_bad', paymentRequestId: 'pr_m2' }), // m_1's refund of m_2's request
        ];
        for (const stray of strays) await expectRefused(store.transaction((tx) => tx.insertRefund(stray)));
        expect(await store.read.getRefund('rf_bad')).toBeNull();
        const refund = aRefund({ id: 'rf_1' });
        await store.transaction((tx) => tx.insertRefund(refund));
        for (const moved of [{ currency: 'USD' }, { livemode: true }, { merchantId: 'm_2' }, { paymentRequestId: 'pr_m2' }, { paymentRequestId: 'pr_ghost' }]) {
          await expectRefused(store.transaction((tx) => tx.updateRefund({ ...refund, ...moved, version: 2 })));
        }
        expect(await store.read.getRefund('rf_1')).toStrictEqual(refund);
        // the request's side: its currency and mode stay its refunds'
        const request = (await store.read.getPaymentRequest('pr_1'))!;
        await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, currency: 'USD', version: 2 })));
        await expectRefused(store.transaction((tx) => tx.updatePaymentRequest({ ...request, livemode: true, version: 2 })));
        expect(await store.read.getPaymentRequest('pr_1')).toStrictEqual(request);
        // one without refunds may take another currency (a prepared request made ready in it)
        const other = (await store.read.getPaymentRequest('pr_2'))!;
        await store.transaction((tx) => tx.updatePaymentRequest({ ...other, currency: 'USD', version: 2 }));
        expect((await store.read.getPaymentRequest('pr_2'))?.currency).toBe('USD');
      });

      it('an update that takes another refund\'s reference is refused with UniqueViolation', async () => {
        const one = aRefund({ id: 'rf_1', reference: 'R1' });
        await store.transaction(async (tx) => {
          await tx.insertRefund(one);
          await tx.insertRefund(aRefund({ id: 'rf_2', reference: 'R2' }));
        });
        await expectUnique(store.transaction((tx) => tx.updateRefund({ ...one, reference: 'R2', version: 2 })), UNIQUE.refundReference);
        expect(await store.read.getRefund('rf_1')).toStrictEqual(one);
      });

      it('update writes the next version; a stale version throws ConcurrentUpdate and changes nothing', async () => {
        const v1 = aRefund({ id: 'rf_1', status: 'requires_capture', captureMode: 'manual', expiresAt: NOW + DAY });
        await store.transaction((tx) => tx.insertRefund(v1));
        const v2: Refund = { ...v1, status: 'succeeded', reason: 'captured', updatedAt: NOW + MINUTE, version: 2 };
        await store.transaction((tx) => tx.updateRefund(v2));
        expect(await store.read.getRefund('rf_1')).toStrictEqual(v2);

        const stale: Refund = { ...v1, status: 'cancelled', updatedAt: NOW + 2 * MINUTE, version: 2 };
        await expectConcurrentUpdate(store.transaction((tx) => tx.updateRefund(stale)));
        await expectConcurrentUpdate(store.transaction((tx) => tx.updateRefund({ ...stale, version: 5 })));
        await expectConcurrentUpdate(store.transaction((tx) => tx.updateRefund(aRefund({ id: 'rf_ghost', version: 2 }))));
        expect(await store.read.getRefund('rf_1')).toStrictEqual(v2);
        expect(await store.read.getRefund('rf_ghost')).toBeNull();
      });
    });

    describe('dashboard: users, sessions, sign-in failures, audit log', () => {
      const owner: User = { id: 'usr_1', merchantId: 'm_1', email: 'owner@example.com', role: 'owner', passwordHash: 'scrypt$1$1$1$s$h', createdAt: NOW, disabledAt: null };

      it('users round-trip, are found by email and listed per merchant; an email is unique', async () => {
        const viewer: User = { ...owner, id: 'usr_2', email: 'viewer@example.com', role: 'viewer', disabledAt: NOW + 1 };
        const other: User = { ...owner, id: 'usr_3', merchantId: 'm_2', email: 'two@example.com' };
        await store.transaction(async (tx) => {
          await tx.insertUser(owner);
          await tx.insertUser(viewer);
          await tx.insertUser(other);
        });
        expect(await store.read.getUser('usr_2')).toStrictEqual(viewer);
        expect(await store.read.findUserByEmail('owner@example.com')).toStrictEqual(owner);
        expect(await store.read.findUserByEmail('nobody@example.com')).toBeNull();
        expect(ids(await store.read.listUsers('m_1'))).toStrictEqual(['usr_1', 'usr_2']);
        await expectUnique(store.transaction((tx) => tx.insertUser({ ...owner, id: 'usr_4', merchantId: 'm_2' })), UNIQUE.userEmail);
        await store.transaction(async (tx) => {
          await tx.setUserDisabled('usr_1', NOW + 5);
          await tx.setUserPassword('usr_1', 'scrypt$new');
        });
        expect(await store.read.getUser('usr_1')).toStrictEqual({ ...owner, disabledAt: NOW + 5, passwordHash: 'scrypt$new' });
      });

      it('sessions are kept by hash, touched, and end one by one, per user, or when idle', async () => {
        await store.transaction((tx) => tx.insertUser(owner));
        const a: Session = { idHash: 'h_a', userId: 'usr_1', csrfToken: 'csrf_a', createdAt: NOW, lastSeenAt: NOW };
        const b: Session = { ...a, idHash: 'h_b', csrfToken: 'csrf_b', lastSeenAt: NOW + HOUR };
        await store.transaction(async (tx) => {
          await tx.insertSession(a);
          await tx.insertSession(b);
          await tx.touchSession('h_a', NOW + MINUTE);
        });
        expect(await store.read.getSession('h_a')).toStrictEqual({ ...a, lastSeenAt: NOW + MINUTE });
        expect(await store.transaction((tx) => tx.deleteIdleSessions(NOW + 2 * MINUTE))).toBe(1);
        expect(await store.read.getSession('h_a')).toBeNull();
        expect(await store.read.getSession('h_b')).toStrictEqual(b);
        await store.transaction((tx) => tx.deleteSessionsOfUser('usr_1'));
        expect(await store.read.getSession('h_b')).toBeNull();
      });

      it('sign-in attempts are counted per key in a window that starts again once over, taken back one by one, and cleared', async () => {
        const WINDOW = 15 * MINUTE;
        const count = (key: string, at: number) => store.transaction((tx) => tx.countSignInAttempt(key, at, WINDOW));
        expect(await count('account:x', NOW)).toStrictEqual({ key: 'account:x', windowStart: NOW, failures: 1 });
        expect(await count('account:x', NOW + MINUTE)).toStrictEqual({ key: 'account:x', windowStart: NOW, failures: 2 });
        expect(await count('address:y', NOW + MINUTE)).toStrictEqual({ key: 'address:y', windowStart: NOW + MINUTE, failures: 1 });
        expect(await count('account:x', NOW + WINDOW - 1)).toStrictEqual({ key: 'account:x', windowStart: NOW, failures: 3 });
        await store.transaction((tx) => tx.uncountSignInAttempt('account:x', NOW));
        expect(await store.read.getSignInFailures('account:x')).toStrictEqual({ key: 'account:x', windowStart: NOW, failures: 2 });
        // the window is over: it starts again with this attempt, and what was taken in the old one is not taken back from it
        expect(await count('account:x', NOW + WINDOW)).toStrictEqual({ key: 'account:x', windowStart: NOW + WINDOW, failures: 1 });
        await store.transaction((tx) => tx.uncountSignInAttempt('account:x', NOW));
        expect(await store.read.getSignInFailures('account:x')).toStrictEqual({ key: 'account:x', windowStart: NOW + WINDOW, failures: 1 });
        await store.transaction((tx) => tx.uncountSignInAttempt('account:x', NOW + WINDOW));
        await store.transaction((tx) => tx.uncountSignInAttempt('account:x', NOW + WINDOW));
        // nothing counted: no row left behind
        expect(await store.read.getSignInFailures('account:x')).toBeNull();
        await store.transaction((tx) => tx.clearSignInFailures('account:x'));
        expect(await store.read.getSignInFailures('account:x')).toBeNull();
        expect(await store.read.getSignInFailures('address:y')).toStrictEqual({ key: 'address:y', windowStart: NOW + MINUTE, failures: 1 });
      });

      it('sign-in attempts made at once are each counted once: none is lost, no two get the same count', async () => {
        const attempts = 30;
        const counted = await Promise.all(Array.from({ length: attempts }, () => store.transaction((tx) => tx.countSignInAttempt('account:race', NOW, 15 * MINUTE))));
        expect(counted.map((entry) => entry.failures).sort((a, b) => a - b)).toStrictEqual(Array.from({ length: attempts }, (_, i) => i + 1));
        expect(await store.read.getSignInFailures('account:race')).toStrictEqual({ key: 'account:race', windowStart: NOW, failures: attempts });
      });

      it('audit entries are listed newest first, per merchant, by mode or both, by object, a page at a time', async () => {
        const entry = (id: string, livemode: boolean, merchantId = 'm_1'): AuditEntry => ({
          id, merchantId, livemode, actorType: 'user', actorId: 'usr_1', actorName: 'owner@example.com', action: 'payment_request.refund',
          objectType: 'payment_request', objectId: `pr_${id}`, detail: 'NZD 1.00', createdAt: NOW,
        });
        await store.transaction(async (tx) => {
          for (const e of [entry('a1', false), entry('a2', true), entry('a3', false), entry('a4', false, 'm_2')]) await tx.insertAuditEntry(e);
        });
        expect(ids((await store.read.listAuditEntries('m_1', false, { limit: 10 })).items)).toStrictEqual(['a3', 'a1']);
        expect(ids((await store.read.listAuditEntries('m_1', null, { limit: 10 })).items)).toStrictEqual(['a3', 'a2', 'a1']);
        const first = await store.read.listAuditEntries('m_1', null, { limit: 2 });
        expect(first.hasMore).toBe(true);
        expect(ids((await store.read.listAuditEntries('m_1', null, { limit: 2, beforeId: 'a2' })).items)).toStrictEqual(['a1']);
        expect((await store.read.listAuditEntries('m_1', null, { limit: 10, objectId: 'pr_a2' })).items).toStrictEqual([entry('a2', true)]);
      });

      it("a merchant's API keys are listed oldest first, revoked ones too", async () => {
        const a = anApiKey({ id: 'key_a', createdAt: NOW });
        const b = anApiKey({ id: 'key_b', createdAt: NOW + 1, terminalId: 't_1', kind: 'terminal', revokedAt: NOW + 2 });
        const c = anApiKey({ id: 'key_c', merchantId: 'm_2' });
        await store.transaction(async (tx) => {
          for (const key of [b, c, a]) await tx.insertApiKey(key);
        });
        expect(await store.read.listApiKeys('m_1')).toStrictEqual([a, b]);
      });

      it('display tokens are found by hash and by id, listed per merchant, and revoked once', async () => {
        const a: DisplayToken = { id: 'dsp_a', merchantId: 'm_1', terminalId: 't_1', livemode: false, hash: 'hash_a', last4: 'aaaa', createdAt: NOW, revokedAt: null };
        const b: DisplayToken = { ...a, id: 'dsp_b', terminalId: 't_2', livemode: true, hash: 'hash_b', createdAt: NOW + 1 };
        const c: DisplayToken = { ...a, id: 'dsp_c', merchantId: 'm_2', terminalId: 't_3', hash: 'hash_c' };
        await store.transaction(async (tx) => {
          for (const token of [b, c, a]) await tx.insertDisplayToken(token);
        });
        expect(await store.read.findDisplayTokenByHash('hash_b')).toStrictEqual(b);
        expect(await store.read.findDisplayTokenByHash('hash_nope')).toBeNull();
        expect(await store.read.listDisplayTokens('m_1')).toStrictEqual([a, b]);
        await store.transaction((tx) => tx.revokeDisplayToken('dsp_a', NOW + 5));
        await store.transaction((tx) => tx.revokeDisplayToken('dsp_a', NOW + 9));
        expect(await store.read.getDisplayToken('dsp_a')).toStrictEqual({ ...a, revokedAt: NOW + 5 });
      });

    });

    describe('reporting: settlement rows and activity are SQL aggregates', () => {
      const days = [
        { date: '2026-01-01', from: NOW, to: NOW + DAY },
        { date: '2026-01-02', from: NOW + DAY, to: NOW + 2 * DAY },
      ];
      const succeededEvent = (request: PaymentRequest, at: number) =>
        anEvent({ type: 'payment_request.succeeded', objectId: request.id, paymentRequestId: request.id, livemode: request.livemode, merchantId: request.merchantId, terminalId: request.terminalId, sequence: 1, createdAt: at, data: request });

      beforeEach(async () => {
        const paid = [
          aSucceededRequest({ id: 'pr_1', amountCaptured: MAX_AMOUNT, amount: MAX_AMOUNT, amountReceived: MAX_AMOUNT, amountAuthorized: MAX_AMOUNT, amountRefunded: 700, amountRefundReserved: 700 }),
          aSucceededRequest({ id: 'pr_2', amountCaptured: 5000 }),
          aSucceededRequest({ id: 'pr_3', amountCaptured: 300, amount: 300, amountReceived: 300, amountAuthorized: 300, paymentMethod: 'mobile_money', terminalId: 't_2' }),
          aSucceededRequest({ id: 'pr_4', amountCaptured: 900, amount: 900, amountReceived: 900, amountAuthorized: 900, currency: 'USD' }),
          aSucceededRequest({ id: 'pr_5', amountCaptured: 111, amount: 111, amountReceived: 111, amountAuthorized: 111, livemode: true }),
          aSucceededRequest({ id: 'pr_6', amountCaptured: 222, amount: 222, amountReceived: 222, amountAuthorized: 222, merchantId: 'm_2', storeId: 'st_2', terminalId: 't_3' }),
        ];
        const voided = aSucceededRequest({ id: 'pr_8', status: 'cancelled', statusReason: 'voided', amount: 400, amountReceived: 400, amountAuthorized: 400, amountCaptured: 400, amountRefunded: 400, amountRefundReserved: 400, paymentMethod: 'wallet', terminalId: 't_2' });
        const notPaid = aRequest({ id: 'pr_7', status: 'expired', amountReceived: 50, amountAuthorized: 50, amountCaptured: 50, amountRefunded: 50, amountRefundReserved: 50 });
        await insertRequests(...paid, notPaid, voided);
        await store.transaction(async (tx) => {
          await tx.appendEvent(succeededEvent(paid[0]!, NOW + HOUR));
          await tx.appendEvent(succeededEvent(paid[1]!, NOW + DAY - 1));
          await tx.appendEvent(succeededEvent(paid[2]!, NOW + DAY));
          await tx.appendEvent(succeededEvent(paid[3]!, NOW + 2 * HOUR));
          await tx.appendEvent(succeededEvent(paid[4]!, NOW + HOUR));
          await tx.appendEvent(succeededEvent(paid[5]!, NOW + HOUR));
          await tx.appendEvent(succeededEvent(voided, NOW + 2 * HOUR));
          // outside the days: before and at the end bound
          await tx.appendEvent(anEvent({ type: 'payment_request.succeeded', objectId: 'pr_2', sequence: 2, createdAt: NOW - 1 }));
          await tx.insertRefund(aRefund({ id: 'rf_1', paymentRequestId: 'pr_1', amount: 500, status: 'succeeded', updatedAt: NOW + DAY + HOUR }));
          await tx.insertRefund(aRefund({ id: 'rf_2', paymentRequestId: 'pr_1', amount: 200, status: 'succeeded', updatedAt: NOW + 2 * HOUR }));
          await tx.insertRefund(aRefund({ id: 'rf_3', paymentRequestId: 'pr_1', amount: 999, status: 'failed', updatedAt: NOW + 2 * HOUR }));
          await tx.insertRefund(aRefund({ id: 'rf_4', paymentRequestId: 'pr_1', amount: 999, status: 'succeeded', updatedAt: NOW + 2 * DAY }));
          // money owed back on a request that never succeeded is not a refund of takings
          await tx.insertRefund(aRefund({ id: 'rf_5', paymentRequestId: 'pr_7', amount: 50, status: 'succeeded', updatedAt: NOW + HOUR }));
          // a void returns everything as a refund of a request that had succeeded
          await tx.insertRefund(aRefund({ id: 'rf_6', paymentRequestId: 'pr_8', terminalId: 't_2', amount: 400, status: 'succeeded', updatedAt: NOW + 3 * HOUR }));
        });
      });

      it('groups by day, currency, channel and terminal, with exact sums', async () => {
        const found = await store.read.settlementRows({ merchantId: 'm_1', livemode: false, days });
        expect(found).toStrictEqual([
          { date: '2026-01-01', currency: 'NZD', channel: 'card', terminalId: 't_1', count: 2, gross: MAX_AMOUNT + 5000, refunded: 200 },
          { date: '2026-01-01', currency: 'NZD', channel: 'wallet', terminalId: 't_2', count: 1, gross: 400, refunded: 400 },
          { date: '2026-01-01', currency: 'USD', channel: 'card', terminalId: 't_1', count: 1, gross: 900, refunded: 0 },
          { date: '2026-01-02', currency: 'NZD', channel: 'card', terminalId: 't_1', count: 0, gross: 0, refunded: 500 },
          { date: '2026-01-02', currency: 'NZD', channel: 'mobile_money', terminalId: 't_2', count: 1, gross: 300, refunded: 0 },
        ]);
        expect(await store.read.settlementRows({ merchantId: 'm_1', livemode: true, days })).toStrictEqual([
          { date: '2026-01-01', currency: 'NZD', channel: 'card', terminalId: 't_1', count: 1, gross: 111, refunded: 0 },
        ]);
        expect(await store.read.settlementRows({ merchantId: 'm_1', livemode: false, days: [] })).toStrictEqual([]);
      });

      it('counts requests created in a span by currency and status', async () => {
        expect(await store.read.activity('m_1', false, NOW, NOW + 1)).toStrictEqual([
          { currency: 'NZD', status: 'cancelled', count: 1, captured: 400 },
          { currency: 'NZD', status: 'expired', count: 1, captured: 50 },
          { currency: 'NZD', status: 'succeeded', count: 3, captured: MAX_AMOUNT + 5300 },
          { currency: 'USD', status: 'succeeded', count: 1, captured: 900 },
        ]);
        expect(await store.read.activity('m_1', false, NOW + 1, NOW + 2)).toStrictEqual([]);
      });

      it('lists filtered by channel, API, amount range and a search over reference, external reference and short code', async () => {
        await insertRequests(aRequest({ id: 'pr_s1', reference: 'INV-1', source: 'kpay', amount: 777, status: 'cancelled' }), aRequest({ id: 'pr_s2', externalRef: 'ORDER-9', amount: 5, status: 'failed' }));
        const list = async (f: Partial<PaymentRequestFilter>) => ids((await store.read.listPaymentRequests({ merchantId: 'm_1', livemode: false, ...f }, { limit: 50 })).items);
        expect(await list({ paymentMethod: 'mobile_money' })).toStrictEqual(['pr_3']);
        expect(await list({ source: 'kpay' })).toStrictEqual(['pr_s1']);
        expect(await list({ currency: 'USD' })).toStrictEqual(['pr_4']);
        expect(await list({ amountFrom: 700, amountTo: 800 })).toStrictEqual(['pr_s1']);
        expect(await list({ search: 'INV-1' })).toStrictEqual(['pr_s1']);
        expect(await list({ search: 'ORDER-9' })).toStrictEqual(['pr_s2']);
        const code = (await store.read.getPaymentRequest('pr_s2'))!.shortCode;
        expect(await list({ search: code.toLowerCase() })).toStrictEqual(['pr_s2']);
      });
    });

    describe('reconciliation (posgate verify)', () => {
      // pr_1: paid 5000, refunds in every status; its last event holds what it received and captured
      const paid = aSucceededRequest({ id: 'pr_1', amountRefunded: 1000, amountRefundReserved: 1700, version: 9 });
      const refunds = [
        aRefund({ id: 'rf_ok', amount: 1000, status: 'succeeded' }),
        aRefund({ id: 'rf_pending', amount: 500, status: 'pending' }),
        aRefund({ id: 'rf_manual', amount: 200, status: 'requires_capture', captureMode: 'manual', expiresAt: NOW + DAY }),
        aRefund({ id: 'rf_failed', amount: 300, status: 'failed' }),
        aRefund({ id: 'rf_cancelled', amount: 100, status: 'cancelled' }),
        aRefund({ id: 'rf_expired', amount: 50, status: 'expired' }),
      ];
      // pr_2: created, no events, no refunds; pr_3: another merchant, live, confirmed in part (no refunds)
      const fresh = aRequest({ id: 'pr_2', terminalId: 't_2' });
      const confirmed = aRequest({
        id: 'pr_3', merchantId: 'm_2', storeId: 'st_2', terminalId: 't_3', livemode: true, status: 'authorized', captureMode: 'manual',
        amount: 8000, amountReceived: 8000, amountAuthorized: 8000, amountCaptured: 3000, authorizationExpiresAt: NOW + DAY,
      });

      beforeEach(async () => {
        await insertRequests(paid, fresh, confirmed);
        await store.transaction(async (tx) => {
          for (const refund of refunds) await tx.insertRefund(refund);
          // an earlier event with an earlier state: only the last one counts
          await tx.appendEvent(anEvent({ id: 'ev_1', objectId: 'pr_1', paymentRequestId: 'pr_1', sequence: 1, data: { ...paid, status: 'created', amountReceived: 0, amountAuthorized: 0, amountCaptured: 0 } }));
          await tx.appendEvent(anEvent({ id: 'ev_2', type: 'payment_request.succeeded', objectId: 'pr_1', paymentRequestId: 'pr_1', sequence: 2, data: { ...paid, amountRefunded: 0, amountRefundReserved: 0 } }));
          await tx.appendEvent(anEvent({ id: 'ev_rf', type: 'refund.created', objectType: 'refund', objectId: 'rf_ok', paymentRequestId: 'pr_1', sequence: 1, data: refunds[0] }));
          await tx.appendEvent(anEvent({
            id: 'ev_3', type: 'payment_request.captured', objectId: 'pr_3', paymentRequestId: 'pr_3', merchantId: 'm_2', terminalId: 't_3', livemode: true, sequence: 1, data: confirmed,
          }));
        });
      });

      it('a consistent store verifies, a page at a time or all at once', async () => {
        expect(await verifyTotals(store)).toStrictEqual({ checked: 3, mismatches: [] });
        expect(await verifyTotals(store, 1)).toStrictEqual({ checked: 3, mismatches: [] });
      });

      it('reads every request, the refunds of several and the last payment_request event of each', async () => {
        expect(ids((await store.read.listAllPaymentRequests({ limit: 10 })).items)).toStrictEqual(['pr_1', 'pr_2', 'pr_3']);
        expect(await store.read.listAllPaymentRequests({ limit: 1, afterId: 'pr_1' })).toStrictEqual({ items: [fresh], hasMore: true });
        expect(sortedIds(await store.read.listRefundsOfRequests(['pr_1', 'pr_2']))).toStrictEqual(refunds.map((r) => r.id).sort());
        expect(await store.read.listRefundsOfRequests([])).toStrictEqual([]);
        expect((await store.read.lastRequestEvents(['pr_1', 'pr_2', 'pr_3'])).map((e) => e.id)).toStrictEqual(['ev_2', 'ev_3']);
        expect(await store.read.lastRequestEvents([])).toStrictEqual([]);
      });

      it('reads the requests of one API still open to payment, every merchant and mode, a page at a time', async () => {
        const other = aRequest({ id: 'pr_4', terminalId: 't_3', merchantId: 'm_2', storeId: 'st_2', livemode: true, status: 'pending', source: 'other', allowConcurrent: true });
        const otherPaid = aSucceededRequest({ id: 'pr_5', source: 'other' });
        await insertRequests(other, otherPaid);
        // paid and authorized are not open to payment; pr_2 is the native API's
        expect(await store.read.listPayableRequestsOf('native', { limit: 10 })).toStrictEqual({ items: [fresh], hasMore: false });
        expect(await store.read.listPayableRequestsOf('other', { limit: 10 })).toStrictEqual({ items: [other], hasMore: false });
        expect(await store.read.listPayableRequestsOf('other', { limit: 0 })).toStrictEqual({ items: [], hasMore: true });
        expect(await store.read.listPayableRequestsOf('other', { limit: 10, afterId: 'pr_4' })).toStrictEqual({ items: [], hasMore: false });
      });

      it('a total corrupted behind the port fails, naming the request and the total', async () => {
        await rawSql("update payment_requests set amount_refunded = 900 where id = 'pr_1'");
        const report = await verifyTotals(store);
        expect(report.checked).toBe(3);
        expect(report.mismatches).toStrictEqual([
          { paymentRequestId: 'pr_1', merchantId: 'm_1', livemode: false, total: 'amountRefunded', recorded: 900, expected: 1000, source: 'refunds that succeeded' },
        ]);
      });

      it('captured, authorized and received are checked against the last event; refund rows against the reservation', async () => {
        await rawSql("update payment_requests set amount_captured = 2500 where id = 'pr_3'");
        await rawSql("update refunds set status = 'succeeded' where id = 'rf_pending'");
        const report = await verifyTotals(store, 1);
        expect(report.mismatches.map((m) => [m.paymentRequestId, m.total, m.recorded, m.expected])).toStrictEqual([
          ['pr_1', 'amountRefunded', 1000, 1500],
          ['pr_3', 'amountCaptured', 2500, 3000],
        ]);
        expect(report.mismatches[1]?.source).toBe('event ev_3 (payment_request.captured)');
      });

      it('a refund row that appeared or went away shows in the reservation', async () => {
        await rawSql("delete from refunds where id = 'rf_manual'");
        expect((await verifyTotals(store)).mismatches.map((m) => [m.paymentRequestId, m.total, m.recorded, m.expected])).toStrictEqual([
          ['pr_1', 'amountRefundReserved', 1700, 1500],
        ]);
      });
    });

    describe('dialect records', () => {
      const record = (overrides: Partial<DialectRecord> = {}): DialectRecord => ({
        dialect: 'toy', kind: 'payment_request', key: 'pr_1', data: { configId: 'cfg_1', lines: [{ qty: '1.5' }], flag: true }, createdAt: NOW, updatedAt: NOW, ...overrides,
      });

      it('round-trip a record, replace it by dialect, kind and key, and keep dialects and kinds apart', async () => {
        await store.transaction((tx) => tx.putDialectRecord(record()));
        expect(await store.read.getDialectRecord('toy', 'payment_request', 'pr_1')).toStrictEqual(record());
        await store.transaction((tx) => tx.putDialectRecord(record({ data: { replaced: 'yes' }, updatedAt: NOW + 1 })));
        expect(await store.read.getDialectRecord('toy', 'payment_request', 'pr_1')).toStrictEqual(record({ data: { replaced: 'yes' }, updatedAt: NOW + 1 }));
        expect(await store.read.getDialectRecord('other', 'payment_request', 'pr_1')).toBeNull();
        expect(await store.read.getDialectRecord('toy', 'terminal', 'pr_1')).toBeNull();
        await store.transaction((tx) => tx.putDialectRecord(record({ key: 'pr_2', data: { n: 2 } })));
        expect((await store.read.listDialectRecords('toy', 'payment_request', ['pr_2', 'pr_1', 'pr_3'])).map((r) => r.key).sort()).toEqual(['pr_1', 'pr_2']);
        expect(await store.read.listDialectRecords('toy', 'payment_request', [])).toEqual([]);
      });

      it('adding a record claims its key once: a second add, even one begun while the first was uncommitted, writes nothing', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let firstAdded!: () => void;
        const added = new Promise<void>((resolve) => (firstAdded = resolve));
        const first = store.transaction(async (tx) => {
          const wrote = await tx.addDialectRecord(record());
          firstAdded();
          await gate; // uncommitted while the second begins: PostgreSQL makes its insert wait for this one
          return wrote;
        });
        await added;
        const second = store.transaction((tx) => tx.addDialectRecord(record({ data: { other: true }, createdAt: NOW + 1, updatedAt: NOW + 1 })));
        // lets the second reach the database and wait on the first's row (as the lock test above);
        // had it not yet, it would find the row committed: the test can only be weaker, never flaky
        await new Promise((resolve) => setTimeout(resolve, 100));
        release();
        expect([await first, await second]).toEqual([true, false]);
        expect(await store.read.getDialectRecord('toy', 'payment_request', 'pr_1')).toStrictEqual(record());
        expect(await store.transaction((tx) => tx.addDialectRecord(record({ kind: 'terminal' })))).toBe(true);
      });

      it('a key claimed in a transaction that fails is free again', async () => {
        const boom = new Error('boom');
        expect(await rejectionOf(store.transaction(async (tx) => {
          expect(await tx.addDialectRecord(record())).toBe(true);
          throw boom;
        }))).toBe(boom);
        expect(await store.transaction((tx) => tx.addDialectRecord(record({ data: { n: 2 } })))).toBe(true);
        expect((await store.read.getDialectRecord('toy', 'payment_request', 'pr_1'))?.data).toEqual({ n: 2 });
      });

      it('a record written in a transaction that fails is not kept', async () => {
        const boom = new Error('boom');
        expect(await rejectionOf(store.transaction(async (tx) => {
          await tx.putDialectRecord(record());
          throw boom;
        }))).toBe(boom);
        expect(await store.read.getDialectRecord('toy', 'payment_request', 'pr_1')).toBeNull();
      });
    });

    describe('channel commands', () => {
      const command = (overrides: Partial<ChannelCommand> = {}): ChannelCommand => ({
        id: 'cmd_pr_cc_1_capture_500', kind: 'capture', paymentRequestId: 'pr_cc', amount: 500, intent: { final: true },
        status: 'pending', outcome: null, createdAt: NOW, updatedAt: NOW, ...overrides,
      });
      const lease = { owner: 'w1', until: NOW + MINUTE };

      it('a command is begun only on the version of the request its unit decided on', async () => {
        const request = aRequest({ id: 'pr_cc', allowConcurrent: true });
        await insertRequests(request);
        // changed since the unit read it (between its rollback and the command's begin): no hold, no command
        await store.transaction((tx) => tx.updatePaymentRequest({ ...request, description: 'changed', version: request.version + 1 }));
        const stale = store.transaction((tx) => tx.beginChannelCommand(command(), lease, null, request.version));
        await expectConcurrentUpdate(stale);
        await expect(stale).rejects.not.toBeInstanceOf(ChannelBusy); // decide again at once, nothing to wait for
        expect(await store.read.channelCommandsOf('pr_cc')).toEqual({ commands: [], inFlight: null });
        await store.transaction((tx) => tx.beginChannelCommand(command(), lease, null, request.version + 1));
        expect((await store.read.channelCommandsOf('pr_cc')).inFlight).toMatchObject({ id: 'cmd_pr_cc_1_capture_500' });
        // held by another command: that one is waited for
        await expect(store.transaction((tx) => tx.beginChannelCommand(command({ id: 'cmd_other' }), lease, null, request.version + 1))).rejects.toBeInstanceOf(ChannelBusy);
      });

      it('a command in flight holds its request: other writes wait, the unit that applies it may write', async () => {
        const request = aRequest({ id: 'pr_cc', allowConcurrent: true });
        await insertRequests(request);
        await store.transaction((tx) => tx.beginChannelCommand(command(), lease));
        expect((await store.read.channelCommandsOf('pr_cc')).inFlight).toMatchObject({ id: 'cmd_pr_cc_1_capture_500', status: 'pending', intent: { final: true } });
        // recording the same command again changes nothing; another command cannot take the request
        await store.transaction((tx) => tx.beginChannelCommand(command(), lease));
        await expectConcurrentUpdate(store.transaction((tx) => tx.beginChannelCommand(command({ id: 'cmd_other' }), lease)));
        expect((await store.read.channelCommandsOf('pr_cc')).commands.map((c) => c.id)).toEqual(['cmd_pr_cc_1_capture_500']);
        const changed = { ...request, description: 'changed', version: request.version + 1 };
        await expectConcurrentUpdate(store.transaction((tx) => tx.updatePaymentRequest(changed)));
        await store.transaction((tx) => tx.recordChannelOutcome('cmd_pr_cc_1_capture_500', 'succeeded', NOW + 1));
        await store.transaction((tx) => tx.recordChannelOutcome('cmd_pr_cc_1_capture_500', 'failed', NOW + 2)); // the first answer stands
        await store.transaction(async (tx) => {
          tx.actForChannelCommand('cmd_pr_cc_1_capture_500');
          await tx.updatePaymentRequest(changed);
          expect(await tx.applyChannelCommand('cmd_pr_cc_1_capture_500', NOW + 3, undefined, 'pr_cc'))
            .toMatchObject({ id: 'cmd_pr_cc_1_capture_500', kind: 'capture', amount: 500, status: 'applied', outcome: 'succeeded', updatedAt: NOW + 3, intent: { final: true } });
        });
        expect(await store.read.getChannelCommand('cmd_pr_cc_1_capture_500')).toMatchObject({ status: 'applied', outcome: 'succeeded' });
        expect(await store.read.channelCommandsOf('pr_cc')).toMatchObject({ commands: [{ id: 'cmd_pr_cc_1_capture_500' }], inFlight: null });
        // applied once: a second application is refused, and the request is free again
        expect(await store.transaction((tx) => tx.applyChannelCommand('cmd_pr_cc_1_capture_500', NOW + 4, undefined, 'pr_cc'))).toBeNull();
        await store.transaction((tx) => tx.updatePaymentRequest({ ...changed, description: 'again', version: changed.version + 1 }));
      });

      it('commands whose lease ran out unapplied are claimed, each by one claimer', async () => {
        await insertRequests(aRequest({ id: 'pr_cc', allowConcurrent: true }));
        await store.transaction((tx) => tx.insertChannelCommand(command({ id: 'cmd_a', kind: 'release', amount: 0 }), lease));
        await store.transaction((tx) => tx.insertChannelCommand(command({ id: 'cmd_b', kind: 'release', amount: 0 }), null));
        expect(ids(await store.transaction((tx) => tx.claimChannelCommands(NOW, 10, { owner: 'w2', until: NOW + MINUTE })))).toEqual(['cmd_b']);
        expect(await store.transaction((tx) => tx.claimChannelCommands(NOW, 10, { owner: 'w3', until: NOW + MINUTE }))).toEqual([]);
        expect(sortedIds(await store.transaction((tx) => tx.claimChannelCommands(NOW + 2 * MINUTE, 10, { owner: 'w3', until: NOW + 3 * MINUTE })))).toEqual(['cmd_a', 'cmd_b']);
      });

      it('an inbound channel event is recorded once', async () => {
        expect(await store.transaction((tx) => tx.recordChannelEvent('chev_1', 'cmd_a', NOW))).toBe(true);
        expect(await store.transaction((tx) => tx.recordChannelEvent('chev_1', 'cmd_a', NOW))).toBe(false);
      });
    });

    describe('events', () => {
      it('round-trip with their data and a position', async () => {
        const requestEvent = anEvent({ id: 'ev_1', livemode: true, data: aRequest({ id: 'pr_1', shortCode: 'X', amount: MAX_AMOUNT, metadata: { k: 'v' } }) });
        const refundEvent = anEvent({
          id: 'ev_2', type: 'refund.created', objectType: 'refund', objectId: 'rf_1', paymentRequestId: 'pr_1',
          data: aRefund({ id: 'rf_1' }), createdAt: NOW + 1,
        });
        await store.transaction(async (tx) => {
          await tx.appendEvent(requestEvent);
          await tx.appendEvent(refundEvent);
        });
        const one = await store.read.getEvent('ev_1');
        const two = await store.read.getEvent('ev_2');
        expect(one).toStrictEqual({ ...requestEvent, position: expect.any(Number) });
        expect(two).toStrictEqual({ ...refundEvent, position: expect.any(Number) });
        expect(two!.position!).toBeGreaterThan(one!.position!);
        expect(await store.read.getEvent('ev_nope')).toBeNull();
        const both = await store.read.getEvents(['ev_2', 'ev_nope', 'ev_1']);
        expect([...both].sort((x, y) => x.id.localeCompare(y.id))).toStrictEqual([one, two]);
        expect(await store.read.getEvents([])).toStrictEqual([]);
      });

      it('lastEventPosition is the highest position of one merchant and mode, 0 without events', async () => {
        expect(await store.read.lastEventPosition('m_1', false)).toBe(0);
        await store.transaction(async (tx) => {
          await tx.appendEvent(anEvent({ id: 'evt_a', objectId: 'pr_a', sequence: 1 }));
          await tx.appendEvent(anEvent({ id: 'evt_b', objectId: 'pr_b', sequence: 1 }));
          await tx.appendEvent(anEvent({ id: 'evt_live', objectId: 'pr_c', sequence: 1, livemode: true }));
        });
        const positions = (await store.read.listEvents({ merchantId: 'm_1', livemode: false }, { limit: 10 })).items.map((e) => e.position);
        expect(await store.read.lastEventPosition('m_1', false)).toBe(Math.max(...(positions as number[])));
        expect(await store.read.lastEventPosition('m_1', true)).toBeGreaterThan(0);
        expect(await store.read.lastEventPosition('m_2', false)).toBe(0);
      });

      it('sequence is unique per object; lastEventSequence reports the highest', async () => {
        expect(await store.read.lastEventSequence('pr_1')).toBe(0);
        await store.transaction(async (tx) => {
          await tx.appendEvent(anEvent({ objectId: 'pr_1', sequence: 1 }));
          await tx.appendEvent(anEvent({ objectId: 'pr_1', sequence: 2 }));
          await tx.appendEvent(anEvent({ objectId: 'rf_1', objectType: 'refund', sequence: 1 }));
        });
        expect(await store.read.lastEventSequence('pr_1')).toBe(2);
        expect(await store.read.lastEventSequence('rf_1')).toBe(1);
        await expectUnique(store.transaction((tx) => tx.appendEvent(anEvent({ id: 'ev_dup', objectId: 'pr_1', sequence: 2 }))), UNIQUE.eventSequence);
        expect(await store.read.getEvent('ev_dup')).toBeNull();
        expect(await store.transaction((tx) => tx.lastEventSequence('pr_1'))).toBe(2);
      });

      it('an object\'s events are numbered 1, 2, 3… without a gap, and an event keeps its number (migration 0012)', async () => {
        await expectRefused(store.transaction((tx) => tx.appendEvent(anEvent({ id: 'ev_bad', objectId: 'pr_1', sequence: 2 }))));
        await store.transaction((tx) => tx.appendEvent(anEvent({ id: 'ev_1', objectId: 'pr_1', sequence: 1 })));
        await expectRefused(store.transaction((tx) => tx.appendEvent(anEvent({ id: 'ev_bad', objectId: 'pr_1', sequence: 3 }))));
        // several in one transaction, and another object from 1
        await store.transaction(async (tx) => {
          await tx.appendEvent(anEvent({ id: 'ev_2', objectId: 'pr_1', sequence: 2 }));
          await tx.appendEvent(anEvent({ id: 'ev_3', objectId: 'pr_1', sequence: 3 }));
          await tx.appendEvent(anEvent({ id: 'ev_rf', objectId: 'rf_1', objectType: 'refund', sequence: 1 }));
        });
        // a gap refused in a transaction takes the rest of it back
        await expectRefused(store.transaction(async (tx) => {
          await tx.appendEvent(anEvent({ id: 'ev_4', objectId: 'pr_1', sequence: 4 }));
          await tx.appendEvent(anEvent({ id: 'ev_bad', objectId: 'pr_1', sequence: 6 }));
        }));
        expect(await store.read.getEvent('ev_4')).toBeNull();
        expect(await store.read.getEvent('ev_bad')).toBeNull();
        // behind the port's back: an event neither moves to another number nor to another object
        for (const statement of ["update events set sequence = 7 where id = 'ev_3'", "update events set object_id = 'pr_9' where id = 'ev_1'"]) {
          expect(await rejectionOf(rawSql(statement))).toBeInstanceOf(Error);
        }
        expect((await store.read.listEvents({ merchantId: 'm_1', livemode: false }, { limit: 10 })).items.map((e) => [e.id, e.objectId, e.sequence])).toStrictEqual([
          ['ev_1', 'pr_1', 1], ['ev_2', 'pr_1', 2], ['ev_3', 'pr_1', 3], ['ev_rf', 'rf_1', 1],
        ]);
      });

      describe('listEvents', () => {
        const events = [
          anEvent({ id: 'ev_01', objectId: 'pr_1', paymentRequestId: 'pr_1', terminalId: 't_1', sequence: 1, type: 'payment_request.created' }),
          anEvent({ id: 'ev_02', objectId: 'pr_2', paymentRequestId: 'pr_2', terminalId: 't_2', sequence: 1, type: 'payment_request.created' }),
          anEvent({ id: 'ev_03', objectId: 'pr_1', paymentRequestId: 'pr_1', terminalId: 't_1', sequence: 2, type: 'payment_request.succeeded' }),
          anEvent({ id: 'ev_04', objectId: 'rf_1', objectType: 'refund', paymentRequestId: 'pr_1', terminalId: 't_1', sequence: 1, type: 'refund.created' }),
          anEvent({ id: 'ev_05', objectId: 'pr_2', paymentRequestId: 'pr_2', terminalId: 't_2', sequence: 2, type: 'payment_request.cancelled' }),
          anEvent({ id: 'ev_live', objectId: 'pr_9', paymentRequestId: 'pr_9', livemode: true, sequence: 1 }),
          anEvent({ id: 'ev_m2', objectId: 'pr_8', paymentRequestId: 'pr_8', merchantId: 'm_2', terminalId: 't_3', sequence: 1 }),
        ];
        const list = (filter: Partial<EventFilter>, limit = 10, afterPosition?: number) =>
          store.read.listEvents({ merchantId: 'm_1', livemode: false, ...filter }, afterPosition === undefined ? { limit } : { limit, afterPosition });

        beforeEach(async () => {
          for (const event of events) await store.transaction((tx) => tx.appendEvent(event));
        });

        it('lists one merchant and mode in insertion order', async () => {
          const all = await list({});
          expect(ids(all.items)).toStrictEqual(['ev_01', 'ev_02', 'ev_03', 'ev_04', 'ev_05']);
          expect(all.hasMore).toBe(false);
          expect(all.items[0]).toStrictEqual({ ...events[0], position: expect.any(Number) });
          expect(ids((await list({ livemode: true })).items)).toStrictEqual(['ev_live']);
          expect(ids((await list({ merchantId: 'm_2' })).items)).toStrictEqual(['ev_m2']);
        });

        it('filters by terminal, object, payment request and type', async () => {
          expect(ids((await list({ terminalId: 't_2' })).items)).toStrictEqual(['ev_02', 'ev_05']);
          expect(ids((await list({ objectId: 'pr_1' })).items)).toStrictEqual(['ev_01', 'ev_03']);
          expect(ids((await list({ paymentRequestId: 'pr_1' })).items)).toStrictEqual(['ev_01', 'ev_03', 'ev_04']);
          expect(ids((await list({ type: 'payment_request.created' })).items)).toStrictEqual(['ev_01', 'ev_02']);
          expect(ids((await list({ paymentRequestId: 'pr_1', type: 'refund.created' })).items)).toStrictEqual(['ev_04']);
          expect(ids((await list({ type: 'nothing.happened' })).items)).toStrictEqual([]);
        });

        it('pages forward by position with hasMore', async () => {
          const page1 = await list({}, 2);
          expect(ids(page1.items)).toStrictEqual(['ev_01', 'ev_02']);
          expect(page1.hasMore).toBe(true);
          const page2 = await list({}, 2, page1.items[1]!.position);
          expect(ids(page2.items)).toStrictEqual(['ev_03', 'ev_04']);
          expect(page2.hasMore).toBe(true);
          const page3 = await list({}, 2, page2.items[1]!.position);
          expect(ids(page3.items)).toStrictEqual(['ev_05']);
          expect(page3.hasMore).toBe(false);
          // exactly `limit` left: no more
          const exact = await list({}, 3, page1.items[1]!.position);
          expect(ids(exact.items)).toStrictEqual(['ev_03', 'ev_04', 'ev_05']);
          expect(exact.hasMore).toBe(false);
          expect(await list({}, 2, page3.items[0]!.position)).toStrictEqual({ items: [], hasMore: false });
          // paging combines with a filter
          const filtered = await list({ paymentRequestId: 'pr_1' }, 1, page1.items[0]!.position);
          expect(ids(filtered.items)).toStrictEqual(['ev_03']);
          expect(filtered.hasMore).toBe(true);
        });

        it('pages backward, newest first, before a position', async () => {
          const newest = (limit: number, beforePosition?: number) =>
            store.read.listEvents({ merchantId: 'm_1', livemode: false }, beforePosition === undefined ? { limit, newestFirst: true } : { limit, newestFirst: true, beforePosition });
          const page1 = await newest(2);
          expect([ids(page1.items), page1.hasMore]).toStrictEqual([['ev_05', 'ev_04'], true]);
          const page2 = await newest(2, page1.items[1]!.position);
          expect([ids(page2.items), page2.hasMore]).toStrictEqual([['ev_03', 'ev_02'], true]);
          const page3 = await newest(2, page2.items[1]!.position);
          expect([ids(page3.items), page3.hasMore]).toStrictEqual([['ev_01'], false]);
        });

        it('filters by the API that made each event\'s request', async () => {
          await insertRequests(aRequest({ id: 'pr_1', source: 'native' }), aRequest({ id: 'pr_2', source: 'elsewhere', terminalId: 't_2' }));
          expect(ids((await list({ source: 'elsewhere' })).items)).toStrictEqual(['ev_02', 'ev_05']);
          expect(ids((await list({ source: 'native' })).items)).toStrictEqual(['ev_01', 'ev_03', 'ev_04']);
          expect(ids((await list({ source: 'nobody' })).items)).toStrictEqual([]);
        });
      });
    });

    describe('idempotency keys', () => {
      const EXPIRES = NOW + DAY;
      const STALE = NOW - MINUTE;
      const claim = (fingerprint: string, recordId: string, at = { now: NOW, expiresAt: EXPIRES, staleBefore: STALE }, scope = SCOPE) =>
        store.transaction((tx) => tx.claimIdempotencyKey(scope, fingerprint, at.now, at.expiresAt, at.staleBefore, recordId));
      const complete = (recordId: string, status = 201, body: unknown = { id: 'pr_1' }) =>
        store.transaction((tx) => tx.completeIdempotencyKey(recordId, { status, body }));

      it('claimed, then in_progress while the first request runs, naming the record that holds it', async () => {
        expect(await claim('fp-a', 'idem_1')).toStrictEqual({ kind: 'claimed', recordId: 'idem_1' });
        expect(await claim('fp-a', 'idem_2')).toStrictEqual({ kind: 'in_progress', recordId: 'idem_1' });
        expect(await claim('fp-a', 'idem_3', { now: NOW + MINUTE, expiresAt: EXPIRES, staleBefore: NOW })).toStrictEqual({ kind: 'in_progress', recordId: 'idem_1' });
      });

      it('replays the stored response once completed; a different body is a mismatch', async () => {
        await claim('fp-a', 'idem_1');
        const body = { id: 'pr_1', amount: MAX_AMOUNT, nested: { list: [1, 'two', null, true] }, note: 'ü "quoted"' };
        await complete('idem_1', 201, body);
        expect(await claim('fp-a', 'idem_2')).toStrictEqual({ kind: 'replay', response: { status: 201, body } });
        expect(await claim('fp-a', 'idem_3', { now: NOW + HOUR, expiresAt: NOW + 2 * DAY, staleBefore: NOW + HOUR })).toStrictEqual({ kind: 'replay', response: { status: 201, body } });
        expect(await claim('fp-b', 'idem_4')).toStrictEqual({ kind: 'mismatch' });
        // error responses replay too, and a null body stays null
        await claim('fp-x', 'idem_err', undefined, { ...SCOPE, key: 'other' });
        await complete('idem_err', 409, null);
        expect(await claim('fp-x', 'idem_5', undefined, { ...SCOPE, key: 'other' })).toStrictEqual({ kind: 'replay', response: { status: 409, body: null } });
      });

      it('a key is scoped by credential, method and path', async () => {
        await claim('fp-a', 'idem_1');
        expect(await claim('fp-a', 'idem_2', undefined, { ...SCOPE, credentialId: 'key_2' })).toStrictEqual({ kind: 'claimed', recordId: 'idem_2' });
        expect(await claim('fp-a', 'idem_3', undefined, { ...SCOPE, method: 'PUT' })).toStrictEqual({ kind: 'claimed', recordId: 'idem_3' });
        expect(await claim('fp-a', 'idem_4', undefined, { ...SCOPE, path: '/v1/refunds' })).toStrictEqual({ kind: 'claimed', recordId: 'idem_4' });
        expect(await claim('fp-a', 'idem_5', undefined, { ...SCOPE, key: 'idem-xyz' })).toStrictEqual({ kind: 'claimed', recordId: 'idem_5' });
        expect(await claim('fp-a', 'idem_6')).toStrictEqual({ kind: 'in_progress', recordId: 'idem_1' });
      });

      it('a second record of one scope is refused by the database itself, not only by the claim', async () => {
        await claim('fp-a', 'idem_1');
        const error = await rejectionOf(rawSql(`insert into idempotency_keys (id, credential_id, method, path, key, fingerprint, status, locked_at, created_at, expires_at)
          values ('idem_dup', '${SCOPE.credentialId}', '${SCOPE.method}', '${SCOPE.path}', '${SCOPE.key}', 'fp-b', 'in_progress', ${NOW}, ${NOW}, ${EXPIRES})`));
        expect(String(error)).toMatch(/unique/i);
        expect(await claim('fp-a', 'idem_2')).toStrictEqual({ kind: 'in_progress', recordId: 'idem_1' });
      });

      it('an expired key (expiresAt ≤ now) is claimed anew, whatever its fingerprint', async () => {
        await claim('fp-a', 'idem_1', { now: NOW, expiresAt: NOW + HOUR, staleBefore: STALE });
        await complete('idem_1');
        expect(await claim('fp-b', 'idem_2', { now: NOW + HOUR - 1, expiresAt: NOW + DAY, staleBefore: NOW })).toStrictEqual({ kind: 'mismatch' });
        expect(await claim('fp-b', 'idem_2', { now: NOW + HOUR, expiresAt: NOW + DAY, staleBefore: NOW })).toStrictEqual({ kind: 'claimed', recordId: 'idem_2' });
        // it is the new claim now: in progress, and it completes under its new record id
        expect(await claim('fp-b', 'idem_3', { now: NOW + HOUR + 1, expiresAt: NOW + DAY, staleBefore: NOW })).toStrictEqual({ kind: 'in_progress', recordId: 'idem_2' });
        await complete('idem_2', 200, { second: true });
        expect(await claim('fp-b', 'idem_4', { now: NOW + HOUR + 2, expiresAt: NOW + DAY, staleBefore: NOW })).toStrictEqual({ kind: 'replay', response: { status: 200, body: { second: true } } });
      });

      it('an abandoned in_progress key (lockedAt < staleBefore) is claimed anew; its old holder can no longer complete it', async () => {
        await claim('fp-a', 'idem_1', { now: NOW, expiresAt: EXPIRES, staleBefore: STALE });
        expect(await claim('fp-a', 'idem_2', { now: NOW + MINUTE, expiresAt: EXPIRES, staleBefore: NOW })).toStrictEqual({ kind: 'in_progress', recordId: 'idem_1' });
        expect(await claim('fp-a', 'idem_2', { now: NOW + MINUTE, expiresAt: EXPIRES, staleBefore: NOW + 1 })).toStrictEqual({ kind: 'claimed', recordId: 'idem_2' });
        await expectConcurrentUpdate(complete('idem_1', 201, { stale: true }));
        await complete('idem_2', 201, { fresh: true });
        expect(await claim('fp-a', 'idem_3')).toStrictEqual({ kind: 'replay', response: { status: 201, body: { fresh: true } } });
        // a completed key is never "abandoned"
        expect(await claim('fp-a', 'idem_4', { now: NOW + HOUR, expiresAt: EXPIRES, staleBefore: NOW + HOUR })).toStrictEqual({ kind: 'replay', response: { status: 201, body: { fresh: true } } });
      });

      it('releasing frees an in_progress key; a completed one stays', async () => {
        await claim('fp-a', 'idem_1');
        await store.transaction((tx) => tx.releaseIdempotencyKey('idem_1'));
        expect(await claim('fp-b', 'idem_2')).toStrictEqual({ kind: 'claimed', recordId: 'idem_2' });
        await complete('idem_2', 202, { ok: 1 });
        await store.transaction((tx) => tx.releaseIdempotencyKey('idem_2'));
        expect(await claim('fp-b', 'idem_3')).toStrictEqual({ kind: 'replay', response: { status: 202, body: { ok: 1 } } });
        // completing twice is refused
        await expectConcurrentUpdate(complete('idem_2', 500, { again: true }));
      });

      it('deleteExpiredIdempotencyKeys removes keys with expiresAt ≤ now and counts them', async () => {
        const key = (k: string) => ({ ...SCOPE, key: k });
        await claim('fp', 'idem_1', { now: NOW, expiresAt: NOW + 100, staleBefore: STALE }, key('k1'));
        await claim('fp', 'idem_2', { now: NOW, expiresAt: NOW + 200, staleBefore: STALE }, key('k2'));
        await complete('idem_2');
        await claim('fp', 'idem_3', { now: NOW, expiresAt: NOW + 300, staleBefore: STALE }, key('k3'));
        expect(await store.transaction((tx) => tx.deleteExpiredIdempotencyKeys(NOW + 99, 10))).toBe(0);
        // at most `limit`, the earliest first
        expect(await store.transaction((tx) => tx.deleteExpiredIdempotencyKeys(NOW + 200, 1))).toBe(1);
        expect(await claim('fp-other', 'idem_0', undefined, key('k1'))).toStrictEqual({ kind: 'claimed', recordId: 'idem_0' });
        await store.transaction((tx) => tx.releaseIdempotencyKey('idem_0'));
        expect(await store.transaction((tx) => tx.deleteExpiredIdempotencyKeys(NOW + 200, 10))).toBe(1);
        expect(await store.transaction((tx) => tx.deleteExpiredIdempotencyKeys(NOW + 200, 10))).toBe(0);
        // the survivor is still held; the deleted ones are free (claimed even at a time before their old expiry)
        expect(await claim('fp', 'idem_4', undefined, key('k3'))).toStrictEqual({ kind: 'in_progress', recordId: 'idem_3' });
        expect(await claim('fp-other', 'idem_5', undefined, key('k2'))).toStrictEqual({ kind: 'claimed', recordId: 'idem_5' });
      });
    });

    describe('patrons and patron codes', () => {
      it('patrons round-trip', async () => {
        const patron = aPatron({ id: 'pa_live', livemode: true, name: 'Wiremu 🥝' });
        await store.transaction((tx) => tx.insertPatron(patron));
        expect(await store.read.getPatron('pa_live')).toStrictEqual(patron);
        expect(await store.read.getPatron('pa_nope')).toBeNull();
      });

      it('codes round-trip, the latest is found, and a code is used once', async () => {
        await store.transaction(async (tx) => {
          await tx.insertPatron(aPatron());
          await tx.insertPatron(aPatron({ id: 'pa_2', name: 'Mere' }));
        });
        expect(await store.read.latestPatronCode('pa_1')).toBeNull();
        const older = aPatronCode({ code: 'CODE-OLD', issuedAt: NOW - MINUTE, expiresAt: NOW + 4 * MINUTE });
        const newest = aPatronCode({ code: 'CODE-NEW', issuedAt: NOW, livemode: true });
        const used = aPatronCode({ code: 'CODE-USED', patronId: 'pa_2', issuedAt: NOW - HOUR, usedAt: NOW - HOUR + 1 });
        await store.transaction(async (tx) => {
          await tx.insertPatronCode(newest);
          await tx.insertPatronCode(older);
          await tx.insertPatronCode(used);
        });
        expect(await store.read.getPatronCode('CODE-OLD')).toStrictEqual(older);
        expect(await store.read.getPatronCode('CODE-USED')).toStrictEqual(used);
        expect(await store.read.getPatronCode('CODE-NOPE')).toBeNull();
        expect(await store.read.latestPatronCode('pa_1')).toStrictEqual(newest);
        expect(await store.read.latestPatronCode('pa_2')).toStrictEqual(used);

        expect(await store.transaction((tx) => tx.usePatronCode('CODE-NEW', NOW + 1))).toBe(true);
        expect(await store.transaction((tx) => tx.usePatronCode('CODE-NEW', NOW + 2))).toBe(false);
        expect(await store.read.getPatronCode('CODE-NEW')).toStrictEqual({ ...newest, usedAt: NOW + 1 });
        expect(await store.transaction((tx) => tx.usePatronCode('CODE-USED', NOW))).toBe(false);
        expect(await store.transaction((tx) => tx.usePatronCode('CODE-NOPE', NOW))).toBe(false);
        expect((await store.read.getPatronCode('CODE-OLD'))?.usedAt).toBeNull();
      });
    });

    describe('settings', () => {
      it('get returns null until set; set upserts', async () => {
        expect(await store.read.getSetting('webhook_secret')).toBeNull();
        await store.transaction((tx) => tx.setSetting('webhook_secret', 'enc:v1:abc'));
        expect(await store.read.getSetting('webhook_secret')).toBe('enc:v1:abc');
        await store.transaction((tx) => tx.setSetting('webhook_secret', 'enc:v1:def'));
        expect(await store.read.getSetting('webhook_secret')).toBe('enc:v1:def');
        await store.transaction((tx) => tx.setSetting('other', ''));
        expect(await store.read.getSetting('other')).toBe('');
        expect(await store.read.getSetting('webhook_secret')).toBe('enc:v1:def');
      });

      it('insert claims a key once: a second insert is a UniqueViolation and changes nothing', async () => {
        await store.transaction((tx) => tx.insertSetting('claim', 'first'));
        await expectUnique(store.transaction((tx) => tx.insertSetting('claim', 'second')), UNIQUE.setting);
        expect(await store.read.getSetting('claim')).toBe('first');
      });
    });

    describe('webhooks', () => {
      function anEndpoint(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
        const n = next();
        return {
          id: `we_${n}`, merchantId: 'm_1', livemode: false, url: `https://receiver.example/hooks/${n}`, eventTypes: null, format: 'native',
          status: 'enabled', disabledReason: null, secretSealed: `sealed_${n}`, previousSecretSealed: null, previousSecretExpiresAt: null,
          createdAt: NOW, updatedAt: NOW,
          ...overrides,
        };
      }
      /** A pending delivery of pr_1's first event to endpoint we_1 of m_1 (test mode), due at NOW. */
      function aDelivery(overrides: Partial<Delivery> = {}): Delivery {
        const n = next();
        return {
          id: `dlv_${n}`, eventId: `ev_${n}`, endpointId: 'we_1', target: 'we_1', url: 'https://receiver.example/hooks/1', format: 'native',
          merchantId: 'm_1', livemode: false, objectId: 'pr_1', sequence: 1, status: 'pending', attempts: 0, nextAttemptAt: NOW, createdAt: NOW, updatedAt: NOW,
          ...overrides,
        };
      }
      function anAttempt(delivery: Delivery, overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
        const n = next();
        return {
          id: `att_${n}`, deliveryId: delivery.id, eventId: delivery.eventId, endpointId: delivery.endpointId, url: delivery.url,
          attemptedAt: NOW, statusCode: 200, latencyMs: 12, responseSnippet: 'ok', error: null,
          ...overrides,
        };
      }
      const insertEndpoints = (...endpoints: WebhookEndpoint[]) =>
        store.transaction(async (tx) => {
          for (const endpoint of endpoints) await tx.insertWebhookEndpoint(endpoint);
        });
      const insertDeliveries = (...deliveries: Delivery[]) =>
        store.transaction(async (tx) => {
          for (const delivery of deliveries) await tx.insertDelivery(delivery);
        });
      const update = (delivery: Delivery) => store.transaction((tx) => tx.updateDelivery(delivery));
      const claim = (owner: string, now: number, limit = 100) => store.transaction((tx) => tx.claimDueDeliveries(now, limit, { owner, until: now + MINUTE }));
      const ROLLBACK = new Error('rollback');
      /** What a claim by a fresh owner would take at `now`, without keeping the lease (rolled back). */
      async function peek(now: number, limit = 100, skipTargets?: readonly string[]): Promise<Delivery[]> {
        let taken: Delivery[] = [];
        await store.transaction(async (tx) => {
          taken = await tx.claimDueDeliveries(now, limit, { owner: 'w_peek', until: now + MINUTE }, skipTargets);
          throw ROLLBACK;
        }).catch((error) => {
          if (error !== ROLLBACK) throw error;
        });
        return taken;
      }

      it('endpoints round-trip, list per merchant and mode oldest first, update and delete', async () => {
        const full = anEndpoint({
          id: 'we_1', url: 'https://receiver.example/hooks?shop=ā&x=1', eventTypes: ['payment_request.succeeded', 'refund.created'],
          status: 'disabled', disabledReason: 'the receiver answered 410 Gone', previousSecretSealed: 'sealed_old', previousSecretExpiresAt: NOW + DAY,
          createdAt: NOW, updatedAt: NOW + 1,
        });
        const second = anEndpoint({ id: 'we_2', createdAt: NOW + 1, updatedAt: NOW + 1 });
        const live = anEndpoint({ id: 'we_3', livemode: true, createdAt: NOW + 2 });
        const other = anEndpoint({ id: 'we_4', merchantId: 'm_2', createdAt: NOW + 3 });
        await insertEndpoints(full, second, live, other);
        expect(await store.read.getWebhookEndpoint('we_1')).toStrictEqual(full);
        expect(await store.read.getWebhookEndpoint('we_2')).toStrictEqual(second);
        expect(await store.transaction((tx) => tx.getWebhookEndpoint('we_3'))).toStrictEqual(live);
        expect(await store.read.getWebhookEndpoint('we_nope')).toBeNull();
        expect(await store.read.listWebhookEndpoints('m_1', false)).toStrictEqual([full, second]);
        expect(await store.read.listWebhookEndpoints('m_1', true)).toStrictEqual([live]);
        expect(await store.read.listWebhookEndpoints('m_2', false)).toStrictEqual([other]);
        expect(await store.read.listWebhookEndpoints('m_2', true)).toStrictEqual([]);

        const rotated: WebhookEndpoint = {
          ...second, url: 'https://receiver.example/v2', eventTypes: ['refund.failed'], status: 'disabled', disabledReason: 'by hand',
          secretSealed: 'sealed_new', previousSecretSealed: second.secretSealed, previousSecretExpiresAt: NOW + DAY + 5, updatedAt: NOW + 5,
        };
        await store.transaction((tx) => tx.updateWebhookEndpoint(rotated, second));
        expect(await store.read.getWebhookEndpoint('we_2')).toStrictEqual(rotated);
        const back: WebhookEndpoint = { ...rotated, eventTypes: null, status: 'enabled', disabledReason: null, previousSecretSealed: null, previousSecretExpiresAt: null, updatedAt: NOW + 6 };
        await store.transaction((tx) => tx.updateWebhookEndpoint(back, rotated));
        expect(await store.read.getWebhookEndpoint('we_2')).toStrictEqual(back);
        expect(await store.read.getWebhookEndpoint('we_1')).toStrictEqual(full);

        await store.transaction((tx) => tx.deleteWebhookEndpoint('we_1'));
        expect(await store.read.getWebhookEndpoint('we_1')).toBeNull();
        expect(await store.read.listWebhookEndpoints('m_1', false)).toStrictEqual([back]);
        expect(await store.read.listWebhookEndpoints('m_1', true)).toStrictEqual([live]);
        await store.transaction((tx) => tx.deleteWebhookEndpoint('we_nope')); // nothing to delete: no error
      });

      it('an endpoint is updated only from the row as it was read: a change made meanwhile is never undone', async () => {
        const read = anEndpoint({ id: 'we_cas', eventTypes: ['refund.created'] });
        await insertEndpoints(read);
        const rotated: WebhookEndpoint = { ...read, secretSealed: 'sealed_first', previousSecretSealed: read.secretSealed, previousSecretExpiresAt: NOW + DAY, updatedAt: NOW + 1 };
        await store.transaction((tx) => tx.updateWebhookEndpoint(rotated, read));
        // a second rotation, or a re-enable, from the row as it was before the first: refused, nothing written
        const stale: WebhookEndpoint = { ...read, secretSealed: 'sealed_second', previousSecretSealed: read.secretSealed, previousSecretExpiresAt: NOW + DAY, updatedAt: NOW + 2 };
        await expect(store.transaction((tx) => tx.updateWebhookEndpoint(stale, read))).rejects.toBeInstanceOf(ConcurrentUpdate);
        expect(await store.read.getWebhookEndpoint('we_cas')).toStrictEqual(rotated);
        const disabled: WebhookEndpoint = { ...rotated, status: 'disabled', disabledReason: 'the receiver answered 410 Gone', updatedAt: NOW + 3 };
        await store.transaction((tx) => tx.updateWebhookEndpoint(disabled, rotated));
        await expect(store.transaction((tx) => tx.updateWebhookEndpoint({ ...rotated, secretSealed: 'sealed_third', updatedAt: NOW + 4 }, rotated))).rejects.toBeInstanceOf(ConcurrentUpdate);
        expect(await store.read.getWebhookEndpoint('we_cas')).toStrictEqual(disabled);
        // any column read differently (a null, an event type) is a change
        await expect(store.transaction((tx) => tx.updateWebhookEndpoint(disabled, { ...disabled, eventTypes: null }))).rejects.toBeInstanceOf(ConcurrentUpdate);
        await expect(store.transaction((tx) => tx.updateWebhookEndpoint(disabled, { ...disabled, disabledReason: null }))).rejects.toBeInstanceOf(ConcurrentUpdate);
        // from the row as it stands (nulls included): written, and seen by the transaction's next list
        const enabled: WebhookEndpoint = { ...disabled, status: 'enabled', disabledReason: null, previousSecretSealed: null, previousSecretExpiresAt: null, updatedAt: NOW + 5 };
        await store.transaction(async (tx) => {
          expect(await tx.listWebhookEndpoints('m_1', false)).toStrictEqual([disabled]);
          await tx.updateWebhookEndpoint(enabled, disabled);
          expect(await tx.listWebhookEndpoints('m_1', false)).toStrictEqual([enabled]);
        });
        await store.transaction((tx) => tx.updateWebhookEndpoint({ ...enabled, eventTypes: null }, enabled));
        expect(await store.read.getWebhookEndpoint('we_cas')).toStrictEqual({ ...enabled, eventTypes: null });
        // deleted meanwhile: nothing to update
        await store.transaction((tx) => tx.deleteWebhookEndpoint('we_cas'));
        await expect(store.transaction((tx) => tx.updateWebhookEndpoint(enabled, enabled))).rejects.toBeInstanceOf(ConcurrentUpdate);
        expect(await store.read.getWebhookEndpoint('we_cas')).toBeNull();
      });

      it('in a transaction, the endpoints that come with a terminal or a request are those of the list, and its own writes to endpoints show at once', async () => {
        const first = anEndpoint({ id: 'we_a', eventTypes: ['refund.created'], createdAt: NOW });
        const live = anEndpoint({ id: 'we_b', livemode: true, createdAt: NOW + 1 });
        const other = anEndpoint({ id: 'we_c', merchantId: 'm_2', createdAt: NOW + 2 });
        const later = anEndpoint({ id: 'we_d', createdAt: NOW + 3 });
        await insertEndpoints(first, live, other);
        await insertRequests(aRequest({ id: 'pr_we' }), aRequest({ id: 'pr_we_live', livemode: true }));
        await store.transaction(async (tx) => {
          expect(await tx.getTerminal(T1.id)).toStrictEqual(T1);
          expect(await tx.listWebhookEndpoints('m_1', false)).toStrictEqual([first]);
          expect(await tx.listWebhookEndpoints('m_1', true)).toStrictEqual([live]);
          await tx.insertWebhookEndpoint(later);
          expect(await tx.listWebhookEndpoints('m_1', false)).toStrictEqual([first, later]);
        });
        await store.transaction(async (tx) => {
          expect(await tx.lockPaymentRequest('pr_we')).toMatchObject({ id: 'pr_we', livemode: false });
          expect(await tx.listWebhookEndpoints('m_1', false)).toStrictEqual([first, later]);
          await tx.deleteWebhookEndpoint('we_a');
          expect(await tx.listWebhookEndpoints('m_1', false)).toStrictEqual([later]);
        });
        await store.transaction(async (tx) => {
          expect(await tx.getPaymentRequestWithMerchant('pr_we_live')).toMatchObject({ request: { id: 'pr_we_live' }, merchant: M1 });
          expect(await tx.listWebhookEndpoints('m_1', true)).toStrictEqual([live]);
          expect(await tx.listWebhookEndpoints('m_1', false)).toStrictEqual([later]);
        });
        // a merchant with endpoints in one mode only: the other's list is empty
        await store.transaction(async (tx) => {
          expect(await tx.getTerminal(T3.id)).toStrictEqual(T3);
          expect(await tx.listWebhookEndpoints('m_2', false)).toStrictEqual([other]);
          expect(await tx.listWebhookEndpoints('m_2', true)).toStrictEqual([]);
        });
      });

      it('deliveries round-trip every field and are listed per event', async () => {
        const endpointOne = aDelivery({
          id: 'dlv_a', eventId: 'ev_1', livemode: true, objectId: 'rf_1', sequence: 7, status: 'failed', attempts: 10,
          nextAttemptAt: NOW + 365 * DAY, createdAt: NOW - MINUTE, updatedAt: NOW + 1,
        });
        const own = aDelivery({ id: 'dlv_b', eventId: 'ev_1', endpointId: null, target: 'url:https://shop.example/hook?a=1', url: 'https://shop.example/hook?a=1' });
        const otherEvent = aDelivery({ id: 'dlv_c', eventId: 'ev_2', merchantId: 'm_2', endpointId: 'we_9', target: 'we_9' });
        await insertDeliveries(endpointOne, own, otherEvent);
        expect(await store.read.getDelivery('dlv_a')).toStrictEqual(endpointOne);
        expect(await store.read.getDelivery('dlv_b')).toStrictEqual(own);
        expect(await store.transaction((tx) => tx.getDelivery('dlv_c'))).toStrictEqual(otherEvent);
        expect(await store.read.getDelivery('dlv_nope')).toBeNull();
        const some = await store.transaction((tx) => tx.getDeliveries(['dlv_c', 'dlv_nope', 'dlv_a']));
        expect([...some].sort((x, y) => x.id.localeCompare(y.id))).toStrictEqual([endpointOne, otherEvent]);
        expect(await store.read.getDeliveries([])).toStrictEqual([]);
        const forEvent = await store.read.listDeliveriesForEvent('ev_1');
        expect([...forEvent].sort((x, y) => x.id.localeCompare(y.id))).toStrictEqual([endpointOne, own]);
        expect(await store.read.listDeliveriesForEvent('ev_2')).toStrictEqual([otherEvent]);
        expect(await store.read.listDeliveriesForEvent('ev_none')).toStrictEqual([]);
      });

      it("claimDueDeliveries: pending deliveries due at their mode's clock (test mode: the merchant's offset clock)", async () => {
        await store.transaction((tx) => tx.setTestClockOffset('m_2', HOUR));
        const m2 = { merchantId: 'm_2', endpointId: 'we_m2', target: 'we_m2' };
        // each its own object, so per-object order plays no part here
        const own = (id: string, overrides: Partial<Delivery>) => aDelivery({ id, objectId: `obj_${id}`, ...overrides });
        const m2Test = own('dlv_m2_test', { ...m2, nextAttemptAt: NOW + 30 * MINUTE }); // due at m_2's test clock
        await insertDeliveries(
          m2Test,
          own('dlv_m2_live', { ...m2, livemode: true, nextAttemptAt: NOW + 30 * MINUTE }), // live: real time, not due
          own('dlv_m2_later', { ...m2, nextAttemptAt: NOW + HOUR + 1 }), // beyond even the offset
          own('dlv_m1_test', { nextAttemptAt: NOW }), // exactly due
          own('dlv_m1_later', { nextAttemptAt: NOW + 1 }),
          own('dlv_m1_live', { livemode: true, nextAttemptAt: NOW - 1 }),
          own('dlv_delivered', { status: 'delivered', nextAttemptAt: NOW - HOUR }),
          own('dlv_failed', { status: 'failed', nextAttemptAt: NOW - HOUR }),
          own('dlv_cancelled', { status: 'cancelled', nextAttemptAt: NOW - HOUR }),
        );
        const due = await peek(NOW);
        expect(sortedIds(due)).toStrictEqual(['dlv_m1_live', 'dlv_m1_test', 'dlv_m2_test']);
        expect(due.find((d) => d.id === 'dlv_m2_test')).toStrictEqual(m2Test);
        expect(await peek(NOW, 2)).toHaveLength(2);
        // a target the worker has no slot for is left for later; the others are claimed
        expect(sortedIds(await peek(NOW, 100, ['we_m2']))).toStrictEqual(['dlv_m1_live', 'dlv_m1_test']);
        expect(sortedIds(await peek(NOW, 100, ['we_m2', 'we_nope']))).toStrictEqual(['dlv_m1_live', 'dlv_m1_test']);
        // an hour later at real time, m_2's test clock is two hours ahead
        expect(sortedIds(await peek(NOW + HOUR))).toStrictEqual(['dlv_m1_later', 'dlv_m1_live', 'dlv_m1_test', 'dlv_m2_later', 'dlv_m2_live', 'dlv_m2_test']);
      });

      it('a lease keeps a claimed delivery from other owners until it runs out; updateDelivery writes the new state and ends the lease', async () => {
        const delivery = aDelivery({ id: 'dlv_due', nextAttemptAt: NOW - 1 });
        await insertDeliveries(delivery);
        expect(await claim('w_1', NOW)).toStrictEqual([delivery]);
        expect(await claim('w_2', NOW + 1)).toStrictEqual([]);
        expect(await claim('w_2', NOW + MINUTE - 1)).toStrictEqual([]);
        // the owner died: once its lease has run out another process takes the delivery over
        expect(ids(await claim('w_2', NOW + MINUTE + 1))).toStrictEqual(['dlv_due']);
        expect(await claim('w_3', NOW + MINUTE + 2)).toStrictEqual([]);

        // w_2's attempt failed: rescheduled, still pending and due; recording it ends w_2's lease at once
        const retried: Delivery = { ...delivery, attempts: 1, nextAttemptAt: NOW + MINUTE + 2, updatedAt: NOW + MINUTE + 2 };
        await update(retried);
        expect(await store.read.getDelivery('dlv_due')).toStrictEqual(retried);
        expect(await claim('w_3', NOW + MINUTE + 3)).toStrictEqual([retried]);

        // done: never claimed again, whoever asks and whenever
        const delivered: Delivery = { ...retried, attempts: 2, status: 'delivered', updatedAt: NOW + MINUTE + 4 };
        await update(delivered);
        expect(await store.read.getDelivery('dlv_due')).toStrictEqual(delivered);
        expect(await claim('w_4', NOW + DAY)).toStrictEqual([]);
      });

      it.each<DeliveryStatus>(['delivered', 'failed', 'cancelled'])(
        'per (target, object) order: a later sequence waits while an earlier one is pending, and is claimable once it is %s',
        async (status) => {
          const first = aDelivery({ id: 'dlv_1', sequence: 1, nextAttemptAt: NOW + HOUR }); // pending, retried later
          const second = aDelivery({ id: 'dlv_2', sequence: 2 });
          const third = aDelivery({ id: 'dlv_3', sequence: 3 });
          const otherTarget = aDelivery({ id: 'dlv_other_target', endpointId: 'we_2', target: 'we_2', sequence: 2 });
          const ownUrl = aDelivery({ id: 'dlv_own_url', endpointId: null, target: 'url:https://shop.example/hook', url: 'https://shop.example/hook', sequence: 3 });
          const otherObject = aDelivery({ id: 'dlv_other_object', objectId: 'pr_2', sequence: 5 });
          await insertDeliveries(third, second, first, otherTarget, ownUrl, otherObject);

          // the first is not due yet, and holds back the rest of pr_1 for we_1 only
          expect(sortedIds(await peek(NOW))).toStrictEqual(['dlv_other_object', 'dlv_other_target', 'dlv_own_url']);
          // due: the first goes, its followers still wait
          expect(sortedIds(await claim('w_1', NOW + HOUR))).toStrictEqual(['dlv_1', 'dlv_other_object', 'dlv_other_target', 'dlv_own_url']);
          // while the first is claimed (on the wire) its followers still wait
          expect(await peek(NOW + HOUR)).toStrictEqual([]);
          for (const released of [otherTarget, ownUrl, otherObject]) await update(released);
          expect(sortedIds(await peek(NOW + HOUR))).toStrictEqual(['dlv_other_object', 'dlv_other_target', 'dlv_own_url']);

          await update({ ...first, status, attempts: 1, updatedAt: NOW + HOUR });
          expect(sortedIds(await peek(NOW + HOUR)), 'the next in sequence, not the one after it').toStrictEqual(['dlv_2', 'dlv_other_object', 'dlv_other_target', 'dlv_own_url']);
          await update({ ...second, status: 'delivered', attempts: 1, updatedAt: NOW + HOUR });
          expect(sortedIds(await peek(NOW + HOUR))).toStrictEqual(['dlv_3', 'dlv_other_object', 'dlv_other_target', 'dlv_own_url']);
        },
      );

      it("cancelPendingDeliveries cancels only that endpoint's pending deliveries and counts them", async () => {
        const pendingOne = aDelivery({ id: 'dlv_p1', objectId: 'pr_1' });
        const pendingTwo = aDelivery({ id: 'dlv_p2', objectId: 'pr_2', attempts: 2, nextAttemptAt: NOW + HOUR });
        const delivered = aDelivery({ id: 'dlv_done', objectId: 'pr_3', status: 'delivered', attempts: 1 });
        const failed = aDelivery({ id: 'dlv_failed', objectId: 'pr_4', status: 'failed', attempts: 10 });
        const otherEndpoint = aDelivery({ id: 'dlv_other', endpointId: 'we_2', target: 'we_2' });
        const ownUrl = aDelivery({ id: 'dlv_url', endpointId: null, target: 'url:https://shop.example/hook', url: 'https://shop.example/hook' });
        await insertDeliveries(pendingOne, pendingTwo, delivered, failed, otherEndpoint, ownUrl);
        expect(ids(await claim('w_1', NOW, 100)).sort()).toContain('dlv_p1'); // a leased pending delivery is cancelled too

        expect(await store.transaction((tx) => tx.cancelPendingDeliveries('we_1', NOW + 5))).toBe(2);
        expect(await store.read.getDelivery('dlv_p1')).toStrictEqual({ ...pendingOne, status: 'cancelled', updatedAt: NOW + 5 });
        expect(await store.read.getDelivery('dlv_p2')).toStrictEqual({ ...pendingTwo, status: 'cancelled', updatedAt: NOW + 5 });
        for (const untouched of [delivered, failed, otherEndpoint, ownUrl]) expect(await store.read.getDelivery(untouched.id)).toStrictEqual(untouched);
        expect(sortedIds(await peek(NOW + 2 * MINUTE + DAY)), 'cancelled deliveries are never claimed').toStrictEqual(['dlv_other', 'dlv_url']);

        expect(await store.transaction((tx) => tx.cancelPendingDeliveries('we_1', NOW + 6))).toBe(0);
        expect(await store.transaction((tx) => tx.cancelPendingDeliveries('we_nope', NOW + 6))).toBe(0);
        expect((await store.read.getDelivery('dlv_p1'))?.updatedAt).toBe(NOW + 5);
      });

      it('updateDeliveries writes the state of each in one statement and ends their leases', async () => {
        const [u1, u2, u3] = ['dlv_u1', 'dlv_u2', 'dlv_u3'].map((id) => aDelivery({ id, objectId: `obj_${id}`, nextAttemptAt: NOW })) as [Delivery, Delivery, Delivery];
        await insertDeliveries(u1, u2, u3);
        const claimed = await claim('w_1', NOW);
        expect(sortedIds(claimed)).toStrictEqual(['dlv_u1', 'dlv_u2', 'dlv_u3']);
        const retried: Delivery = { ...u1, status: 'pending', attempts: 1, nextAttemptAt: NOW + 1, updatedAt: NOW + 1 };
        const delivered: Delivery = { ...u2, status: 'delivered', attempts: 1, updatedAt: NOW + 2 };
        await store.transaction((tx) => tx.updateDeliveries([retried, delivered]));
        expect(await store.read.getDelivery('dlv_u1')).toStrictEqual(retried);
        expect(await store.read.getDelivery('dlv_u2')).toStrictEqual(delivered);
        expect(await store.read.getDelivery('dlv_u3')).toStrictEqual(u3); // not in the list: untouched
        // its lease is ended: another owner takes the retry once due, while w_1's lease still holds dlv_u3
        expect(sortedIds(await claim('w_2', NOW + 1))).toStrictEqual(['dlv_u1']);
        await store.transaction((tx) => tx.updateDeliveries([])); // nothing to write: no statement, no error
      });

      it('delivery attempts round-trip and are listed per event, oldest first', async () => {
        const first = aDelivery({ id: 'dlv_1', eventId: 'ev_1' });
        const redelivery = aDelivery({ id: 'dlv_2', eventId: 'ev_1', endpointId: null, target: 'url:https://shop.example/hook', url: 'https://shop.example/hook' });
        const other = aDelivery({ id: 'dlv_3', eventId: 'ev_2' });
        await insertDeliveries(first, redelivery, other);
        // ids in the opposite order of time: the list is by attemptedAt
        const latest = anAttempt(redelivery, { id: 'att_1', attemptedAt: NOW + 2 * MINUTE, statusCode: 204, responseSnippet: null });
        const earliest = anAttempt(first, { id: 'att_2', attemptedAt: NOW, statusCode: 500, latencyMs: 15_000, responseSnippet: 'é'.repeat(512) + ' "oops" ' });
        const middle = anAttempt(first, { id: 'att_3', attemptedAt: NOW + MINUTE, statusCode: null, latencyMs: 0, responseSnippet: null, error: 'connect ECONNREFUSED 127.0.0.1:9' });
        const elsewhere = anAttempt(other, { id: 'att_4', attemptedAt: NOW - DAY });
        await store.transaction(async (tx) => {
          await tx.insertDeliveryAttempts([latest, earliest]);
          await tx.insertDeliveryAttempts([]);
          await tx.insertDeliveryAttempts([middle, elsewhere]);
        });
        expect(await store.read.listDeliveryAttempts('ev_1')).toStrictEqual([earliest, middle, latest]);
        expect(await store.transaction((tx) => tx.listDeliveryAttempts('ev_2'))).toStrictEqual([elsewhere]);
        expect(await store.read.listDeliveryAttempts('ev_none')).toStrictEqual([]);
      });
    });
  });
}
