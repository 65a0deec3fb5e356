// DATABASE_PREPARED_STATEMENTS as pg sees it: on, a statement with values goes to the server by
// name (parsed once per connection); off, every statement goes unnamed, as a pooler in transaction
// mode needs. Observed at pg's Client#query, on a real PostgreSQL.
import pg from 'pg';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { dropSchema, freshSchemaName, PG_URL } from '../../../test/postgres.js';
import { openPostgresStore } from './postgres.js';

const schema = freshSchemaName();
afterAll(() => dropSchema(schema));

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
        expect(names.length).toBe(5); // the three reads, the write, the last read: all by name
        expect(new Set(names).size).toBeLessThanOrEqual(3); // the read's text is named once per connection
      } else {
        expect(names).toEqual([]);
      }
    } finally {
      await store.close();
    }
  });
}
