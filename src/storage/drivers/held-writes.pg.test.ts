// Held writes on PostgreSQL (held-writes.ts): a transaction's insert of an event (a held write)
// goes to PostgreSQL with the statement after it, in one write on the socket, and its failure is
// the failure that statement, or the COMMIT, reports. Observed on the connection's socket and in a
// real PostgreSQL.
import { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { dropSchema, freshSchemaName, PG_URL } from '../../../test/postgres.js';
import { UniqueViolation, type Persistence, type StoredEvent } from '../../app/ports/persistence.js';
import { UNIQUE } from '../schema.js';
import { openPostgresStore } from './postgres.js';

const schema = freshSchemaName();
const port = Number(new URL(PG_URL).port || 5432);
let store: Persistence;

beforeAll(async () => {
  // one connection: every transaction below runs on the socket the writes are counted on
  store = openPostgresStore({ url: PG_URL, schema, poolSize: 1 });
  await store.migrate();
});
afterAll(async () => {
  await store.close();
  await dropSchema(schema);
});

/** How many writes posgate's connections make on sockets to PostgreSQL. */
let writes = 0;
const originals = { _write: Socket.prototype._write, _writev: Socket.prototype._writev };
beforeEach(() => {
  writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = originals[method] as (...args: unknown[]) => unknown;
    (Socket.prototype as unknown as Record<string, unknown>)[method] = function (this: Socket, ...args: unknown[]) {
      if (this.remotePort === port) writes++;
      return original.apply(this, args);
    };
  }
});
afterEach(() => Object.assign(Socket.prototype, originals));

const anEvent = (id: string, objectId: string, sequence = 1): StoredEvent => ({
  id, type: 'payment_request.created', objectType: 'payment_request', objectId, paymentRequestId: objectId,
  merchantId: 'm_held', terminalId: 't_held', livemode: false, sequence, data: { id: objectId } as unknown as StoredEvent['data'], createdAt: 1,
});
const merchant = { id: 'm_after', name: 'After', testClockOffsetMs: 0, underpaymentToleranceBps: 0, timeZone: null, createdAt: 1 };
const record = (key: string) => ({ dialect: 'toy', kind: 'payment_request', key, data: {}, createdAt: 1, updatedAt: 1 });

it('sends a held write with the statement after it, in one write, and the COMMIT makes it durable', async () => {
  let writesAfterInsert = -1;
  await store.transaction(async (tx) => {
    await tx.getDialectRecord('toy', 'payment_request', 'none'); // BEGIN with this read
    writes = 0;
    await tx.appendEvent(anEvent('ev_held', 'pr_held'));
    writesAfterInsert = writes;
  });
  expect(writesAfterInsert).toBe(0); // answered at once: nothing sent yet
  expect(writes).toBe(1); // the insert and the COMMIT together
  expect(await store.read.getEvent('ev_held')).toMatchObject({ id: 'ev_held', objectId: 'pr_held', sequence: 1 });
});

it('a held write that fails fails the COMMIT with its own error (which answered ROLLBACK, no error), and the whole transaction is undone', async () => {
  await store.transaction((tx) => tx.appendEvent(anEvent('ev_first', 'pr_twice')));
  const failed = store.transaction(async (tx) => {
    await tx.putDialectRecord(record('undone'));
    await tx.appendEvent(anEvent('ev_second', 'pr_twice')); // the same (object_id, sequence): refused
  });
  await expect(failed).rejects.toBeInstanceOf(UniqueViolation);
  await expect(failed).rejects.toMatchObject({ constraint: UNIQUE.eventSequence });
  expect(await store.read.getEvent('ev_second')).toBeNull();
  expect(await store.read.getDialectRecord('toy', 'payment_request', 'undone')).toBeNull();
});

it('the statement after a held write that failed reports that failure, and a write does not take it for a unique violation of its own', async () => {
  await store.transaction((tx) => tx.appendEvent(anEvent('ev_one', 'pr_again')));
  let readSaw: unknown;
  const afterRead = store.transaction(async (tx) => {
    await tx.appendEvent(anEvent('ev_two', 'pr_again'));
    readSaw = await tx.getDialectRecord('toy', 'payment_request', 'x').catch((error: unknown) => error);
    throw readSaw;
  });
  await expect(afterRead).rejects.toMatchObject({ constraint: UNIQUE.eventSequence });
  await expect(afterRead).rejects.toBeInstanceOf(UniqueViolation);
  expect(readSaw).toMatchObject({ code: '23505', constraint: UNIQUE.eventSequence }); // not "current transaction is aborted"

  let writeSaw: unknown;
  const afterWrite = store.transaction(async (tx) => {
    await tx.appendEvent(anEvent('ev_three', 'pr_again'));
    writeSaw = await tx.insertMerchant(merchant).catch((error: unknown) => error);
    throw writeSaw;
  });
  await expect(afterWrite).rejects.toMatchObject({ constraint: UNIQUE.eventSequence });
  // the merchant's insert did not fail by itself: its caller does not see a unique violation of its own
  expect(writeSaw).not.toBeInstanceOf(UniqueViolation);
  expect(writeSaw).toMatchObject({ code: '23505', constraint: UNIQUE.eventSequence });
  expect(await store.read.getEvent('ev_two')).toBeNull();
  expect(await store.read.getMerchant(merchant.id)).toBeNull();
});

it('a unit that fails after a held write that failed too fails with its own error, and the connection serves the next transaction', async () => {
  await store.transaction((tx) => tx.appendEvent(anEvent('ev_a', 'pr_rolled')));
  const failure = new Error('the unit failed on its own');
  await expect(store.transaction(async (tx) => {
    await tx.appendEvent(anEvent('ev_b', 'pr_rolled'));
    throw failure;
  })).rejects.toBe(failure);
  await store.transaction((tx) => tx.appendEvent(anEvent('ev_c', 'pr_rolled', 2)));
  expect(await store.read.getEvent('ev_c')).toMatchObject({ sequence: 2 });
  expect(await store.read.getEvent('ev_b')).toBeNull();
});

it('a COMMIT after a failure that the unit caught and went on from fails: PostgreSQL committed nothing', async () => {
  await store.transaction((tx) => tx.appendEvent(anEvent('ev_once', 'pr_swallowed')));
  const swallowed = store.transaction(async (tx) => {
    await tx.appendEvent(anEvent('ev_twice', 'pr_swallowed'));
    await tx.getDialectRecord('toy', 'payment_request', 'x').catch(() => null); // the held insert's failure, caught
    return 'done';
  });
  await expect(swallowed).rejects.toThrow('COMMIT answered ROLLBACK');
  expect(await store.read.getEvent('ev_twice')).toBeNull();
});
