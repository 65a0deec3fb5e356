// What a transaction reads of a request it locked after waiting for another transaction's lock, on
// PostgreSQL at READ COMMITTED: the row as the holder left it, and, read after the lock, the events
// the holder appended. (A subquery of the locking statement itself would still see the events as
// they were before the holder committed: kysely-tx.ts reads a request's last sequence with it only
// where one transaction writes at a time.) Observed on a real PostgreSQL, the waiting seen in
// pg_stat_activity.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dropSchema, freshSchemaName, PG_URL } from '../../../test/postgres.js';
import type { Persistence, StoredEvent, Tx } from '../../app/ports/persistence.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { openPostgresStore } from './postgres.js';

const schema = freshSchemaName();
let store: Persistence;
let admin: pg.Client;

const NOW = 1_767_225_600_000;
const request: PaymentRequest = {
  id: 'pr_locked', livemode: false, merchantId: 'm_lock', storeId: 'st_lock', terminalId: 't_lock',
  status: 'created', statusReason: null, cancellationReason: null, amount: 1250, currency: 'NZD',
  amountReceived: 0, amountAuthorized: 0, amountCaptured: 0, amountRefunded: 0, amountRefundReserved: 0, overpaid: false,
  captureMode: 'automatic', reference: null, shortCode: 'LOCK01', description: null, lineItems: null, metadata: {},
  webhookUrl: null, redirectUrl: null, partialAllowed: false, basketAmount: null, patronNotPresent: false, allowConcurrent: false,
  allowedMethods: null, paymentMethod: null, methodDetails: null, patronId: null, source: 'native', fingerprint: null, externalRef: null,
  minimumAge: null, conditionsEnabled: null, conditions: [], authorizationTtlMs: null,
  expiresAt: NOW + 900_000, authorizationExpiresAt: null, createdAt: NOW, updatedAt: NOW, version: 1,
};
const anEvent = (id: string, sequence: number): StoredEvent => ({
  id, type: 'payment_request.updated', objectType: 'payment_request', objectId: request.id, paymentRequestId: request.id,
  merchantId: request.merchantId, terminalId: request.terminalId, livemode: false, sequence, data: request, createdAt: NOW,
});

beforeAll(async () => {
  store = openPostgresStore({ url: PG_URL, schema, poolSize: 2 });
  await store.migrate();
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await store.transaction(async (tx) => {
    await tx.insertMerchant({ id: 'm_lock', name: 'Locks', testClockOffsetMs: 0, underpaymentToleranceBps: 0, timeZone: null, createdAt: NOW });
    await tx.insertStore({ id: 'st_lock', merchantId: 'm_lock', name: 'Main', createdAt: NOW });
    await tx.insertTerminal({ id: 't_lock', merchantId: 'm_lock', storeId: 'st_lock', name: 'till-1', checkedInPatronId: null, checkedInAt: null, createdAt: NOW, posId: null });
    await tx.insertPaymentRequest(request);
    await tx.appendEvent(anEvent('ev_lock_1', 1));
  });
});
afterAll(async () => {
  await admin?.end();
  await store?.close();
  await dropSchema(schema);
});

/** Resolves once a backend of this schema's store waits for a lock on a request (bounded: 10 s). */
async function someoneWaitsForTheLock(): Promise<void> {
  for (let tries = 0; tries < 1000; tries++) {
    // the statement's start: pg_stat_activity keeps only its first kilobyte
    const { rows } = await admin.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like 'select "pr".*, "m"."id" as "m_id"%' and datname = current_database()`);
    if (rows[0].n > 0) return;
    await new Promise((next) => setTimeout(next, 10));
  }
  throw new Error('no transaction came to wait for the lock');
}

/**
 * A holder locks the request; `waiter` then runs and waits for that lock; once it waits, the holder
 * appends `heldEventId` and commits. What `waiter` returns, and the holder's end, both awaited.
 */
async function waitBehindAHolder<T>(heldEventId: string, waiter: (tx: Tx) => Promise<T>): Promise<T> {
  let locked!: () => void;
  const holding = new Promise<void>((resolve) => (locked = resolve));
  let letGo!: () => void;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  const holder = store.transaction(async (tx) => {
    await tx.lockPaymentRequest(request.id);
    locked();
    await gate;
    await tx.appendEvent(anEvent(heldEventId, (await tx.lastEventSequence(request.id)) + 1));
  });
  await holding;
  const waiting = store.transaction(waiter);
  await someoneWaitsForTheLock();
  letGo();
  await holder;
  return waiting;
}

it('a transaction that waited for the lock on a request appends its event after the one the holder appended, without a collision', async () => {
  const sequence = await waitBehindAHolder('ev_lock_2', async (tx) => {
    expect(await tx.lockPaymentRequest(request.id)).toMatchObject({ id: request.id });
    const sequence = (await tx.lastEventSequence(request.id)) + 1;
    await tx.appendEvent(anEvent('ev_lock_3', sequence));
    return sequence;
  });
  expect(sequence).toBe(3);
  expect(await store.read.getEvent('ev_lock_3')).toMatchObject({ sequence: 3 });
});

it('…and so does one that updates the request first: the update brings the last sequence, read after the lock', async () => {
  const sequence = await waitBehindAHolder('ev_lock_4', async (tx) => {
    const locked = await tx.lockPaymentRequest(request.id);
    expect(locked).toMatchObject({ id: request.id });
    await tx.updatePaymentRequest({ ...locked!, description: 'updated after the wait', version: locked!.version + 1 });
    const sequence = (await tx.lastEventSequence(request.id)) + 1;
    await tx.appendEvent(anEvent('ev_lock_5', sequence));
    return sequence;
  });
  expect(sequence).toBe(5);
  expect(await store.read.getEvent('ev_lock_5')).toMatchObject({ sequence: 5 });
});
