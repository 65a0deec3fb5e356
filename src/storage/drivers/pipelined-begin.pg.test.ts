// A transaction's BEGIN goes to PostgreSQL with its first read, in one write on the socket
// (pipelined-begin.ts); before a first write it goes alone, as it always did. Observed on the
// connection's socket (over TCP) and, for where the read ran, in pg_stat_activity of a real
// PostgreSQL. A pipelined first read refused as a stale prepared plan: prepared-statements.pg.test.ts.
import { Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { dropSchema, freshSchemaName, PG_URL } from '../../../test/postgres.js';
import type { Persistence } from '../../app/ports/persistence.js';
import { openPostgresStore } from './postgres.js';

const schema = freshSchemaName();
const port = Number(new URL(PG_URL).port || 5432);
let store: Persistence;
let admin: pg.Client;

beforeAll(async () => {
  // one connection: every transaction below runs on the socket the writes are counted on
  store = openPostgresStore({ url: PG_URL, schema, poolSize: 1 });
  await store.migrate();
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await store.close();
  await dropSchema(schema);
});

/** Each write posgate's connections make on a socket to PostgreSQL (the admin client's excluded), with the socket. */
let writes: Socket[] = [];
const originals = { _write: Socket.prototype._write, _writev: Socket.prototype._writev };
beforeEach(() => {
  writes = [];
  for (const method of ['_write', '_writev'] as const) {
    const original = originals[method] as (...args: unknown[]) => unknown;
    (Socket.prototype as unknown as Record<string, unknown>)[method] = function (this: Socket, ...args: unknown[]) {
      if (this.remotePort === port && this !== (admin as unknown as { connection: { stream: Socket } }).connection.stream) writes.push(this);
      return original.apply(this, args);
    };
  }
});
afterEach(() => Object.assign(Socket.prototype, originals));

const record = (key: string) => ({ dialect: 'toy', kind: 'payment_request', key, data: {}, createdAt: 1, updatedAt: 1 });

/** The state PostgreSQL shows for the backend behind `socket`: 'idle in transaction' inside one. */
async function backendState(socket: Socket): Promise<string> {
  const { rows } = await admin.query('select state from pg_stat_activity where client_port = $1', [socket.localPort]);
  return rows[0]?.state;
}

it('sends BEGIN and the first read in one write, and the read runs inside the transaction', async () => {
  await store.transaction((tx) => tx.putDialectRecord(record('first-read')));
  writes = [];
  let stateInside = '';
  const read = await store.transaction(async (tx) => {
    const found = await tx.getDialectRecord('toy', 'payment_request', 'first-read');
    stateInside = await backendState(writes[0]!);
    return found;
  });
  expect(read?.key).toBe('first-read');
  expect(stateInside).toBe('idle in transaction');
  expect(writes).toHaveLength(2); // BEGIN with the read, then COMMIT (three writes before)
  expect(await backendState(writes[0]!)).toBe('idle');
});

it('sends BEGIN alone and waits for it before a first write, which a failure later rolls back', async () => {
  const failure = new Error('the unit failed after its write');
  await expect(store.transaction(async (tx) => {
    await tx.putDialectRecord(record('rolled-back'));
    throw failure;
  })).rejects.toBe(failure);
  expect(writes).toHaveLength(3); // BEGIN, the insert, ROLLBACK
  expect(await store.read.getDialectRecord('toy', 'payment_request', 'rolled-back')).toBeNull();
});

it('sends nothing for a transaction that runs no statement, and the connection serves the next one', async () => {
  expect(await store.transaction(async () => 'nothing to do')).toBe('nothing to do');
  expect(writes).toHaveLength(0);
  await expect(store.transaction(async () => {
    throw new Error('refused before any statement');
  })).rejects.toThrow('refused before any statement');
  expect(writes).toHaveLength(0);
  await store.transaction((tx) => tx.putDialectRecord(record('after-nothing')));
  expect((await store.transaction((tx) => tx.getDialectRecord('toy', 'payment_request', 'after-nothing')))?.key).toBe('after-nothing');
});

it('a first read that fails fails its transaction, and the connection serves the next one', async () => {
  const admin2 = new pg.Client({ connectionString: PG_URL });
  await admin2.connect();
  try {
    // the read's table gone: PostgreSQL refuses the read that came with BEGIN
    await admin2.query(`alter table ${schema}.dialect_records rename to dialect_records_away`);
    try {
      await expect(store.transaction((tx) => tx.getDialectRecord('toy', 'payment_request', 'x'))).rejects.toThrow('dialect_records');
    } finally {
      await admin2.query(`alter table ${schema}.dialect_records_away rename to dialect_records`);
    }
  } finally {
    await admin2.end();
  }
  await store.transaction((tx) => tx.putDialectRecord(record('after-failure')));
  expect((await store.transaction((tx) => tx.getDialectRecord('toy', 'payment_request', 'after-failure')))?.key).toBe('after-failure');
});
