// DATABASE_PREPARED_STATEMENTS as pg sees it: on, a statement with values goes to the server by
// name (parsed once per connection); off, every statement goes unnamed, as a pooler in transaction
// mode needs. Observed at pg's Client#query, on a real PostgreSQL.
import pg from 'pg';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { dropSchema, freshSchemaName, PG_URL } from '../../../test/postgres.js';
import { openPostgresStore } from './postgres.js';

const schema = freshSchemaName();
const stalesSchema = freshSchemaName();
afterAll(async () => Promise.all([dropSchema(schema), dropSchema(stalesSchema)]));

const original = pg.Client.prototype.query;
let sent: unknown[] = [];
beforeEach(() => {
  sent = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    sent.push(args[0]);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
});
afterEach(() => {
  pg.Client.prototype.query = original;
});

const namedSent = () => sent.filter((first) => typeof first === 'object' && first !== null && 'name' in first).map((first) => (first as { name: string }).name);

for (const preparedStatements of [true, false]) {
  it(`preparedStatements: ${preparedStatements}`, async () => {
    const store = openPostgresStore({ url: PG_URL, schema, preparedStatements });
    try {
      await store.migrate();
      sent = [];
      // a read three times, a write, the read again: each a statement with values
      for (let i = 0; i < 3; i++) expect(await store.read.getDialectRecord('toy', 'payment_request', `${preparedStatements}_${i}`)).toBeNull();
      await store.transaction((tx) => tx.putDialectRecord({ dialect: 'toy', kind: 'payment_request', key: `${preparedStatements}_1`, data: {}, createdAt: 1, updatedAt: 1 }));
      expect((await store.read.getDialectRecord('toy', 'payment_request', `${preparedStatements}_1`))?.key).toBe(`${preparedStatements}_1`);
      const names = namedSent();
      if (preparedStatements) {
        expect(names.length).toBeGreaterThan(0); // the read's text, from its second use on a connection
        expect(names.length).toBeLessThan(4); // never its first
      } else {
        expect(names).toEqual([]);
      }
    } finally {
      await store.close();
    }
  });
}

it('a transaction refused because a migration changed a table under its prepared statement runs again, and succeeds', async () => {
  const store = openPostgresStore({ url: PG_URL, schema: stalesSchema, poolSize: 1 }); // one connection: the one that prepared
  try {
    await store.migrate();
    const read = () => store.transaction((tx) => tx.getDialectRecord('toy', 'payment_request', 'nothing'));
    await read();
    await read(); // its second use: now prepared
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query(`alter table ${stalesSchema}.dialect_records add column added_by_a_newer_release integer`);
    } finally {
      await admin.end();
    }
    sent = [];
    expect(await read()).toBeNull();
    // refused by name inside its transaction, then the whole transaction again, prepared afresh
    expect(sent.filter((first) => first === 'begin')).toHaveLength(2);
    expect(namedSent()).toEqual(['posgate_0_0']);
  } finally {
    await store.close();
  }
});
