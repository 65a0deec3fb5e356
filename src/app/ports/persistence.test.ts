// The storage port's types are its rules: these lines compile only while they hold (npm run typecheck).
import { describe, expect, it } from 'vitest';
import type { ReadTx, Persistence, Tx } from './persistence.js';

describe('the storage port', () => {
  it('store.read is read-only by type: a write, a lock or a lease through it does not compile', () => {
    const throughRead = (store: Persistence) => [
      // @ts-expect-error store.read cannot write: a change is a transaction
      store.read.updatePaymentRequest,
      // @ts-expect-error a row lock means nothing outside a transaction
      store.read.lockPaymentRequest,
      // @ts-expect-error claiming an idempotency key writes
      store.read.claimIdempotencyKey,
      // @ts-expect-error leases write
      store.read.claimDueDeliveries,
      // @ts-expect-error settings are written in a transaction too
      store.read.setSetting,
    ];
    expect(typeof throughRead).toBe('function');
  });

  it('a transaction reads and writes: Tx is a ReadTx', () => {
    const asRead = (tx: Tx): ReadTx => tx;
    expect(typeof asRead).toBe('function');
  });
});
